"""Long documents for :class:`~llmoin_desktop.core.tasks.runner.TaskRunner` (split out of
``runner.py``; see docs/tasks.md).

The document is split on structure into parts that fit the context; each part is condensed
with the task's ``[long].map`` prompt ("Teil 7 von 23"); then either the task's normal prompt
runs once over the joined notes (``map-reduce``) or the parts' outputs are joined in order
(``concat``). If the notes are still too long they are condensed again, at most
MAX_REDUCE_LEVELS times. A mixin because it uses the runner's backend, parameters and
``_call``/``_fits``.
"""

from __future__ import annotations

from typing import Any

from llmoin_desktop.core.documents.model import Block, Document
from llmoin_desktop.core.engine.backend import Backend, GenerationParams
from llmoin_desktop.core.errors import ContextOverflow, LLMoinError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.tasks import render
from llmoin_desktop.core.tasks.runner_result import Reporter, TaskResult
from llmoin_desktop.core.tasks.spec import TaskSpec
from llmoin_desktop.core.tasks.splitter import Part, describe_range, skim, split_document
from llmoin_desktop.core.tasks.tables import merge_tables, to_markdown

TABLE_HEADER = ["Art", "Angabe", "Fundstelle"]
MAX_REDUCE_LEVELS = 3


class LongDocumentMixin:
    backend: Backend
    params: GenerationParams
    map_max_tokens: int
    max_part_tokens: int
    max_read_tokens: int | None
    _call: Any  # TaskRunner's
    _fits: Any
    _map_params: Any

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
