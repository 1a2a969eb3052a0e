"""Every German message in the guided-task code has an English translation in tasks.toml."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = [
    *(
        ROOT / "llmoin_desktop" / "core" / "tasks" / f"{name}.py"
        for name in (
            "catalog",
            "render",
            "runner",
            "sources",
            "spec",
            "splitter",
            "tables",
            "template",
        )
    ),
    ROOT / "llmoin_desktop" / "core" / "export.py",
    ROOT / "llmoin_desktop" / "core" / "history.py",
    ROOT / "llmoin_desktop" / "cli_tasks.py",
    ROOT / "llmoin_desktop" / "ui" / "task_form.py",
]


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
            ):
                found.add(node.args[0].value)
    return found


def test_task_messages_translated() -> None:
    with (ROOT / "resources" / "i18n" / "en" / "tasks.toml").open("rb") as fh:
        catalogue = tomllib.load(fh)
    literals = _literals()
    assert len(literals) > 50
    assert sorted(literals - set(catalogue)) == []
    for german, english in catalogue.items():  # placeholders must survive translation
        assert set(re.findall(r"\{\w+\}", german)) == set(re.findall(r"\{\w+\}", english)), german
