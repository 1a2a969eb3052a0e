"""Recognised text for the pages of one file: cache, progress, and the worker's OCR options.

Recognition costs about a second per page on two cores; re-opening a scan in a task or
re-indexing the library must not pay it again. So results are cached per file content
(SHA-256) and per engine/data/language choice, as JSON in the user cache folder: the same
scan under another name or path is recognised once. The cache is written every few pages,
so a long scan that was stopped continues where it left off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import platformdirs

from llmoin_desktop.core.documents import ocr, progress
from llmoin_desktop.core.documents.ocr import OcrOptions, OcrPage, PageSource
from llmoin_desktop.core.paths import APP_AUTHOR, APP_NAME

_options = OcrOptions()
SAVE_EVERY = 5  # pages between cache writes
# Time one page of recognition may take before the worker counts as stalled: about a second
# on an idle PC, far more for an A3 page on a busy one; pages finish out of step on 2 threads.
OCR_PAGE_BUDGET_S = 120.0


def set_options(options: OcrOptions) -> None:
    """The worker sets what the settings say before each file."""
    global _options
    _options = options


def options() -> OcrOptions:
    return _options


def enabled() -> bool:
    return _options.enabled and ocr.is_available()


def cache_dir() -> Path:
    """LLMOIN_CACHE_DIR, else beside the data of a redirected data folder (tests, trainer
    mode), else the platform's user cache folder."""
    if _options.cache_dir:  # set by the app for its worker: both look in the same place
        return Path(_options.cache_dir)
    override = os.environ.get("LLMOIN_CACHE_DIR")
    if override:
        return Path(override) / "ocr"
    data = os.environ.get("LLMOIN_DATA_DIR")
    if data:
        return Path(data) / "cache" / "ocr"
    return Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR)) / "ocr"


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _variant(languages: str) -> str:
    """Engine version, languages and data files: other data must not reuse old text."""
    folder = ocr.tessdata_dir()
    sizes = ""
    if folder is not None:
        sizes = ",".join(
            f"{lang}:{(folder / f'{lang}.traineddata').stat().st_size}"
            for lang in languages.split("+")
            if (folder / f"{lang}.traineddata").is_file()
        )
    key = f"{ocr.engine_version()}|{languages}|{sizes}|v1"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _cache_file(sha: str, languages: str) -> Path:
    return cache_dir() / sha[:2] / f"{sha}-{_variant(languages)}.json"


def _load(file: Path) -> dict[int, OcrPage]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        pages = {}
        for k, v in data.get("pages", {}).items():
            page = OcrPage(str(v["text"]), float(v["confidence"]), int(v.get("rotated", 0)))
            if "words" in v:  # the lexicon gate's counts (older entries: judged by text)
                page.credible, page.words = int(v["credible"]), int(v["words"])
            pages[int(k)] = page
        return pages
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # missing or damaged cache: recognise again


def _save(file: Path, pages: dict[int, OcrPage]) -> None:
    data = {
        "pages": {
            str(n): {
                "text": p.text,
                "confidence": p.confidence,
                "rotated": p.rotated,
                **({"credible": p.credible, "words": p.words} if p.words is not None else {}),
            }
            for n, p in sorted(pages.items())
        }
    }
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        os.replace(tmp, file)
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)  # a full or read-only disk only costs the next run its time


