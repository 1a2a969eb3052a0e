"""Turns what happens in the real window into tutorial events (``result_ready:zusammenfassen``).

Everything is observed from outside through the widgets' and controllers' public signals, so
no view needs tutorial code; a page registered later (the library's question page) is wired
when ``wire()`` is called again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from llmoin_desktop.core.tutorials import TutorialEvents

if TYPE_CHECKING:
    from llmoin_desktop.ui.controllers.task_area import TaskArea
    from llmoin_desktop.ui.window_host import PageStack

# Signals a library/question page may offer (duck-typed: the page decides what it has).
ASK_SIGNALS = {"answered": "library_asked", "answer_ready": "library_asked"}
CITATION_SIGNALS = ("citation_opened", "source_opened")


class WindowEvents(QObject):
    """Watches the page stack and, when there is one, the task area's pages and controllers
    (handed in, no window: see ui/window_host.py)."""

    def __init__(
        self,
        pages: PageStack,
        events: TutorialEvents,
        tasks: TaskArea | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.page_stack = pages
        self.tasks = tasks
        self.events = events
        self._wired: set[int] = set()
        pages.page_shown.connect(self._on_page)
        self.wire()

    def wire(self) -> None:
        """Connect to every page and task controller not connected yet."""
        for task_id, controller in dict(getattr(self.tasks, "controllers", {})).items():
            if id(controller) in self._wired:
                continue
            self._wired.add(id(controller))
            self._wire_task(task_id, controller)
        for page_id, page in self.page_stack.pages.items():
            if id(page) in self._wired:
                continue
            self._wired.add(id(page))
            self._wire_page(page_id, page)

    def _wire_task(self, task_id: str, controller: Any) -> None:
        if hasattr(controller, "viewer_opened"):  # the library's question page (AskController)
            controller.finished.connect(lambda _r: self.events.emit("library_asked"))
            controller.viewer_opened.connect(lambda _v: self.events.emit("citation_opened"))
            return
        if not hasattr(controller.page, "form"):
            return
        controller.finished.connect(
            lambda _r, c=controller, t=task_id: self.events.emit(
                f"{'refined' if getattr(c, '_mode', 'run') == 'refine' else 'result_ready'}:{t}"
            )
        )
        controller.exported.connect(lambda _p, t=task_id: self.events.emit(f"exported:{t}"))
        doc = controller.spec.document_field
        if doc is not None:
            row = controller.page.form.rows[doc.name]
            row.path_edit.textChanged.connect(
                lambda text, t=task_id: self._document_changed(t, text)
            )

    def _document_changed(self, task_id: str, text: str) -> None:
        if text.strip() and Path(text.strip()).expanduser().is_file():
            self.events.emit(f"document_loaded:{task_id}")

    def _wire_page(self, page_id: str, page: QObject) -> None:
        for signal_name, event in ASK_SIGNALS.items():
            signal = getattr(page, signal_name, None)
            if signal is not None and hasattr(signal, "connect"):
                signal.connect(lambda *_a, e=event: self.events.emit(e))
        for signal_name in CITATION_SIGNALS:
            signal = getattr(page, signal_name, None)
            if signal is not None and hasattr(signal, "connect"):
                signal.connect(lambda *_a: self.events.emit("citation_opened"))

    def _on_page(self, page_id: str) -> None:
        self.wire()
        if not page_id:
            return
        self.events.emit(f"page_shown:{page_id}")
        tasks = self.tasks
        if page_id in getattr(tasks, "pages", {}) or page_id in getattr(tasks, "controllers", {}):
            self.events.emit(f"task_opened:{page_id}")
