"""Strict OOXML (ISO/IEC 29500 "Strict") and imperfect packages read by the normal readers.

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


def _read_member(src: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes; a wrong CRC (a tool that wrote the checksum badly) is ignored: the
    XML parser still refuses content that is really damaged."""
    with src.open(info) as fh:
        fh._expected_crc = None  # type: ignore[attr-defined]  # CPython's ZipExtFile
        return fh.read()


def _referenced_parts(members: dict[str, bytes]) -> dict[str, str]:
    """lower-case part name → the spelling relationships and content types use."""
    import posixpath
    import re

    wanted: dict[str, str] = {}
    for name, data in members.items():
        if name.endswith(".rels"):
            base = posixpath.dirname(posixpath.dirname(name))
            for target in re.findall(rb'Target="([^"]+)"', data):
                ref = target.decode("utf-8", "replace")
                if "://" in ref:
                    continue
                full = ref.lstrip("/") if ref.startswith("/") else posixpath.join(base, ref)
                full = posixpath.normpath(full)
                wanted[full.lower()] = full
        elif name == "[Content_Types].xml":
            for part in re.findall(rb'PartName="/([^"]+)"', data):
                text = part.decode("utf-8", "replace")
                wanted.setdefault(text.lower(), text)
    return wanted


def transitional_copy(path: Path) -> io.BytesIO:
    """The package with Strict names mapped to transitional ones (XML and .rels parts).

    Also repairs what Excel and Word open anyway (calamine's and Apache POI's test files):
    part names with backslashes, a part spelled in another case than its relationship says
    ("SharedStrings.xml"), a wrong CRC."""
    out = io.BytesIO()
    budget = MAX_XML_BYTES
    members: dict[str, bytes] = {}
    with zipfile.ZipFile(path) as src:
        for info in src.infolist():
            if info.is_dir():
                continue
            data = _read_member(src, info)
            name = info.filename.replace("\\", "/").lstrip("/")
            if name.endswith((".xml", ".rels")):
                budget -= len(data)
                if budget < 0:
                    raise MemoryError("OOXML package too large")
                for strict, transitional in _MAP:
                    data = data.replace(strict, transitional)
            members[name] = data
    spelled = _referenced_parts(members)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in members.items():
            dst.writestr(spelled.get(name.lower(), name), data)
    out.seek(0)
    return out


def needs_repair(exc: BaseException) -> bool:
    """Errors of an imperfect package that :func:`transitional_copy` can mend."""
    text = str(exc)
    return isinstance(exc, KeyError) or "CRC" in text or "no item named" in text
