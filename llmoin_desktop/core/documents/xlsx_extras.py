"""Cell comments (notes) of an .xlsx: what Excel shows in the red corner of a cell.

openpyxl's read-only mode, which keeps big workbooks in bounds, does not load comments. They
are read here from the package itself: each sheet's relationships name its comments part
(``xl/commentsN.xml``), whose ``<comment ref="B4" authorId="0">`` entries carry the text.
Decision (as for Word, docx_text.py): comments are marked as comments and never mixed into
cell text — one ``comment`` block per sheet, "Kommentar von Max Beispiel zu B4: …".
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from typing import Any

MAX_COMMENTS = 2000  # per workbook
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _parse(data: bytes) -> Any:
    from llmoin_desktop.core.documents.office_charts import _parse as parse

    return parse(data)


def _targets(zf: zipfile.ZipFile, rels_name: str, kind: str) -> list[str]:
    try:
        data = zf.read(rels_name)
    except KeyError:
        return []
    base = posixpath.dirname(posixpath.dirname(rels_name))
    out = []
    for rel in re.findall(rb"<Relationship\b[^>]*>", data):
        rtype = re.search(rb'Type="([^"]+)"', rel)
        target = re.search(rb'Target="([^"]+)"', rel)
        if rtype and target and rtype.group(1).decode().rsplit("/", 1)[-1] == kind:
            ref = target.group(1).decode("utf-8", "replace")
            out.append(
                ref.lstrip("/")
                if ref.startswith("/")
                else posixpath.normpath(posixpath.join(base, ref))
            )
    return out


def sheet_comments(package: Any) -> dict[str, list[tuple[str, str, str]]]:
    """Sheet name → [(cell, author, text)] for a workbook file or file object (never raises)."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    try:
        with zipfile.ZipFile(package) as zf:
            book = _parse(zf.read("xl/workbook.xml"))
            rels = dict((rid, target) for rid, target in _sheet_rels(zf))
            count = 0
            for sheet in book.iter(f"{_MAIN}sheet"):
                rid = sheet.get(
                    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
                )
                path = rels.get(rid or "")
                if not path:
                    continue
                rels_name = posixpath.join(
                    posixpath.dirname(path), "_rels", posixpath.basename(path) + ".rels"
                )
                for target in _targets(zf, rels_name, "comments"):
                    root = _parse(zf.read(target))
                    authors = [
                        " ".join("".join(a.itertext()).split()) for a in root.iter(f"{_MAIN}author")
                    ]
                    for comment in root.iter(f"{_MAIN}comment"):
                        text = " ".join(
                            "".join(t.text or "" for t in comment.iter(f"{_MAIN}t")).split()
                        )
                        if not text:
                            continue
                        try:
                            author = authors[int(comment.get("authorId", "-1"))]
                        except (ValueError, IndexError):
                            author = ""
                        out.setdefault(sheet.get("name", "?"), []).append(
                            (comment.get("ref", ""), author, text)
                        )
                        count += 1
                        if count >= MAX_COMMENTS:
                            return out
    except Exception:  # noqa: BLE001 - comments are extra: the cells are read anyway
        return out
    return out


def _sheet_rels(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    data = zf.read("xl/_rels/workbook.xml.rels")
    out = []
    for rel in re.findall(rb"<Relationship\b[^>]*>", data):
        rid = re.search(rb'Id="([^"]+)"', rel)
        target = re.search(rb'Target="([^"]+)"', rel)
        if rid and target:
            ref = target.group(1).decode("utf-8", "replace")
            full = (
                ref.lstrip("/")
                if ref.startswith("/")
                else posixpath.normpath(posixpath.join("xl", ref))
            )
            out.append((rid.group(1).decode(), full))
    return out


def comment_text(cell: str, author: str, text: str) -> str:
    from llmoin_desktop.core.i18n import tr

    if author:
        return tr("Kommentar von {author} zu {cell}: {body}", author=author, cell=cell, body=text)
    return tr("Kommentar zu {cell}: {body}", cell=cell, body=text)
