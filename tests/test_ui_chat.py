"""Free chat end to end through the real widgets with a FakeBackend: stream, stop, continue."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt
from ui_helpers import load_model, make_window


def open_chat(qtbot, tmp_path: Path, **kw):
    window, backend, infos = make_window(qtbot, tmp_path, **kw)
    load_model(qtbot, window, infos[0])
    qtbot.mouseClick(window.gallery.tiles["chat"], Qt.MouseButton.LeftButton)
    return window, backend


def test_answer_streams_into_window_and_conversation_continues(qtbot, tmp_path: Path) -> None:
    window, backend = open_chat(qtbot, tmp_path)
    view = window.chat_view
    qtbot.keyClicks(view.input, "Wo beantrage ich Wohngeld?")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=10000) as blocker:
        qtbot.keyClick(view.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        # streamed: part of the answer is visible before the answer is complete
        qtbot.waitUntil(lambda: "Guten Tag" in view.transcript_text(), timeout=3000)
        assert window.chat.busy
    result = blocker.args[0]
    text = view.transcript_text()
    assert "Wo beantrage ich Wohngeld?" in text
    assert "Mietvertrag mit." in text
    assert result.finish_reason == "stop"
    assert view.send_button.isEnabled() and not view.stop_button.isEnabled()
    assert "Token/s" in window.status.speed_label.text()
    # second turn sees the first question and answer
    qtbot.keyClicks(view.input, "Und wo genau?")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=10000):
        qtbot.mouseClick(view.send_button, Qt.MouseButton.LeftButton)
    roles = [m["role"] for m in backend.calls[-1]]
    assert roles == ["system", "user", "assistant", "user"]
    assert "Mietvertrag" in backend.calls[-1][2]["content"]


def test_stop_ends_answer_within_200_ms_and_chat_goes_on(qtbot, tmp_path: Path) -> None:
    from fakes import FakeBackend

    slow = FakeBackend(token_delay=0.05)
    window, backend = open_chat(qtbot, tmp_path, backend=slow)
    view = window.chat_view
    qtbot.keyClicks(view.input, "Erzaehl mir etwas.")  # keyClicks is ASCII-only
    qtbot.mouseClick(view.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Guten" in view.transcript_text(), timeout=3000)
    with qtbot.waitSignal(window.chat.answer_finished, timeout=2000) as blocker:
        pressed = time.perf_counter()
        qtbot.keyClick(view.input, Qt.Key.Key_Escape)  # Esc = Stop
    elapsed = time.perf_counter() - pressed
    assert blocker.args[0].finish_reason == "cancelled"
    assert elapsed < 0.2, f"stop took {elapsed * 1000:.0f} ms"
    assert window.chat.last_stop_latency_s is not None and window.chat.last_stop_latency_s < 0.2
    assert "[angehalten]" in view.transcript_text()
    assert "Mietvertrag" not in view.transcript_text()
    assert view.send_button.isEnabled()
    # the partial answer stays in the conversation, and the next question works
    slow.token_delay = 0.001
    qtbot.keyClicks(view.input, "Weiter bitte.")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=5000) as second:
        qtbot.mouseClick(view.send_button, Qt.MouseButton.LeftButton)
    assert second.args[0].finish_reason == "stop"
    assert [m["role"] for m in backend.calls[-1]] == ["system", "user", "assistant", "user"]


def test_chat_without_model_shows_german_error(qtbot, tmp_path: Path) -> None:
    window, _backend, _infos = make_window(qtbot, tmp_path)
    window.show_page("chat")
    view = window.chat_view
    qtbot.keyClicks(view.input, "Hallo")
    qtbot.mouseClick(view.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=3000)
    assert "kein Modell geladen" in window.banner.text()
    assert window.chat.messages == []  # the question can be sent again
    assert view.send_button.isEnabled()


def test_new_conversation_clears(qtbot, tmp_path: Path) -> None:
    window, backend = open_chat(qtbot, tmp_path)
    view = window.chat_view
    qtbot.keyClicks(view.input, "Hallo")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=10000):
        qtbot.mouseClick(view.send_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    assert view.transcript_text() == ""
    assert window.chat.messages == []
