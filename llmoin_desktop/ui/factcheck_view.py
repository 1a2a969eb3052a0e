"""The fact check in the result pane: marks on unsupported and differing figures, a summary
line above the result, a jump to the next mark (F8 / Umschalt+F8) and a spoken detail line.

The marks are extra selections: they colour the text without changing it, so copying,
editing and the export see exactly what the model wrote. Colours come from the palette
(Link, Highlight) and the marks are wavy or dashed underlines, so they stay visible in a
high-contrast theme; the detail line says in words what the mark means for screen readers.
Edits are checked again against the same sources after a short pause.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QTextEdit, QWidget

from llmoin_desktop.core.factcheck import ABWEICHEND, BELEGT, Report, check_text
from llmoin_desktop.core.factcheck.labels import kind_label, status_label
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.ui.a11y import announce, name
from llmoin_desktop.ui.plain_text import PlainLabel, verbatim


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


class FactCheckBar(QWidget):
    """Summary line, detail line and the jump button; drives the marks in ``editor``."""

    jumped = Signal(int)  # index of the flagged fact now selected

    def __init__(self, editor: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("factCheckBar")
        self.editor = editor
        self.report: Report | None = None
        self._current = -1
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = PlainLabel("")
        self.summary.setObjectName("factCheckSummary")
        self.summary.setWordWrap(True)
        self.next_button = QPushButton(_("Nächste Angabe prüfen"))
        self.next_button.setObjectName("factCheckNext")
        self.next_button.setToolTip(_("Zur nächsten nicht belegten Angabe springen (F8)"))
        name(
            self.next_button,
            _("Nächste Angabe prüfen"),
            _(
                "Zur nächsten nicht belegten oder abweichenden Angabe springen (F8, zurück: Umschalt+F8)"
            ),
        )
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.next_button)
        self.detail = PlainLabel("")
        self.detail.setObjectName("factCheckDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.next_button.clicked.connect(lambda: self.jump(1))
        pane = parent if parent is not None else editor
        for keys, step in (("F8", 1), ("Shift+F8", -1)):
            shortcut = QShortcut(QKeySequence(keys), pane)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda s=step: self.jump(s))
        self._recheck = QTimer(self)
        self._recheck.setSingleShot(True)
        self._recheck.setInterval(400)
        self._recheck.timeout.connect(self._check_edit)
        self._applying = False
        self._footer = ""
        editor.textChanged.connect(self._on_text_changed)
        editor.cursorPositionChanged.connect(self._on_cursor)
        self.set_report(None)

    # Content ------------------------------------------------------------------------------
    def set_report(
        self, report: Report | None, *, speak: bool = True, footer: str | None = None
    ) -> None:
        """Show a result's check (None: nothing was checked; the bar hides). ``footer``: the
        app's own note under the answer (coverage, sources list), never checked."""
        self._recheck.stop()
        if footer is not None:
            self._footer = footer
        self.report = report
        self._current = -1
        self.detail.setText("")
        visible = report is not None
        self.setVisible(visible)
        self.detail.setVisible(visible)
        if report is None:
            self.editor.setExtraSelections([])
            return
        flagged = len(report.flagged)
        self.summary.setText(report.summary())
        self.summary.setAccessibleName(report.summary())
        self.next_button.setEnabled(flagged > 0)
        self._paint()
        if speak:
            announce(self.summary, report.announcement())

    def _paint(self) -> None:
        assert self.report is not None
        palette = self.editor.palette()
        selections = []
        length = len(self.editor.toPlainText())
        for v in self.report.flagged:
            if v.fact.end > length:
                continue
            fmt = QTextCharFormat()
            if v.status == ABWEICHEND:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
                fmt.setUnderlineColor(palette.color(QPalette.ColorRole.Link))
            else:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                fmt.setUnderlineColor(palette.color(QPalette.ColorRole.Highlight))
            fmt.setFontUnderline(True)
            fmt.setToolTip(verbatim(describe(v)))
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.editor.document())
            cursor.setPosition(v.fact.start)
            cursor.setPosition(v.fact.end, QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor  # type: ignore[attr-defined]
            sel.format = fmt  # type: ignore[attr-defined]
            selections.append(sel)
        self._applying = True
        self.editor.setExtraSelections(selections)
        self._applying = False

    # Navigation ---------------------------------------------------------------------------
    def jump(self, step: int = 1) -> bool:
        """Select the next (or previous) flagged fact and say what it is."""
        if self.report is None or not self.report.flagged:
            return False
        flagged = self.report.flagged
        self._current = (self._current + step) % len(flagged)
        v = flagged[self._current]
        cursor = self.editor.textCursor()
        cursor.setPosition(min(v.fact.start, len(self.editor.toPlainText())))
        cursor.setPosition(
            min(v.fact.end, len(self.editor.toPlainText())), QTextCursor.MoveMode.KeepAnchor
        )
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()
        line = tr("Angabe {i} von {n}: ", i=self._current + 1, n=len(flagged)) + describe(v)
        self.detail.setText(line)
        announce(self.detail, line)
        self.jumped.emit(self._current)
        return True

    def _on_cursor(self) -> None:
        """With the cursor on a fact the detail line says its status and source page."""
        if self.report is None:
            return
        pos = self.editor.textCursor().position()
        for v in self.report.verdicts:
            if v.fact.start <= pos <= v.fact.end:
                self.detail.setText(describe(v))
                return

    # Edits --------------------------------------------------------------------------------
    def _on_text_changed(self) -> None:
        if (
            self.report is not None
            and self.report.index is not None
            and not self.editor.isReadOnly()
        ):
            self._recheck.start()

    def _check_edit(self) -> None:
        """The clerk changed the text: check it again against the same sources."""
        if self.report is None or self.report.index is None:
            return
        text = self.editor.toPlainText()
        if self._footer and self._footer in text:
            text = text[: text.rindex(self._footer)]
        report = check_text(text, self.report.index)
        self.set_report(report, speak=False)

    @property
    def supported(self) -> int:
        return 0 if self.report is None else self.report.count(BELEGT)
