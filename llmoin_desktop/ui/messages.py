"""The one way pages show a message: a prefix says what it is, so colour is never the only cue."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from llmoin_desktop.core.i18n import _
from llmoin_desktop.ui.a11y import announce, forget_announcement


def show_message(label: QLabel, text: str, kind: str = "info") -> None:
    """``kind`` "error" or "info"; an empty text hides the label. Screen readers get the text."""
    if not text:
        label.clear()
        label.hide()
        forget_announcement(label)
        return
    prefix = _("Fehler:") if kind == "error" else _("Hinweis:")
    # bold prefix (app markup) + escaped text: a file or task name stays text (issue 18)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setText(f"<b>{html.escape(prefix)}</b> {html.escape(text)}")
    label.setAccessibleName(f"{prefix} {text}")
    label.setProperty("kind", kind)  # the style sheet colours by kind
    label.style().unpolish(label)
    label.style().polish(label)
    label.show()
    announce(label, f"{prefix} {text}", assertive=kind == "error")  # WCAG 4.1.3
