"""Strict OOXML (ISO/IEC 29500 "Strict") read through the normal Office readers.

Excel and Word can save "Strict Open XML": the same parts as a normal .xlsx/.docx, but with
the ISO namespaces (``http://purl.oclc.org/ooxml/…``) instead of the transitional ones
(``http://schemas.openxmlformats.org/…``). openpyxl and python-docx know only the latter,
so a strict workbook with 50 KB of cells came back as "enthält keinen Text" (issue 20). The
structure is the same; only the names differ. So the package is copied in memory with the
namespace and relationship-type URIs mapped back, and the copy goes to the normal reader.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

STRICT_MARK = b"http://purl.oclc.org/ooxml/"
# Longest first: the relationship-type URIs share their start with the namespaces.
_MAP = [
    (
        b"http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties",
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
    ),
    (
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    ),
    (
        b"http://purl.oclc.org/ooxml/officeDocument/extendedProperties",
        b"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    ),
    (
        b"http://purl.oclc.org/ooxml/officeDocument/customProperties",
        b"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    ),
    (
        b"http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes",
        b"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    ),
    (
        b"http://purl.oclc.org/ooxml/officeDocument/sharedTypes",
        b"http://schemas.openxmlformats.org/officeDocument/2006/sharedTypes",
    ),
    (
        b"http://purl.oclc.org/ooxml/officeDocument/math",
        b"http://schemas.openxmlformats.org/officeDocument/2006/math",
    ),
    (
        b"http://purl.oclc.org/ooxml/spreadsheetml/main",
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    ),
    (
        b"http://purl.oclc.org/ooxml/wordprocessingml/main",
        b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    ),
    (
        b"http://purl.oclc.org/ooxml/presentationml/main",
        b"http://schemas.openxmlformats.org/presentationml/2006/main",
    ),
    (
        b"http://purl.oclc.org/ooxml/drawingml/main",
        b"http://schemas.openxmlformats.org/drawingml/2006/main",
    ),
    (
        b"http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing",
        b"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    ),
    (
        b"http://purl.oclc.org/ooxml/drawingml/spreadsheetDrawing",
        b"http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    ),
    (
        b"http://purl.oclc.org/ooxml/drawingml/chart",
        b"http://schemas.openxmlformats.org/drawingml/2006/chart",
    ),
    (
        b"http://purl.oclc.org/ooxml/drawingml/picture",
        b"http://schemas.openxmlformats.org/drawingml/2006/picture",
    ),
]
MAX_XML_BYTES = 400 * 1024 * 1024  # uncompressed XML copied at most (the worker has 1.5 GB)


def is_strict(path: Path, main_part: str) -> bool:
    """True when ``main_part`` (e.g. ``xl/workbook.xml``) uses the Strict namespaces."""
    try:
        with zipfile.ZipFile(path) as zf, zf.open(main_part) as fh:
            return STRICT_MARK in fh.read(8192)
    except (KeyError, OSError, zipfile.BadZipFile, RuntimeError, ValueError):
        return False


def transitional_copy(path: Path) -> io.BytesIO:
    """The package with Strict names mapped to transitional ones (XML and .rels parts)."""
    out = io.BytesIO()
    budget = MAX_XML_BYTES
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith((".xml", ".rels")):
                budget -= len(data)
                if budget < 0:
                    raise MemoryError("strict OOXML package too large")
                for strict, transitional in _MAP:
                    data = data.replace(strict, transitional)
            dst.writestr(info.filename, data)
    out.seek(0)
    return out
