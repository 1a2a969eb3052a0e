"""Trainer mode in the window: a bar that says so, the prompt switch, reset, and leaving.

"zeigen, was das Modell gefragt wurde" adds a read-only view under each task's result that
shows the rendered prompt (``TaskResult.messages``) after every run or refinement: in a
course the trainer can show that the tile only fills in a well-made instruction.
Switching in or out of trainer mode restarts the app, so no open database or index ever
mixes practice data with the clerk's own.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QProcess, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.trainer import TrainerSandbox
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.plain_text import PlainLabel

BAR_STYLE = """
QFrame#trainerBar { background: #fff4d6; border-bottom: 1px solid #c9a227; }
QLabel#trainerText { color: #1b2a3a; }
"""
HIGH_CONTRAST_BAR_STYLE = """
QFrame#trainerBar { background: #000000; border-bottom: 2px solid #ffff00; }
QLabel#trainerText { color: #ffffff; }
"""

ROLE_LABELS = {"system": "System", "user": "Anfrage", "assistant": "Antwort"}


def restart(trainer: bool, extra: list[str] | None = None) -> bool:
    """Start the app again (with or without ``--trainer``) and quit this one."""
    args = ["--trainer"] if trainer else []
    args += extra or []
    if getattr(sys, "frozen", False):
        ok = QProcess.startDetached(sys.executable, args)
    else:
        ok = QProcess.startDetached(sys.executable, ["-m", "llmoin_desktop", *args])
    ok = ok[0] if isinstance(ok, tuple) else bool(ok)
    if ok:
        QApplication.quit()
    return ok


def format_prompt(messages: list[dict[str, Any]]) -> str:
    parts = []
    for message in messages:
        role = str(message.get("role", ""))
        label = _(ROLE_LABELS[role]) if role in ROLE_LABELS else role
        parts.append(f"── {label} ──\n{message.get('content', '')}")
    return "\n\n".join(parts)


class TrainerBar(QFrame):
    def __init__(self, sandbox: TrainerSandbox, high_contrast: bool = False) -> None:
        super().__init__()
        self.setObjectName("trainerBar")
        self.setStyleSheet(HIGH_CONTRAST_BAR_STYLE if high_contrast else BAR_STYLE)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(24, 6, 24, 6)
        self.text = PlainLabel(
            tr(
                "Trainingsmodus – Übungsdaten in {path}. Ihre eigenen Daten bleiben unberührt.",
                path=str(sandbox.root),
            )
        )
        self.text.setObjectName("trainerText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_prompt = QCheckBox(_("zeigen, was das Modell gefragt wurde"))
        self.show_prompt.setObjectName("showPromptSwitch")
        name(
            self.show_prompt,
            _("zeigen, was das Modell gefragt wurde"),
            _("Zeigt unter jedem Ergebnis die vollständige Anfrage an das Sprachmodell"),
        )
        self.reset_button = QPushButton(_("Zurücksetzen"))
        self.reset_button.setObjectName("trainerReset")
        name(self.reset_button, _("Übungsdaten zurücksetzen"), _("Startet das Programm neu"))
        self.exit_button = QPushButton(_("Trainingsmodus beenden"))
        self.exit_button.setObjectName("trainerExit")
        name(self.exit_button, _("Trainingsmodus beenden"), _("Startet das Programm neu"))
        layout.addWidget(self.text, 1)
        layout.addWidget(self.show_prompt)
        layout.addWidget(self.reset_button)
        layout.addWidget(self.exit_button)


class PromptView(QWidget):
    """The rendered prompt under a result pane (only while the switch is on)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("promptPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        title = PlainLabel(_("Das wurde das Modell gefragt:"))
        title.setObjectName("columnTitle")
        self.text = QPlainTextEdit()
        self.text.setObjectName("promptView")
        self.text.setReadOnly(True)
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText(_("Erscheint nach dem nächsten Erzeugen."))
        self.text.setMaximumHeight(180)
        name(self.text, _("Anfrage an das Modell"), _("Vollständiger Text, den das Modell bekam"))
        layout.addWidget(title)
        layout.addWidget(self.text)


class TrainerMode:
    """Installs the bar and the prompt views into a window running on a sandbox.

    Handed what it wraps, not the window (see ui/window_host.py): ``central``, the widget whose
    layout gets the bar under the header; the task controllers whose results get a prompt
    view; the library controller that a new practice library is filled through."""

    def __init__(
        self,
        central: QWidget,
        sandbox: TrainerSandbox,
        *,
        task_controllers: Mapping[str, Any] | None = None,
        library: Any | None = None,
        high_contrast: bool = False,
    ) -> None:
        self.central = central
        self.library = library
        self.sandbox = sandbox
        self.restart = restart  # tests replace it
        self.bar = TrainerBar(sandbox, high_contrast)
        root = central.layout()
        root.insertWidget(1, self.bar)  # under the header, above messages and pages
        self.prompt_views: dict[str, PromptView] = {}
        for task_id, controller in (task_controllers or {}).items():
            if not hasattr(controller.page, "result"):
                continue  # the library's question page shows its sources instead
            view = PromptView()
            controller.page.result.layout().addWidget(view)
            controller.finished.connect(
                lambda result, v=view: v.text.setPlainText(
                    format_prompt(list(getattr(result, "messages", []) or []))
                )
            )
            self.prompt_views[task_id] = view
        self.bar.show_prompt.setChecked(bool(sandbox.state().get("show_prompt", False)))
        self.bar.show_prompt.toggled.connect(self.set_show_prompt)
        self.set_show_prompt(self.bar.show_prompt.isChecked())
        self.fill_library()
        self.bar.reset_button.clicked.connect(self.ask_reset)
        self.bar.exit_button.clicked.connect(lambda: self.restart(False))

    def fill_library(self) -> bool:
        """A new practice library gets the sample documents, so "Dokumente fragen" works at once."""
        controller = self.library
        if controller is None or controller.exists():
            return False
        samples = [str(p) for p in self.sandbox.sample_files()]
        return bool(samples) and bool(controller.add_paths(samples))

    def set_show_prompt(self, show: bool) -> None:
        for view in self.prompt_views.values():
            view.setVisible(show)
        self.sandbox.set_state("show_prompt", show)

    def ask_reset(self, confirm: bool = True) -> bool:
        if confirm:
            answer = QMessageBox.question(
                self.central.window(),
                _("Übungsdaten zurücksetzen"),
                _(
                    "Alle Übungsergebnisse und die Übungsbibliothek werden gelöscht und die "
                    "Beispieldokumente neu angelegt. Das Programm startet dafür neu. Fortfahren?"
                ),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        self.sandbox.request_reset()
        self.restart(True)
        return True


class _RealModels:
    """The settings store, but with the models folders from before the sandbox was switched on
    (the course uses the clerk's real models; only data goes to the practice folder)."""

    def __init__(self, store: Any, dirs: list[Any]) -> None:
        self._store = store
        self._dirs = list(dirs)

    def models_dirs(self) -> list[Any]:
        return list(self._dirs)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._store, attribute)


def start_trainer_session(settings: Any, sandbox: TrainerSandbox | None = None):  # noqa: ANN201
    """Prepare and switch on the sandbox *before* the window opens any file.

    Returns the sandbox and a model scanner that still finds the clerk's models."""
    from llmoin_desktop.ui.controllers.model_controller import default_scanner

    real_dirs = settings.models_dirs()
    sandbox = (sandbox or TrainerSandbox()).prepare()
    sandbox.activate()
    return sandbox, lambda store: default_scanner(_RealModels(store, real_dirs))
