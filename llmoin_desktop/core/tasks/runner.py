"""Runs a guided task against any Backend: one pass when it fits, map-reduce when it does not.

Long documents (see docs/tasks.md): the document is split on structure into parts that fit
the context; each part is condensed with the task's ``[long].map`` prompt ("Teil 7 von 23");
then either the task's normal prompt runs once over the joined notes (``map-reduce``) or the
parts' outputs are joined in order (``concat``: plain-language rewrites, extraction tables).
If the notes are still too long they are condensed again. Every call starts with the same
system message, so llama.cpp reuses it from its KV cache. The result ends with a note saying
which pages/sections it is based on.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from llmoin_desktop.core.documents.model import Block, Document
from llmoin_desktop.core.engine.backend import Backend, GenerationParams, GenerationResult, Message
from llmoin_desktop.core.errors import Cancelled, ContextOverflow, LLMoinError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import CancelToken, Job, JobContext
from llmoin_desktop.core.tasks import render
from llmoin_desktop.core.tasks.email_fill import fill_from_email, wants_email
from llmoin_desktop.core.tasks.sources import document_from_text, load_document
from llmoin_desktop.core.tasks.spec import Refinement, TaskInputError, TaskSpec
from llmoin_desktop.core.tasks.splitter import (
    Part,
    describe_range,
    format_blocks,
    skim,
    split_document,
)
from llmoin_desktop.core.tasks.tables import merge_tables, to_markdown

TABLE_HEADER = ["Art", "Angabe", "Fundstelle"]
MAX_REDUCE_LEVELS = 3


def drop_repeats(text: str) -> str:
    """Remove paragraphs a small model repeated in a loop (and the cut-off start of the next).

    Streaming has already shown them; the final result (pane, history, export) is clean."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    seen: list[str] = []
    kept: list[str] = []
    for i, para in enumerate(paragraphs):
        key = " ".join(para.split()).casefold()
        last = i == len(paragraphs) - 1
        if key in seen or (last and len(key) > 20 and any(s.startswith(key) for s in seen)):
            continue
        seen.append(key)
        kept.append(para.strip())
    return "\n\n".join(kept)


class Reporter(Protocol):
    """What the runner needs from a :class:`JobContext` (tests and the bench pass their own)."""

    cancel: CancelToken

    def progress(self, step: int, total: int | None, text: str = "") -> None: ...

    def token(self, text: str) -> None: ...


def reasoning_sink(rep: Reporter) -> Callable[[str], None] | None:
    """The reporter's thinking stream, if it has one (JobContext does; test reporters may not)."""
    return getattr(rep, "reasoning", None)


class SilentReporter:
    def __init__(self, cancel: CancelToken | None = None) -> None:
        self.cancel = cancel or CancelToken()

    def progress(self, step: int, total: int | None, text: str = "") -> None:
        pass

    def token(self, text: str) -> None:
        pass


@dataclass
class RunStats:
    calls: int = 0
    n_prompt: int = 0
    n_cached: int = 0
    n_generated: int = 0
    decode_s: float = 0.0
    prompt_s: float = 0.0  # sum of times to first token ≈ prompt evaluation
    first_ttft_s: float | None = None
    wall_s: float = 0.0
    n_reasoning: int = 0
    reasoning: list[str] = field(default_factory=list)  # each call's thinking, in order

    def add(self, r: GenerationResult) -> None:
        self.calls += 1
        self.n_prompt += r.n_prompt
        self.n_cached += r.n_cached
        self.n_generated += r.n_generated
        self.n_reasoning += r.n_reasoning
        self.decode_s += r.decode_s
        self.prompt_s += r.ttft_s
        if self.first_ttft_s is None:
            self.first_ttft_s = r.ttft_s


