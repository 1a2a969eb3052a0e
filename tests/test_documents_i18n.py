"""Every German message of the document loaders has an English translation."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _literals() -> set[str]:
    found: set[str] = set()
    for path in sorted((ROOT / "llmoin_desktop" / "core" / "documents").glob("*.py")):
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


def test_document_messages_translated() -> None:
    with (ROOT / "resources" / "i18n" / "en" / "documents.toml").open("rb") as fh:
        catalogue = tomllib.load(fh)
    literals = _literals()
    assert len(literals) > 20
    assert sorted(literals - set(catalogue)) == []


def test_english_error_message(tmp_path: Path) -> None:
    from llmoin_desktop.core import i18n
    from llmoin_desktop.core.documents import PasswordProtected

    i18n.set_language("en")
    try:
        err = PasswordProtected(tmp_path / "x.pdf")
        assert err.user_message.startswith("The file “x.pdf” is password protected.")
    finally:
        i18n.set_language("de")
