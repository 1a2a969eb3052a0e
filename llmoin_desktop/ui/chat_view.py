"""Free chat view: transcript, input, Send and Stop. Widgets only; logic in ChatController."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.i18n import _
from llmoin_desktop.ui.a11y import announce, forget_announcement, name
from llmoin_desktop.ui.page_parts import add_page_head, page_layout
from llmoin_desktop.ui.plain_text import PlainLabel


class ChatView(QWidget):
    send_requested = Signal(str)
    stop_requested = Signal()
    new_conversation_requested = Signal()
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = page_layout(self)
        self.back_button, _title, head = add_page_head(layout, _("Mit dem Modell chatten"))
        self.new_button = QPushButton(_("Neues Gespräch"))
        name(self.new_button, _("Neues Gespräch"), _("Verlauf leeren und neu beginnen"))
        head.addWidget(self.new_button)

        self.transcript = QTextBrowser()
        self.transcript.setObjectName("transcript")
        self.transcript.setOpenExternalLinks(False)
        self.transcript.setPlaceholderText(
            _(
                "Stellen Sie eine Frage oder geben Sie einen Auftrag ein. Die Antwort erscheint hier."
            )
        )
        name(
            self.transcript,
            _("Gesprächsverlauf"),
            _("Ihre Nachrichten und die Antworten des Modells"),
        )
        layout.addWidget(self.transcript, 1)

        self.status_label = PlainLabel("")
        self.status_label.setObjectName("chatStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)

        row = QHBoxLayout()
        self.input = QPlainTextEdit()
        self.input.setObjectName("chatInput")
        self.input.setPlaceholderText(_("Ihre Nachricht … (Strg+Enter sendet)"))
        self.input.setTabChangesFocus(True)
        self.input.setFixedHeight(90)
        name(self.input, _("Ihre Nachricht"), _("Text eingeben; Strg+Enter sendet"))
        buttons = QVBoxLayout()
        self.send_button = QPushButton(_("Senden"))
        self.send_button.setObjectName("primaryButton")
        self.send_button.setToolTip(_("Senden (Strg+Enter)"))
        name(self.send_button, _("Senden"), _("Nachricht senden (Strg+Enter)"))
        self.stop_button = QPushButton(_("Stopp"))
        self.stop_button.setToolTip(_("Antwort abbrechen (Esc)"))
        name(self.stop_button, _("Stopp"), _("Antwort abbrechen (Esc)"))
        self.stop_button.setEnabled(False)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        row.addWidget(self.input, 1)
        row.addLayout(buttons)
        layout.addLayout(row)

        note = PlainLabel(
            _("Antworten werden von einer KI erzeugt und können Fehler enthalten. Bitte prüfen.")
        )
        note.setObjectName("aiNote")
        note.setWordWrap(True)
        layout.addWidget(note)

        self.setTabOrder(self.back_button, self.new_button)
        self.setTabOrder(self.new_button, self.transcript)
        self.setTabOrder(self.transcript, self.input)
        self.setTabOrder(self.input, self.send_button)
        self.setTabOrder(self.send_button, self.stop_button)

        self.back_button.clicked.connect(self.back_requested)
        self.new_button.clicked.connect(self.new_conversation_requested)
        self.send_button.clicked.connect(self._emit_send)
        self.stop_button.clicked.connect(self.stop_requested)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(seq), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)  # only while this page is shown
            shortcut.activated.connect(self._emit_send)
        stop = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        stop.setContext(Qt.ShortcutContext.WindowShortcut)
        stop.activated.connect(self._stop_shortcut)

    def _emit_send(self) -> None:
        if self.send_button.isEnabled():
            self.send_requested.emit(self.input.toPlainText())

    def _stop_shortcut(self) -> None:
        if self.stop_button.isEnabled():
            self.stop_requested.emit()

    # Used by the controller ----------------------------------------------------------
    def set_busy(self, busy: bool) -> None:
        """Swap Send/Stop; keep the keyboard focus on the button that makes sense next."""
        had_send = self.send_button.hasFocus()
        had_stop = self.stop_button.hasFocus()
        self.stop_button.setEnabled(busy)
        if busy and had_send:
            self.stop_button.setFocus()
        self.send_button.setEnabled(not busy)
        self.new_button.setEnabled(not busy)
        if not busy and had_stop:
            self.input.setFocus()

    def set_status(self, text: str) -> None:
        self.status_label.setText(text)
        if text:
            announce(self.status_label, text)  # spoken by screen readers (WCAG 4.1.3)
        else:
            forget_announcement(self.status_label)

    def clear(self) -> None:
        self.transcript.clear()
        self.status_label.clear()

    def begin_message(self, speaker: str) -> None:
        """Start a new paragraph with the speaker's name in bold."""
        cursor = self.transcript.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if not self.transcript.document().isEmpty():
            cursor.insertBlock()
            cursor.insertBlock()
        bold = QTextCharFormat()
        bold.setFontWeight(QFont.Weight.Bold)
        cursor.insertText(speaker, bold)
        cursor.insertBlock()
        self._scroll_to_end()

    def append_text(self, text: str) -> None:
        """Append streamed text at the end (cheap: no re-layout of the whole transcript)."""
        cursor = self.transcript.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text, QTextCharFormat())
        self._scroll_to_end()

    def _scroll_to_end(self) -> None:
        bar = self.transcript.verticalScrollBar()
        bar.setValue(bar.maximum())

    def transcript_text(self) -> str:
        return self.transcript.toPlainText()