@dataclass
class TaskResult:
    task_id: str
    values: dict[str, Any]
    answer: str  # the model's text (edited by the clerk in the UI)
    output_kind: str
    sources: list[str] = field(default_factory=list)
    coverage: str = ""  # "Grundlage: vwvfg.pdf, Seiten 1–57 …" for long documents
    parts: int = 1
    messages: list[Message] = field(default_factory=list)  # the final call, for refinements
    original: str = ""  # the source text (shown beside a plain-language rewrite)
    refinements: list[str] = field(default_factory=list)
    stats: RunStats = field(default_factory=RunStats)
    history_id: int | None = None
    # "Dokumente fragen": core.tasks.ask.Citation objects; ``coverage`` holds their text form.
    citations: list[Any] = field(default_factory=list)
    # The source Documents (pages, e-mail header): what core.factcheck checks the figures
    # of ``answer`` against, together with ``values`` and ``citations``.
    documents: list[Any] = field(default_factory=list)
    factcheck: Any = None  # core.factcheck.Report of ``answer`` (set by task_job/refine_job)

    @property
    def reasoning(self) -> str:
        """A reasoning model's thinking over all calls: shown collapsed as "Überlegungen des
        Modells", never part of ``text``, the export, the history or the citations."""
        return "\n\n".join(r.strip() for r in self.stats.reasoning if r.strip())

    @property
    def text(self) -> str:
        """What the clerk sees and exports: the answer plus the coverage note."""
        return f"{self.answer}\n\n{self.coverage}" if self.coverage else self.answer


def _note_recognised_text(result: TaskResult, doc: Document | None, rep: Any) -> None:
    """A scan's text came from text recognition: the result says so (issue 11)."""
    from llmoin_desktop.core.documents.ocr_notes import result_note

    note = result_note(doc)
    if note:
        result.coverage = f"{result.coverage}\n\n{note}" if result.coverage else note
        rep.token("\n\n" + note)


