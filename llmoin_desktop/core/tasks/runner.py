"""Runs a guided task against any Backend: one pass when it fits, map-reduce when it does not.

Long documents (see docs/tasks.md): the document is split on structure into parts that fit
the context; each part is condensed with the task's ``[long].map`` prompt ("Teil 7 von 23");
then either the task's normal prompt runs once over the joined notes (``map-reduce``) or the
parts' outputs are joined in order (``concat``: plain-language rewrites, extraction tables).
If the notes are still too long they are condensed again. Every call starts with the same
system message, so llama.cpp reuses it from its KV cache. The result ends with a note saying
which pages/sections it is based on.

Parts: ``runner_result.py`` (Reporter, TaskResult), ``runner_long.py`` (long documents).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llmoin_desktop.core.documents.model import Document
from llmoin_desktop.core.engine.backend import Backend, GenerationParams, Message
from llmoin_desktop.core.errors import Cancelled, ContextOverflow, LLMoinError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import CancelToken, Job, JobContext
from llmoin_desktop.core.tasks import render
from llmoin_desktop.core.tasks.email_fill import fill_from_email, wants_email
from llmoin_desktop.core.tasks.runner_long import MAX_REDUCE_LEVELS as MAX_REDUCE_LEVELS
from llmoin_desktop.core.tasks.runner_long import TABLE_HEADER as TABLE_HEADER
from llmoin_desktop.core.tasks.runner_long import LongDocumentMixin
from llmoin_desktop.core.tasks.runner_result import (
    Reporter,
    RunStats,
    SilentReporter,
    TaskResult,
    drop_repeats,
    reasoning_sink,
)
from llmoin_desktop.core.tasks.sources import document_from_text, load_document
from llmoin_desktop.core.tasks.spec import Refinement, TaskInputError, TaskSpec
from llmoin_desktop.core.tasks.splitter import (
    format_blocks,
)


def _note_recognised_text(result: TaskResult, doc: Document | None, rep: Any) -> None:
    """A scan's text came from text recognition: the result says so (issue 11)."""
    from llmoin_desktop.core.documents.ocr_notes import result_note

    note = result_note(doc)
    if note:
        result.coverage = f"{result.coverage}\n\n{note}" if result.coverage else note
        rep.token("\n\n" + note)


