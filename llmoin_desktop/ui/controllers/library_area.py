"""Wires the document library into the main window: the library page, one "Dokumente fragen"
page per task file with ``runner = "library"`` (the bundled one and any IT adds), and the
history hook so a stored answer reopens on its page.

Importing ``core.tasks.library_task`` registers the library runner; the task area skips
library tasks because they get this page instead of the generic task page.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from llmoin_desktop.core.i18n import _
from llmoin_desktop.core.tasks import library_task
from llmoin_desktop.ui.ask_page import AskPage
from llmoin_desktop.ui.controllers.ask_controller import AskController
from llmoin_desktop.ui.controllers.library_controller import LibraryController
from llmoin_desktop.ui.library_page import LibraryPage

if TYPE_CHECKING:
    from llmoin_desktop.ui.controllers.task_area import TaskArea
    from llmoin_desktop.ui.window_host import PageStack, Services

LIBRARY_PAGE_ID = "library"


class LibraryArea(QObject):
    """Built from the page stack and the services (no window): see ui/window_host.py.

    ``tasks`` is the task area, when there is one: the question pages come from its catalogue,
    and the history reopens a stored answer through its controllers."""

    def __init__(
        self,
        pages: PageStack,
        services: Services,
        tasks: TaskArea | None = None,
        folder: str | Path | None = None,
        parent: QObject | None = None,
        **library_kwargs: Any,
    ) -> None:
        super().__init__(parent)
        self.page_stack = pages
        self.page = LibraryPage()
        self.controller = LibraryController(
            self.page, services.pool, folder, parent=self, **library_kwargs
        )
        pages.add_page(LIBRARY_PAGE_ID, self.page)
        # Watched folders (core/library/watch.py): only opens the library when there are any.
        current = getattr(services.settings, "settings", None)
        self.controller.start_watching(list(getattr(current, "watched_folders", None) or []))
        self.page.back_requested.connect(lambda: pages.show_page("gallery"))
        self.ask_pages: dict[str, AskPage] = {}
        self.ask_controllers: dict[str, AskController] = {}
        catalog = getattr(tasks, "catalog", None)
        specs = catalog.ordered() if catalog is not None else []
        history = getattr(tasks, "history", None)
        for spec in specs:
            if spec.runner != library_task.RUNNER_NAME:
                continue
            page = AskPage(spec)
            controller = AskController(
                page,
                services.backend,
                services.pool,
                services.settings,
                self.controller,
                history,
                self,
            )
            page.back_requested.connect(lambda: pages.show_page("gallery"))
            page.library_requested.connect(self.show_library)
            self.ask_pages[spec.id] = page
            self.ask_controllers[spec.id] = controller
            controller.finished.connect(lambda _r, p=page: self._note_repair(p))
            pages.add_page(spec.id, page)
            if tasks is not None:
                # the history reopens entries through the task area's controllers
                tasks.controllers[spec.id] = controller  # type: ignore[assignment]
                controller.history_changed.connect(tasks._history_changed)
        self.controller.repair_changed.connect(self._show_repair)
        self._repair_text = ""
        pages.page_shown.connect(self._page_shown)
        first = next(iter(self.ask_pages), None)
        if first is not None:
            self.page.ask_requested.connect(lambda: self.show_ask(first))
        else:
            self.page.ask_button.hide()

    def _show_repair(self, text: str) -> None:
        """The search index's repair line on the ask pages' status line, where that line is
        free (empty, or the previous repair line): an answer's "Fertig" stays. Only its
        first appearance is announced to screen readers, not every count."""
        done = _("Der Suchindex ist wiederhergestellt.")
        for task_id, page in self.ask_pages.items():
            current = page.status_label.text()
            if self.ask_controllers[task_id].busy or current not in ("", self._repair_text):
                continue
            if text and current:
                page.status_label.setText(text)
            else:
                page.set_status(text or (done if current else ""))
        self._repair_text = text

    def _note_repair(self, page: AskPage) -> None:
        """An answer found by keywords only: "Fertig (3 s)." says so too."""
        if self._repair_text:
            page.set_status(f"{page.status_label.text()} {self._repair_text}".strip())

    def show_library(self) -> None:
        self.page_stack.show_page(LIBRARY_PAGE_ID)

    def show_ask(self, task_id: str) -> None:
        self.page_stack.show_page(task_id)

    def _page_shown(self, _page_id: str) -> None:
        """A library page came to the front: show what the library holds (opens it if needed)."""
        current = self.page_stack.current()
        if current is self.page or current in self.ask_pages.values():
            self.controller.activate()