def recognise_file(
    path: Path,
    numbers: list[int],
    source: Callable[[int], PageSource],
    total_pages: int,
) -> dict[int, OcrPage]:
    """Recognised text for pages ``numbers`` of ``path`` (from the cache where it has them).

    ``source(n)`` gives a loader for page n, called in this thread. Progress goes out per
    page as "Texterkennung: Seite 3 von 12" (counting the pages to recognise).
    """
    languages = ocr.usable_languages(_options.languages)
    sha = file_hash(path)
    _last_hash[str(Path(path))] = sha  # remember_pages records it for forget_document
    cache_file = _cache_file(sha, languages)
    done = _load(cache_file)
    results = {n: done[n] for n in numbers if n in done}
    todo = [n for n in numbers if n not in results]
    total = len(numbers)
    count = [len(results)]
    if not todo:
        progress.report(count[0], total, progress.ocr_page_text(count[0], total))
        return results
    budget = OCR_PAGE_BUDGET_S * max(1, _options.worker_threads())
    progress.report(count[0], total, progress.ocr_page_text(count[0] + 1, total), budget)

    def on_page(number: int, page: OcrPage) -> None:
        results[number] = page
        done[number] = page
        count[0] += 1
        progress.report(count[0], total, progress.ocr_page_text(count[0], total), budget)
        if count[0] % SAVE_EVERY == 0:
            _save(cache_file, done)

    pages: Iterable[tuple[int, PageSource]] = ((n, source(n)) for n in todo)
    ocr.recognise(pages, _options, on_page=on_page)
    _save(cache_file, done)
    return results


def mean_confidence(pages: Iterable[OcrPage]) -> float | None:
    """Mean confidence weighted by the amount of text (a nearly empty page says little)."""
    weights = [(len(p.text), p.confidence) for p in pages if p.has_text]
    total = sum(w for w, _c in weights)
    if not total:
        return None
    return round(sum(w * c for w, c in weights) / total, 1)


# Which pages of which file were recognised: citations ("S. 2, Texterkennung") look it up
# without the library having to store it. Keyed by path, checked against size and mtime.


def _pages_file(path: Path) -> Path:
    key = hashlib.sha256(str(Path(path).resolve()).encode("utf-8", "surrogatepass")).hexdigest()
    return cache_dir() / "pages" / f"{key[:32]}.json"


def _stamp(path: Path) -> list[int]:
    st = Path(path).stat()
    return [st.st_size, st.st_mtime_ns]


_last_hash: dict[str, str] = {}  # path → content hash of the file OCR last read (worker)


def remember_pages(path: Path, pages: list[int]) -> None:
    """Called by the loaders in the worker after a file was read with OCR. The content hash
    is kept too: the recognised text is cached by content, and removing the document from
    the library must find that cache entry after the file itself is gone."""
    file = _pages_file(path)
    record: dict[str, object] = {"stamp": _stamp(path), "pages": pages}
    sha = _last_hash.pop(str(Path(path)), "")
    if sha:
        record["sha256"] = sha
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(record), encoding="utf-8")
    except OSError:
        pass  # only the citation marker is lost


def forget_document(path: str | Path) -> int:
    """Delete the cached OCR text of ``path`` (all languages) and its page record; returns
    the number of files removed. Called when a document leaves the library (issue 18): text
    recognised from a clerk's scan must not outlive the document in a cache folder."""
    path = Path(path)
    pages_file = _pages_file(path)
    hashes: set[str] = set()
    try:
        sha = json.loads(pages_file.read_text(encoding="utf-8")).get("sha256")
        if isinstance(sha, str) and len(sha) == 64:
            hashes.add(sha)
    except (OSError, ValueError, AttributeError):
        pass
    with contextlib.suppress(OSError):
        if path.is_file():
            hashes.add(file_hash(path))
    removed = 0
    targets = [pages_file]
    for sha in hashes:
        targets.extend((cache_dir() / sha[:2]).glob(f"{sha}-*.json"))
    for target in targets:
        with contextlib.suppress(OSError):
            target.unlink()
            removed += 1
    return removed


def recognised_pages(path: str | Path) -> set[int]:
    """Pages of ``path`` whose text came from OCR when it was last read (empty if unknown)."""
    try:
        data = json.loads(_pages_file(Path(path)).read_text(encoding="utf-8"))
        if data.get("stamp") != _stamp(Path(path)):
            return set()
        return {int(p) for p in data.get("pages", [])}
    except (OSError, ValueError, TypeError, AttributeError):
        return set()
