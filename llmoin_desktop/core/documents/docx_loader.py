"""Word (.docx) via python-docx, walking the body XML so tables stay where they are.

``Document.paragraphs`` and ``Document.tables`` are two separate lists: using them loses the
order ("see the table below" ends up far from the table). We walk ``w:body`` in document
order instead, and read table rows ourselves so merged cells are not repeated.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from llmoin_desktop.core.documents.docx_text import (
    Note,
    NoteParts,
    note_block_text,
    paragraph_text,
    read_note_parts,
    unused_comments,
)
from llmoin_desktop.core.documents.errors import Damaged, PasswordProtected
from llmoin_desktop.core.documents.headings import heading_level
from llmoin_desktop.core.documents.model import Block, Document

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{" + W_NS + "}"
_HEADING_STYLE = re.compile(r"^(heading|überschrift|berschrift)\s*(\d)$", re.IGNORECASE)


def _open(path: Path):  # noqa: ANN202 - python-docx's Document type, imported lazily
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from llmoin_desktop.core.documents.ooxml_strict import is_strict, transitional_copy

    try:
        if is_strict(path, "word/document.xml"):  # ISO Strict namespaces: mapped back
            return docx.Document(transitional_copy(path))
        return docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, zlib.error, KeyError, EOFError) as exc:
        raise Damaged(path, detail=repr(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - lxml/XML errors and anything else in the package
        if "encrypt" in str(exc).lower():
            raise PasswordProtected(path, detail=repr(exc)) from exc
        raise Damaged(path, detail=repr(exc)) from exc


def _style_heading_level(paragraph) -> int:  # noqa: ANN001
    """Heading level from the Word style (or the paragraph's outline level); 0 for body text."""
    try:
        style = paragraph.style
        name = (style.name or "") if style is not None else ""
    except Exception:  # noqa: BLE001 - documents without a styles part
        name = ""
    if name.lower() == "title" or name.lower() == "titel":
        return 1
    m = _HEADING_STYLE.match(name.strip())
    if m:
        return int(m.group(2))
    outline = paragraph._p.find(f"{_W}pPr/{_W}outlineLvl")
    if outline is not None:
        try:
            level = int(outline.get(f"{_W}val", "9"))
        except ValueError:
            level = 9
        if level < 9:
            return level + 1
    return 0


def _is_list(paragraph) -> bool:  # noqa: ANN001
    if paragraph._p.find(f"{_W}pPr/{_W}numPr") is not None:
        return True
    try:
        name = paragraph.style.name or ""
    except Exception:  # noqa: BLE001
        return False
    return name.lower().startswith(("list", "liste", "aufzählung"))


def _cell_text(tc, parent, walker: _BodyWalker | None = None) -> str:  # noqa: ANN001
    """Text of one table cell, including nested tables, in order; notes go to ``walker``."""
    from docx.table import Table

    notes = walker.notes if walker is not None else None
    parts: list[str] = []
    for child in tc.iterchildren():
        if child.tag == f"{_W}p":
            result = paragraph_text(child, notes)
            if result.text:
                parts.append(result.text)
            if walker is not None:
                walker.pending.extend(result.notes)
                for box in result.textboxes:
                    parts.append(_box_text(box))
        elif child.tag == f"{_W}tbl":
            parts.extend(_table_rows(Table(child, parent), walker))
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                parts.append(_cell_text(content, parent, walker))
    return " ".join(p for p in parts if p)


def _box_text(box) -> str:  # noqa: ANN001
    return " ".join(t for t in (paragraph_text(p, None).text for p in box.iter(f"{_W}p")) if t)


def _table_rows(table, walker: _BodyWalker | None = None) -> list[str]:  # noqa: ANN001
    """One line per row, cells joined by " | "; vertically merged continuations are skipped."""
    rows: list[str] = []
    for tr in table._tbl.iterchildren(f"{_W}tr"):
        cells: list[str] = []
        for tc in tr.iterchildren(f"{_W}tc"):
            vmerge = tc.find(f"{_W}tcPr/{_W}vMerge")
            if vmerge is not None and vmerge.get(f"{_W}val") in (None, "continue"):
                continue
            cells.append(_cell_text(tc, table, walker))
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


class _BodyWalker:
    """Collects blocks from a body-like container (document body, header, footer)."""

    def __init__(
        self, kind_default: str = "paragraph", notes: NoteParts | None = None, part: Any = None
    ) -> None:
        self.part = part  # the document part, to find charts by relationship
        self.blocks: list[Block] = []
        self.section: str | None = None
        self.kind_default = kind_default
        self.notes = notes
        self.pending: list[Note] = []  # notes of a table's cells, emitted after the table

    def walk(self, container, parent) -> None:  # noqa: ANN001
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        for child in container.iterchildren():
            tag = child.tag
            if tag == f"{_W}p":
                self._paragraph(Paragraph(child, parent))
            elif tag == f"{_W}tbl":
                rows = _table_rows(Table(child, parent), self)
                if rows:
                    self.blocks.append(
                        Block(text="\n".join(rows), section=self.section, kind="table")
                    )
                self._emit_notes()
            elif tag in (f"{_W}sdt", f"{_W}customXml", f"{_W}ins", f"{_W}smartTag"):
                content = child.find(f"{_W}sdtContent")
                self.walk(content if content is not None else child, parent)

    def _emit_notes(self) -> None:
        for note in self.pending:
            kind = "comment" if note.kind == "comment" else "note"
            self.blocks.append(Block(text=note_block_text(note), section=self.section, kind=kind))
        self.pending = []

    def _paragraph(self, paragraph) -> None:  # noqa: ANN001
        result = paragraph_text(paragraph._p, self.notes)
        text = result.text
        self.pending.extend(result.notes)
        if text:
            self._add_text(paragraph, text)
        for box in result.textboxes:  # text boxes anchored here: their own blocks
            self.walk(box, paragraph._parent)
        if self.part is not None and result.has_graphics:
            from llmoin_desktop.core.documents.office_loaders import graphics_texts

            for text in graphics_texts(self.part, paragraph._p):  # charts, SmartArt
                self.blocks.append(Block(text=text, section=self.section, kind="table"))
        self._emit_notes()

    def _add_text(self, paragraph, text: str) -> None:  # noqa: ANN001
        if self.kind_default == "paragraph":
            level = _style_heading_level(paragraph) or heading_level(text)
            if level:
                self.section = text
                self.blocks.append(Block(text=text, section=text, kind="heading", level=level))
                return
            kind = "list" if _is_list(paragraph) else "paragraph"
        else:
            kind = self.kind_default
        self.blocks.append(Block(text=text, section=self.section, kind=kind))


def _headers_footers(doc, kind: str) -> list[Block]:  # noqa: ANN001
    """Each distinct header (or footer) once, however many sections repeat it."""
    seen: set[str] = set()
    blocks: list[Block] = []
    for section in doc.sections:
        for attr in (kind, f"first_page_{kind}", f"even_page_{kind}"):
            try:
                part = getattr(section, attr)
                if part.is_linked_to_previous:
                    continue
                walker = _BodyWalker(kind_default=kind)
                walker.walk(part._element, part)
            except Exception:  # noqa: BLE001 - a broken header must not lose the body
                continue
            text = "\n".join(b.text for b in walker.blocks).strip()
            if text and text not in seen:
                seen.add(text)
                blocks.append(Block(text=text, kind=kind))
    return blocks


def load_docx(path: Path) -> Document:
    doc = _open(path)
    try:
        body = doc.element.body
        walker = _BodyWalker(notes=read_note_parts(doc), part=doc.part)
        walker.walk(body, doc._body)
        walker.pending = unused_comments(walker.notes) if walker.notes else []
        walker._emit_notes()
        headers = _headers_footers(doc, "header")
        footers = _headers_footers(doc, "footer")
    except (KeyError, zlib.error, zipfile.BadZipFile) as exc:
        raise Damaged(path, detail=repr(exc)) from exc
    blocks = headers + walker.blocks + footers
    title = ""
    try:
        title = (doc.core_properties.title or "").strip()
    except Exception:  # noqa: BLE001 - broken core properties are harmless
        title = ""
    if not title:
        first = next((b for b in walker.blocks if b.kind == "heading"), None)
        title = first.text if first else path.stem
    return Document(path=str(path), title=title[:200], format="docx", blocks=blocks)
