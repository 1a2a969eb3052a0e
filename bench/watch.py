"""Watched folder: seconds from a file saved in a watched folder to "indexed".

A real library (default embedder, as in the app), the real OS watcher (watchdog) with the
app's debounce, the real sandboxed parser. Each trial saves a new one-page PDF (a page of a
law from ../shared/corpus/gesetze, written with pypdf) into the watched folder and polls the
library until the file is indexed. Goal (issue 11): ≤ 10 s for a one-page document on 2 cores.

    .venv/bin/python bench/watch.py [--trials 5] [--source PDF]

Last line: key=value pairs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from llmoin_desktop.core.library import Library  # noqa: E402
from llmoin_desktop.core.library import watch as W  # noqa: E402

DEFAULT_SOURCE = ROOT.parent / "shared" / "corpus" / "gesetze" / "bmg.pdf"


def one_page_pdf(source: Path, page: int, target: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.add_page(PdfReader(str(source)).pages[page])
    tmp = target.with_suffix(".part")
    with tmp.open("wb") as fh:
        writer.write(fh)
    os.replace(tmp, target)  # how most programs save: write elsewhere, rename into place


def indexed(lib: Library, path: Path) -> bool:
    with lib._lock:
        rec = lib.store.document(os.path.realpath(path))
    return rec is not None and rec.status == "indexed"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    if not args.source.is_file():
        print(f"source PDF not found: {args.source}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="llmoin-watch-bench-") as tmp:
        base = Path(tmp)
        folder = base / "ablage"
        folder.mkdir()
        one_page_pdf(args.source, 0, folder / "start.pdf")
        t0 = time.perf_counter()
        lib = Library.open(base / "lib")
        lib.index_job([folder]).run()  # warms the parser worker and the embedder, as in the app
        W.add_folders(lib.folder, [folder])
        print(
            f"library ready (embedder {getattr(lib.embedder, 'name', None)}): "
            f"{time.perf_counter() - t0:.1f} s"
        )
        watcher = W.FolderWatcher(lib)
        watcher.start(scan=False)
        times: list[float] = []
        try:
            for trial in range(args.trials):
                target = folder / f"neu-{trial + 1}.pdf"
                start = time.perf_counter()
                one_page_pdf(args.source, trial + 1, target)
                while not indexed(lib, target):
                    if time.perf_counter() - start > args.timeout:
                        print(f"trial {trial + 1}: not indexed after {args.timeout:.0f} s")
                        break
                    time.sleep(0.05)
                else:
                    took = time.perf_counter() - start
                    times.append(took)
                    print(f"trial {trial + 1}: {target.name} indexed after {took:.2f} s")
                time.sleep(0.5)
        finally:
            watcher.stop()
            lib.close()
    if not times:
        print("watch_trials=0")
        return 1
    print(
        f"watch_to_indexed_s_median={statistics.median(times):.2f} "
        f"watch_to_indexed_s_max={max(times):.2f} watch_debounce_s={W.DEBOUNCE_S} "
        f"watch_trials={len(times)} goal_s=10"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
