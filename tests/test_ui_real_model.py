"""The chat tile with the real demo model: type, the answer streams in, Stop works."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from llmoin_desktop.core.engine.catalog import inspect_model
from llmoin_desktop.core.settings.config import SettingsStore

pytestmark = pytest.mark.model


@pytest.fixture
def real_window(qtbot, demo_model_path: Path):
    from llmoin_desktop.core.engine.local import LocalBackend
    from llmoin_desktop.ui.main_window import MainWindow

    store = SettingsStore()
    store.set("max_tokens", 160, save=False)
    store.set("temperature", 0.8, save=False)
    backend = LocalBackend(store)
    info = inspect_model(demo_model_path, is_demo=True)
    window = MainWindow(backend, store, scanner=lambda _s: [info])
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.models.loaded, timeout=120_000):
        window.models.load(info)
    yield window
    window.pool.shutdown()
    backend.close()


def test_real_model_streams_and_stops(qtbot, real_window) -> None:
    window = real_window
    qtbot.mouseClick(window.gallery.tiles["chat"], Qt.MouseButton.LeftButton)
    view = window.chat_view
    qtbot.keyClicks(view.input, "Schreibe einen langen Text ueber die Aufgaben eines Buergeramts.")
    qtbot.keyClick(view.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.chat.busy
    before = len(view.transcript_text())
    # streamed: text grows while the job is still running
    qtbot.waitUntil(lambda: len(view.transcript_text()) > before + 30, timeout=60_000)
    assert window.chat.busy
    with qtbot.waitSignal(window.chat.answer_finished, timeout=2000) as blocker:
        pressed = time.perf_counter()
        qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)
    elapsed = time.perf_counter() - pressed
    assert blocker.args[0].finish_reason == "cancelled"
    assert elapsed < 0.2, f"stop took {elapsed * 1000:.0f} ms"
    assert "[angehalten]" in view.transcript_text()
    # the conversation continues with the partial answer in the history
    qtbot.keyClicks(view.input, "Danke. Fasse das in einem Satz zusammen.")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=120_000) as second:
        qtbot.mouseClick(view.send_button, Qt.MouseButton.LeftButton)
    assert second.args[0].n_generated > 0
    assert [m["role"] for m in window.chat.messages] == ["user", "assistant", "user", "assistant"]
    assert "Token/s" in window.status.speed_label.text()
    assert window.models.current is not None
    assert window.models.current.name in window.status.model_label.text()
