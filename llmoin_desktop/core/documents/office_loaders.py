"""Spreadsheets (.xlsx, .ods) and slides (.pptx, .odp) as blocks a clerk can cite.

Why this shape: a budget table or a list of applicants is only useful to a question when a
citation says *where* in the workbook the answer stands, so every sheet is cut into runs of
rows and each run gets a heading "Tabellenblatt „Haushalt“, Zellen A1:F40" (the chunker turns
headings into the cited section). The header row is repeated in every run, so a run read on
its own still says what its columns mean. Slides become "Folie 4 – Titel" headings with the
slide text and the speaker notes under them.

.xlsx/.pptx go through openpyxl/python-pptx (MIT); the OpenDocument formats are read from
``content.xml`` with lxml like ``odt_loader`` (no odfpy needed). Everything is bounded
(cells per sheet, repeated rows/columns) because a sheet that declares a million repeated
empty rows is an ordinary LibreOffice file, not an attack.
"""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from llmoin_desktop.core.documents.errors import Damaged
from llmoin_desktop.core.documents.model import Block, Document
from llmoin_desktop.core.i18n import tr

ROWS_PER_BLOCK = 40  # rows of one cited range; keeps a range well under a chunk (2,000 chars)
CHARS_PER_BLOCK = 1600
MAX_CELLS = 300_000  # per workbook; beyond this the rest is left out with a warning
MAX_REPEAT = 1000  # repeated rows/columns in OpenDocument taken at most this often

OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
DRAW_NS = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
PRES_NS = "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"
_O, _TB, _T, _D, _P = (f"{{{ns}}}" for ns in (OFFICE_NS, TABLE_NS, TEXT_NS, DRAW_NS, PRES_NS))


def column_letter(index: int) -> str:
    """1 → A, 27 → AA (as the spreadsheet shows it)."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_text(value: Any) -> str:
    """A cell value as the clerk would read it (German date format, no trailing ".0")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "WAHR" if value else "FALSCH"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.10g}"
    return " ".join(str(value).split())


class _SheetWriter:
    """Collects the rows of one sheet and emits cited row ranges."""

    def __init__(self, doc: Document, sheet: str) -> None:
        self.doc = doc
        self.sheet = sheet
        self.header: tuple[int, list[str]] | None = None
        self.rows: list[tuple[int, list[str]]] = []
        self.max_col = 0

    def add(self, row_no: int, cells: list[str]) -> None:
        while cells and not cells[-1]:
            cells.pop()
        if not any(cells):
            return
        self.max_col = max(self.max_col, len(cells))
        if self.header is None:
            self.header = (row_no, cells)
        self.rows.append((row_no, cells))
        size = sum(len(" | ".join(c)) for _, c in self.rows)
        if len(self.rows) >= ROWS_PER_BLOCK or size >= CHARS_PER_BLOCK:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        first, last = self.rows[0][0], self.rows[-1][0]
        cells = f"A{first}:{column_letter(max(self.max_col, 1))}{last}"
        heading = tr("Tabellenblatt „{sheet}“, Zellen {cells}", sheet=self.sheet, cells=cells)
        lines = [" | ".join(c) for _, c in self.rows]
        if self.header is not None and self.rows[0][0] != self.header[0]:
            lines.insert(0, " | ".join(self.header[1]))  # column names for this range too
        self.doc.blocks.append(Block(text=heading, section=heading, kind="heading", level=2))
        self.doc.blocks.append(Block(text="\n".join(lines), section=heading, kind="table"))
        self.rows = []


def _budget_warning(doc: Document, sheet: str) -> None:
    doc.warnings.append(
        tr(
            "Die Tabelle ist sehr groß; ab Tabellenblatt „{sheet}“ wurde nur ein Teil gelesen.",
            sheet=sheet,
        )
    )


def _add_sheet_heading(doc: Document, sheet: str) -> None:
    title = tr("Tabellenblatt „{sheet}“", sheet=sheet)
    doc.blocks.append(Block(text=title, section=title, kind="heading", level=1))


