"""The check of a task result: its answer against everything it was made from.

Sources of a :class:`~llmoin_desktop.core.tasks.runner.TaskResult`: the document(s) with
their pages and e-mail header, the pasted text, the clerk's form entries (a draft that
repeats the Aktenzeichen she typed is right) and, for "Dokumente fragen", the cited
passages. Only ``answer`` is checked: the coverage note and the sources list are the app's
own words. One index per result; refinements reuse it (``ResultChecker``)."""

from __future__ import annotations

import logging
from typing import Any

from llmoin_desktop.core.factcheck import Report, SourceIndex, check_text
from llmoin_desktop.core.factcheck.model import SourceText
from llmoin_desktop.core.factcheck.sources import from_citations, from_document, from_fields
from llmoin_desktop.core.i18n import _

log = logging.getLogger(__name__)


def sources_for_result(result: Any) -> list[SourceText]:
    out: list[SourceText] = []
    documents = list(getattr(result, "documents", None) or [])
    for doc in documents:
        out += from_document(doc)
    original = getattr(result, "original", "") or ""
    if not documents and original.strip():
        out.append(SourceText(_("Eingefügter Text"), original))
    out += from_fields(dict(getattr(result, "values", None) or {}))
    out += from_citations(getattr(result, "citations", None) or [])
    return out


class ResultChecker:
    """Keeps the index of one result's sources, so a refinement or an edit is re-checked in
    milliseconds. ``None`` as report: there was nothing to check against."""

    def __init__(self) -> None:
        self._key: tuple[int, ...] | None = None
        self._index: SourceIndex | None = None

    def check(self, result: Any, text: str | None = None) -> Report | None:
        key = (
            *(id(d) for d in getattr(result, "documents", None) or []),
            hash(getattr(result, "original", "")),
            hash(repr(sorted((getattr(result, "values", None) or {}).items(), key=str))),
            len(getattr(result, "citations", None) or []),
        )
        if key != self._key:
            self._index = SourceIndex(sources_for_result(result))
            self._key = key
        assert self._index is not None
        if self._index.empty:
            return None
        return check_text(text if text is not None else result.answer, self._index)


def check_result(result: Any, text: str | None = None) -> Report | None:
    return ResultChecker().check(result, text)


def attach_check(result: Any, previous: Report | None = None) -> None:
    """Check ``result.answer`` and keep the report (with its index, for re-checks of the
    clerk's edits) in ``result.factcheck``. ``previous``: the report of the result a
    refinement started from; its index is reused. A failure of the check never costs the
    result: it is logged and the result goes out unchecked."""
    try:
        if previous is not None and previous.index is not None:
            result.factcheck = check_text(result.answer, previous.index)
        else:
            result.factcheck = check_result(result)
    except Exception:  # noqa: BLE001 - the check is an aid; the result matters more
        log.exception("fact check failed")
        result.factcheck = None
