"""Document errors in English (catalogue completeness: tests/test_i18n.py)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_english_error_message(tmp_path: Path) -> None:
    from llmoin_desktop.core import i18n
    from llmoin_desktop.core.documents import PasswordProtected

    i18n.set_language("en")
    try:
        err = PasswordProtected(tmp_path / "x.pdf")
        assert err.user_message.startswith("The file “x.pdf” is password protected.")
    finally:
        i18n.set_language("de")
