"""A DOCX/ODT whose only content is images (a scan pasted into Word) read by OCR.

Only when the document has no text of its own: recognising logos and photos in every Word
file would cost seconds per file for nothing. The images come straight from the zip
(``word/media/``, ``Pictures/``), each checked for size and pixel count before decoding.
Each image becomes a part "Bild 1", "Bild 2", … (Word has no fixed pages to cite).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from llmoin_desktop.core.documents import ocr, scan_text
from llmoin_desktop.core.documents.headings import SectionTracker
from llmoin_desktop.core.documents.model import Document
from llmoin_desktop.core.documents.ocr_notes import library_note
from llmoin_desktop.core.i18n import tr

MEDIA_FOLDERS = {"docx": ("word/media/",), "odt": ("Pictures/",)}
IMAGE_ENDINGS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".gif")
MAX_IMAGES = 50
MAX_IMAGE_BYTES = 50 * 1024 * 1024


def _natural(name: str) -> list[Any]:
    """image2 before image10: the order Word numbers pasted images in."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def recognise_images(path: Path, doc: Document) -> bool:
    """Fill ``doc`` (a docx/odt without text) from its images; True if text was found."""
    folders = MEDIA_FOLDERS.get(doc.format)
    if not folders or not scan_text.enabled():
        return False
    from PIL import Image

    with zipfile.ZipFile(path) as zf:
        infos = [
            i
            for i in zf.infolist()
            if i.filename.startswith(folders)
            and i.filename.lower().endswith(IMAGE_ENDINGS)
            and 0 < i.file_size <= MAX_IMAGE_BYTES
        ]
        infos = sorted(infos, key=lambda i: _natural(i.filename))[:MAX_IMAGES]
        if not infos:
            return False

        def source(number: int) -> ocr.PageSource:
            def load() -> tuple[Any, int | None]:
                img = Image.open(io.BytesIO(zf.read(infos[number - 1])))
                ocr.check_pixels(path, img.width, img.height)
                img.load()
                return img, None

            return load

        numbers = list(range(1, len(infos) + 1))
        pages = scan_text.recognise_file(path, numbers, source, len(infos))
    kept = {n: p for n, p in sorted(pages.items()) if p.has_text}
    if not kept:
        return False
    blocks = []
    for number, page in kept.items():
        part_tracker = SectionTracker()
        part_tracker.plain_lines(page.text.splitlines())
        part_tracker.flush()
        for block in part_tracker.blocks:
            block.part = tr("Bild {n}", n=number)
            block.ocr = True
            blocks.append(block)
    doc.blocks = blocks
    doc.ocr_confidence = scan_text.mean_confidence(kept.values())
    doc.warnings.append(library_note(doc))
    return True
