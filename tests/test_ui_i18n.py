"""The main window in English (completeness of every catalogue: tests/test_i18n.py)."""

from __future__ import annotations

from pathlib import Path


def test_window_in_english(qtbot, tmp_path: Path) -> None:
    from ui_helpers import make_window

    from llmoin_desktop.core import i18n

    i18n.set_language("en")
    window, _b, _i = make_window(qtbot, tmp_path)
    assert window.gallery.tiles["chat"].accessibleName() == "Chat with the model"
    assert window.model_button.text() == "Choose model …"
    assert "No model loaded" in window.status.model_label.text()
