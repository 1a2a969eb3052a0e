"""The "Hilfe" button in the header (F1): guided tours, trainer mode, the terms of use.

It owns the window's tutorial event bus, so events are recorded from the start and a tour
begun later still knows what the clerk has already done in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMenu, QMessageBox, QPushButton, QWidget

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.terms import current_terms
from llmoin_desktop.core.tutorials import Tutorial, TutorialEvents, load_tutorials, tutorial_dirs
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.tutorial.events import WindowEvents
from llmoin_desktop.ui.tutorial.overlay import TutorialOverlay
from llmoin_desktop.ui.tutorial.runner import TutorialRunner

if TYPE_CHECKING:
    from llmoin_desktop.ui.controllers.task_area import TaskArea
    from llmoin_desktop.ui.tutorial.trainer import TrainerMode
    from llmoin_desktop.ui.window_host import Messages, PageStack, Services


class HelpMenu(QObject):
    """Handed what it uses (no window object, see ui/window_host.py): ``root``, the widget the
    tours dim and search for their targets (and F1 and dialogs belong to); the page stack; the
    services; the banner; the header buttons it sits between; the task area the tours watch."""

    tutorial_finished = Signal(bool)

    def __init__(
        self,
        root: QWidget,
        pages: PageStack,
        services: Services,
        messages: Messages,
        *,
        settings_button: QPushButton,
        model_button: QPushButton,
        tasks: TaskArea | None = None,
    ) -> None:
        super().__init__(root)
        self.root = root
        self.page_stack = pages
        self.services = services
        self.messages = messages
        self.events = TutorialEvents()
        self.watcher = WindowEvents(pages, self.events, tasks, parent=root)
        self.tutorials, self.problems = load_tutorials(
            tutorial_dirs(services.settings.settings.extra_tasks_dir)
        )
        self.overlay: TutorialOverlay | None = None
        self.trainer: TrainerMode | None = None
        self.button = QPushButton(_("Hilfe"))
        self.button.setObjectName("helpButton")
        self.button.setToolTip(_("Einführung, Trainingsmodus, Nutzungsbedingungen (F1)"))
        name(self.button, _("Hilfe"), _("Einführung, Trainingsmodus, Nutzungsbedingungen (F1)"))
        self.menu = QMenu(self.button)
        self.menu.setObjectName("helpMenu")
        self.menu.aboutToShow.connect(self._fill_menu)
        self.button.setMenu(self.menu)
        header = settings_button.parentWidget().layout()
        header.insertWidget(header.indexOf(settings_button), self.button)
        # Tab follows what the eye sees: … "Modell wählen", "Hilfe", "Einstellungen".
        QWidget.setTabOrder(model_button, self.button)
        QWidget.setTabOrder(self.button, settings_button)
        QShortcut(QKeySequence("F1"), root, activated=self.show_menu)

    def show_menu(self) -> None:
        """F1: the menu opens with its first entry active, so a screen reader names it and
        Enter starts it (a menu with no active item says nothing)."""
        self.button.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.button.showMenu()  # _fill_menu activates the first entry once the menu shows

    def _activate_first(self) -> None:
        actions = [a for a in self.menu.actions() if not a.isSeparator() and a.isEnabled()]
        if actions and self.menu.isVisible() and self.menu.activeAction() is None:
            self.menu.setActiveAction(actions[0])

    def _fill_menu(self) -> None:
        self.menu.clear()
        for tutorial in self.tutorials:
            action = self.menu.addAction(tr("Einführung: {title}", title=tutorial.title_text))
            action.triggered.connect(lambda _c=False, t=tutorial.id: self.start_tutorial(t))
        self.menu.addSeparator()
        if self.trainer is None:
            action = self.menu.addAction(_("Trainingsmodus starten (Neustart) …"))
            action.triggered.connect(self._enter_trainer)
        else:
            action = self.menu.addAction(_("Trainingsmodus beenden (Neustart)"))
            action.triggered.connect(lambda: self.trainer.restart(False))
        self.menu.addAction(_("Nutzungsbedingungen anzeigen")).triggered.connect(self.show_terms)
        QTimer.singleShot(0, self._activate_first)

    def tutorial(self, tutorial_id: str) -> Tutorial | None:
        return next((t for t in self.tutorials if t.id == tutorial_id), None)

    def start_tutorial(self, tutorial_id: str = "") -> TutorialOverlay | None:
        tutorial = self.tutorial(tutorial_id) if tutorial_id else next(iter(self.tutorials), None)
        if tutorial is None:
            self.messages.show_error(_("Diese Einführung ist nicht vorhanden."))
            return None
        if self.overlay is not None:
            self.overlay.runner.stop()
        self.watcher.wire()
        runner = TutorialRunner(tutorial, self.events, self._has_page, parent=self)
        self.overlay = TutorialOverlay(
            self.root, runner, high_contrast=bool(self.services.settings.settings.high_contrast)
        )
        self.overlay.closed.connect(self._on_closed)
        self.overlay.start()
        return self.overlay

    def _has_page(self, page_id: str) -> bool:
        tile = self.services.gallery.tiles.get(page_id)
        allowed = self.page_stack.allowed(page_id)  # policy
        return allowed and page_id in self.page_stack.pages and (tile is None or tile.isEnabled())

    def _on_closed(self, completed: bool) -> None:
        self.overlay = None
        if completed:
            self.messages.show_info(
                _("Einführung abgeschlossen. Sie finden sie jederzeit unter „Hilfe“ (F1).")
            )
        self.tutorial_finished.emit(completed)

    def _enter_trainer(self) -> None:
        from llmoin_desktop.ui.tutorial.trainer import restart

        answer = QMessageBox.question(
            self.root,
            _("Trainingsmodus"),
            _(
                "Der Trainingsmodus arbeitet mit einem eigenen Übungsordner und "
                "Beispieldokumenten; Ihre Bibliothek und Ihr Verlauf bleiben unberührt. "
                "Das Programm startet dafür neu. Fortfahren?"
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            restart(True)

    def show_terms(self) -> None:
        terms = current_terms(self.services.settings)
        box = QMessageBox(self.root)
        box.setWindowTitle(_("Nutzungsbedingungen"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(terms.text)
        box.setAccessibleName(_("Nutzungsbedingungen"))
        box.open()
        self.terms_box = box
