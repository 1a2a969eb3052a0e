"""The "Dokumente (…)" filter of file dialogs, built from what the loaders read.

One place instead of a hand-written list per dialog: a format added to the loaders (e-mails,
spreadsheets, slides, scans) is offered in every dialog without touching them.
"""

from __future__ import annotations

from llmoin_desktop.core.documents import SUPPORTED_EXTENSIONS
from llmoin_desktop.core.i18n import tr


def document_patterns() -> str:
    """ "*.docx *.eml *.pdf …" — every ending a folder scan picks up, sorted."""
    exts = sorted({e if e.startswith(".") else f".{e}" for e in SUPPORTED_EXTENSIONS})
    return " ".join(f"*{e}" for e in exts)


def document_filter() -> str:
    return tr("Dokumente ({patterns});;Alle Dateien (*)", patterns=document_patterns())