class TaskRunner:
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

    # Long documents ----------------------------------------------------------------
    def _chars_per_token(self, text: str) -> float:
        sample = text[:6000]
        empty = self.backend.count_tokens([{"role": "user", "content": ""}])
        n = self.backend.count_tokens([{"role": "user", "content": sample}]) - empty
        return max(1.5, len(sample) / max(1, n))

    def _part_chars(self, spec: TaskSpec, values: dict[str, Any], system: str, text: str) -> int:
        probe = render.render_map(
            spec,
            values,
            text_part="",
            part=999,
            parts=999,
            range_label="Seiten 999–999, § 999 bis § 999",
        )
        overhead = self.backend.count_tokens(
            [{"role": "system", "content": system}, {"role": "user", "content": probe}]
        )
        budget = min(
            self.backend.context_size() - overhead - self.map_max_tokens - 48, self.max_part_tokens
        )
        if budget < 200:
            raise LLMoinError(
                _(
                    "Der Kontext des Modells ist zu klein für diese Aufgabe. Bitte ein anderes Modell wählen."
                )
            )
        return int(budget * self._chars_per_token(text) * 0.9)

    def _map_parts(
        self,
        spec: TaskSpec,
        values: dict[str, Any],
        system: str,
        parts: list[Part],
        rep: Reporter,
        result: TaskResult,
        *,
        stream: bool,
        level: int,
    ) -> list[tuple[Part, str]]:
        notes: list[tuple[Part, str]] = []
        queue = list(parts)
        done = 0
        while queue:
            part = queue.pop(0)
            total = done + len(queue) + 1
            label = part.label()
            text = (
                tr("Teil {i} von {n} wird gelesen ({range}) …", i=done + 1, n=total, range=label)
                if label
                else tr("Teil {i} von {n} wird gelesen …", i=done + 1, n=total)
            )
            if level > 1:
                text = tr("Zwischenergebnisse werden verdichtet: {step}", step=text)
            rep.progress(done, total + (1 if spec.long.strategy == "map-reduce" else 0), text)
            user = render.render_map(
                spec,
                values,
                text_part=part.text,
                part=done + 1,
                parts=total,
                range_label=label,
                source=", ".join(result.sources),
            )
            messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
            if stream and notes:
                rep.token("\n\n")
            try:
                note = self._call(
                    messages, self._map_params(), rep, result.stats, rep.token if stream else None
                )
            except ContextOverflow:
                halves = self._halve(part)
                if halves is None:
                    raise
                queue[:0] = halves
                continue
            notes.append((part, note))
            done += 1
        return notes

    @staticmethod
    def _halve(part: Part) -> list[Part] | None:
        size = len(part.text)
        if size < 400:
            return None
        pieces = split_document(
            Document(path="", title="", format="", blocks=part.blocks), size // 2 + 1
        )
        return pieces if len(pieces) > 1 else None

    def _run_long(
        self,
        spec: TaskSpec,
        values: dict[str, Any],
        doc: Document,
        system: str,
        source_name: str,
        rep: Reporter,
        result: TaskResult,
    ) -> None:
        full_text = doc.text
        skimmed = False
        if spec.long.strategy == "map-reduce" and self.max_read_tokens:
            budget = int(self.max_read_tokens * self._chars_per_token(full_text))
            if len(full_text) > budget:
                doc, skimmed = skim(doc, budget), True
        parts = split_document(doc, self._part_chars(spec, values, system, full_text))
        result.parts = len(parts)
        pages = [b.page for b in doc.blocks if b.page is not None]
        sections = [b.section for b in doc.blocks if b.section]
        coverage_range = describe_range((min(pages), max(pages)) if pages else None, sections)
        name = source_name or _("Eingefügter Text")
        if spec.long.strategy == "concat":
            notes = self._map_parts(spec, values, system, parts, rep, result, stream=True, level=1)
            if result.output_kind == "table":
                header, rows = merge_tables([n for _p, n in notes], TABLE_HEADER)
                result.answer = to_markdown(header, rows) if rows else _("Keine Angaben gefunden.")
            else:
                result.answer = "\n\n".join(n for _p, n in notes)
            result.messages = [
                {"role": "system", "content": system},
                {
                    "role": "user",
                    "content": render.render_user(spec, values, document="(in Teilen bearbeitet)"),
                },
            ]
        else:
            level = 1
            current = parts
            while True:
                notes = self._map_parts(
                    spec, values, system, current, rep, result, stream=False, level=level
                )
                notes_text = "\n\n".join(
                    f"Teil {i} ({p.label()}):\n{n}" if p.label() else n
                    for i, (p, n) in enumerate(notes, start=1)
                )
                messages = [
                    {"role": "system", "content": system},
                    {
                        "role": "user",
                        "content": render.render_user(
                            spec, values, document=notes_text, source=source_name
                        ),
                    },
                ]
                if self._fits(messages, self.params.max_tokens) or level >= MAX_REDUCE_LEVELS:
                    break
                # Still too long: the notes become the document of another round.
                notes_doc = Document(
                    path="",
                    title="",
                    format="notes",
                    blocks=[Block(n, page=None, section=p.label() or None) for p, n in notes],
                )
                current = split_document(
                    notes_doc, self._part_chars(spec, values, system, notes_text)
                )
                level += 1
            rep.progress(len(notes), len(notes) + 1, _("Ergebnis wird zusammengeführt …"))
            result.answer = self._call(messages, self.params, rep, result.stats, rep.token)
            result.messages = messages
        result.coverage = tr(
            "Grundlage: {name}, {range} (in {n} Teilen gelesen).",
            name=name,
            range=coverage_range or _("gesamter Text"),
            n=result.parts,
        )
        if skimmed:
            result.coverage += " " + _(
                "Wegen der Länge wurde von jedem Absatz nur der Anfang gelesen."
            )
        rep.token("\n\n" + result.coverage)

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
    runner: TaskRunner, spec: TaskSpec, values: dict[str, Any], *, history: Any = None
) -> Job[TaskResult]:
    """A Job that runs the task and, only when it finished, stores it in the history."""

    def fn(ctx: JobContext) -> TaskResult:
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
