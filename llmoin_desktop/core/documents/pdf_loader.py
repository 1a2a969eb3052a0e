"""PDF via pypdf: text per page with 1-based page numbers, so citations can point at a page.

pypdf raises a zoo of exceptions on broken files (and can loop on hostile ones); this module
turns what it can into typed errors and relies on the sandbox for time and memory limits.
"""

from __future__ import annotations

import logging
from pathlib import Path

from llmoin_desktop.core.documents import pdf_ocr, progress
from llmoin_desktop.core.documents.docx_text import Note, note_block_text
from llmoin_desktop.core.documents.errors import Damaged, NoTextLayer, PasswordProtected
from llmoin_desktop.core.documents.headings import SectionTracker
from llmoin_desktop.core.documents.images import mark_ocr
from llmoin_desktop.core.documents.model import Block, Document
from llmoin_desktop.core.documents.ocr_notes import library_note
from llmoin_desktop.core.documents.pdf_annots import page_extras
from llmoin_desktop.core.documents.scan_text import mean_confidence, remember_pages
from llmoin_desktop.core.i18n import _, tr

logging.getLogger("pypdf").setLevel(logging.ERROR)


def _is_truncated(path: Path) -> bool:
    """A complete PDF ends with ``%%EOF`` (allowing trailing junk some writers add)."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 2048))
        return b"%%EOF" not in fh.read()


def _open(path: Path):  # noqa: ANN202 - pypdf's reader type, imported lazily
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(str(path), strict=False)
    except (FileNotDecryptedError, DependencyError) as exc:
        # DependencyError: AES encryption and no ``cryptography`` package to even try "".
        raise PasswordProtected(path, detail=repr(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - PdfReadError family and whatever else breaks
        raise Damaged(path, detail="truncated" if _is_truncated(path) else repr(exc)) from exc
    if reader.is_encrypted:
        try:
            result = reader.decrypt("")
        except DependencyError as exc:
            # AES without the ``cryptography`` package: we cannot even try the empty password.
            raise PasswordProtected(path, detail=repr(exc)) from exc
        except (PdfReadError, NotImplementedError, ValueError, KeyError) as exc:
            raise PasswordProtected(path, detail=repr(exc)) from exc
        if not result:  # PasswordType.NOT_DECRYPTED == 0
            raise PasswordProtected(path, detail="user password required")
    return reader


def _scan_pages(reader) -> list:  # noqa: ANN001
    """Page objects found by scanning all objects, for files whose page tree is destroyed.

    Sorted by file offset: writers put pages in order, and a linearized file starts with
    page 1. The numbering may still differ from the original, so callers add a warning.
    """
    from pypdf import PageObject
    from pypdf.generic import IndirectObject

    refs: list[tuple[int, int, int]] = []  # (offset, idnum, generation)
    for gen, table in reader.xref.items():
        refs.extend((offset, idnum, gen) for idnum, offset in table.items())
    refs.extend((1 << 62, idnum, 0) for idnum in reader.xref_objStm)
    pages = []
    for _offset, idnum, gen in sorted(set(refs)):
        try:
            ref = IndirectObject(idnum, gen, reader)
            obj = reader.get_object(ref)
            if hasattr(obj, "get") and obj.get("/Type") == "/Page":
                page = PageObject(reader, ref)
                page.update(obj)
                pages.append(page)
        except Exception:  # noqa: BLE001 - skip objects that cannot be read
            continue
    return pages


def _page_has_images(page) -> bool:  # noqa: ANN001
    try:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources else None
        if not xobjects:
            return False
        xobjects = xobjects.get_object()
        return any(xobjects[k].get_object().get("/Subtype") == "/Image" for k in xobjects)
    except Exception:  # noqa: BLE001 - broken resources: assume no images
        return False


# Less than this many characters on a page that shows an image: a scan with at most a stray
# OCR word or a page number, not a text layer worth indexing.
MIN_TEXT_ON_IMAGE_PAGE = 40


def load_pdf(path: Path) -> Document:
    from pypdf.errors import FileNotDecryptedError

    reader = _open(path)
    warnings: list[str] = []
    try:
        pages = list(reader.pages)
    except FileNotDecryptedError as exc:
        raise PasswordProtected(path, detail=repr(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - any failure to walk the page tree
        pages = _scan_pages(reader)
        if not pages:
            raise Damaged(path, detail=f"page tree: {exc!r}") from exc
        warnings.append(
            _(
                "Seitenverzeichnis beschädigt: Seiten wurden wiederhergestellt, die Seitenzahlen "
                "können abweichen."
            )
        )
    n_pages = len(pages)
    if n_pages == 0:
        raise Damaged(path, detail="no pages")

    unreadable: list[int] = []
    image_only: list[int] = []
    texts: dict[int, str] = {}
    comments: dict[int, list[str]] = {}
    extras: dict[int, str] = {}
    for index, page in enumerate(pages):
        number = index + 1
        # A sign of life per page: the sandbox stops a file that stalls, not one that is big.
        progress.report(number, n_pages, progress.page_text(number, n_pages))
        try:
            text = page.extract_text() or ""
        except FileNotDecryptedError as exc:
            raise PasswordProtected(path, detail=repr(exc)) from exc
        except Exception:  # noqa: BLE001 - one broken page must not lose the others
            unreadable.append(number)
            continue
        # NUL and U+FFFD come from fonts without a usable encoding: noise, not text.
        text = text.replace("\x00", "").replace("\ufffd", "")
        extra = page_extras(page)  # filled form fields, text boxes, comments (pdf_annots.py)
        if extra.free_text or extra.fields:  # after the page's text (or its OCR), see below
            extras[number] = "\n".join([*extra.free_text, *extra.fields])
        for author, body in extra.comments:
            comments.setdefault(number, []).append(note_block_text(Note("comment", author, body)))
        visible = len("".join(text.split()))
        if visible < MIN_TEXT_ON_IMAGE_PAGE and _page_has_images(page):
            image_only.append(number)
            continue
        if visible:
            texts[number] = text

    recognised = pdf_ocr.recognise_pages(path, image_only, n_pages) if image_only else {}
    recognised = {n: page for n, page in recognised.items() if page.has_text}
    tracker = SectionTracker(page=1)
    for number in sorted({*texts, *recognised, *extras}):
        tracker.new_page(number)
        own = texts.get(number) or (recognised[number].text if number in recognised else "")
        tracker.plain_lines("\n".join(t for t in (own, extras.get(number, "")) if t).splitlines())
    tracker.flush()
    if recognised:
        mark_ocr(tracker.blocks, set(recognised))
    if comments:
        tracker.blocks = _with_comments(tracker.blocks, comments)

    if not texts and not recognised and not extras:
        if len(unreadable) == n_pages:
            raise Damaged(path, detail="no page could be read")
        if image_only and pdf_ocr.ran():
            raise NoTextLayer(path, detail="ocr")
        raise NoTextLayer(path, detail=f"{n_pages} pages without text")
    still_images = [n for n in image_only if n not in recognised]
    if still_images:
        warnings.append(tr("Seiten ohne Text (nur Bild): {pages}", pages=_page_list(still_images)))

    if _is_truncated(path):
        warnings.append(_("Datei unvollständig: Nur die lesbaren Seiten wurden übernommen."))
    if unreadable:
        warnings.append(tr("Seiten nicht lesbar: {pages}", pages=_page_list(unreadable)))
    doc = Document(
        path=str(path),
        title=_title(reader, path, [b for b in tracker.blocks if not b.ocr]),
        format="pdf",
        blocks=tracker.blocks,
        n_pages=n_pages,
        warnings=warnings,
        ocr_pages=sorted(recognised),
        ocr_confidence=mean_confidence(recognised.values()),
    )
    if recognised:
        doc.warnings.insert(0, library_note(doc))
        remember_pages(path, doc.ocr_pages)
    return doc


def _with_comments(blocks: list[Block], comments: dict[int, list[str]]) -> list[Block]:
    """Each page's comments after its text, marked as comments (never body text)."""
    out: list[Block] = []
    pending = dict(sorted(comments.items()))

    def flush(upto: int | None) -> None:
        for number in [n for n in pending if upto is None or n <= upto]:
            section = out[-1].section if out else None
            for text in pending.pop(number):
                out.append(Block(text, page=number, section=section, kind="comment"))

    for i, block in enumerate(blocks):
        out.append(block)
        following = blocks[i + 1].page if i + 1 < len(blocks) else None
        if block.page is not None and following != block.page:
            flush(block.page)
    flush(None)
    return out


