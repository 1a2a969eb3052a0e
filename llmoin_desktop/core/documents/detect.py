"""Which loader a file needs, decided by its content (magic bytes) and checked against its name.

Office shares are full of files whose extension lies (a text saved as ``.docx``, an old
``.doc`` renamed, a download that is really an HTML error page). Trusting the name gives
cryptic library errors; sniffing the content first lets us say exactly what is wrong.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from llmoin_desktop.core.documents.errors import (
    Damaged,
    OldOfficeFormat,
    PasswordProtected,
    UnsupportedFormat,
    WrongFormat,
)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Encrypted OOXML (a password-protected .docx) is an OLE container with these streams.
_OLE_ENCRYPTED_MARKERS = (
    "EncryptionInfo".encode("utf-16-le"),
    "EncryptedPackage".encode("utf-16-le"),
)

EXTENSIONS: dict[str, str] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".docm": "docx",
    ".odt": "odt",
    ".txt": "txt",
    ".text": "txt",
    ".csv": "txt",
    ".log": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".eml": "eml",
    ".ics": "ics",  # meeting invitations (ics_text.py)
    ".vcf": "vcf",  # contact cards (ics_text.py)
    # Issue 11 (email_loader.py, office_loaders.py, rtf_loader.py):
    ".msg": "msg",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".ods": "ods",
    ".pptx": "pptx",
    ".pptm": "pptx",
    ".odp": "odp",
    ".rtf": "rtf",
    # Scans and photos, read by text recognition (images.py)
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
    ".bmp": "image",
    ".webp": "image",
    ".gif": "image",  # e-mail attachments and old scans (Pillow reads it)
    # Phone photos (issue 20): HEIC/HEIF via pillow-heif, AVIF via Pillow itself
    ".heic": "image",
    ".heif": "image",
    ".avif": "image",
}
TEXT_FORMATS = {"txt", "md", "html", "eml", "rtf", "ics", "vcf"}
# Zip-based formats told apart by their parts (sniff) and old binary Office files that get
# "bitte als DOCX/XLSX/PPTX speichern" (errors.OldOfficeFormat).
ZIP_FORMATS = ("docx", "odt", "xlsx", "ods", "pptx", "odp")
_ODF_MIME = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
# Main-part content types, for packages whose parts are not where Office puts them.
_OOXML_MAIN = (
    (b"wordprocessingml.document.main", "docx"),
    (b"spreadsheetml.sheet.main", "xlsx"),
    (b"spreadsheetml.sheet.macroEnabled.main", "xlsx"),
    (b"presentationml.presentation.main", "pptx"),
)
OLD_OFFICE = {
    ".doc": "doc",
    ".dot": "doc",
    ".xls": "xls",
    ".xlt": "xls",
    ".ppt": "ppt",
    ".pps": "ppt",
}
_MSG_MARKER = "__substg1.0_".encode("utf-16-le")
_BIFF_STARTS = {b"\x09\x00", b"\x09\x02", b"\x09\x04", b"\x09\x08"}  # BOF records


def sniff(head: bytes, path: Path) -> str:
    """Content format from the first bytes: pdf, docx, odt, zip, doc, ole, text or binary."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(path)
    if head.startswith(OLE_MAGIC):
        return "ole"
    from llmoin_desktop.core.documents.images import is_image_head

    if is_image_head(head):
        return "image"
    if looks_like_text(head):
        return "text"
    return "binary"


def _sniff_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = {n.replace("\\", "/") for n in zf.namelist()}
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "xl/workbook.bin" in names:
                return "xlsb"  # Excel's binary workbook: no reader, asked to save as XLSX
            if "ppt/presentation.xml" in names:
                return "pptx"
            if "mimetype" in names:
                mime = zf.read("mimetype")[:100].strip()
                if mime in _ODF_MIME:
                    return _ODF_MIME[mime]
            if "[Content_Types].xml" in names:  # OOXML with its parts elsewhere
                types = zf.read("[Content_Types].xml")[:65536]
                for marker, fmt in _OOXML_MAIN:
                    if marker in types:
                        return fmt
            return "zip"
    except Exception:  # noqa: BLE001 - any failure to open the archive means it is broken
        return "broken_zip"


