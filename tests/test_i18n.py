"""Every German string the code shows has an English translation with the same placeholders."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from llmoin_desktop.core import i18n

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "llmoin_desktop"
CATALOG_DIR = ROOT / "resources" / "i18n" / "en"
PLACEHOLDER = re.compile(r"{(\w*)}")


def translatable_literals() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"_", "tr"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def english() -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted(CATALOG_DIR.glob("*.toml")):
        with path.open("rb") as fh:
            merged.update(tomllib.load(fh))  # a syntax error fails the test, naming the file
    return merged


def test_every_string_has_an_english_translation() -> None:
    catalog = english()
    missing = [
        f"{where}: {text!r}"
        for text, where in translatable_literals().items()
        if text not in catalog
    ]
    assert not missing, "Missing English translations:\n" + "\n".join(missing)


def test_placeholders_match() -> None:
    bad = [
        f"{de!r} -> {en!r}"
        for de, en in english().items()
        if sorted(PLACEHOLDER.findall(de)) != sorted(PLACEHOLDER.findall(en))
    ]
    assert not bad, "Placeholders differ:\n" + "\n".join(bad)


def test_scanner_sees_the_code() -> None:
    """Guards the test above against silently scanning nothing."""
    assert len(translatable_literals()) > 100


def test_language_switch() -> None:
    i18n.set_language("en")
    assert i18n._("Modell bereit.") == "Model ready."
    assert i18n.tr("Threads: {n}", n=2) == "Threads: 2"
    i18n.set_language("de")
    assert i18n._("Modell bereit.") == "Modell bereit."