class TaskRunner(LongDocumentMixin):
    def __init__(
        self,
        backend: Backend,
        *,
        params: GenerationParams | None = None,
        map_max_tokens: int = 160,
        max_part_tokens: int = 3000,
        max_read_tokens: int | None = 16000,
    ) -> None:
        """``max_part_tokens`` caps a part even with a big context: small models lose track in
        long inputs, and fewer, larger parts mean fewer generated notes.

        ``max_read_tokens``: a *summary* of a longer document reads every paragraph's
        beginning only (``splitter.skim``), so that a 57-page law takes minutes, not a quarter
        of an hour, on a 2-core CPU; the coverage note says so. ``None`` reads everything."""
        self.backend = backend
        self.params = params or GenerationParams()
        self.map_max_tokens = map_max_tokens
        self.max_part_tokens = max_part_tokens
        self.max_read_tokens = max_read_tokens

    @classmethod
    def from_settings(cls, backend: Backend, settings: Any, **kwargs: Any) -> TaskRunner:
        """The runner the app uses: answer length, temperature and skim budget from settings."""
        kwargs.setdefault("params", GenerationParams.from_settings(settings))
        kwargs.setdefault("max_read_tokens", int(settings.long_read_tokens) or None)
        return cls(backend, **kwargs)

    # Inputs ------------------------------------------------------------------------
    def source_document(
        self,
        spec: TaskSpec,
        values: dict[str, Any],
        cancel: CancelToken | None = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> Document | None:
        """The task's document; ``progress`` sees pages ("Texterkennung: Seite 3 von 12")."""
        doc_field = spec.document_field
        if (
            doc_field
            and spec.is_visible(doc_field, values)
            and str(values.get(doc_field.name) or "").strip()
        ):
            return load_document(str(values[doc_field.name]), cancel, progress)
        src = spec.source_field
        if src and str(values.get(src.name) or "").strip():
            return document_from_text(str(values[src.name]))
        return None

    # Calls -------------------------------------------------------------------------
    def _call(
        self,
        messages: list[Message],
        params: GenerationParams,
        rep: Reporter,
        stats: RunStats,
        on_token: Callable[[str], None] | None = None,
    ) -> str:
        rep.cancel.raise_if_cancelled()
        result = self.backend.chat(
            messages,
            params,
            on_token=on_token,
            cancel=rep.cancel,
            on_reasoning=reasoning_sink(rep),
        )
        stats.add(result)
        if result.reasoning:
            stats.reasoning.append(result.reasoning)
        if result.finish_reason == "cancelled" or rep.cancel.cancelled:
            raise Cancelled(_("Abgebrochen."))
        return drop_repeats(result.text)

    def _map_params(self) -> GenerationParams:
        p = GenerationParams(**vars(self.params))
        p.max_tokens = min(self.params.max_tokens, self.map_max_tokens)
        return p

    def _fits(self, messages: list[Message], max_tokens: int) -> bool:
        return self.backend.count_tokens(messages) + max_tokens <= self.backend.context_size()

    # Public ------------------------------------------------------------------------
    def run(
        self,
        spec: TaskSpec,
        values: dict[str, Any],
        *,
        ctx: Reporter | None = None,
        document: Document | None = None,
    ) -> TaskResult:
        rep = ctx or SilentReporter()
        started = time.perf_counter()
        values = {**spec.defaults(), **values}
        if document is None and wants_email(spec, values):  # reply: recipient, subject from it
            document = self.source_document(spec, values, rep.cancel)
        values = fill_from_email(spec, values, document)
        problems = spec.validate(values)
        if problems:
            raise TaskInputError(" ".join(problems.values()))
        rep.progress(0, None, _("Dokument wird gelesen …"))
        doc = (
            document
            if document is not None
            else self.source_document(spec, values, rep.cancel, rep.progress)
        )
        sources = [Path(doc.path).name] if doc and doc.path else []
        result = TaskResult(
            task_id=spec.id,
            values=values,
            answer="",
            output_kind=spec.output_kind(values),
            sources=sources,
            original=doc.text if doc else "",
            documents=[doc] if doc else [],
        )
        sources_ready = getattr(rep, "sources_ready", None)  # the GUI checks while streaming
        if sources_ready is not None:
            sources_ready(result)
        system = render.render_system(spec, values)
        doc_text = format_blocks(doc.blocks) if doc else ""
        source_name = ", ".join(sources)
        messages = [
            {"role": "system", "content": system},
            {
                "role": "user",
                "content": render.render_user(spec, values, document=doc_text, source=source_name),
            },
        ]
        if doc is None or self._fits(messages, self.params.max_tokens):
            try:
                rep.progress(0, 1, _("Antwort wird geschrieben …"))
                result.answer = self._call(messages, self.params, rep, result.stats, rep.token)
                result.messages = messages
                _note_recognised_text(result, doc, rep)
                result.stats.wall_s = time.perf_counter() - started
                return result
            except ContextOverflow:
                if doc is None:
                    raise
        self._run_long(spec, values, doc, system, source_name, rep, result)
        _note_recognised_text(result, doc, rep)
        result.stats.wall_s = time.perf_counter() - started
        return result

    # Refinements -------------------------------------------------------------------
    def refine(
        self,
        result: TaskResult,
        refinement: Refinement,
        *,
        ctx: Reporter | None = None,
        answer: str | None = None,
    ) -> TaskResult:
        """Continue the conversation: previous answer + instruction as the next turn.

        ``answer`` is the clerk's edited text, if she changed it. When the conversation no
        longer fits the context, only the answer and the instruction are sent."""
        rep = ctx or SilentReporter()
        started = time.perf_counter()
        previous = answer if answer is not None else result.answer
        system = result.messages[0] if result.messages else {"role": "system", "content": ""}
        messages = [
            *result.messages,
            {"role": "assistant", "content": previous},
            {"role": "user", "content": refinement.instruction},
        ]
        if not self._fits(messages, self.params.max_tokens):
            messages = [
                system,
                {"role": "user", "content": f"{refinement.instruction}\n\nText:\n{previous}"},
            ]
            if not self._fits(messages, self.params.max_tokens):
                raise LLMoinError(
                    _(
                        "Das Ergebnis ist zu lang, um es als Ganzes zu überarbeiten. Bitte einen Teil markieren und kürzen."
                    )
                )
        new = TaskResult(
            task_id=result.task_id,
            values=result.values,
            answer="",
            output_kind=result.output_kind,
            sources=result.sources,
            coverage=result.coverage,
            parts=result.parts,
            original=result.original,
            documents=result.documents,
            refinements=[*result.refinements, refinement.id],
            history_id=result.history_id,
        )
        rep.progress(0, 1, tr("„{label}“ wird umgesetzt …", label=refinement.label))
        new.answer = self._call(messages, self.params, rep, new.stats, rep.token)
        new.messages = messages
        if new.coverage:
            rep.token("\n\n" + new.coverage)
        new.stats.wall_s = time.perf_counter() - started
        return new


RunFunction = Callable[[TaskRunner, TaskSpec, dict[str, Any], Reporter], TaskResult]
# Other kinds of task register here (the library's "Dokumente fragen" sets
# ``runner = "library"`` in its task file and registers a function under that name).
RUNNERS: dict[str, RunFunction] = {}


def run_any(
    runner: TaskRunner, spec: TaskSpec, values: dict[str, Any], ctx: Reporter
) -> TaskResult:
    if spec.runner == "standard":
        return runner.run(spec, values, ctx=ctx)
    fn = RUNNERS.get(spec.runner)
    if fn is None:
        raise LLMoinError(
            tr(
                "Die Aufgabe „{task}“ ist in dieser Version nicht verfügbar.",
                task=spec.t(spec.title),
            )
        )
    return fn(runner, spec, values, ctx)


def task_job(
    runner: TaskRunner,
    spec: TaskSpec,
    values: dict[str, Any],
    *,
    history: Any = None,
    on_sources: Callable[[TaskResult], None] | None = None,
) -> Job[TaskResult]:
    """A Job that runs the task and, only when it finished, stores it in the history.
    ``on_sources`` (worker thread) gets the result as soon as its documents are read, before
    the model writes: the GUI indexes them to check the text while it streams."""

    def fn(ctx: JobContext) -> TaskResult:
        if on_sources is not None:
            setattr(ctx, "sources_ready", on_sources)  # noqa: B010 - read by TaskRunner.run
        result = run_any(runner, spec, values, ctx)
        ctx.check()
        from llmoin_desktop.core.factcheck.result_check import attach_check

        attach_check(result)  # in this worker thread: no delay after the last token
        if history is not None:
            result.history_id = history.add(result, title=spec.title)
        return result

    return Job(fn, name=spec.id)


def refine_job(
    runner: TaskRunner,
    result: TaskResult,
    refinement: Refinement,
    *,
    answer: str | None = None,
    history: Any = None,
) -> Job[TaskResult]:
    def fn(ctx: JobContext) -> TaskResult:
        new = runner.refine(result, refinement, ctx=ctx, answer=answer)
        ctx.check()
        from llmoin_desktop.core.factcheck.result_check import attach_check

        attach_check(new, result.factcheck)  # refinements are checked again
        if history is not None and new.history_id is not None:
            history.update_result(new.history_id, new.text)
        return new

    return Job(fn, name=f"{result.task_id}:{refinement.id}")
