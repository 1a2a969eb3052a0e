"""Text recognition: accuracy and speed of what `llmoin-desktop read` returns for scans.

    .venv/bin/python bench/ocr.py [FOLDER]      # default ../shared/corpus/scans

For every image/PDF in FOLDER with a ``truth/<file name>.txt``: the character error rate
(Levenshtein distance / length of the truth, both whitespace-normalised) of the app's text,
pages per minute through the app's sandboxed parser (two workers, pages in parallel, the OCR
cache switched off by a fresh cache folder), and the same pages through single-threaded plain
Tesseract (tesserocr, default page segmentation, same language data) in the same run.
Last line: ``cer_max=… cer_mean=… pages_per_min=… speed_vs_plain=…``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from llmoin_desktop.core.documents.ocr_quality import cer  # noqa: E402

EXTENSIONS = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


def page_images(path: Path) -> list:
    """The pages as plain Tesseract would get them: PDF pages rendered at 300 dpi."""
    from PIL import Image

    if path.suffix.lower() == ".pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        return [pdf[i].render(scale=300 / 72).to_pil() for i in range(len(pdf))]
    img = Image.open(path)
    frames = []
    for i in range(getattr(img, "n_frames", 1)):
        img.seek(i)
        frames.append(img.copy())
    return frames


def plain_tesseract(files: list[Path], languages: str) -> tuple[dict[Path, str], float, int]:
    from tesserocr import PyTessBaseAPI

    from llmoin_desktop.core.documents.ocr import tessdata_dir

    api = PyTessBaseAPI(path=str(tessdata_dir()) + os.sep, lang=languages)
    texts: dict[Path, str] = {}
    pages = 0
    started = time.perf_counter()
    for path in files:
        parts = []
        for image in page_images(path):
            api.SetImage(image)
            parts.append(api.GetUTF8Text())
            pages += 1
        texts[path] = "\n".join(parts)
    seconds = time.perf_counter() - started
    api.End()
    return texts, seconds, pages


def worker_cpu(parser) -> float:  # noqa: ANN001
    """CPU seconds (user + system) the parser's worker processes have used so far."""
    import psutil

    total = 0.0
    for worker in parser._all:
        proc = worker.proc
        if proc is not None and proc.poll() is None:
            times = psutil.Process(proc.pid).cpu_times()
            total += times.user + times.system
    return total


def warm_up(parser) -> None:  # noqa: ANN001
    """Start both workers and load their OCR data once, as in a running app."""
    from PIL import Image, ImageDraw

    folder = Path(tempfile.mkdtemp())
    files = []
    for i in range(2):
        img = Image.new("L", (800, 200), 255)
        ImageDraw.Draw(img).text((20, 80), f"Aufwaermen {i} Texterkennung", fill=0)
        img = img.resize((2400, 600))
        path = folder / f"warm{i}.png"
        img.save(path)
        files.append(path)
    parser.parse_many(files)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", type=Path, default=ROOT.parent / "shared/corpus/scans")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    os.environ["LLMOIN_CACHE_DIR"] = tempfile.mkdtemp(prefix="ocr-bench-cache-")
    from llmoin_desktop.cli.read import render
    from llmoin_desktop.core.documents import DocumentParser
    from llmoin_desktop.core.documents.ocr import DEFAULT_LANGUAGES, usable_languages

    truth_dir = args.folder / "truth"
    files = sorted(
        p
        for p in args.folder.iterdir()
        if p.suffix.lower() in EXTENSIONS and (truth_dir / f"{p.name}.txt").is_file()
    )
    if not files:
        print(f"no files with truth/<name>.txt in {args.folder}", file=sys.stderr)
        return 1

    with DocumentParser(workers=args.workers, timeout_s=120) as parser:
        warm_up(parser)
        cpu_before = worker_cpu(parser)
        started = time.perf_counter()
        outcomes = parser.parse_many(files)
        app_seconds = time.perf_counter() - started
        app_cpu = worker_cpu(parser) - cpu_before

    cpu0 = time.process_time()
    plain, plain_seconds, pages = plain_tesseract(files, usable_languages(DEFAULT_LANGUAGES))
    plain_cpu = time.process_time() - cpu0

    cers: list[float] = []
    print(f"{'file':40} {'pages':>5} {'CER app':>8} {'CER plain':>9} {'conf':>5}")
    for path, outcome in zip(files, outcomes, strict=True):
        truth = (truth_dir / f"{path.name}.txt").read_text(encoding="utf-8")
        if outcome.document is None:
            print(f"{path.name:40} rejected: {outcome.message}")
            cers.append(1.0)
            continue
        doc = outcome.document
        assert render(doc)  # the same document `read` prints
        value = cer(doc.text, truth)
        cers.append(value)
        conf = f"{doc.ocr_confidence:.0f}" if doc.ocr_confidence is not None else "-"
        print(
            f"{path.name:40} {doc.n_pages or 1:>5} {value:>8.4f} "
            f"{cer(plain[path], truth):>9.4f} {conf:>5}"
        )
    app_rate = pages / app_seconds * 60
    plain_rate = pages / plain_seconds * 60
    print(
        f"\n{pages} pages: app {app_seconds:.1f} s ({app_rate:.1f} pages/min, {args.workers} "
        f"workers, pages in parallel), plain Tesseract single-threaded {plain_seconds:.1f} s "
        f"({plain_rate:.1f} pages/min); CPUs: {os.cpu_count()}, load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"CPU seconds for the {pages} pages: app {app_cpu:.1f} (both workers), plain "
        f"{plain_cpu:.1f}. On a busy machine the wall-clock ratio says little; the CPU ratio "
        "says what two free cores would give: speed ≈ 2 × plain CPU / app CPU."
    )
    print(
        f"cer_max={max(cers):.4f} cer_mean={sum(cers) / len(cers):.4f} "
        f"pages_per_min={app_rate:.1f} speed_vs_plain={app_rate / plain_rate:.2f} "
        f"cpu_vs_plain={app_cpu / max(plain_cpu, 1e-9):.2f} load={os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
