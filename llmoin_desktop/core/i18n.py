"""Translation of user-visible text.

German is the source language (our users are German civil servants), so every string in
the code is written in German and wrapped in ``_()``. English lives in
``resources/i18n/en/*.toml`` (one file per area: core, ui, tasks, …) as
``"German" = "English"`` pairs. A test scans the code for
``_("…")`` literals and fails on one without an English entry. We do not use Qt Linguist
because the core (CLI, error messages) must translate without Qt.
"""

from __future__ import annotations

import threading
import tomllib
from functools import lru_cache

from llmoin_desktop.core.paths import resources_dir

SUPPORTED = ("de", "en")
_state = threading.local()
_default_language = "de"


def set_language(lang: str) -> None:
    """Switch the process-wide UI language (unknown codes fall back to German)."""
    global _default_language
    _default_language = lang if lang in SUPPORTED else "de"


def language() -> str:
    return getattr(_state, "lang", None) or _default_language


@lru_cache(maxsize=4)
def catalog(lang: str) -> dict[str, str]:
    """German → target language pairs; empty for German itself."""
    if lang == "de":
        return {}
    merged: dict[str, str] = {}
    for path in sorted((resources_dir() / "i18n" / lang).glob("*.toml")):
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError):
            continue  # a broken catalogue must not stop the app; the test catches it
        merged.update({str(k): str(v) for k, v in data.items()})
    return merged


def _(text: str) -> str:
    """Translate a German source string into the current language."""
    lang = language()
    if lang == "de":
        return text
    return catalog(lang).get(text, text)


def tr(text: str, **values: object) -> str:
    """Translate, then fill ``{name}`` placeholders (kept out of the catalogue key)."""
    translated = _(text)
    return translated.format(**values) if values else translated
