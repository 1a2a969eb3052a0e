"""Main window: gallery, model loading, German errors, policy switches, accessibility."""

from __future__ import annotations

from pathlib import Path

from fakes import fake_model_info
from PySide6.QtCore import Qt
from ui_helpers import load_model, make_window, tab_round

from llmoin_desktop.ui.a11y import missing_accessible_names


def test_window_opens_with_gallery_and_chat_tile(qtbot, tmp_path: Path) -> None:
    window, _backend, _infos = make_window(qtbot, tmp_path)
    assert window.stack.currentWidget() is window.gallery
    tiles = {"zusammenfassen", "entwurf", "einfache_sprache", "extrahieren", "dokumente_fragen"}
    assert tiles | {"chat"} <= set(window.gallery.tiles)
    assert window.gallery.tiles["chat"].isEnabled()
    assert "Kein Modell geladen" in window.status.model_label.text()
    assert "RAM:" in window.status.ram_label.text()


def test_chat_tile_opens_chat_and_focuses_input(qtbot, tmp_path: Path) -> None:
    window, _b, _i = make_window(qtbot, tmp_path)
    qtbot.mouseClick(window.gallery.tiles["chat"], Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.chat_view


def test_free_chat_hidden_when_policy_switches_it_off(qtbot, tmp_path: Path, isolated_dirs) -> None:
    (isolated_dirs["policy"] / "policy.toml").write_text("free_chat = false\n", encoding="utf-8")
    window, _b, _i = make_window(qtbot, tmp_path)
    assert "chat" not in window.gallery.tiles
    window.show_page("chat")
    assert window.stack.currentWidget() is window.gallery


def test_model_loads_in_background_and_status_bar_shows_it(qtbot, tmp_path: Path) -> None:
    window, backend, infos = make_window(qtbot, tmp_path)
    load_model(qtbot, window, infos[0])
    assert backend.loaded == infos[0].path
    qtbot.waitUntil(lambda: "fake" in window.status.model_label.text(), timeout=2000)
    assert "CPU" in window.status.device_label.text()
    assert window.status.progress.isHidden()


def test_missing_model_gives_german_message_and_app_keeps_running(qtbot, tmp_path: Path) -> None:
    window, _b, _i = make_window(qtbot, tmp_path)
    missing = fake_model_info(tmp_path / "weg.gguf", name="Weg")
    with qtbot.waitSignal(window.models.load_failed, timeout=5000):
        window.models.load(missing)
    assert window.banner.isVisible()
    assert "wurde nicht gefunden" in window.banner.text()
    assert window.isVisible()


def test_model_without_chat_template_is_refused(qtbot, tmp_path: Path) -> None:
    base = tmp_path / "base.gguf"
    base.write_bytes(b"GGUF")
    window, backend, _i = make_window(qtbot, tmp_path)
    info = fake_model_info(base, name="Basismodell", chat=False)
    with qtbot.waitSignal(window.models.load_failed, timeout=2000):
        assert not window.models.load(info)
    assert backend.loaded is None
    assert "Chat-Vorlage" in window.banner.text()


def test_autoload_picks_a_usable_model(qtbot, tmp_path: Path) -> None:
    window, backend, infos = make_window(qtbot, tmp_path)
    with qtbot.waitSignal(window.models.loaded, timeout=5000):
        window.start()
    assert backend.loaded == infos[0].path


def test_autoload_without_models_explains(qtbot, tmp_path: Path) -> None:
    window, _b, _i = make_window(qtbot, tmp_path, models=[])
    with qtbot.waitSignal(window.models.load_failed, timeout=5000):
        window.start()
    assert "kein nutzbares Sprachmodell" in window.banner.text()


def test_every_interactive_widget_has_an_accessible_name(qtbot, tmp_path: Path) -> None:
    window, _b, infos = make_window(qtbot, tmp_path)
    for page in ("gallery", "chat"):
        window.show_page(page)
        missing = missing_accessible_names(window)
        assert not missing, [f"{type(w).__name__}:{w.objectName()}" for w in missing]
    picker = window.open_model_picker()
    qtbot.waitUntil(lambda: picker.table.rowCount() == 1, timeout=3000)
    assert not missing_accessible_names(picker)
    dialog = window.open_settings()
    assert not missing_accessible_names(dialog)
    picker.close()
    dialog.close()


def test_keyboard_reaches_every_control_of_the_chat_page(qtbot, tmp_path: Path) -> None:
    window, _b, _i = make_window(qtbot, tmp_path)
    window.show_page("chat")
    view = window.chat_view
    view.input.insertPlainText("x")  # Send is enabled; Stop only while an answer runs
    start = window.focusWidget()
    assert start is view.input  # opening the chat puts the cursor where the clerk types
    visited = tab_round(window, window.home_button, limit=30)
    wanted = [
        window.home_button,
        window.model_button,
        window.settings_button,
        view.back_button,
        view.new_button,
        view.input,
        view.send_button,
    ]
    missing = [w.accessibleName() for w in wanted if w not in visited]
    assert not missing
    # tab order inside the chat page follows reading order
    order = [
        visited.index(w) for w in (view.back_button, view.new_button, view.input, view.send_button)
    ]
    assert order == sorted(order)
