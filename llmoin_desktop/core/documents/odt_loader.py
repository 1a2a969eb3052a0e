"""OpenDocument text (.odt, LibreOffice's own format, common in public administration).

``content.xml`` is read with lxml (already there through python-docx) with entity resolution
and network access off; headings carry their outline level, tables are read row by row.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import Any

from llmoin_desktop.core.documents.errors import Damaged
from llmoin_desktop.core.documents.headings import heading_level
from llmoin_desktop.core.documents.model import Block, Document

TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_T = "{" + TEXT_NS + "}"
_TB = "{" + TABLE_NS + "}"


def _inline_text(el) -> str:  # noqa: ANN001
    """Text of a paragraph, honouring ``text:s`` (spaces), tabs and line breaks; notes skipped."""
    parts: list[str] = [el.text or ""]
    for child in el:
        tag = child.tag
        if tag == f"{_T}s":
            parts.append(" " * int(child.get(f"{_T}c", "1") or 1))
        elif tag == f"{_T}tab":
            parts.append("\t")
        elif tag == f"{_T}line-break":
            parts.append("\n")
        elif tag in (f"{_T}note", f"{_T}annotation"):
            pass
        else:
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.section: str | None = None

    def walk(self, el, list_depth: int = 0) -> None:  # noqa: ANN001
        for child in el:
            tag = child.tag
            if tag == f"{_T}h":
                text = " ".join(_inline_text(child).split())
                if text:
                    level = int(child.get(f"{_T}outline-level", "1") or 1)
                    self.section = text
                    self.blocks.append(Block(text=text, section=text, kind="heading", level=level))
            elif tag == f"{_T}p":
                text = _inline_text(child).strip()
                if not text:
                    continue
                level = 0 if list_depth else heading_level(text)
                if level:
                    self.section = text
                    self.blocks.append(Block(text=text, section=text, kind="heading", level=level))
                else:
                    kind = "list" if list_depth else "paragraph"
                    self.blocks.append(Block(text=text, section=self.section, kind=kind))
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


def read_content_xml(path: Path) -> Any:
    """The parsed ``content.xml`` of any OpenDocument file (text, spreadsheet, slides).

    Entities and network access off, no huge trees: a hostile file cannot expand or phone
    home; a damaged zip or XML is a ``Damaged`` document, not an exception."""
    from lxml import etree

    try:
        with zipfile.ZipFile(path) as zf:
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
    return Document(path=str(path), title=first or path.stem, format="odt", blocks=walker.blocks)