def _page_list(pages: list[int]) -> str:
    return ", ".join(str(p) for p in pages[:20]) + (" …" if len(pages) > 20 else "")


def _title(reader, path: Path, blocks: list[Block]) -> str:  # noqa: ANN001
    """The PDF's own title if it has a sensible one (metadata is often broken or junk), else
    the first line(s) of the text when they read like a title — official documents open
    with their name ("Bundesmeldegesetz (BMG)"); a file name like "bmg" says little to a
    clerk and to the search — else the file name."""
    try:
        meta = reader.metadata
        title = str(meta.title).strip() if meta and meta.title else ""
    except Exception:  # noqa: BLE001 - unreadable metadata is common and harmless
        title = ""
    if 2 < len(title) < 200:
        return title
    first = next((b.text for b in blocks if b.text.strip()), "")
    return _title_from_text(first) or path.stem


def _title_from_text(text: str) -> str:
    """First line, plus continuation lines that start in lower case (a wrapped title)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    title = lines[0]
    for line in lines[1:3]:
        if not line[0].islower() or title.endswith((".", ":", ";")):
            break
        title = f"{title} {line}"
    letters = sum(ch.isalpha() for ch in title)
    if not (4 <= len(title) <= 160 and title[0].isalpha() and letters >= 0.7 * len(title)):
        return ""
    if len(title.split()) > 18:  # a sentence of running text, not a name
        return ""
    return title
