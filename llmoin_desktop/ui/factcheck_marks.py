"""The marks of the fact check in a text view (issue 19): which figure gets which underline,
and one sentence per figure for the detail line and the tooltip.

Shared by the task result pane (a QPlainTextEdit) and the "Dokumente fragen" answer (a
QTextBrowser): both draw the marks as extra selections, so the text itself, its citation
links and what is copied stay exactly as the model wrote them. Underline styles differ by
status (wavy: not found, dashed: differing, dotted: supported and linked to its source
page) and the colours come from the palette, so the marks survive a high-contrast theme;
the words of the detail line carry the same information for screen readers.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

from llmoin_desktop.core.factcheck import ABWEICHEND, BELEGT, Report, Verdict, check_text
from llmoin_desktop.core.factcheck.labels import kind_label, status_label
from llmoin_desktop.core.i18n import tr
from llmoin_desktop.ui.plain_text import verbatim

TextView = QPlainTextEdit | QTextEdit


def describe(verdict: Any) -> str:
    """One sentence about a fact: what it is, its status, where the source has it."""
    fact = verdict.fact
    text = tr(
        "{kind} „{fact}“: {status}",
        kind=kind_label(fact.kind),
        fact=fact.text,
        status=status_label(verdict.status),
    )
    where = verdict.file or ""
    if where and verdict.page:
        where += ", " + tr("S. {page}", page=verdict.page)
    if verdict.status == ABWEICHEND and verdict.source_value:
        text += " – " + tr("Quelle: {value}", value=verdict.source_value)
        if where:
            text += f" ({where})"
    elif where:
        text += f" – {where}"
    return text


def has_source(verdict: Verdict) -> bool:
    """A supported or differing figure points at a place in the sources."""
    return verdict.status in (BELEGT, ABWEICHEND) and bool(verdict.file)


def verdict_at(report: Report | None, pos: int) -> Verdict | None:
    """The fact under a cursor position (its end counts: the cursor after "37 Euro")."""
    if report is None:
        return None
    for v in report.verdicts:
        if v.fact.start <= pos <= v.fact.end:
            return v
    return None


def aligned(report: Report, text: str) -> Report:
    """The report with offsets that fit ``text``: the pane may show the answer stripped or
    with a note; then the same sources are asked again (milliseconds, the index is kept)."""
    if all(text[v.fact.start : v.fact.end] == v.fact.text for v in report.verdicts):
        return report
    if report.index is None:
        return Report(
            [v for v in report.verdicts if text[v.fact.start : v.fact.end] == v.fact.text]
        )
    return check_text(text, report.index)


def fact_selections(editor: TextView, report: Report) -> list[QTextEdit.ExtraSelection]:
    """One extra selection per fact; supported ones only where they link to a source."""
    palette = editor.palette()
    length = len(editor.toPlainText())
    out = []
    for v in report.verdicts:
        if v.fact.end > length or (v.status == BELEGT and not has_source(v)):
            continue
        fmt = QTextCharFormat()
        if v.status == ABWEICHEND:
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
            fmt.setUnderlineColor(palette.color(QPalette.ColorRole.Link))
        elif v.status == BELEGT:
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            fmt.setUnderlineColor(palette.color(QPalette.ColorRole.PlaceholderText))
        else:
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(palette.color(QPalette.ColorRole.Highlight))
        # No setFontUnderline(True) after this: it resets the style to a single line.
        fmt.setToolTip(verbatim(describe(v)))
        sel = QTextEdit.ExtraSelection()
        cursor = QTextCursor(editor.document())
        cursor.setPosition(v.fact.start)
        cursor.setPosition(v.fact.end, QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cursor  # type: ignore[attr-defined]
        sel.format = fmt  # type: ignore[attr-defined]
        out.append(sel)
    return out


def flagged_marks(editor: TextView) -> list[str]:
    """The texts under wavy or dashed marks (tests, screenshots): what the clerk must check."""
    wavy = (
        QTextCharFormat.UnderlineStyle.WaveUnderline,
        QTextCharFormat.UnderlineStyle.DashUnderline,
    )
    return [
        s.cursor.selectedText()  # type: ignore[attr-defined]
        for s in editor.extraSelections()
        if s.format.underlineStyle() in wavy  # type: ignore[attr-defined]
    ]
