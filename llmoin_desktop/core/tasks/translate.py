"""Übersetzen: the standard runner on page-free text, plus a machine-translation note.

Languages are data: the ``sprache`` field's options in ``resources/tasks/uebersetzen.toml``
(a new language is one more option line; IT can ship a changed copy via ``extra_tasks_dir``).
Long documents are translated part by part in order (``[long] strategy = "concat"``: map step
only, no reduce), so paragraphs and lists stay where they were. The note saying that the text
is a machine translation is written by code (like the coverage note), never left to the model.
"""

from __future__ import annotations

from typing import Any

from llmoin_desktop.core.i18n import tr
from llmoin_desktop.core.tasks.proofread import clean_answer, page_free_source
from llmoin_desktop.core.tasks.runner import Reporter, TaskResult, TaskRunner
from llmoin_desktop.core.tasks.spec import TaskSpec

RUNNER_NAME = "translate"
LANGUAGE_FIELD = "sprache"
DIRECTION_FIELD = "richtung"
TO_GERMAN = "nach_de"


def languages(spec: TaskSpec) -> list[tuple[str, str]]:
    """(value, label) of the languages the task file offers."""
    f = spec.field(LANGUAGE_FIELD)
    return [(o.value, o.label) for o in f.options] if f else []


def machine_note(spec: TaskSpec, values: dict[str, Any]) -> str:
    f = spec.field(LANGUAGE_FIELD)
    opt = f.option(str(values.get(LANGUAGE_FIELD, ""))) if f else None
    other = spec.t(opt.label) if opt else str(values.get(LANGUAGE_FIELD, ""))
    german = spec.t("Deutsch")
    source, target = (
        (other, german) if values.get(DIRECTION_FIELD) == TO_GERMAN else (german, other)
    )
    return tr(
        "Maschinelle Übersetzung ({source} → {target}) mit KI, nicht geprüft. "
        "Rechtlich verbindlich ist nur der Ausgangstext.",
        source=source,
        target=target,
    )


def run_translate(
    runner: TaskRunner, spec: TaskSpec, values: dict[str, Any], ctx: Reporter
) -> TaskResult:
    values = {**spec.defaults(), **values}
    doc = page_free_source(runner, spec, values, ctx)
    result = runner.run(spec, values, ctx=ctx, document=doc)
    result.answer = clean_answer(result.answer)
    note = machine_note(spec, values)
    result.coverage = f"{result.coverage}\n\n{note}" if result.coverage else note
    ctx.token("\n\n" + note)
    return result
