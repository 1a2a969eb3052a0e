"""Shared set-up for the UI tests: a main window around a FakeBackend with one fake model."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from fakes import FakeBackend, fake_model_info

from llmoin_desktop.core.engine.catalog import ModelInfo
from llmoin_desktop.core.settings.config import SettingsStore


def make_window(
    qtbot, tmp_path: Path, backend: FakeBackend | None = None, models: list[ModelInfo] | None = None
):
    from llmoin_desktop.ui.main_window import MainWindow

    model_file = tmp_path / "fake.gguf"
    model_file.write_bytes(b"GGUF fake")
    backend = backend or FakeBackend()
    infos = models if models is not None else [fake_model_info(model_file)]
    window = MainWindow(backend, SettingsStore(), scanner=lambda _store: infos)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()  # keyboard shortcuts only fire in the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    return window, backend, infos


def tab_round(window, start, limit: int = 200) -> list:  # noqa: ANN001
    """The widgets Tab visits from ``start`` until it comes back (or ``limit`` steps)."""
    from PySide6.QtCore import Qt

    start.setFocus(Qt.FocusReason.TabFocusReason)
    visited = [start]
    for _ in range(limit):
        window.focusNextChild()
        widget = window.focusWidget()
        if widget is start or widget is None:
            break
        visited.append(widget)
    return visited


def load_model(qtbot, window, info: ModelInfo) -> None:
    with qtbot.waitSignal(window.models.loaded, timeout=5000):
        assert window.models.load(info)


@contextlib.contextmanager
def ask_window_on_bmg(
    qtbot,
    engine,
    corpus_dir: Path,
    tmp_path: Path,
    monkeypatch,
    max_tokens: int,  # noqa: ANN001
) -> Iterator[tuple]:
    """The real main window on "Dokumente fragen" over a real library holding bmg.pdf, with a
    real engine: ``(window, library, page, controller)``. A short prompt (2 passages): the
    tests run on 2 shared CPU cores. Libraries are closed afterwards."""
    from PySide6.QtCore import Qt

    from llmoin_desktop.core.tasks import library_task
    from llmoin_desktop.core.tasks.library_task import close_all_libraries, open_library
    from llmoin_desktop.ui.main_window import MainWindow

    monkeypatch.setattr(library_task, "PASSAGES", 2)
    folder = tmp_path / "bibliothek"
    monkeypatch.setenv("LLMOIN_LIBRARY_DIR", str(folder))
    lib = open_library(folder, embedder=None)
    try:
        lib.add([corpus_dir / "gesetze" / "bmg.pdf"])
        assert lib.index_pending().count("indexed") == 1
        store = SettingsStore()
        store.set("max_tokens", max_tokens, save=False)
        window = MainWindow(engine, store, scanner=lambda _s: [])
        qtbot.addWidget(window)
        window.show()
        qtbot.mouseClick(window.gallery.tiles["dokumente_fragen"], Qt.MouseButton.LeftButton)
        yield (
            window,
            lib,
            window.library.ask_pages["dokumente_fragen"],
            window.library.ask_controllers["dokumente_fragen"],
        )
        window.pool.shutdown()
    finally:
        close_all_libraries()