def load_xlsx(path: Path) -> Document:
    """Every sheet (values as last calculated by the spreadsheet program, not the formulas).

    Strict OOXML (ISO namespaces) and packages Excel opens despite small faults (a part
    name in another case, backslashes, a wrong CRC) are read from a mended copy
    (ooxml_strict.py)."""
    from llmoin_desktop.core.documents.ooxml_strict import (
        is_strict,
        needs_repair,
        transitional_copy,
    )

    strict = is_strict(path, "xl/workbook.xml")
    # A file object, not the name: openpyxl refuses names that do not end in .xlsx, and a
    # workbook saved as "haushalt.bin" is still a workbook (detect.py sniffs the content).
    try:
        return _load_xlsx(path, transitional_copy(path) if strict else path.open("rb"))
    except Damaged as exc:
        if strict or exc.__cause__ is None or not needs_repair(exc.__cause__):
            raise
    return _load_xlsx(path, transitional_copy(path))


def _load_xlsx(path: Path, fh: Any) -> Document:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    from llmoin_desktop.core.documents.xlsx_extras import comment_text, sheet_comments

    comments = sheet_comments(fh)  # cell notes: read-only openpyxl does not load them
    fh.seek(0)
    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, zlib.error) as exc:
        fh.close()
        raise Damaged(path, detail=repr(exc)) from exc
    doc = Document(path=str(path), title="", format="xlsx")
    budget = MAX_CELLS
    try:
        for ws in wb.worksheets:
            _add_sheet_heading(doc, ws.title)
            writer = _SheetWriter(doc, ws.title)
            for row_no, row in enumerate(ws.iter_rows(values_only=True), start=1):
                budget -= len(row)
                if budget < 0:
                    _budget_warning(doc, ws.title)
                    break
                writer.add(row_no, [cell_text(v) for v in row])
            writer.flush()
            notes = [comment_text(*c) for c in comments.get(ws.title, [])]
            if notes:
                heading = tr("Tabellenblatt „{sheet}“", sheet=ws.title)
                doc.blocks.append(Block("\n".join(notes), section=heading, kind="comment"))
            if budget < 0:
                break
        props_title = (wb.properties.title or "").strip() if wb.properties else ""
    except (zipfile.BadZipFile, KeyError, zlib.error) as exc:
        raise Damaged(path, detail=repr(exc)) from exc
    finally:
        wb.close()
        fh.close()
    doc.title = props_title or path.stem
    return doc


# OpenDocument -----------------------------------------------------------------------------
def _content_xml(path: Path) -> Any:
    from llmoin_desktop.core.documents.odt_loader import read_content_xml

    return read_content_xml(path)


def _paragraphs(el: Any) -> list[str]:
    """Text of every text:p / text:h under ``el`` (spaces, tabs, breaks honoured)."""
    from llmoin_desktop.core.documents.odt_loader import _inline_text

    out: list[str] = []
    for p in el.iter(f"{_T}p", f"{_T}h"):
        if any(a.tag == f"{_O}annotation" for a in p.iterancestors()):
            continue  # a comment's text is not the cell's (see _comments)
        text = " ".join(_inline_text(p).split())
        if text:
            out.append(text)
    return out


def _comment_list(el: Any) -> list[str]:
    """Comments (``office:annotation``) on a cell or slide: "Kommentar von X: …"."""
    from llmoin_desktop.core.documents.docx_text import Note, note_block_text

    notes = []
    for ann in el.iter(f"{_O}annotation"):
        author = " ".join(
            "".join(a.itertext()) for a in ann.iter("{http://purl.org/dc/elements/1.1/}creator")
        ).strip()
        body = " ".join(" ".join("".join(p.itertext()).split()) for p in ann.iter(f"{_T}p"))
        if body.strip():
            notes.append(note_block_text(Note("comment", author, body.strip())))
    return notes


def _comments(el: Any) -> str:
    """A cell's comments marked in its text: "[Kommentar von X: …]"."""
    return " ".join(f"[{c}]" for c in _comment_list(el))


def _ods_rows(table: Any) -> Iterator[Any]:
    for child in table:
        if child.tag == f"{_TB}table-row":
            yield child
        elif child.tag in (f"{_TB}table-header-rows", f"{_TB}table-rows", f"{_TB}table-row-group"):
            yield from _ods_rows(child)


