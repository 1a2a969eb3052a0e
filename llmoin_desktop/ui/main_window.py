"""Main window: header, message banner, page stack (gallery, chat, …) and status bar.

The window takes the backend in its constructor (napari style): the app passes the real
``LocalBackend``, tests pass a fake, and both exercise the same widgets and controllers.
It builds its areas (tasks, library, own tasks, help menu, trainer mode) and hands each only
what it uses — the page stack, the services, the banner (``ui/window_host.py``) — never itself.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.engine.backend import Backend, GenerationResult
from llmoin_desktop.core.engine.catalog import ModelInfo
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import Progress
from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.ui.a11y import announce, forget_announcement, name
from llmoin_desktop.ui.appearance import apply_appearance
from llmoin_desktop.ui.chat_view import ChatView
from llmoin_desktop.ui.controllers.chat_controller import ChatController
from llmoin_desktop.ui.controllers.library_area import LibraryArea
from llmoin_desktop.ui.controllers.model_controller import ModelController, Scanner, default_scanner
from llmoin_desktop.ui.controllers.task_area import TaskArea
from llmoin_desktop.ui.controllers.tiles import CHAT_TILE_ID, gallery_tiles
from llmoin_desktop.ui.gallery import Gallery, TileDescriptor
from llmoin_desktop.ui.model_picker import ModelPicker
from llmoin_desktop.ui.plain_text import PlainLabel, escape
from llmoin_desktop.ui.settings_dialog import SettingsDialog
from llmoin_desktop.ui.status_bar import AppStatusBar
from llmoin_desktop.ui.style import STYLE
from llmoin_desktop.ui.tutorial.help_menu import HelpMenu
from llmoin_desktop.ui.window_host import Messages, PageStack, Services
from llmoin_desktop.ui.workers import WorkerPool

if TYPE_CHECKING:
    from llmoin_desktop.core.trainer import TrainerSandbox
    from llmoin_desktop.ui.tutorial.trainer import TrainerMode


class _StatusBridge(QObject):
    """Engine status arrives on the engine's thread; this hops it onto the GUI thread."""

    changed = Signal(object)


