"""Opening the 100× library with a damaged vector index, and searching while it is repaired.

Usage::

    .venv/bin/python bench/scale_repair.py [--size 100] [--damage corrupt|deleted]
        [--cache DIR] [--seconds 60] [--keep]

Takes the library ``bench/scale.py`` built and cached (``~/.cache/llmoin-bench/scale/
lib-100x``), COPIES it into a temporary folder (the cache is never touched) and damages the
copy's vector index:

- ``corrupt`` (default): pages in the middle of chromadb's ``chroma.sqlite3`` overwritten,
  so the open's integrity check (SQLite's quick_check over the whole file, a fresh client,
  a probe query) has to find it — the dearest verdict;
- ``deleted``: the vector folder deleted (the open sees 0 vectors for 90,000 chunks).

Then, in a fresh process (chromadb keeps per-process state; the embedder is loaded first and
not counted, as in ``scale.py``): ``Library.open`` is timed — it must return at once, the
re-embedding runs as a background job below normal priority — and the dev questions are
searched for ``--seconds`` while the repair runs (hybrid search falls back to the keyword,
§ and title lists). The repair's own pace is measured from its progress; it is then stopped
(it would resume at the next open) and the copy deleted (``--keep`` leaves it).

Timings on the shared 2-core machine depend on the neighbours; the load average is printed.
The last line is ``key=value`` pairs (issue 22).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale import CACHE, QUESTIONS, _p95, _vectors_dir  # noqa: E402

PAGE = 4096


def damage(folder: Path, how: str) -> str:
    vec = folder / _vectors_dir(folder)
    if how == "deleted":
        shutil.rmtree(vec)
        return f"deleted {vec.name}"
    db = vec / "chroma.sqlite3"
    size = db.stat().st_size
    with db.open("r+b") as fh:  # 16 pages of garbage in the middle of the file
        fh.seek((size // 2) // PAGE * PAGE)
        fh.write(b"\x5a" * PAGE * 16)
    return f"corrupted 16 pages of {db.name} ({size / 1e6:.0f} MB)"


def measure(folder: Path, questions: Path, seconds: float, pause: float) -> dict:
    from llmoin_desktop.core.library import Library
    from llmoin_desktop.core.library.embed import default_embedder

    embedder = default_embedder()
    embedder.embed_query("Aufwärmen")  # model load is not the library's open
    import chromadb  # noqa: F401 - a process pays this once (the app at start), not per open

    t0 = time.perf_counter()
    lib = Library.open(folder, embedder=embedder)
    open_s = time.perf_counter() - t0
    state = lib.repair_state()
    started = state.done if state is not None else 0
    t_repair = time.perf_counter()
    kw = lib._keywords()  # noqa: SLF001 - the keyword cache (Tantivy at this size)
    if kw is not None and not kw.ready(lib.store.conn):
        kw.wait()
    qs = [json.loads(x)["question"] for x in questions.read_text("utf-8").splitlines() if x]
    times: list[float] = []
    dense = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end and lib.repair_state() is not None:
        for q in qs:
            if lib.repair_state() is None:  # done: later searches are no longer "during"
                break
            t = time.perf_counter()
            hits = lib.search(q, k=6)
            times.append((time.perf_counter() - t) * 1000)
            dense += sum(1 for h in hits if "dense" in h.sources)
            time.sleep(pause)
    state2 = lib.repair_state()
    done = state2.done if state2 is not None else (state.total if state else 0)
    repair_s = time.perf_counter() - t_repair
    t1 = time.perf_counter()
    lib.close()  # stops the repair between two batches
    return {
        "open_s": round(open_s, 2),
        "repairing": state is not None,
        "notices": lib.notices,
        "chunks": state.total if state is not None else 0,
        "searches": len(times),
        "p50_ms": round(statistics.median(times), 1) if times else 0.0,
        "p95_ms": round(_p95(times), 1),
        "dense_hits": dense,
        "repaired": done - started,
        "repair_chunks_per_s": round((done - started) / max(repair_s, 1e-9), 1),
        "stop_s": round(time.perf_counter() - t1, 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--damage", choices=["corrupt", "deleted"], default="corrupt")
    ap.add_argument("--cache", type=Path, default=CACHE)
    ap.add_argument("--questions", type=Path, default=QUESTIONS)
    ap.add_argument("--seconds", type=float, default=60.0, help="search this long during repair")
    ap.add_argument("--pause", type=float, default=0.2, help="seconds between two searches")
    ap.add_argument("--keep", action="store_true", help="keep the damaged copy")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # child process
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.questions, args.seconds, args.pause)))
        return 0
    source = args.cache / f"lib-{args.size}x"
    if not (source / "built.json").exists():
        print(f"no built library in {source}: run bench/scale.py first", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="llmoin-repair-"))
    try:
        folder = work / source.name
        t0 = time.perf_counter()
        shutil.copytree(source, folder, ignore=shutil.ignore_patterns("library.lock"))
        print(f"copied {source} in {time.perf_counter() - t0:.0f} s", flush=True)
        print(damage(folder, args.damage), flush=True)
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--measure",
                str(folder),
                "--questions",
                str(args.questions),
                "--seconds",
                str(args.seconds),
                "--pause",
                str(args.pause),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            return 1
        m = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    n = args.size
    print(
        f"{n}×, index {args.damage}: open {m['open_s']} s (repair in background: "
        f"{m['repairing']}); {m['searches']} searches during repair p50 {m['p50_ms']} / p95 "
        f"{m['p95_ms']} ms, {m['dense_hits']} hits from vectors; repair "
        f"{m['repair_chunks_per_s']} chunks/s ({m['repaired']} of {m['chunks']}); stop "
        f"{m['stop_s']} s; notices: {m['notices']}",
        flush=True,
    )
    pairs = {
        f"repair_open_s_{n}x": m["open_s"],
        "keyword_p95_ms_during_repair": m["p95_ms"],
        "keyword_p50_ms_during_repair": m["p50_ms"],
        "repair_chunks_per_s": m["repair_chunks_per_s"],
        "repair_eta_min": round(m["chunks"] / max(m["repair_chunks_per_s"], 0.1) / 60, 1),
        "damage": args.damage,
        "load_avg": round(os.getloadavg()[0], 1),
    }
    print(" ".join(f"{k}={v}" for k, v in pairs.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
