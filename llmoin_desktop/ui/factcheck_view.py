"""The fact check in a result view: marks on the figures, a summary line above the result, a
jump to the next mark (F8 / Umschalt+F8), the source page of a figure (F9, Strg+Klick, in a
read-only answer also Klick or Eingabetaste) and a spoken detail line.

The marks are extra selections (``factcheck_marks.py``): they colour the text without
changing it, so copying, editing and the export see exactly what the model wrote. While the
model writes, the bar shows the provisional check of the sentences so far
(``set_partial``, silent); the check of the finished result replaces it and is the only one
announced to screen readers. Edits are checked again against the same sources after a
short pause. Used by the task result pane and the "Dokumente fragen" answer alike.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QMouseEvent, QShortcut, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from llmoin_desktop.core.factcheck import BELEGT, Report, Verdict, check_text
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.ui.a11y import announce, name
from llmoin_desktop.ui.factcheck_marks import (
    TextView,
    aligned,
    describe,
    fact_selections,
    has_source,
    verdict_at,
)
from llmoin_desktop.ui.plain_text import PlainLabel

__all__ = ["FactCheckBar", "describe"]


class FactCheckBar(QWidget):
    """Summary line, detail line, jump and source buttons; drives the marks in ``editor``."""

    jumped = Signal(int)  # index of the flagged fact now selected

    def __init__(self, editor: TextView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("factCheckBar")
        self.editor = editor
        self.report: Report | None = None
        self.partial = False  # the report is the provisional check of a text still written
        # Opens the source page of a figure; returns False when there is no file to open
        # (pasted text, form fields): then the detail line quotes the source passage.
        self.opener: Callable[[Verdict], bool] | None = None
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
        self.source_button = QPushButton(_("Quelle der Angabe"))
        self.source_button.setObjectName("factCheckSource")
        self.source_button.setToolTip(_("Fundstelle der Angabe am Cursor öffnen (F9)"))
        name(
            self.source_button,
            _("Quelle der Angabe"),
            _("Öffnet das Dokument an der Seite, auf der die Angabe am Cursor steht (F9)"),
        )
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.source_button)
        layout.addWidget(self.next_button)
        self.detail = PlainLabel("")
        self.detail.setObjectName("factCheckDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.next_button.clicked.connect(lambda: self.jump(1))
        self.source_button.clicked.connect(lambda: self.open_source())
        pane = parent if parent is not None else editor
        for keys, slot in (
            ("F8", lambda: self.jump(1)),
            ("Shift+F8", lambda: self.jump(-1)),
            ("F9", lambda: self.open_source()),
        ):
            shortcut = QShortcut(QKeySequence(keys), pane)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self._recheck = QTimer(self)
        self._recheck.setSingleShot(True)
        self._recheck.setInterval(400)
        self._recheck.timeout.connect(self._check_edit)
        self._footer = ""
        editor.textChanged.connect(self._on_text_changed)
        editor.cursorPositionChanged.connect(self._on_cursor)
        editor.viewport().installEventFilter(self)
        editor.installEventFilter(self)
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
        self.partial = False
        self._show(report)
        if report is not None and speak:
            announce(self.summary, self.report.announcement() if self.report else "")

    def set_partial(self, report: Report) -> None:
        """The provisional check of the text written so far: marks and a summary that says
        so, never announced (a screen reader would hear it every few words)."""
        self._show(report)
        self.partial = True
        line = tr("Vorläufig, während die Antwort entsteht: {summary}", summary=report.summary())
        self.summary.setText(line)
        self.summary.setAccessibleName(line)

    def _show(self, report: Report | None) -> None:
        if report is not None:
            report = aligned(report, self.editor.toPlainText())
        self.report = report
        self._current = -1
        self.detail.setText("")
        visible = report is not None
        self.setVisible(visible)
        self.detail.setVisible(visible)
        self.source_button.setEnabled(False)
        if report is None:
            self.editor.setExtraSelections([])
            return
        self.summary.setText(report.summary())
        self.summary.setAccessibleName(report.summary())
        self.next_button.setEnabled(bool(report.flagged))
        self.editor.setExtraSelections(fact_selections(self.editor, report))
        self._on_cursor()

    # Navigation ---------------------------------------------------------------------------
    def jump(self, step: int = 1) -> bool:
        """Select the next (or previous) flagged fact and say what it is."""
        if self.report is None or not self.report.flagged:
            return False
        flagged = self.report.flagged
        self._current = (self._current + step) % len(flagged)
        v = flagged[self._current]
        length = len(self.editor.toPlainText())
        cursor = self.editor.textCursor()
        cursor.setPosition(min(v.fact.start, length))
        cursor.setPosition(min(v.fact.end, length), QTextCursor.MoveMode.KeepAnchor)
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()
        line = tr("Angabe {i} von {n}: ", i=self._current + 1, n=len(flagged)) + describe(v)
        self.detail.setText(line)
        announce(self.detail, line)
        self.jumped.emit(self._current)
        return True

    def current(self) -> Verdict | None:
        """The fact at the cursor (or the selected one)."""
        return verdict_at(self.report, self.editor.textCursor().position())

    def _on_cursor(self) -> None:
        """With the cursor on a fact the detail line says its status and source page."""
        v = self.current()
        self.source_button.setEnabled(v is not None and has_source(v))
        if v is not None:
            line = describe(v)
            if has_source(v):
                line += " " + _("(F9: Quelle öffnen)")
            self.detail.setText(line)

    def open_source(self, verdict: Verdict | None = None) -> bool:
        """Show where the source has this figure: the document at its page, or (pasted
        text, form fields: nothing to open) the passage in the detail line."""
        v = verdict if verdict is not None else self.current()
        if v is None or not has_source(v):
            return False
        if self.opener is not None and self.opener(v):
            return True
        where = v.file or ""
        if v.page:
            where += ", " + tr("S. {page}", page=v.page)
        line = tr("Fundstelle ({where}): {passage}", where=where, passage=v.source_text)
        if v.status != BELEGT and v.source_value:
            line = describe(v) + " – " + line
        self.detail.setText(line)
        announce(self.detail, line)
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Strg+Klick on a marked figure opens its source; in a read-only view (the answer
        of "Dokumente fragen") a plain click or the Enter key does, as on a link."""
        kind = event.type()
        if kind == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            plain = self.editor.isReadOnly() and not self.partial
            plain = plain and not self.editor.textCursor().hasSelection()  # not a drag
            if event.button() == Qt.MouseButton.LeftButton and (ctrl or plain):
                pos = self.editor.cursorForPosition(event.position().toPoint()).position()
                v = verdict_at(self.report, pos)
                if v is not None and has_source(v):
                    self.open_source(v)
                    return ctrl  # a plain click still moves the cursor
        elif (
            kind == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and watched is self.editor
            and self.editor.isReadOnly()
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not self.partial
        ):
            v = self.current()
            if v is not None and has_source(v):
                self.open_source(v)
                return True
        return super().eventFilter(watched, event)

    # Edits --------------------------------------------------------------------------------
    def _on_text_changed(self) -> None:
        if (
            self.report is not None
            and self.report.index is not None
            and not self.editor.isReadOnly()
            and not self.partial
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