class MessageBanner(QFrame):
    """A visible, dismissable message inside the window (errors never become pop-up storms)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        self.label = PlainLabel("")
        self.label.setObjectName("bannerText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QPushButton(_("Ausblenden"))
        name(self.close_button, _("Meldung ausblenden"))
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.close_button.clicked.connect(self.hide)
        self.hide()

    def show_message(self, text: str, kind: str = "error") -> None:
        prefix = _("Fehler:") if kind == "error" else _("Hinweis:")
        # bold prefix, escaped text: messages quote file and task names (issue 18)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setText(f"<b>{escape(prefix)}</b> {escape(text)}")
        self.label.setAccessibleName(f"{prefix} {text}")
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()
        forget_announcement(self.label)  # the same error again is said again
        announce(self.label, f"{prefix} {text}", assertive=kind == "error")

    def text(self) -> str:
        return self.label.text()


class MainWindow(QMainWindow):
    def __init__(
        self,
        backend: Backend,
        settings: SettingsStore | None = None,
        *,
        scanner: Scanner = default_scanner,
        task_tiles: list[TileDescriptor] | None = None,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.settings = settings or SettingsStore()
        self.pool = WorkerPool(parent=self)
        self.setWindowTitle("LLMoin Desktop")
        self.setObjectName("mainWindow")
        self.setStyleSheet(STYLE)
        self.resize(1100, 720)

        central = QWidget()
        root = QVBoxLayout(central)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._build_header())
        banner_box = QVBoxLayout()
        banner_box.setContentsMargins(24, 8, 24, 0)
        # Broken settings/policy/task files: stays until the clerk dismisses it (never hidden
        # by a later event such as the model finishing loading); other messages use ``banner``.
        self.config_banner = MessageBanner()
        banner_box.addWidget(self.config_banner)
        self.banner = MessageBanner()
        banner_box.addWidget(self.banner)
        root.addLayout(banner_box)

        self.page_stack = PageStack(allowed=self.page_allowed, parent=self)
        self.stack = self.page_stack.stack
        self.pages = self.page_stack.pages
        self.gallery = Gallery()
        self.chat_view = ChatView()
        self.page_stack.add_page("gallery", self.gallery, focus=self._focus_gallery)
        self.page_stack.add_page(CHAT_TILE_ID, self.chat_view, focus=self.chat_view.input.setFocus)
        root.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.status = AppStatusBar()
        self.setStatusBar(self.status)

        self.models = ModelController(backend, self.pool, self.settings, scanner, parent=self)
        self.chat = ChatController(self.chat_view, backend, self.pool, self.settings, parent=self)
        # What the areas get instead of the window (ui/window_host.py).
        pages = self.page_stack
        self.services = Services(backend, self.settings, self.pool, self.gallery)
        self.messages = Messages(self.show_error, self.show_info)
        self.tasks = TaskArea(pages, self.services, parent=self)
        # library page + "Dokumente fragen" page(s)
        self.library = LibraryArea(pages, self.services, self.tasks, parent=self)
        self._task_tiles = task_tiles if task_tiles is not None else self.tasks.tiles()
        self.refresh_tiles()
        from llmoin_desktop.ui.task_builder_area import TaskBuilderArea

        # own tasks: editor, import/export, department
        self.builder = TaskBuilderArea(
            pages,
            self.services,
            self.messages,
            self.tasks,
            task_tiles=lambda: self._task_tiles,
            set_task_tiles=self.set_task_tiles,
            trainer_prompt=self._trainer_shows_prompt,
            parent=self,
        )
        self._connect()
        self.status.show_engine(backend.status())
        # "Hilfe" (F1): guided tours, trainer mode, terms of use
        self.help = HelpMenu(
            self,
            pages,
            self.services,
            self.messages,
            settings_button=self.settings_button,
            model_button=self.model_button,
            tasks=self.tasks,
        )
        apply_appearance(self, self.settings.settings)  # high contrast, font scale
        self.show_page("gallery")

    # Construction -------------------------------------------------------------------------
    def _build_header(self) -> QWidget:
        header = QWidget()
        header.setObjectName("header")
        header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QHBoxLayout(header)
        layout.setContentsMargins(24, 10, 24, 10)
        title = PlainLabel("LLMoin Desktop")
        title.setObjectName("appTitle")
        self.home_button = QPushButton(_("Übersicht"))
        self.home_button.setToolTip(_("Zur Aufgabenübersicht (Alt+Pos1)"))
        name(self.home_button, _("Übersicht"), _("Zur Aufgabenübersicht"))
        self.model_button = QPushButton(_("Modell wählen …"))
        self.model_button.setToolTip(_("Sprachmodell wählen (Strg+M)"))
        name(self.model_button, _("Modell wählen"), _("Sprachmodell auswählen und laden"))
        self.history_button = QPushButton(_("Verlauf"))
        self.history_button.setObjectName("historyButton")
        self.history_button.setToolTip(_("Gespeicherte Ergebnisse (Strg+H)"))
        name(self.history_button, _("Verlauf"), _("Gespeicherte Ergebnisse ansehen (Strg+H)"))
        self.library_button = QPushButton(_("Bibliothek"))
        self.library_button.setObjectName("libraryButton")
        self.library_button.setToolTip(_("Dokumentbibliothek (Strg+L)"))
        name(self.library_button, _("Bibliothek"), _("Dokumente für „Dokumente fragen“ (Strg+L)"))
        self.settings_button = QPushButton(_("Einstellungen"))
        self.settings_button.setToolTip(_("Einstellungen (Strg+,)"))
        name(self.settings_button, _("Einstellungen"))
        layout.addWidget(title)
        layout.addStretch(1)
        for button in (
            self.home_button,
            self.library_button,
            self.history_button,
            self.model_button,
            self.settings_button,
        ):
            layout.addWidget(button)
        return header

    def _connect(self) -> None:
        self.home_button.clicked.connect(lambda: self.show_page("gallery"))
        self.model_button.clicked.connect(self.open_model_picker)
        self.settings_button.clicked.connect(self.open_settings)
        self.history_button.clicked.connect(self.tasks.show_history)
        QShortcut(QKeySequence("Ctrl+H"), self, activated=self.tasks.show_history)
        self.library_button.clicked.connect(self.library.show_library)
        QShortcut(QKeySequence("Ctrl+L"), self, activated=self.library.show_library)
        QShortcut(QKeySequence("Ctrl+M"), self, activated=self.open_model_picker)
        QShortcut(QKeySequence("Ctrl+,"), self, activated=self.open_settings)
        QShortcut(QKeySequence("Alt+Home"), self, activated=lambda: self.show_page("gallery"))
        self.gallery.tile_activated.connect(self.activate_tile)
        self.chat_view.back_requested.connect(lambda: self.show_page("gallery"))
        self.chat.error.connect(self.show_error)
        self.chat.answer_finished.connect(self._on_answer)
        self.models.load_started.connect(self._on_load_started)
        self.models.load_progress.connect(self._on_load_progress)
        self.models.loaded.connect(self._on_loaded)
        self.models.load_failed.connect(self._on_load_failed)
        self.models.scan_failed.connect(self.show_error)
        self._bridge = _StatusBridge(self)
        self._bridge.changed.connect(self.status.show_engine, Qt.ConnectionType.QueuedConnection)
        self.backend.add_status_listener(self._bridge.changed.emit)

    def add_page(self, page_id: str, widget: QWidget) -> None:
        """A page in the window's stack (the areas add theirs to ``page_stack`` directly)."""
        self.page_stack.add_page(page_id, widget)

    def refresh_tiles(self) -> None:
        self.gallery.set_tiles(
            gallery_tiles(self.settings.settings, self._task_tiles, pages=set(self.pages))
        )

    def set_task_tiles(self, tiles: list[TileDescriptor]) -> None:
        self._task_tiles = tiles
        self.refresh_tiles()

    # Actions ------------------------------------------------------------------------------
    def start(self) -> None:
        """Called once the window is shown: find and load the default model in the background."""
        problems = [*self.settings.problems, *self.tasks.problems]
        if problems:
            self.config_banner.show_message(" ".join(problems), "error")
        self.models.autoload()

    def page_allowed(self, page_id: str) -> bool:
        """Policy locks (free_chat, allowed/hidden tasks) for every way to reach a page:
        tiles, the history, the library's "Dokumente fragen" button, guided tours."""
        from llmoin_desktop.core.settings.policy_gate import page_allowed

        tasks = getattr(self, "tasks", None)
        task_ids = tasks.catalog.tasks if tasks is not None else ()
        return page_allowed(self.settings.settings, page_id, task_ids)

    def show_page(self, page_id: str) -> None:
        """The page in front, or the gallery where the policy locks it (``page_allowed``)."""
        self.page_stack.show_page(page_id)

    def _focus_gallery(self) -> None:
        first = self.gallery.first_tile()
        if first is not None:
            first.setFocus()

    def start_trainer(self, sandbox: TrainerSandbox) -> TrainerMode:
        """Trainer mode's bar and prompt views in this window (the app runs on ``sandbox``)."""
        from llmoin_desktop.ui.tutorial.trainer import TrainerMode

        self.help.trainer = TrainerMode(
            self.centralWidget(),
            sandbox,
            task_controllers=self.tasks.controllers,
            library=self.library.controller,
            high_contrast=bool(self.settings.settings.high_contrast),
        )
        return self.help.trainer

    def _trainer_shows_prompt(self) -> bool:
        """Trainer mode's "show the prompt" switch (the own-tasks editor carries it over)."""
        trainer = getattr(getattr(self, "help", None), "trainer", None)
        return trainer is not None and trainer.bar.show_prompt.isChecked()

    def activate_tile(self, tile_id: str) -> None:
        if tile_id in self.pages:
            self.show_page(tile_id)

    def show_error(self, message: str) -> None:
        self.banner.show_message(message, "error")

    def show_info(self, message: str) -> None:
        self.banner.show_message(message, "info")

    def open_model_picker(self) -> ModelPicker:
        picker = ModelPicker(self)
        picker.setStyleSheet(self.styleSheet())  # STYLE, or the high-contrast one
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return self._show_picker(picker, self.models.current)

    def _show_picker(self, picker: ModelPicker, current: ModelInfo | None) -> ModelPicker:
        current_path = str(current.path) if current is not None else ""

        def fill(models: list[ModelInfo]) -> None:
            with contextlib.suppress(RuntimeError):  # the dialog was closed before the scan ended
                picker.set_models(models, current_path)

        picker.load_requested.connect(self.models.load)
        picker.rescan_requested.connect(lambda: self.models.scan(then=fill))
        if self.models.models:
            picker.set_models(self.models.models, current_path)
        else:
            self.models.scan(then=fill)
        picker.open()
        self.picker = picker
        return picker

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.settings, self)
        dialog.setStyleSheet(self.styleSheet())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._on_settings_saved)
        dialog.open()
        self.settings_dialog = dialog
        return dialog

    def _on_settings_saved(self) -> None:
        apply_appearance(self, self.settings.settings, force=True)  # contrast/font at once
        self.refresh_tiles()
        if not self.settings.settings.free_chat and self.stack.currentWidget() is self.chat_view:
            self.show_page("gallery")
        self.show_info(
            _(
                "Die Einstellungen wurden gespeichert. Manche Änderungen wirken erst nach einem Neustart."
            )
        )

    # Model events -------------------------------------------------------------------------
    def _on_load_started(self, model_name: str) -> None:
        self.status.show_progress(None, tr("Modell „{name}“ wird geladen …", name=model_name))

    def _on_load_progress(self, progress: Progress) -> None:
        self.status.show_progress(progress.fraction, self.models.progress_text(progress))

    def _on_loaded(self, info: ModelInfo) -> None:
        self.status.hide_progress()
        self.status.show_engine(self.backend.status())
        if self.banner.isVisible() and self.banner.property("kind") == "error":
            self.banner.hide()

    def _on_load_failed(self, message: str) -> None:
        self.status.hide_progress()
        self.status.show_engine(self.backend.status())
        self.show_error(message)

    def _on_answer(self, result: GenerationResult) -> None:
        if result.tokens_per_s:
            self.status.set_tokens_per_s(result.tokens_per_s)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.pool.shutdown(timeout_ms=3000)
        super().closeEvent(event)
