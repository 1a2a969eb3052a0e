"""Every German string of the app shell has an English translation in resources/i18n/en/ui.toml."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "llmoin_desktop" / "ui"
FILES = [p for p in sorted(UI.rglob("*.py")) if p.name != "task_form.py"]  # task form: tasks.toml


def _literals() -> set[str]:
    found: set[str] = set()
    for path in FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "tr")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def test_ui_strings_translated() -> None:
    with (ROOT / "resources" / "i18n" / "en" / "ui.toml").open("rb") as fh:
        catalogue = tomllib.load(fh)
    with (ROOT / "resources" / "i18n" / "en" / "ui_tasks.toml").open("rb") as fh:
        catalogue.update(tomllib.load(fh))  # task pages, result pane, history view
    with (ROOT / "resources" / "i18n" / "en" / "library_ui.toml").open("rb") as fh:
        catalogue.update(tomllib.load(fh))  # library page, ask page, document viewer
    with (ROOT / "resources" / "i18n" / "en" / "tutorial.toml").open("rb") as fh:
        catalogue.update(tomllib.load(fh))  # terms dialog, guided tours, trainer mode
    literals = _literals()
    assert len(literals) > 100
    assert sorted(literals - set(catalogue)) == []
    for german, english in catalogue.items():
        assert set(re.findall(r"\{\w+\}", german)) == set(re.findall(r"\{\w+\}", english)), german


def test_window_in_english(qtbot, tmp_path: Path) -> None:
    from ui_helpers import make_window

    from llmoin_desktop.core import i18n

    i18n.set_language("en")
    window, _b, _i = make_window(qtbot, tmp_path)
    assert window.gallery.tiles["chat"].accessibleName() == "Chat with the model"
    assert window.model_button.text() == "Choose model …"
    assert "No model loaded" in window.status.model_label.text()
