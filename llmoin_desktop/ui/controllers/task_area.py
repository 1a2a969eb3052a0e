"""Wires the guided tasks into the main window: one page + controller per task file, the
history view, tiles for the gallery, and reopening a history entry in its task page.

The catalogue is read unfiltered (a handful of small TOML files, once at start-up), so a page
exists for every task; the gallery applies ``allowed_tasks``/``hidden_tasks`` and a hidden
task cannot be reached from the history either.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from llmoin_desktop.core.history import HistoryEntry
from llmoin_desktop.core.i18n import tr
from llmoin_desktop.core.tasks.catalog import TaskCatalog, load_catalog, task_dirs
from llmoin_desktop.core.tasks.runner import RUNNERS
from llmoin_desktop.ui.controllers.history_access import HistoryAccess
from llmoin_desktop.ui.controllers.history_controller import HistoryController
from llmoin_desktop.ui.controllers.task_controller import TaskController
from llmoin_desktop.ui.controllers.tiles import task_tiles
from llmoin_desktop.ui.gallery import TileDescriptor
from llmoin_desktop.ui.history_view import HistoryView
from llmoin_desktop.ui.task_page import TaskPage

if TYPE_CHECKING:
    from llmoin_desktop.core.tasks.spec import TaskSpec
    from llmoin_desktop.ui.window_host import PageStack, Services

HISTORY_PAGE_ID = "history"


class TaskArea(QObject):
    """Built from the page stack and the services alone (no window): see ui/window_host.py."""

    def __init__(
        self,
        pages: PageStack,
        services: Services,
        catalog: TaskCatalog | None = None,
        history_path: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.page_stack = pages
        self.services = services
        settings = services.settings.settings
        self.catalog = catalog or load_catalog(settings, task_dirs(settings), filtered=False)
        self.history = HistoryAccess(history_path)
        self.pages: dict[str, TaskPage] = {}
        self.controllers: dict[str, TaskController] = {}
        for spec in self.catalog.ordered():
            if spec.runner == "library":
                continue  # "Dokumente fragen" has its own page (ui/ask_page.py, LibraryArea)
            if spec.runner != "standard" and spec.runner not in RUNNERS:
                continue  # e.g. the library's question task, until its runner is registered
            self.add_task(spec)
        titles = {s.id: s.t(s.title) for s in self.catalog.tasks.values()}
        self.history_view = HistoryView()
        self.history_controller = HistoryController(
            self.history_view, self.history, services.pool, titles, parent=self
        )
        self.history_view.back_requested.connect(lambda: self.page_stack.show_page("gallery"))
        self.history_controller.open_entry.connect(self.open_entry)
        pages.add_page(HISTORY_PAGE_ID, self.history_view)

    def add_task(self, spec: TaskSpec) -> TaskPage:
        """A page and its controller for one task file (own tasks add theirs after a save)."""
        services = self.services
        page = TaskPage(spec)
        controller = TaskController(
            page, services.backend, services.pool, services.settings, self.history, parent=self
        )
        page.back_requested.connect(lambda: self.page_stack.show_page("gallery"))
        controller.history_changed.connect(self._history_changed)
        self.pages[spec.id] = page
        self.controllers[spec.id] = controller
        self.page_stack.add_page(spec.id, page)
        return page

    def remove_task(self, task_id: str) -> None:
        """Take a task's page out of the stack and delete it with its controller."""
        page = self.pages.pop(task_id, None)
        controller = self.controllers.pop(task_id, None)
        if page is None:
            return
        self.page_stack.remove_page(task_id)
        page.deleteLater()
        if controller is not None:
            controller.deleteLater()

    @property
    def problems(self) -> list[str]:
        """German lines for broken task files (skipped); the window shows them."""
        return list(self.catalog.problems)

    def tiles(self) -> list[TileDescriptor]:
        return task_tiles(self.catalog.ordered(), self.services.settings.settings)

    def show_history(self) -> None:
        self.history_controller.refresh()
        self.page_stack.show_page(HISTORY_PAGE_ID)

    def _history_changed(self) -> None:
        if self.page_stack.current() is self.history_view:
            self.history_controller.refresh()

    def reachable(self, task_id: str) -> bool:
        tile = self.services.gallery.tiles.get(task_id)
        return task_id in self.controllers and tile is not None and tile.isEnabled()

    def open_entry(self, entry: HistoryEntry) -> bool:
        if not self.reachable(entry.task_id):
            self.history_view.show_message(
                tr(
                    "Die Aufgabe „{task}“ ist nicht mehr verfügbar; der Eintrag kann nur gelesen werden.",
                    task=entry.title or entry.task_id,
                )
            )
            return False
        if not self.controllers[entry.task_id].open_entry(entry):
            return False
        self.page_stack.show_page(entry.task_id)
        return True
