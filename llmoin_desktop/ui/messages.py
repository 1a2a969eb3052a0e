"""The one way pages show a message: a prefix says what it is, so colour is never the only cue."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QProgressBar, QPushButton

from llmoin_desktop.core.i18n import _
from llmoin_desktop.ui.a11y import name


def show_message(label: QLabel, text: str, kind: str = "info") -> None:
    """``kind`` "error" or "info"; an empty text hides the label. Screen readers get the text."""
    if not text:
        label.clear()
        label.hide()
        return
    prefix = _("Fehler:") if kind == "error" else _("Hinweis:")
    label.setText(f"<b>{prefix}</b> {html.escape(text)}")
    label.setAccessibleName(f"{prefix} {text}")
    label.setProperty("kind", kind)  # the style sheet colours by kind
    label.style().unpolish(label)
    label.style().polish(label)
    label.show()


def add_run_controls(
    layout: QBoxLayout,
    run_text: str,
    run_description: str,
    stop_description: str,
    *,
    stop_name: str,
    progress_name: str,
) -> tuple[QPushButton, QPushButton, QProgressBar, QLabel, QLabel]:
    """The block every page that runs a job has: run + Stop, a thin progress bar, a status
    line and a message label. Object names stay stable for the guided tours."""
    buttons = QHBoxLayout()
    run_button = QPushButton(run_text)
    run_button.setObjectName("generateButton")
    run_button.setToolTip(run_description)
    name(run_button, run_text, run_description)
    stop_button = QPushButton(_("Stopp"))
    stop_button.setObjectName(stop_name)
    stop_button.setToolTip(_("Abbrechen (Esc)"))
    name(stop_button, _("Stopp"), stop_description)
    stop_button.setEnabled(False)
    buttons.addWidget(run_button, 1)
    buttons.addWidget(stop_button)
    layout.addLayout(buttons)
    progress = QProgressBar()
    progress.setObjectName(progress_name)
    progress.setTextVisible(False)
    progress.setFixedHeight(8)
    name(progress, _("Fortschritt"))
    progress.hide()
    layout.addWidget(progress)
    status = QLabel("")
    status.setObjectName("taskStatus")
    status.setWordWrap(True)
    layout.addWidget(status)
    message = QLabel("")
    message.setObjectName("taskMessage")
    message.setWordWrap(True)
    message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    message.hide()
    layout.addWidget(message)
    return run_button, stop_button, progress, status, message
