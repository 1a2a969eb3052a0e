"""Test files for bench/fidelity.py, each with what a clerk must get from it (issue 20).

Every file is made here with the project's own libraries — stdlib ``email`` for forwarded,
nested and digest mails; python-docx + lxml for footnotes, comments, text boxes; plain zip +
XML for OpenDocument; openpyxl for a workbook turned into Strict OOXML; Pillow (+ pillow-heif)
for phone photos; ``fidelity_msg`` for Outlook items; rendered pages for columns — so no
third-party sample file is shipped. A case lists facts (text that must be in the document),
metadata that must match, text that must not be in the body, notes that must be marked
(``note``/``comment`` blocks) and, for scans, the truth in reading order.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import fidelity_pages as pages
from fidelity_case import Case, _bytes
from fidelity_mail import email_cases, msg_cases
from fidelity_odf_pdf import old_xls, xlsb
from fidelity_office import office_cases

__all__ = ["LETTER", "Case", "_photo", "all_cases", "old_xls", "xlsb"]


# Photos and scans -------------------------------------------------------------------------
LETTER = ["Stadt Musterstadt Ordnungsamt", "Bescheid über die Sondernutzung", "Gebühr 240 Euro"]


def _photo(fmt: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        from PIL import Image

        if fmt == "HEIF":
            import pillow_heif

            pillow_heif.register_heif_opener()
        img = Image.open(io.BytesIO(pages.letter_png(LETTER))).convert("RGB")
        img.save(path, format=fmt, quality=90)

    return make


def image_cases() -> list[Case]:
    cases = [
        Case(
            "iphone-foto.heic",
            _photo("HEIF"),
            "image",
            facts=["Ordnungsamt", "240 Euro"],
            needs="pillow_heif",
        ),
        Case(
            "android-foto.avif",
            _photo("AVIF"),
            "image",
            facts=["Ordnungsamt", "240 Euro"],
            needs="ocr",
        ),
        Case(
            "landschaft.jpg",
            _bytes(pages.landscape_photo()),
            "image",
            expect="refused:no_text_layer",
            needs="ocr",
        ),
        Case(
            "gestruepp.png",
            _bytes(pages.scribble_png()),
            "image",
            expect="refused:no_text_layer",
            needs="ocr",
        ),
    ]
    for n, kw in (
        (2, {}),
        (3, {}),
        (4, {"size": 34, "gutter": 60}),
        (5, {"size": 30, "gutter": 50}),
    ):
        png, truth = pages.column_page(n, **kw)  # type: ignore[arg-type]
        cases.append(Case(f"spalten-{n}.png", _bytes(png), "ocr", truth=truth, needs="ocr"))
    return cases


def all_cases() -> list[Case]:
    return [*email_cases(), *msg_cases(), *office_cases(), *image_cases()]
