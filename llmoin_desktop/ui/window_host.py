"""What the main window hands its areas: the page stack, the services, the messages.

Why: the areas (tasks, library, own tasks, help menu, tutorials, trainer mode) used to take the
whole ``MainWindow`` — first typed as ``MainWindow`` (an import circle of seven modules, issue
23), then as protocols the window happened to satisfy, so at run time every area still held the
window and could reach anything on it. Now each area is handed exactly the small objects it
uses, built by the window and passed in: :class:`PageStack` (pages and which one shows),
:class:`Services` (model, settings, worker pool, gallery) and :class:`Messages` (the banner).
So an area can be built in a test from these objects alone, without a window, and its
constructor says what it depends on. This module imports no area and no window, so the arrows
point one way: main_window → areas → window_host.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QStackedWidget, QWidget

from llmoin_desktop.core.engine.backend import Backend
from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.ui.a11y import tidy_scroll_areas
from llmoin_desktop.ui.gallery import Gallery
from llmoin_desktop.ui.workers import WorkerPool

HOME_PAGE_ID = "gallery"


def _always(_page_id: str) -> bool:
    return True


class PageStack(QObject):
    """The window's pages: areas add theirs, any area may bring one to the front.

    ``allowed`` is the policy lock (free_chat, allowed/hidden tasks): a page it refuses is
    never shown, the home page is instead — for every way to reach a page (tiles, history,
    the library's button, guided tours). ``page_shown`` carries the id of the page now in
    front ("" for a widget no area registered) on every change, so tutorials and the library
    need not know the stacked widget."""

    page_shown = Signal(str)

    def __init__(
        self,
        allowed: Callable[[str], bool] = _always,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        self._allowed = allowed
        self._focus: dict[str, Callable[[], None]] = {}
        self.stack.currentChanged.connect(lambda _index: self.page_shown.emit(self.current_id()))

    def add_page(
        self, page_id: str, widget: QWidget, focus: Callable[[], None] | None = None
    ) -> None:
        """Register a page; ``focus`` puts the cursor where the clerk starts on it (default:
        the page's own ``focus_first``, if it has one)."""
        self.pages[page_id] = widget
        if focus is not None:
            self._focus[page_id] = focus
        self.stack.addWidget(widget)
        title = getattr(getattr(widget, "title", None), "text", lambda: "")()
        tidy_scroll_areas(widget, title)  # frames out of the Tab order, named (a11y.py)

    def remove_page(self, page_id: str) -> QWidget | None:
        """Take a page out (the home page comes to the front if it was showing); the caller
        deletes the widget."""
        page = self.pages.get(page_id)
        if page is None:
            return None
        if self.stack.currentWidget() is page:
            self.show_page(HOME_PAGE_ID)
        self.pages.pop(page_id, None)
        self._focus.pop(page_id, None)
        self.stack.removeWidget(page)
        return page

    def allowed(self, page_id: str) -> bool:
        return self._allowed(page_id)

    def show_page(self, page_id: str) -> None:
        if not self.allowed(page_id):
            page_id = HOME_PAGE_ID
        page = self.pages[page_id]
        self.stack.setCurrentWidget(page)
        focus = self._focus.get(page_id)
        if focus is not None:
            focus()
        elif hasattr(page, "focus_first"):
            page.focus_first()

    def current(self) -> QWidget | None:
        return self.stack.currentWidget()

    def current_id(self) -> str:
        current = self.stack.currentWidget()
        return next((k for k, w in self.pages.items() if w is current), "")


@dataclass(frozen=True)
class Services:
    """What the areas work with: the model, the settings, the worker pool, and the gallery
    (tiles say whether a task can be reached; own tasks add buttons and drops there)."""

    backend: Backend
    settings: SettingsStore
    pool: WorkerPool
    gallery: Gallery


@dataclass(frozen=True)
class Messages:
    """The window's message banner, as two callables (a test may collect the texts)."""

    show_error: Callable[[str], None]
    show_info: Callable[[str], None]
