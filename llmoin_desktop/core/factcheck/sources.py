"""Source material for the checker: documents with pages, pasted text, form fields, e-mail
headers and the passages "Dokumente fragen" cited.

Files are read with the project's own loaders (sandboxed, with page numbers), so the check
names the same page the document viewer shows."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from llmoin_desktop.core.documents.model import Document
from llmoin_desktop.core.factcheck.model import SourceText
from llmoin_desktop.core.i18n import _


def from_document(doc: Document, name: str | None = None) -> list[SourceText]:
    """One SourceText per page (or one for an unpaged document), plus its e-mail header."""
    file = name or (Path(doc.path).name if doc.path else doc.title or _("Eingefügter Text"))
    pages: dict[int | None, list[str]] = {}
    for block in doc.blocks:
        if block.text and block.text.strip():
            pages.setdefault(block.page, []).append(block.text)
    out = [SourceText(file, "\n\n".join(texts), page) for page, texts in pages.items()]
    if doc.metadata:
        header = "\n".join(f"{k}: {v}" for k, v in doc.metadata.items() if v)
        out.append(SourceText(file, header, None, section="header"))
    return out


def from_fields(values: dict[str, Any], labels: dict[str, str] | None = None) -> list[SourceText]:
    """The clerk's form entries (recipient, Aktenzeichen, amounts she typed) are sources too:
    a draft that repeats them is right."""
    lines = []
    for key, value in values.items():
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        text = str(value or "").strip()
        if not text or (len(text) < 400 and Path(text).suffix and _is_file(text)):
            continue  # empty, or the path of the document (that one is read as a document)
        label = (labels or {}).get(key, key)
        lines.append(f"{label}: {text}")
    return [SourceText(_("Formular"), "\n\n".join(lines), None)] if lines else []


def _is_file(text: str) -> bool:
    """A form entry that names a file; a pasted letter with a "/" in it is not one (and
    asking the OS about it may fail: a "name" longer than 255 bytes)."""
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


def from_citations(citations: Iterable[Any]) -> list[SourceText]:
    """The passages an answer of "Dokumente fragen" cites (``core.tasks.ask.Citation``: the
    whole passage, its file and first page)."""
    out = []
    for c in citations:
        text = getattr(c, "passage", "") or getattr(c, "quote", "") or ""
        path = getattr(c, "path", "") or ""
        name = Path(path).name if path else getattr(c, "title", "") or _("Fundstelle")
        section = getattr(c, "section", "") or ""
        if section and section not in text:
            text = f"{section}\n\n{text}"  # "§ 17 …" is the heading the passage belongs to
        if text.strip():
            out.append(SourceText(name, text, getattr(c, "first_page", None)))
    return out


def load_sources(paths: Iterable[str | Path]) -> list[SourceText]:
    """Read source files with the document loaders; raises ``DocumentError`` with a clear
    message for a file that cannot be read."""
    from llmoin_desktop.core.documents import parse_document

    out: list[SourceText] = []
    for path in paths:
        out += from_document(parse_document(Path(path).expanduser()), Path(path).name)
    return out