def looks_like_text(head: bytes) -> bool:
    """True for text in the encodings we read (UTF-8/16 with BOM, UTF-8, Windows-1252)."""
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    if not head:
        return True
    if b"\x00" in head:
        # UTF-16 without BOM: every other byte is zero for Latin text.
        zeros = head.count(b"\x00")
        return zeros >= len(head) // 3 and (
            head[1::2].count(0) > len(head) // 3 or head[0::2].count(0) > len(head) // 3
        )
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return control <= len(head) // 100 + 1


def _ole_has(path: Path, marker: bytes) -> bool:
    with path.open("rb") as fh:
        return marker in fh.read(8 * 1024 * 1024)


def _ole_is_encrypted_ooxml(path: Path) -> bool:
    with path.open("rb") as fh:
        data = fh.read(2 * 1024 * 1024)
    return any(marker in data for marker in _OLE_ENCRYPTED_MARKERS)


def _text_kind(head: bytes, expected: str) -> str:
    """Text files may be HTML or e-mail; trust the extension when it names a text format."""
    if expected in TEXT_FORMATS:
        return expected
    sample = head[:2048].lower().lstrip(b"\xef\xbb\xbf \t\r\n")
    if sample.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "txt"


def detect_format(path: Path) -> str:
    """The loader to use, or a typed error when name and content disagree or it is unreadable.

    Returns one of ``pdf``, ``docx``, ``odt``, ``txt``, ``md``, ``html``, ``eml``.
    """
    with path.open("rb") as fh:
        head = fh.read(8192)
    expected = EXTENSIONS.get(path.suffix.lower(), "")
    if not head:
        raise Damaged(path, detail="empty file")
    actual = sniff(head, path)

    if path.suffix and not expected:
        # Unknown ending (.doc, .ini, …): only take it if the content is clearly ours.
        if actual == "xlsb":
            raise OldOfficeFormat(path, detail="xlsb")
        if actual in ("pdf", "image", *ZIP_FORMATS):
            return actual
        if actual == "ole" and _ole_is_encrypted_ooxml(path):
            raise PasswordProtected(path, detail="encrypted OOXML (OLE container)")
        if actual == "ole" and path.suffix.lower() in (*OLD_OFFICE, ".xlsb"):
            raise OldOfficeFormat(path, detail=OLD_OFFICE.get(path.suffix.lower(), "xlsb"))
        if path.suffix.lower() in (".xls", ".xlt") and head[:2] in _BIFF_STARTS:
            raise OldOfficeFormat(path, detail="xls")  # Excel 2.x–4.x: BIFF without OLE
        if actual == "text" and path.suffix.lower() in (".xls", ".doc"):
            # Web applications export HTML tables or tab-separated text as "Export.xls";
            # Excel and Word open them (with a warning), so they are read as what they are.
            return _text_kind(head, "")
        raise UnsupportedFormat(path, detail=f"{path.suffix} ({actual})")

    if actual == "image":
        if expected in ("image", ""):
            return "image"
        raise WrongFormat(path, actual="image")

    if actual == "ole":
        if _ole_is_encrypted_ooxml(path):
            raise PasswordProtected(path, detail="encrypted OOXML (OLE container)")
        if expected in ("msg", "eml") and _ole_has(path, _MSG_MARKER):
            return "msg"  # an Outlook item saved as .eml is still read as what it is
        code = "doc" if path.suffix.lower() in (".doc", ".docx", "") else "ole"
        if expected:
            raise WrongFormat(path, actual=code)
        raise UnsupportedFormat(path, detail=code)

    if actual == "xlsb":
        raise OldOfficeFormat(path, detail="xlsb")

    if actual == "broken_zip":
        if expected in (*ZIP_FORMATS, ""):
            raise Damaged(path, detail="broken zip archive")
        raise WrongFormat(path, actual="zip")

    if actual == "text":
        kind = _text_kind(head, expected)
        if expected and expected not in TEXT_FORMATS:
            raise WrongFormat(path, actual="txt")
        return kind

    if actual == "binary":
        if expected in ("pdf", *ZIP_FORMATS):
            raise Damaged(path, detail="unrecognised binary content")
        if expected:
            raise WrongFormat(path, actual="binary")
        raise UnsupportedFormat(path, detail="binary")

    # pdf, docx, odt, zip
    if actual == "zip":
        if expected in ZIP_FORMATS:
            raise Damaged(path, detail="zip archive without document part")
        if expected:
            raise WrongFormat(path, actual="zip")
        raise UnsupportedFormat(path, detail="zip")
    if expected and expected != actual:
        raise WrongFormat(path, actual=actual)
    return actual
