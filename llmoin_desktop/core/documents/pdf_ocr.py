"""Image-only pages of a PDF (a scan, a fax printed to PDF) rendered and recognised.

A mixed PDF keeps its text layer where it has one; only pages without text but with an
image come here. pdfium renders each page at the resolution of its largest image (a 200-dpi
fax is not blown up to 300 dpi: upscaling cost accuracy in our measurements), kept under the
pixel cap so a page claiming to be the size of a football field cannot fill the memory.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from llmoin_desktop.core.documents import ocr, scan_text
from llmoin_desktop.core.documents.ocr import OcrPage

MIN_RENDER_DPI = 150

_ran = [False]


def ran() -> bool:
    """Whether the last call actually ran text recognition (it is on and installed)."""
    return _ran[0]


def _image_dpi(page: Any) -> float:
    import pypdfium2 as pdfium

    best = 0.0
    try:
        for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            meta = obj.get_metadata()
            best = max(best, float(meta.horizontal_dpi or 0), float(meta.vertical_dpi or 0))
    except Exception:  # noqa: BLE001 - unreadable image metadata: use the default
        return 0.0
    return best


def render_dpi(width_pt: float, height_pt: float, image_dpi: float) -> int:
    dpi = image_dpi if image_dpi >= MIN_RENDER_DPI else ocr.TARGET_DPI
    dpi = min(dpi, ocr.MAX_DPI)
    pixels = (width_pt / 72 * dpi) * (height_pt / 72 * dpi)
    if pixels > ocr.MAX_PIXELS:
        dpi *= math.sqrt(ocr.MAX_PIXELS / pixels) * 0.99
    return max(1, int(dpi))


def recognise_pages(path: Path, numbers: list[int], n_pages: int) -> dict[int, OcrPage]:
    """{page number: recognised page} for ``numbers`` (1-based); {} when OCR is off."""
    _ran[0] = scan_text.enabled()
    if not _ran[0] or not numbers:
        return {}
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:

        def source(number: int) -> ocr.PageSource:
            def load() -> tuple[Any, int | None]:
                page = pdf[number - 1]
                try:
                    width, height = page.get_size()
                    dpi = render_dpi(width, height, _image_dpi(page))
                    image = page.render(scale=dpi / 72, grayscale=True).to_pil()
                finally:
                    page.close()
                return image, dpi

            return load

        return scan_text.recognise_file(path, numbers, source, n_pages)
    finally:
        pdf.close()
