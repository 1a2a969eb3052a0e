"""Per-page progress from inside a loader, carried to the app by the sandbox worker.

Loaders call :func:`report` once per page. In the worker process a reporter writes each call
as a line to the parent; the parent shows it ("Texterkennung: Seite 3 von 12") and, more
importantly, treats it as a sign of life: a file is only stopped when it stops making
progress, never because it is large (a 1,500-page budget must not be lost to a fixed limit).
Outside the worker (tests, ``load_document``) reports go to an optional in-process callback.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from llmoin_desktop.core import i18n
from llmoin_desktop.core.i18n import tr

Reporter = Callable[..., None]  # (step, total, text, budget_s)

_lock = threading.Lock()
_reporter: Reporter | None = None


def set_reporter(reporter: Reporter | None) -> None:
    global _reporter
    with _lock:
        _reporter = reporter


def report(step: int, total: int, text: str, budget_s: float | None = None) -> None:
    """One unit of work done (thread-safe; OCR threads report from their own threads).

    ``budget_s``: the next unit may take this long before it counts as stalled (a page of
    text recognition takes seconds, not the fraction of a second a text page does).
    """
    with _lock:
        reporter = _reporter
        if reporter is not None:
            reporter(step, total, text, budget_s)


def number(n: int) -> str:
    """1.500 in German, 1,500 in English: page counts in progress lines read naturally."""
    sep = "," if i18n.language() == "en" else "."
    return f"{n:,}".replace(",", sep)


def page_text(step: int, total: int) -> str:
    return tr("Seite {page} von {total}", page=number(step), total=number(total))


def ocr_page_text(step: int, total: int) -> str:
    return tr("Texterkennung: Seite {page} von {total}", page=number(step), total=number(total))
