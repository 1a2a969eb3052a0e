"""``run_gui`` (what ``python -m llmoin_desktop`` calls) starts the real window and exits cleanly."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from llmoin_desktop.ui.app import run_gui
from llmoin_desktop.ui.main_window import MainWindow


def test_run_gui_opens_main_window_and_returns_exit_code(qapp) -> None:
    seen: list[MainWindow] = []

    def look_and_quit() -> None:
        seen.extend(
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        )
        qapp.quit()

    QTimer.singleShot(800, look_and_quit)
    assert run_gui(["llmoin-desktop"]) == 0
    assert len(seen) == 1
    assert seen[0].windowTitle() == "LLMoin Desktop"
    assert not seen[0].isVisible()  # closed on exit
