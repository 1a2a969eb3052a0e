"""Fact-check marks in the Word export: each unsupported or differing figure gets a Word
comment ("Nicht in der Quelle gefunden: 35 Euro") anchored on the figure itself.

Comments, not coloured text: they show in Word's review pane, print only when asked, and
are removed with one click before the letter goes out; the text stays exactly as the clerk
approved it. python-docx ≥ 1.2 writes them (``Document.add_comment``); with an older version
the export goes out without marks rather than fail."""

from __future__ import annotations

import copy
import logging
from typing import Any

from llmoin_desktop.core.factcheck import ABWEICHEND, Report, check_text
from llmoin_desktop.core.i18n import tr

log = logging.getLogger(__name__)
AUTHOR = "LLMoin Desktop"


def comment_for(verdict: Any) -> str:
    fact = verdict.fact
    if verdict.status == ABWEICHEND and verdict.source_value:
        where = verdict.file or ""
        if where and verdict.page:
            where += ", " + tr("S. {page}", page=verdict.page)
        return tr(
            "Abweichend von der Quelle: {fact} (Quelle: {value}{where})",
            fact=fact.text,
            value=verdict.source_value,
            where=f"; {where}" if where else "",
        )
    return tr("Nicht in der Quelle gefunden: {fact}", fact=fact.text)


def comments_for_text(report: Report | None, text: str, footer: str = "") -> list[tuple[str, str]]:
    """(figure, comment) for the text that is exported: the clerk's edit is checked again
    against the result's sources; the app's own footer (coverage note) is left out."""
    if report is None or report.index is None:
        return []
    body = text[: text.rindex(footer)] if footer and footer in text else text
    current = check_text(body, report.index)
    return [(v.fact.text, comment_for(v)) for v in current.flagged]


def _isolate(paragraph: Any, run: Any, start: int, end: int) -> Any:
    """Split ``run`` so that its characters [start, end) are a run of their own."""
    from docx.text.run import Run

    text = run.text
    before, middle, after = text[:start], text[start:end], text[end:]
    run.text = before
    mid = copy.deepcopy(run._r)
    run._r.addnext(mid)
    mid_run = Run(mid, paragraph)
    mid_run.text = middle
    if after:
        tail = copy.deepcopy(run._r)
        mid.addnext(tail)
        Run(tail, paragraph).text = after
    if not before:
        run._r.getparent().remove(run._r)
    return mid_run


def _paragraphs(doc: Any) -> list[Any]:
    out = list(doc.paragraphs)
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                out += cell.paragraphs
    return out


def add_comments(doc: Any, comments: list[tuple[str, str]]) -> int:
    """Anchor each comment on the first not yet commented occurrence of its figure; returns
    how many were placed."""
    if not comments or not hasattr(doc, "add_comment"):
        if comments:
            log.warning("python-docx without comments: export without fact-check marks")
        return 0
    placed = 0
    used: set[tuple[int, int]] = set()
    paragraphs = _paragraphs(doc)
    for figure, comment in comments:
        done = False
        for pi, paragraph in enumerate(paragraphs):
            for run in list(paragraph.runs):
                idx = run.text.find(figure)
                if idx < 0 or (pi, id(run._r)) in used:
                    continue
                target = _isolate(paragraph, run, idx, idx + len(figure))
                used.add((pi, id(target._r)))
                doc.add_comment(target, text=comment, author=AUTHOR, initials="LD")
                placed += 1
                done = True
                break
            if done:
                break
    return placed
