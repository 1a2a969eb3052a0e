"""What the window's areas may use of the main window: small interfaces, not ``MainWindow``.

Why: the areas (tasks, library, own tasks, help menu, tutorials, trainer mode) used to be typed
with ``MainWindow`` itself, while ``main_window.py`` builds them — an import circle of seven
modules (issue 23). Each area now names the part of the window it really needs: its services
(backend, settings, worker pool), the page stack and the messages. ``MainWindow`` provides all
of them (structural typing, nothing to inherit); a test or a future window may provide only the
part an area needs. This module imports no area and no window, so the arrows point one way:
main_window → areas → window_host.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtWidgets import QPushButton, QStackedWidget, QWidget

from llmoin_desktop.core.config import SettingsStore
from llmoin_desktop.core.engine.backend import Backend
from llmoin_desktop.ui.gallery import Gallery, TileDescriptor
from llmoin_desktop.ui.workers import WorkerPool


class PageHost(Protocol):
    """The page stack: what tutorials watch (which page shows) and areas add pages to."""

    stack: QStackedWidget
    pages: dict[str, QWidget]

    def add_page(self, page_id: str, widget: QWidget) -> None: ...

    def show_page(self, page_id: str) -> None: ...


class AreaHost(PageHost, Protocol):
    """Services and messages every area uses: the model, the settings, the worker pool."""

    backend: Backend
    settings: SettingsStore
    pool: WorkerPool
    gallery: Gallery

    def show_error(self, message: str) -> None: ...

    def show_info(self, message: str) -> None: ...

    def centralWidget(self) -> QWidget: ...  # noqa: N802 - Qt API (trainer mode's bar)


class BuilderHost(AreaHost, Protocol):
    """The own-tasks area also re-reads the task tiles and reaches the task pages."""

    tasks: Any  # the TaskArea (pages, catalog, history); typed loosely so no area imports another
    _task_tiles: list[TileDescriptor]

    def set_task_tiles(self, tiles: list[TileDescriptor]) -> None: ...


class HeaderHost(AreaHost, Protocol):
    """The help menu sits beside the header buttons it explains in the tours."""

    settings_button: QPushButton
    model_button: QPushButton
