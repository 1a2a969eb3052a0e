"""In-process loading: detect the format, run its loader, turn surprises into ``Damaged``.

Call this only inside the sandbox (``sandbox.parse_document``) for files you did not make
yourself: a hostile PDF can hang or eat memory, which only a child process can contain.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from llmoin_desktop.core.documents.detect import detect_format
from llmoin_desktop.core.documents.errors import Damaged, DocumentError, FileUnreadable
from llmoin_desktop.core.documents.model import Document
from llmoin_desktop.core.i18n import _


def _loader(fmt: str) -> Callable[[Path], Document]:
    # Imported on demand so a worker reading only text never imports pypdf or lxml.
    if fmt == "pdf":
        from llmoin_desktop.core.documents.pdf_loader import load_pdf

        return load_pdf
    if fmt == "docx":
        from llmoin_desktop.core.documents.docx_loader import load_docx

        return load_docx
    if fmt == "odt":
        from llmoin_desktop.core.documents.odt_loader import load_odt

        return load_odt
    if fmt in ("eml", "msg"):
        from llmoin_desktop.core.documents import email_loader

        # The mail loader reads its attachments through this table, handed in (no circle).
        load_mail = email_loader.load_eml if fmt == "eml" else email_loader.load_msg
        return partial(load_mail, load_file=load_document)
    if fmt in ("xlsx", "ods", "pptx", "odp"):
        from llmoin_desktop.core.documents import office_loaders

        return getattr(office_loaders, f"load_{fmt}")
    if fmt == "image":
        from llmoin_desktop.core.documents.images import load_image

        return load_image
    if fmt in ("ics", "vcf"):
        from llmoin_desktop.core.documents import ics_text

        return ics_text.load_ics if fmt == "ics" else ics_text.load_vcf
    if fmt == "rtf":
        from llmoin_desktop.core.documents.rtf_loader import load_rtf

        return load_rtf
    if fmt == "html":
        from llmoin_desktop.core.documents import html_loader

        return html_loader.load_html
    from llmoin_desktop.core.documents import text_loader

    return text_loader.load_md if fmt == "md" else text_loader.load_txt


def load_document(path: str | Path) -> Document:
    """Parse ``path`` in this process; raises a :class:`DocumentError` subclass on failure."""
    p = Path(path)
    try:
        fmt = detect_format(p)
        doc = _loader(fmt)(p)
    except DocumentError:
        raise
    except MemoryError:
        raise
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        raise FileUnreadable(p, detail=repr(exc)) from exc
    except RecursionError as exc:
        raise Damaged(p, detail="recursion too deep") from exc
    except Exception as exc:  # noqa: BLE001 - any library failure on a bad file is "damaged"
        raise Damaged(p, detail=f"{type(exc).__name__}: {exc}") from exc
    if not any(b.text.strip() for b in doc.blocks if b.kind not in ("header", "footer")):
        from llmoin_desktop.core.documents.office_images import recognise_images

        if recognise_images(p, doc):  # a scan pasted into Word: its images hold the text
            return doc
        # A valid file without text (only images, empty table) is kept, not rejected:
        # it opens fine in Word, so calling it broken would be wrong.
        doc.warnings.append(_("Die Datei enthält keinen Text."))
    return doc
