"""Korrekturlesen: the model's corrected text as a word-level diff the clerk decides on.

The model only proposes a corrected text; *what changed* is computed here, deterministically,
with :mod:`difflib` over word/punctuation tokens, so every change the clerk sees is really in
the text (a model asked to list its own corrections forgets some and invents others).
Whitespace-only differences are not listed: the original layout (paragraphs, line breaks,
lists) is kept. Adjacent edits separated by a single space are shown as one change
("der Antrag wurde" → "die Anträge wurden" is one decision, not three).

Also registers the ``proofread`` runner: the standard runner on the source text without
``[Seite N]`` markers (the model would copy them into the corrected text), followed by a
clean-up of a preamble such as "Hier ist der korrigierte Text:".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from llmoin_desktop.core.documents.model import Block, Document
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.tasks.runner import Reporter, TaskResult, TaskRunner
from llmoin_desktop.core.tasks.spec import TaskInputError, TaskSpec

RUNNER_NAME = "proofread"
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
# A short first line ending in ":" that announces the text ("Hier ist der korrigierte Text:",
# "Here is the translation:", "Übersetzung:") is chatter, not part of the result.
_PREAMBLE = re.compile(
    r"^\s*[^\n]{0,60}\b(korrigiert\w*|verbessert\w*|korrektur\w*|übersetzung\w*|text|"
    r"translation|translated|corrected|version)\b[^\n]{0,30}:[ \t]*\n",
    re.I,
)


def tokens(text: str) -> list[str]:
    """Words, single punctuation marks and whitespace runs; joined they give ``text`` back."""
    return _TOKEN.findall(text)


@dataclass
class Change:
    """One proposed change: ``old`` → ``new`` (one of them may be empty)."""

    index: int
    old: str
    new: str
    before: str = ""  # a few words of context, for the list
    after: str = ""

    @property
    def kind(self) -> str:
        if not self.old.strip():
            return "insert"
        if not self.new.strip():
            return "delete"
        return "replace"

    def describe(self) -> str:
        """„alt“ → „neu“ in the clerk's language (for lists and screen readers)."""
        if self.kind == "insert":
            return tr("eingefügt: „{new}“", new=self.new.strip())
        if self.kind == "delete":
            return tr("gestrichen: „{old}“", old=self.old.strip())
        return tr("„{old}“ → „{new}“", old=self.old.strip(), new=self.new.strip())


@dataclass
class WordDiff:
    """The original split into unchanged text and :class:`Change` objects, in order."""

    segments: list[str | Change]

    @property
    def changes(self) -> list[Change]:
        return [s for s in self.segments if isinstance(s, Change)]

    def apply(self, accepted: Iterable[int] | None = None) -> str:
        """The resulting text: accepted changes (all when ``accepted`` is None) applied."""
        keep = None if accepted is None else set(accepted)
        out: list[str] = []
        for seg in self.segments:
            if isinstance(seg, Change):
                out.append(seg.new if keep is None or seg.index in keep else seg.old)
            else:
                out.append(seg)
        return "".join(out)

    def marked(self, deleted: str = "~~{}~~", inserted: str = "**{}**") -> tuple[str, str]:
        """(old text with deletions marked, new text with insertions marked) — the synopsis."""
        old: list[str] = []
        new: list[str] = []
        for seg in self.segments:
            if isinstance(seg, Change):
                if seg.old.strip():
                    old.append(_wrap(seg.old, deleted))
                if seg.new.strip():
                    new.append(_wrap(seg.new, inserted))
            else:
                old.append(seg)
                new.append(seg)
        return "".join(old), "".join(new)


def _wrap(text: str, pattern: str) -> str:
    """Mark the text but keep its outer whitespace outside the marks (``**a**`` not ``** a**``)."""
    m = re.match(r"^(\s*)(.*?)(\s*)$", text, re.S)
    assert m is not None
    return m.group(1) + pattern.format(m.group(2)) + m.group(3)


def _context(toks: list[str], start: int, end: int, words: int = 4) -> tuple[str, str]:
    before = "".join(toks[max(0, start - 2 * words) : start]).lstrip()
    after = "".join(toks[end : end + 2 * words]).rstrip()
    return before, after


