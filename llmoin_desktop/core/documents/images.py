"""Image files (PNG, JPEG, TIFF incl. multi-page and CCITT G4 fax, BMP, WebP) read by OCR.

Each image (each frame of a multi-page TIFF) is one page. The pixel count is checked from
the header before anything is decoded, so a decompression bomb is refused with a clear
message instead of filling the worker's memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llmoin_desktop.core.documents import ocr, scan_text
from llmoin_desktop.core.documents.errors import Damaged, NoTextLayer, UnsupportedFormat
from llmoin_desktop.core.documents.headings import SectionTracker
from llmoin_desktop.core.documents.model import Document
from llmoin_desktop.core.documents.ocr import OcrPage
from llmoin_desktop.core.documents.ocr_notes import library_note

IMAGE_EXTENSIONS = (
    ".png",
    ".jpg",
    ".jpeg",
    ".tif",
    ".tiff",
    ".bmp",
    ".webp",
    ".gif",
    ".heic",
    ".heif",
    ".avif",
)
MAX_FRAMES = 2000  # a fax of more pages is not a fax
# ISO base media file brands of HEIF photos (iPhones: heic) and AVIF (newer Android phones).
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
AVIF_BRANDS = {b"avif", b"avis"}


def is_image_head(head: bytes) -> bool:
    """Magic bytes of the image formats we read."""
    return (
        head.startswith(b"\x89PNG\r\n\x1a\n")
        or head.startswith(b"\xff\xd8\xff")
        or head.startswith((b"II*\x00", b"MM\x00*"))
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
        or head.startswith((b"GIF87a", b"GIF89a"))
        or (head[:2] == b"BM" and len(head) > 18 and head[14:18] in _BMP_HEADERS)
        or bool(heif_brand(head))
    )


def heif_brand(head: bytes) -> str:
    """ "heif" or "avif" for an ISO-BMFF photo (``ftyp`` box, major or compatible brand)."""
    if head[4:8] != b"ftyp":
        return ""
    size = int.from_bytes(head[:4], "big")
    brands = [head[8:12]] + [head[i : i + 4] for i in range(16, min(size, len(head), 64), 4)]
    if any(b in AVIF_BRANDS for b in brands):
        return "avif"
    if any(b in HEIF_BRANDS for b in brands):
        return "heif"
    return ""


class HeifSupportMissing(UnsupportedFormat):
    """A HEIC photo and no HEIF decoder (pi-heif is a dependency; only a broken install or a
    platform without its wheel gets here). Message: errors.UnsupportedFormat."""


def _register_heif(path: Path) -> None:
    """Open HEIC/HEIF through libheif and AVIF through Pillow itself (≥ 11.3).

    pi-heif is the decode-only build of pillow-heif: libheif + libde265, LGPL-3.0 shared
    libraries like Qt's, without the GPL-2.0 x265 encoder that pillow-heif's wheels carry
    (docs/formats.md). pillow-heif is used when it is the one installed."""
    with path.open("rb") as fh:
        brand = heif_brand(fh.read(64))
    if not brand:
        return
    if brand == "avif":
        from PIL import features

        if features.check("avif"):
            return
    module = None
    for name in ("pi_heif", "pillow_heif"):
        try:
            module = __import__(name)
            break
        except ImportError:
            continue
    if module is None:
        raise HeifSupportMissing(path, detail="pillow-heif not installed")
    module.register_heif_opener()
    if brand == "avif" and hasattr(module, "register_avif_opener"):
        module.register_avif_opener()


# Sizes of the BMP info headers: "BM" alone would also match a text starting "BMG …".
_BMP_HEADERS = {n.to_bytes(4, "little") for n in (12, 40, 52, 56, 64, 108, 124)}


def _dpi(img: Any) -> int | None:
    dpi = img.info.get("dpi")
    try:
        value = int(round(float(dpi[0]))) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    return value if 70 <= value <= 2400 else None  # 1 or 72 "dpi" means: nobody set it


def load_image(path: Path) -> Document:
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = ocr.MAX_PIXELS  # PIL's own bomb check as a second line
    if not scan_text.enabled():
        raise NoTextLayer(path, detail="ocr_off")
    _register_heif(path)
    try:
        img = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise ocr_too_large(path) from exc
    except Exception as exc:  # noqa: BLE001 - PIL's zoo of errors on broken files
        raise Damaged(path, detail=f"{type(exc).__name__}: {exc}") from exc
    with img:
        n_frames = min(int(getattr(img, "n_frames", 1) or 1), MAX_FRAMES)
        for frame in range(n_frames):  # every frame's header, before any pixel is decoded
            img.seek(frame)
            ocr.check_pixels(path, img.width, img.height)

        def source(number: int) -> ocr.PageSource:
            def load() -> tuple[Any, int | None]:
                img.seek(number - 1)
                try:
                    page = ImageOps.exif_transpose(img.copy())  # phone photos: EXIF rotation
                except Image.DecompressionBombError as exc:
                    raise ocr_too_large(path) from exc
                return page, _dpi(img)

            return load

        numbers = list(range(1, n_frames + 1))
        pages = scan_text.recognise_file(path, numbers, source, n_frames)
    return document_from_pages(path, "image", pages, n_frames)


def ocr_too_large(path: Path) -> Exception:
    from llmoin_desktop.core.documents.errors import TooLarge

    return TooLarge(path, detail=f"pixels:>{ocr.MAX_PIXELS}")


def document_from_pages(path: Path, fmt: str, pages: dict[int, OcrPage], n_pages: int) -> Document:
    tracker = SectionTracker(page=1)
    kept = {n: p for n, p in sorted(pages.items()) if p.has_text}
    if not kept:
        raise NoTextLayer(path, detail="ocr")
    for number, page in kept.items():
        tracker.new_page(number)
        tracker.plain_lines(page.text.splitlines())
    tracker.flush()
    mark_ocr(tracker.blocks, set(kept))
    doc = Document(
        path=str(path),
        title=path.stem,  # a letter's first line is its sender, not its name
        format=fmt,
        blocks=tracker.blocks,
        n_pages=n_pages,
        ocr_pages=sorted(kept),
        ocr_confidence=scan_text.mean_confidence(kept.values()),
    )
    doc.warnings.append(library_note(doc))
    scan_text.remember_pages(path, doc.ocr_pages)
    return doc


def mark_ocr(blocks: list[Any], numbers: set[int]) -> None:
    for block in blocks:
        if block.page in numbers:
            block.ocr = True
