"""The collapsed "Überlegungen des Modells" of a reasoning model.

Why separate from the result: the thinking of DeepSeek-R1, Qwen3 or gpt-oss is not part of
the clerk's text (not exported, not in the history, not cited), but trainers and curious clerks
want to see how the model arrived at an answer. It stays hidden until a model actually thinks,
starts collapsed, and is read-only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QToolButton, QVBoxLayout, QWidget

from llmoin_desktop.core.i18n import _
from llmoin_desktop.ui.a11y import name


class ReasoningBox(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reasoningBox")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.toggle = QToolButton()
        self.toggle.setObjectName("reasoningToggle")
        self.toggle.setText(_("Überlegungen des Modells"))
        self.toggle.setCheckable(True)
        self.toggle.setChecked(False)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        name(
            self.toggle,
            _("Überlegungen des Modells"),
            _("Zeigt, wie das Modell vor der Antwort nachgedacht hat (nicht Teil des Ergebnisses)"),
        )
        self.text = QPlainTextEdit()
        self.text.setObjectName("reasoningText")
        self.text.setReadOnly(True)
        self.text.setTabChangesFocus(True)
        self.text.setMaximumHeight(160)
        name(
            self.text,
            _("Überlegungen des Modells"),
            _("Nur zur Ansicht; wird nicht gespeichert oder exportiert"),
        )
        self.text.hide()
        layout.addWidget(self.toggle)
        layout.addWidget(self.text)
        self.toggle.toggled.connect(self._on_toggled)
        self.hide()

    def _on_toggled(self, shown: bool) -> None:
        self.text.setVisible(shown)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    def clear(self) -> None:
        self.text.clear()
        self.toggle.setChecked(False)
        self.hide()

    def append(self, text: str) -> None:
        if not text:
            return
        self.show()
        cursor = QTextCursor(self.text.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)

    def set_text(self, text: str) -> None:
        self.text.setPlainText(text.strip())
        self.setVisible(bool(text.strip()))

    def content(self) -> str:
        return self.text.toPlainText()