def word_diff(original: str, corrected: str) -> WordDiff:
    """Deterministic word-level diff of ``original`` against ``corrected``."""
    a, b = tokens(original), tokens(corrected)
    sm = SequenceMatcher(None, a, b, autojunk=False)
    # Raw opcodes; whitespace-only edits count as "equal" (the original's layout is kept).
    ops: list[tuple[str, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "equal" and not "".join(a[i1:i2]).strip() and not "".join(b[j1:j2]).strip():
            tag = "equal"
        ops.append((tag, i1, i2, j1, j2))
    # Merge edits that are separated only by one whitespace token.
    merged: list[list[Any]] = []
    for op in ops:
        tag, i1, i2, j1, j2 = op
        if merged and tag != "equal" and merged[-1][0] == "equal" and len(merged) >= 2:
            gap = merged[-1]
            prev = merged[-2]
            one_space = gap[2] - gap[1] == 1 and not a[gap[1]].strip() and "\n" not in a[gap[1]]
            if prev[0] != "equal" and one_space:
                merged.pop()
                prev[2], prev[4] = i2, j2
                continue
        merged.append([tag, i1, i2, j1, j2])
    segments: list[str | Change] = []
    for tag, i1, i2, j1, j2 in merged:
        if tag == "equal":
            _add_equal(segments, "".join(a[i1:i2]))
            continue
        # Whitespace at either end of both sides is layout, not a change: keep the original's.
        head = tail = 0
        while (
            i1 + head < i2
            and j1 + head < j2
            and not a[i1 + head].strip()
            and not b[j1 + head].strip()
        ):
            head += 1
        while (
            i2 - tail > i1 + head
            and j2 - tail > j1 + head
            and not a[i2 - tail - 1].strip()
            and not b[j2 - tail - 1].strip()
        ):
            tail += 1
        if head:
            _add_equal(segments, "".join(a[i1 : i1 + head]))
        before, after = _context(a, i1 + head, i2 - tail)
        segments.append(
            Change(
                index=sum(isinstance(s, Change) for s in segments),
                old="".join(a[i1 + head : i2 - tail]),
                new="".join(b[j1 + head : j2 - tail]),
                before=before,
                after=after,
            )
        )
        if tail:
            _add_equal(segments, "".join(a[i2 - tail : i2]))
    return WordDiff(segments)


def _add_equal(segments: list[str | Change], text: str) -> None:
    if segments and isinstance(segments[-1], str):
        segments[-1] += text
    elif text:
        segments.append(text)


def similarity(a: str, b: str) -> float:
    """Share of words two texts have in common, in order (0..1); whitespace does not count."""
    wa = [t for t in tokens(a) if t.strip()]
    wb = [t for t in tokens(b) if t.strip()]
    if not wa and not wb:
        return 1.0
    return SequenceMatcher(None, wa, wb, autojunk=False).ratio()


def clean_answer(text: str) -> str:
    """Drop a chatty first line ("Hier ist der korrigierte Text:") and code fences."""
    text = _PREAMBLE.sub("", text, count=1)
    text = re.sub(r"^\s*```[a-z]*\s*\n|\n\s*```\s*$", "", text)
    return text.strip("\n")


def without_pages(doc: Document) -> Document:
    """The same document without page numbers: no ``[Seite N]`` markers in the prompt, so the
    model returns only the text (translation and proofreading give the text back whole)."""
    blocks = [
        Block(b.text, None, b.section, b.kind, b.level)
        for b in doc.blocks
        if b.kind not in ("header", "footer")
    ]
    return Document(
        path=doc.path,
        title=doc.title,
        format=doc.format,
        blocks=blocks,
        n_pages=doc.n_pages,
        encoding=doc.encoding,
        warnings=list(doc.warnings),
    )


def page_free_source(
    runner: TaskRunner, spec: TaskSpec, values: dict[str, Any], ctx: Reporter
) -> Document | None:
    """The task's source document without page markers; form problems first, as plain text."""
    values = {**spec.defaults(), **values}
    problems = spec.validate(values)
    if problems:
        raise TaskInputError(" ".join(problems.values()))
    ctx.progress(0, None, _("Dokument wird gelesen …"))
    doc = runner.source_document(spec, values, ctx.cancel)
    return without_pages(doc) if doc is not None else None


def run_proofread(
    runner: TaskRunner, spec: TaskSpec, values: dict[str, Any], ctx: Reporter
) -> TaskResult:
    """Standard run on the page-free text; ``original`` is exactly what the model was given,
    so the diff compares like with like. The coverage note is dropped: it is not part of the
    corrected text and would show up as an inserted change."""
    doc = page_free_source(runner, spec, values, ctx)
    result = runner.run(spec, values, ctx=ctx, document=doc)
    result.answer = clean_answer(result.answer)
    result.coverage = ""
    return result
