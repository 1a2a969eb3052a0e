"""The ``synopsis`` runner: two versions in, the deterministic synopsis plus short model notes.

The form has two document fields (old and new version) and, for letters or contract clauses,
two pasted-text alternatives. What changed is computed by :mod:`core.tasks.synopsis` (never by
the model); the model is only asked, one short call per substantive change, what the change
means, with the task file's prompts. Those calls are optional (``erlaeuterung`` = nein) and
capped (``MAX_EXPLAINED``), so a heavily amended law still finishes in minutes on a laptop;
the result says how many were left unexplained.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from llmoin_desktop.core.documents.model import Document
from llmoin_desktop.core.engine.backend import GenerationParams
from llmoin_desktop.core.errors import ContextOverflow
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.tasks import render
from llmoin_desktop.core.tasks.runner import Reporter, RunStats, TaskResult, TaskRunner
from llmoin_desktop.core.tasks.sources import document_from_text, load_document
from llmoin_desktop.core.tasks.spec import TaskInputError, TaskSpec
from llmoin_desktop.core.tasks.synopsis import Row, compare, to_markdown

RUNNER_NAME = "synopsis"
OLD_FIELDS = ("alt", "alt_text")
NEW_FIELDS = ("neu", "neu_text")
EXPLAIN_FIELD = "erlaeuterung"
SHOW_FIELD = "darstellung"
MAX_EXPLAINED = 20  # model calls per run; more changes are listed without a note
EXPLAIN_TOKENS = 80
MAX_UNIT_CHARS = 1200  # per version in one explanation prompt


def _version(
    spec: TaskSpec, values: dict[str, Any], fields: tuple[str, str], ctx: Reporter
) -> tuple[Document, str, bool]:
    """(document, name, is a file): a chosen file, else the pasted text named like the field
    ("Bisherige Fassung"), so the synopsis heading reads well either way."""
    doc_field, text_field = fields
    path = str(values.get(doc_field) or "").strip()
    if path and spec.field(doc_field) is not None:
        return load_document(path, ctx.cancel), Path(path).name, True
    f = spec.field(doc_field) or spec.field(text_field)
    label = spec.t(f.label) if f else text_field
    return document_from_text(str(values.get(text_field) or ""), label), label, False


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_UNIT_CHARS else text[:MAX_UNIT_CHARS] + " …"


def explain_prompt(spec: TaskSpec, values: dict[str, Any], row: Row) -> str:
    """The user message asking for one change's meaning (the task file's ``[long].map``)."""
    old = _short(row.old.text) if row.old else _("(nicht vorhanden)")
    new = _short(row.new.text) if row.new else _("(entfällt)")
    part = f"Stelle: {row.ref}\n\nBisherige Fassung:\n{old}\n\nNeue Fassung:\n{new}"
    return render.render_map(spec, values, text_part=part, part=1, parts=1, range_label=row.ref)


def _explain(
    runner: TaskRunner,
    spec: TaskSpec,
    values: dict[str, Any],
    rows: list[Row],
    ctx: Reporter,
    stats: RunStats,
) -> int:
    """One short model call per substantive change; returns how many were left out."""
    todo = [r for r in rows if r.substantive]
    # Biggest changes first when there are more than we explain.
    if len(todo) > MAX_EXPLAINED:

        def size(r: Row) -> int:
            return len(r.old.text if r.old else "") + len(r.new.text if r.new else "")

        chosen = {id(r) for r in sorted(todo, key=lambda r: -size(r))[:MAX_EXPLAINED]}
        todo = [r for r in todo if id(r) in chosen]
    params = GenerationParams(**vars(runner.params))
    params.max_tokens = min(runner.params.max_tokens, EXPLAIN_TOKENS)
    system = render.render_system(spec, values)
    for n, row in enumerate(todo, start=1):
        ctx.progress(
            n - 1, len(todo), tr("Änderung {i} von {n} wird erläutert …", i=n, n=len(todo))
        )
        messages = [
            {"role": "system", "content": system},
            {"role": "user", "content": explain_prompt(spec, values, row)},
        ]
        try:
            # The runner's one call path: cancel check, stats, repeated paragraphs dropped.
            text = runner._call(messages, params, ctx, stats, None)  # noqa: SLF001
        except ContextOverflow:
            continue
        row.explanation = " ".join(text.split())
    return len([r for r in rows if r.substantive]) - len(todo)


def run_synopsis(
    runner: TaskRunner, spec: TaskSpec, values: dict[str, Any], ctx: Reporter
) -> TaskResult:
    started = time.perf_counter()
    values = {**spec.defaults(), **values}
    problems = spec.validate(values)
    if problems:
        raise TaskInputError(" ".join(problems.values()))
    ctx.progress(0, None, _("Fassungen werden gelesen …"))
    old_doc, old_name, old_file = _version(spec, values, OLD_FIELDS, ctx)
    new_doc, new_name, new_file = _version(spec, values, NEW_FIELDS, ctx)
    ctx.cancel.raise_if_cancelled()
    ctx.progress(0, None, _("Fassungen werden abgeglichen …"))
    syn = compare(old_doc, new_doc, old_name, new_name)
    result = TaskResult(
        task_id=spec.id,
        values=values,
        answer="",
        output_kind=spec.output_kind(values),
        sources=[n for n, f in ((old_name, old_file), (new_name, new_file)) if f],
    )
    left_out = 0
    if values.get(EXPLAIN_FIELD, "ja") != "nein" and syn.differences:
        left_out = _explain(runner, spec, values, syn.rows, ctx, result.stats)
    result.answer = to_markdown(syn, show_unchanged=values.get(SHOW_FIELD) == "alles")
    notes = [
        _(
            "Die Gegenüberstellung wurde vom Programm berechnet, nicht vom Modell: "
            "gestrichen = durchgestrichen, neu = fett."
        )
    ]
    if left_out:
        notes.append(tr("{n} weitere Änderungen sind ohne Erläuterung aufgeführt.", n=left_out))
    result.coverage = " ".join(notes)
    result.messages = []
    ctx.token(result.text)
    result.stats.wall_s = time.perf_counter() - started
    return result
