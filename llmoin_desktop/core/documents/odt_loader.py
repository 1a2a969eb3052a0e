"""OpenDocument text (.odt, LibreOffice's own format, common in public administration).

``content.xml`` is read with lxml (already there through python-docx) with entity resolution
and network access off; headings carry their outline level, tables are read row by row.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import Any

from llmoin_desktop.core.documents.errors import Damaged, PasswordProtected
from llmoin_desktop.core.documents.headings import heading_level
from llmoin_desktop.core.documents.model import Block, Document

TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_T = "{" + TEXT_NS + "}"
_TB = "{" + TABLE_NS + "}"
_O = "{" + OFFICE_NS + "}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
MANIFEST_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"


def _inline_text(el, notes: list[tuple[str, str, str]] | None = None) -> str:  # noqa: ANN001
    """Text of a paragraph, honouring ``text:s`` (spaces), tabs and line breaks.

    Footnotes/endnotes leave their citation ("[1]") in the text; their body and comments
    (``office:annotation``) go to ``notes`` as (kind, label, text), never into the text."""
    parts: list[str] = [el.text or ""]
    for child in el:
        tag = child.tag
        if tag == f"{_T}s":
            try:
                parts.append(" " * min(int(child.get(f"{_T}c", "1") or 1), 1000))
            except ValueError:
                parts.append(" ")
        elif tag == f"{_T}tab":
            parts.append("\t")
        elif tag == f"{_T}line-break":
            parts.append("\n")
        elif tag == f"{_T}note":
            _note(child, parts, notes)
        elif tag in (f"{_O}annotation", f"{_T}annotation"):
            if notes is not None:
                author = " ".join("".join(a.itertext()) for a in child.iter(f"{_DC}creator"))
                body = " ".join(
                    " ".join(_inline_text(p).split()) for p in child.iter(f"{_T}p", f"{_T}h")
                ).strip()
                if body:
                    notes.append(("comment", author.strip(), body))
        elif tag in (f"{_O}annotation-end", f"{_T}bookmark-ref", f"{_T}soft-page-break"):
            pass
        elif isinstance(tag, str) and tag.startswith(_DRAW):  # a text box or shape: own block
            if notes is not None:
                for box in child.iter(f"{_T}p", f"{_T}h"):
                    if _inside_paragraph(box, child):
                        continue  # a paragraph nested in a paragraph is read with its parent
                    text = " ".join(_inline_text(box, notes).split())
                    if text:
                        notes.append(("textbox", "", text))
        else:
            parts.append(_inline_text(child, notes))
        parts.append(child.tail or "")
    return "".join(parts)


def _inside_paragraph(el, stop) -> bool:  # noqa: ANN001
    """True when ``el`` sits in another paragraph below ``stop`` (a text box's own frame)."""
    for ancestor in el.iterancestors():
        if ancestor is stop:
            return False
        if ancestor.tag in (f"{_T}p", f"{_T}h"):
            return True
    return False


def _note(el, parts: list[str], notes: list[tuple[str, str, str]] | None) -> None:  # noqa: ANN001
    kind = "endnote" if el.get(f"{_T}note-class") == "endnote" else "footnote"
    citation = el.find(f"{_T}note-citation")
    label = " ".join((citation.text or "").split()) if citation is not None else ""
    if label:
        parts.append(f"[{label}]")
    body = el.find(f"{_T}note-body")
    if notes is not None and body is not None:
        text = " ".join(" ".join(_inline_text(p).split()) for p in body.iter(f"{_T}p", f"{_T}h"))
        if text.strip():
            notes.append((kind, label, text.strip()))


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.section: str | None = None

    def walk(self, el, list_depth: int = 0) -> None:  # noqa: ANN001
        for child in el:
            tag = child.tag
            if tag == f"{_T}h":
                notes = []
                text = " ".join(_inline_text(child, notes).split())
                if text:
                    try:
                        level = int(child.get(f"{_T}outline-level", "1") or 1)
                    except ValueError:
                        level = 1
                    self.section = text
                    self.blocks.append(Block(text=text, section=text, kind="heading", level=level))
                self._notes(notes)
            elif tag == f"{_T}p":
                notes: list[tuple[str, str, str]] = []
                text = _inline_text(child, notes).strip()
                level = 0 if list_depth or not text else heading_level(text)
                if level:
                    self.section = text
                    self.blocks.append(Block(text=text, section=text, kind="heading", level=level))
                elif text:
                    kind = "list" if list_depth else "paragraph"
                    self.blocks.append(Block(text=text, section=self.section, kind=kind))
                self._notes(notes)
            elif tag == f"{_T}list":
                self.walk(child, list_depth + 1)
            elif tag == f"{_TB}table":
                rows = self._table(child)
                if rows:
                    self.blocks.append(
                        Block(text="\n".join(rows), section=self.section, kind="table")
                    )
            else:  # list items, sections, frames, …
                self.walk(child, list_depth)

    def _notes(self, notes: list[tuple[str, str, str]]) -> None:
        """Notes and comments right after their paragraph (decision: docx_text.py)."""
        from llmoin_desktop.core.documents.docx_text import Note, note_block_text

        for kind, label, text in notes:
            if kind == "textbox":  # body text of its own, after the anchoring paragraph
                self.blocks.append(Block(text, section=self.section))
                continue
            block_kind = "comment" if kind == "comment" else "note"
            note = Note(kind, label, text)
            self.blocks.append(Block(note_block_text(note), section=self.section, kind=block_kind))

    def _table(self, table) -> list[str]:  # noqa: ANN001
        rows: list[str] = []
        for row in _rows(table):
            cells = []
            for cell in row:
                if cell.tag != f"{_TB}table-cell":
                    continue
                inner = _Walker()
                inner.walk(cell)
                cells.append(" ".join(b.text for b in inner.blocks))
            if any(cells):
                rows.append(" | ".join(cells))
        return rows


def _rows(el):  # noqa: ANN001, ANN202
    """Rows of this table only (row groups included, nested tables excluded)."""
    for child in el:
        if child.tag == f"{_TB}table-row":
            yield child
        elif child.tag in (f"{_TB}table-header-rows", f"{_TB}table-rows", f"{_TB}table-row-group"):
            yield from _rows(child)


def _encrypted(zf: zipfile.ZipFile) -> bool:
    """A password-protected OpenDocument file: its manifest lists ``encryption-data`` for
    content.xml (the content itself is then ciphertext and no XML)."""
    try:
        info = zf.getinfo("META-INF/manifest.xml")
        if info.file_size > 4 * 1024 * 1024:
            return False
        manifest = zf.read(info)
    except (KeyError, zipfile.BadZipFile, zlib.error, EOFError, OSError):
        return False
    return b"encryption-data" in manifest and b"content.xml" in manifest


def read_content_xml(path: Path) -> Any:
    """The parsed ``content.xml`` of any OpenDocument file (text, spreadsheet, slides).

    Entities and network access off, no huge trees: a hostile file cannot expand or phone
    home; a damaged zip or XML is a ``Damaged`` document, not an exception."""
    from lxml import etree

    try:
        with zipfile.ZipFile(path) as zf:
            if _encrypted(zf):
                raise PasswordProtected(path, detail="ODF manifest: encryption-data")
            data = zf.read("content.xml")
    except (zipfile.BadZipFile, KeyError, zlib.error, EOFError) as exc:
        raise Damaged(path, detail=repr(exc)) from exc
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise Damaged(path, detail=repr(exc)) from exc


def load_odt(path: Path) -> Document:
    root = read_content_xml(path)
    body = root.find(f"{{{OFFICE_NS}}}body/{{{OFFICE_NS}}}text")
    if body is None:
        raise Damaged(path, detail="no office:text body")
    walker = _Walker()
    walker.walk(body)
    first = next((b.text for b in walker.blocks if b.kind == "heading"), None)
    headers, footers = _headers_footers(path)
    blocks = headers + walker.blocks + footers
    return Document(path=str(path), title=first or path.stem, format="odt", blocks=blocks)


STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"


def _headers_footers(path: Path) -> tuple[list[Block], list[Block]]:
    """Headers and footers of the master pages (styles.xml), each distinct text once — as
    the Word loader keeps them (kind ``header``/``footer``)."""
    from lxml import etree

    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("styles.xml")
            if info.file_size > 20 * 1024 * 1024:
                return [], []
            data = zf.read(info)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(data, parser)
    except Exception:  # noqa: BLE001 - no or broken styles: the body is still read
        return [], []
    out: dict[str, list[Block]] = {"header": [], "footer": []}
    seen: set[str] = set()
    for kind in ("header", "footer"):
        for el in root.iter(f"{{{STYLE_NS}}}{kind}", f"{{{STYLE_NS}}}{kind}-first"):
            lines = [" ".join(_inline_text(p).split()) for p in el.iter(f"{_T}p", f"{_T}h")]
            text = "\n".join(line for line in lines if line)
            if text and text not in seen:
                seen.add(text)
                out[kind].append(Block(text=text, kind=kind))
    return out["header"], out["footer"]
