"""Where a checked figure came from, opened in the document viewer (issue 19).

A verdict names its source by file name and page; the result knows the full paths (the
task's documents, the passages "Dokumente fragen" cited). The figure becomes a citation of
that page with the source passage as its quote, and the same :class:`DocumentViewer` that
opens the sources of "Dokumente fragen" shows it: the PDF page with the passage marked, or
a text document scrolled to it. No second viewer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from llmoin_desktop.core.factcheck import Verdict
from llmoin_desktop.core.tasks.ask import Citation
from llmoin_desktop.ui.document_viewer import DocumentViewer

LoadText = Callable[[str, Callable[[str], None], Callable[[str], None]], None]


def fact_citation(verdict: Verdict, candidates: Iterable[Any]) -> Citation | None:
    """The page of ``verdict`` as a citation, or None when no candidate is a file of that
    name (pasted text, form fields). ``candidates``: documents (``path``) or citations
    (``path``, ``n``, ``pages``, ``section``); a citation of the same page lends its
    number and section, so the viewer's title matches the sources list."""
    if not verdict.file:
        return None
    same = [c for c in candidates if getattr(c, "path", "") and Path(c.path).name == verdict.file]
    if not same:
        return None
    page = verdict.page
    best = next((c for c in same if page in (getattr(c, "pages", None) or [])), same[0])
    cited = isinstance(best, Citation)
    return Citation(
        n=best.n if cited else 1,
        path=str(best.path),
        title=getattr(best, "title", "") or "",
        section=best.section if cited and page in best.pages else "",
        pages=[page] if page else [],
        quote=verdict.source_text.replace("…", " ").strip(),
        passage="",
    )


def show_in_viewer(
    citation: Any, parent: QWidget, load_text: LoadText, previous: DocumentViewer | None
) -> DocumentViewer:
    """Open ``citation`` in the viewer (closing the one open before), styled as ``parent``."""
    if previous is not None:
        previous.close()
    viewer = DocumentViewer(citation, parent, load_text=load_text)
    viewer.setStyleSheet(parent.window().styleSheet())
    viewer.show()
    viewer.open_source()
    return viewer