def _repeat(el: Any, attr: str) -> int:
    try:
        return max(1, int(el.get(f"{_TB}{attr}", "1") or 1))
    except ValueError:
        return 1


def _ods_cells(row: Any) -> list[str]:
    cells: list[str] = []
    for cell in row:
        if cell.tag not in (f"{_TB}table-cell", f"{_TB}covered-table-cell"):
            continue
        text = " ".join([*_paragraphs(cell), _comments(cell)]).strip()
        n = _repeat(cell, "number-columns-repeated")
        cells.extend([text] * (min(n, MAX_REPEAT) if text else n if n < MAX_REPEAT else 1))
    return cells


def load_ods(path: Path) -> Document:
    root = _content_xml(path)
    body = root.find(f"{_O}body/{_O}spreadsheet")
    if body is None:
        raise Damaged(path, detail="no office:spreadsheet body")
    doc = Document(path=str(path), title=path.stem, format="ods")
    budget = MAX_CELLS
    for table in body.iter(f"{_TB}table"):
        sheet = table.get(f"{_TB}name") or "?"
        _add_sheet_heading(doc, sheet)
        writer = _SheetWriter(doc, sheet)
        row_no = 0
        for row in _ods_rows(table):
            cells = _ods_cells(row)
            repeat = _repeat(row, "number-rows-repeated")
            if not any(cells):
                row_no += repeat  # LibreOffice pads sheets with a million empty rows
                continue
            for _ in range(min(repeat, MAX_REPEAT)):
                row_no += 1
                budget -= len(cells)
                writer.add(row_no, list(cells))
            if budget < 0:
                break
        writer.flush()
        if budget < 0:
            _budget_warning(doc, sheet)
            break
    return doc


# Slides -----------------------------------------------------------------------------------
def _slide_blocks(
    doc: Document,
    number: int,
    title: str,
    texts: Iterable[str],
    notes: Iterable[str],
    comments: Iterable[str] = (),
) -> None:
    heading = (
        tr("Folie {n} – {title}", n=number, title=title) if title else tr("Folie {n}", n=number)
    )
    doc.blocks.append(Block(text=heading, section=heading, kind="heading", level=2))
    for text in texts:
        if text and text != title:
            doc.blocks.append(Block(text=text, section=heading))
    note_text = "\n".join(t for t in notes if t)
    if note_text:
        doc.blocks.append(
            Block(text=tr("Notizen: {notes}", notes=note_text), section=heading, kind="paragraph")
        )
    for comment in comments:  # reviewers' remarks: marked, never slide text (docx_text.py)
        doc.blocks.append(Block(text=comment, section=heading, kind="comment"))


def _pptx_authors(prs: Any) -> dict[str, str]:
    """Comment authors by id, from commentAuthors.xml (legacy) and authors.xml (modern)."""
    from llmoin_desktop.core.documents.office_charts import _parse

    authors: dict[str, str] = {}
    for rel in prs.part.rels.values():
        if rel.is_external or not str(rel.reltype).lower().endswith(("commentauthors", "/authors")):
            continue
        try:
            root = _parse(rel.target_part.blob)
        except Exception:  # noqa: BLE001 - no author names, comments still read
            continue
        for el in root.iter():
            if isinstance(el.tag, str) and el.tag.endswith(("}cmAuthor", "}author")):
                authors[str(el.get("id", ""))] = str(el.get("name", ""))
    return authors


def _pptx_comments(slide: Any, authors: dict[str, str]) -> list[str]:
    from llmoin_desktop.core.documents.docx_text import Note, note_block_text
    from llmoin_desktop.core.documents.office_charts import _parse, _texts

    out: list[str] = []
    for rel in slide.part.rels.values():
        if rel.is_external or not str(rel.reltype).lower().endswith("comments"):
            continue
        try:
            root = _parse(rel.target_part.blob)
        except Exception:  # noqa: BLE001
            continue
        for cm in root:
            if not (isinstance(cm.tag, str) and cm.tag.endswith("}cm")):
                continue
            legacy = [
                t.text or "" for t in cm if isinstance(t.tag, str) and t.tag.endswith("}text")
            ]
            body = " ".join(" ".join(legacy).split()) or _texts(cm)
            if body:
                author = authors.get(str(cm.get("authorId", "")), "")
                out.append(note_block_text(Note("comment", author, body)))
    return out


