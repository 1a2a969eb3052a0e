"""A 1,500-page text PDF (corpus laws repeated, built with pypdf) through the sandboxed parser.

    .venv/bin/python bench/bigpdf.py [--pages 1500]

Shows that a legitimate large file is read completely (no fixed per-file time limit: the
worker's stall timeout restarts with every page) and how fast: index time and pages/s.
Last line: ``pages=… seconds=… pages_per_s=… stall_timeout_s=…``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent / "shared" / "corpus" / "gesetze"


def build_big_pdf(path: Path, pages: int, corpus: Path = CORPUS) -> Path:
    """Laws from the corpus, repeated until ``pages`` pages (each page a fresh copy)."""
    from pypdf import PdfReader, PdfWriter

    sources = [PdfReader(p) for p in sorted(corpus.glob("*.pdf"))]
    writer = PdfWriter()
    n = 0
    while n < pages:
        for reader in sources:
            for page in reader.pages:
                if n >= pages:
                    break
                writer.add_page(page)
                n += 1
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=1500)
    ap.add_argument("--stall-timeout", type=float, default=30.0)
    args = ap.parse_args()
    from llmoin_desktop.core.documents import DocumentParser

    folder = Path(tempfile.mkdtemp(prefix="bigpdf-"))
    t0 = time.perf_counter()
    path = build_big_pdf(folder / "sammlung.pdf", args.pages)
    print(
        f"built {args.pages} pages ({path.stat().st_size / 1e6:.1f} MB) in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    last = [""]

    def progress(step: int, total: int, text: str) -> None:
        last[0] = text
        if step % 300 == 0:
            print(f"  {text}  ({time.perf_counter() - started:.1f} s)", flush=True)

    with DocumentParser(workers=1, timeout_s=args.stall_timeout) as parser:
        started = time.perf_counter()
        doc = parser.parse(path, on_progress=progress)
        seconds = time.perf_counter() - started
    pages_with_text = len({b.page for b in doc.blocks})
    print(
        f"{doc.n_pages} pages, {pages_with_text} with text, {len(doc.text) / 1e6:.1f} M "
        f"characters in {seconds:.1f} s; last progress: {last[0]!r}"
    )
    print(
        f"pages={doc.n_pages} seconds={seconds:.1f} pages_per_s={doc.n_pages / seconds:.1f} "
        f"stall_timeout_s={args.stall_timeout:g}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