def _pptx_shape_texts(shapes: Iterable[Any]) -> Iterator[str]:
    for shape in shapes:
        if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            text = "\n".join(
                " ".join(p.text.split()) for p in shape.text_frame.paragraphs if p.text.strip()
            )
            if text:
                yield text
        if getattr(shape, "has_table", False) and shape.has_table:
            rows = [
                " | ".join(" ".join(c.text.split()) for c in row.cells) for row in shape.table.rows
            ]
            text = "\n".join(r for r in rows if r.strip(" |"))
            if text:
                yield text
        if getattr(shape, "shape_type", None) == 6:  # MSO_SHAPE_TYPE.GROUP
            yield from _pptx_shape_texts(shape.shapes)


R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def graphics_texts(part: Any, element: Any) -> list[str]:
    """Charts and SmartArt under ``element`` (a slide, a Word paragraph), in order."""
    from llmoin_desktop.core.documents.office_charts import (
        C_NS,
        DGM_NS,
        chart_text,
        related_blob,
        smartart_text,
    )

    out: list[str] = []
    for el in element.iter(f"{{{C_NS}}}chart", f"{{{DGM_NS}}}relIds"):
        is_chart = el.tag == f"{{{C_NS}}}chart"
        rid = el.get(f"{{{R_NS}}}id" if is_chart else f"{{{R_NS}}}dm")
        blob = related_blob(part, rid) if rid else None
        if not blob:
            continue
        try:
            text = chart_text(blob) if is_chart else smartart_text(blob)
        except Exception:  # noqa: BLE001 - a broken chart part loses only that chart
            continue
        if text:
            out.append(text)
    return out


def load_pptx(path: Path) -> Document:
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    from llmoin_desktop.core.documents.ooxml_strict import is_strict, transitional_copy

    try:
        strict = is_strict(path, "ppt/presentation.xml")
        prs = Presentation(transitional_copy(path) if strict else str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, zlib.error) as exc:
        raise Damaged(path, detail=repr(exc)) from exc
    doc = Document(path=str(path), title="", format="pptx")
    authors = _pptx_authors(prs)
    first_title = ""
    for number, slide in enumerate(prs.slides, start=1):
        title_shape = slide.shapes.title
        title = " ".join(title_shape.text.split()) if title_shape is not None else ""
        first_title = first_title or title
        notes: list[str] = []
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            notes.append(slide.notes_slide.notes_text_frame.text.strip())
        texts = [*_pptx_shape_texts(slide.shapes), *graphics_texts(slide.part, slide._element)]
        comments = _pptx_comments(slide, authors)
        _slide_blocks(doc, number, title, texts, notes, comments)
    doc.n_pages = None
    core_title = (prs.core_properties.title or "").strip()
    doc.title = core_title or first_title or path.stem
    return doc


def load_odp(path: Path) -> Document:
    root = _content_xml(path)
    body = root.find(f"{_O}body/{_O}presentation")
    if body is None:
        raise Damaged(path, detail="no office:presentation body")
    doc = Document(path=str(path), title="", format="odp")
    first_title = ""
    for number, page in enumerate(body.iter(f"{_D}page"), start=1):
        title = ""
        texts: list[str] = []
        notes: list[str] = []
        for frame in page:
            if frame.tag == f"{_P}notes":
                notes.extend(_paragraphs(frame))
                continue
            paras = _paragraphs(frame)
            if not paras:
                continue
            if not title and frame.get(f"{_P}class") == "title":
                title = " ".join(paras)
            else:
                texts.append("\n".join(paras))
        first_title = first_title or title
        _slide_blocks(doc, number, title, texts, notes, _comment_list(page))
    doc.title = first_title or path.stem
    return doc
