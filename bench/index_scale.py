"""Indexing at 100× the corpus through the app's real path: pages/s, peak RSS, kill -9.

Usage::

    .venv/bin/python bench/index_scale.py [--trials 3] [--seed 22] [--cache DIR] [--full]

``bench/scale.py`` builds its cached 100× library with two shortcuts (in-process parsing, an
embedding memo), so its pages/s are not a clerk's. Here every run is the command a clerk or
IT would type, ``llmoin-desktop index FOLDER --library DIR``, as a subprocess in its own
process group: the sandboxed parser workers, the real embedder (every text embedded), the
library's writer lock and checks at open.

1. ``--versions`` (3) *new* versions of the 14 laws (``Fassung 100`` …: distinct text, made
   like the versions in ``scale.py``, never in the cached libraries; ~850 pages) are indexed
   once into an empty library (the 1× rate) and once into a copy of the cached 100× library (``lib-100x``: 1,400 documents,
   89,853 chunks): ``index_pages_per_s_empty`` / ``index_pages_per_s_at_100x`` are the
   library's own indexing loop (the CLI's summary line: pages / seconds of the job, without
   process start and opening), ``…_wall`` the whole command. Peak RSS is the largest *sum*
   of the resident sets of the command's process group (CLI + parser workers), sampled from
   ``/proc`` every 0.1 s (shared pages counted per process: an upper bound). ``--pairs``
   (2) pairs in ABBA order (empty, 100×, 100×, empty; a fresh copy and a fresh empty
   library each time): the neighbours' load drifts during a run, and a fixed order would
   give its drift to one side; the figures are the means, ``ratios`` per pair.
2. ``--trials`` (5) times: index another new version (``Fassung 200`` …) into the 100×
   copy and ``kill -9`` the whole process group at a seeded random moment (the first trial
   during start and opening, the others after a random number of files plus 0–1 s), run the
   same command again (what a clerk does), and check in a fresh process: every file once
   and ``indexed``, its chunk count equal to what the chunker makes of it, chunks in SQLite
   == vectors in chromadb == the expected total (and the same ids), a search answers, no
   rebuild (no "neu aufgebaut" notice, same vectors folder).

The cache (``~/.cache/llmoin-bench/scale``, see ``scale.py``) is only read: the 100×
library is copied into a temporary folder. ``--full`` indexes the whole 100× corpus
(14 laws + the 99 cached versions, 29,527 pages) into an empty library through the same
command — 25–50 minutes on a 2-core machine, so not part of a normal run.

The last line is ``key=value`` pairs (issue 22).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale import BASE_TIME, CACHE, CORPUS, _markdown, _vary, _vectors_dir  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
SUMMARY = re.compile(r"([\d.]+) s, (\d+) (?:Seiten|pages)")


# Files -----------------------------------------------------------------------------------
def new_variant(dest: Path, i: int) -> Path:
    """Version ``i`` (≥ 100: not in any cached library) of every law as Markdown files."""
    from llmoin_desktop.core.documents import load_document

    folder = dest / f"neu-v{i:03d}"
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(CORPUS.iterdir()):
        doc = load_document(path)
        target = folder / f"{path.stem}_fassung_{i:03d}.md"
        target.write_text(_vary(_markdown(doc), doc.title or path.stem, path.stem, i), "utf-8")
        stamp = BASE_TIME + i * 86400.0
        os.utime(target, (stamp, stamp))
    return folder


def expected_chunks(folder: Path) -> dict[str, int]:
    """What the library's chunker makes of each file (the count a complete index holds)."""
    from llmoin_desktop.core.documents import load_document
    from llmoin_desktop.core.library.chunking import chunk_document

    return {str(p): len(chunk_document(load_document(p))) for p in sorted(folder.rglob("*.md"))}


# Running the CLI --------------------------------------------------------------------------
def _group_rss(sid: int) -> int:
    """Sum of the resident sets (bytes) of every process in session ``sid``."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # fields after ")": state ppid pgrp session … rss is 22nd
            total += int(fields[21]) * PAGE
    return total


class Run:
    """``llmoin-desktop index`` in its own session, its process group's RSS sampled."""

    def __init__(self, work: Path, library: Path, folder: Path) -> None:
        env = {
            **os.environ,
            "LLMOIN_CONFIG_DIR": str(work / "config"),
            "LLMOIN_DATA_DIR": str(work / "data"),
            "LLMOIN_POLICY_DIR": str(work / "policy"),
            "ANONYMIZED_TELEMETRY": "False",
        }
        env.pop("LLMOIN_LIBRARY_DIR", None)
        cmd = [sys.executable, "-m", "llmoin_desktop", "index", str(folder), "--library",
               str(library), "--quiet"]  # fmt: skip
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.peak = 0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _group_rss(self.proc.pid))
            self._stop.wait(0.1)

    def kill9(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def wait(self) -> tuple[int, str, str, float]:
        out, err = self.proc.communicate()
        seconds = time.perf_counter() - self.t0
        self._stop.set()
        self._sampler.join()
        self.kill9()  # parser workers left behind by a kill: end them with their group
        return self.proc.returncode, out, err, seconds


def index_once(work: Path, library: Path, folder: Path) -> dict:
    run = Run(work, library, folder)
    rc, out, err, wall = run.wait()
    if rc != 0 or "Traceback" in err:
        raise SystemExit(f"index failed (exit {rc}):\n{err[-3000:]}\n{out[-1500:]}")
    m = SUMMARY.findall(out)  # none when every file was already indexed ("unverändert")
    seconds, pages = (float(m[-1][0]), int(m[-1][1])) if m else (0.0, 0)
    return {
        "pages": pages,
        "loop_s": seconds,
        "wall_s": round(wall, 1),
        "pages_per_s": round(pages / seconds, 1) if seconds else 0.0,
        "pages_per_s_wall": round(pages / wall, 1),
        "peak_rss_mb": round(run.peak / 2**20),
        "rebuilt": "neu aufgebaut" in err,
        "stderr": err.strip()[-500:],
    }


# Checking (a fresh process, as the next start of the app) -----------------------------------
def verify(library: Path, expected_file: Path) -> dict:
    """Every expected file once and complete; SQLite chunks == chromadb vectors == expected."""
    from llmoin_desktop.core.library import Library
    from llmoin_desktop.core.library.embed import default_embedder

    spec = json.loads(expected_file.read_text("utf-8"))
    expected: dict[str, int] = spec["files"]
    vectors_dir = _vectors_dir(library)
    lib = Library.open(library, embedder=default_embedder())
    try:
        conn = lib.store.conn
        problems: list[str] = []
        rows = {
            path: (status, n, count)
            for path, status, n, count in conn.execute(
                "SELECT d.path, d.status, d.n_chunks,"
                " (SELECT COUNT(*) FROM chunks c WHERE c.doc_id = d.id) FROM documents d"
            )
        }
        dupes = conn.execute(
            "SELECT COUNT(*) FROM (SELECT path FROM documents GROUP BY path HAVING COUNT(*) > 1)"
        ).fetchone()[0]
        if dupes:
            problems.append(f"{dupes} paths more than once")
        for path, n in expected.items():
            status, n_doc, count = rows.get(path, ("absent", 0, 0))
            if status != "indexed" or n_doc != n or count != n:
                problems.append(f"{Path(path).name}: {status} {n_doc}/{count} of {n}")
        total = int(spec["base_chunks"]) + sum(expected.values())
        sqlite_chunks = conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        vectors = lib.vectors.count() if lib.vectors is not None else -1
        vector_ids = lib.vectors.ids() if lib.vectors is not None else set()
        chunk_ids = {r[0] for r in conn.execute("SELECT id FROM chunks")}
        if not (sqlite_chunks == vectors == total):
            problems.append(f"chunks {sqlite_chunks}, vectors {vectors}, expected {total}")
        if vector_ids != chunk_ids:
            problems.append(
                f"ids differ: {len(chunk_ids - vector_ids)} chunks without vector, "
                f"{len(vector_ids - chunk_ids)} vectors without chunk"
            )
        hits = lib.search("Wie viele Urlaubstage stehen mir mindestens zu?", k=5)
        if not hits:
            problems.append("search found nothing")
        rebuilt = any("neu aufgebaut" in n for n in lib.notices) or (
            _vectors_dir(library) != vectors_dir
        )
        if rebuilt:
            problems.append(f"rebuild: {lib.notices}")
        return {
            "ok": not problems,
            "problems": problems[:8],
            "sqlite_chunks": sqlite_chunks,
            "vectors": vectors,
            "expected": total,
            "hits": len(hits),
            "rebuilt": rebuilt,
        }
    finally:
        lib.close()


def verify_child(work: Path, library: Path, expected: dict[str, int], base_chunks: int) -> dict:
    spec = work / "expected.json"
    spec.write_text(json.dumps({"files": expected, "base_chunks": base_chunks}), "utf-8")
    env = {**os.environ, "LLMOIN_CONFIG_DIR": str(work / "config"),
           "LLMOIN_DATA_DIR": str(work / "data"), "LLMOIN_POLICY_DIR": str(work / "policy")}  # fmt: skip
    out = subprocess.run(
        [sys.executable, __file__, "--verify", str(library), "--expected", str(spec)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        return {"ok": False, "problems": [out.stderr.strip()[-1500:]]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def count_chunks(library: Path, folder: Path | None = None) -> int:
    """Chunks in the library (``folder``: indexed files under it instead)."""
    import sqlite3

    con = sqlite3.connect(f"file:{library / 'library.sqlite3'}?mode=ro", uri=True)
    try:
        if folder is None:
            return con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return con.execute(
            "SELECT COUNT(*) FROM documents WHERE status='indexed' AND path LIKE ?",
            (f"{folder}/%",),
        ).fetchone()[0]
    finally:
        con.close()


# Main --------------------------------------------------------------------------------------
def _kill_moment(run: Run, big: Path, folder: Path, target: int, extra: float) -> str:
    """Wait until ``target`` files of ``folder`` are indexed (-1: none, during start and
    opening), then ``extra`` seconds more, then kill -9; where it hit, in words."""
    if target < 0:
        time.sleep(extra)
    else:
        while run.proc.poll() is None and count_chunks(big, folder) < target:
            time.sleep(0.05)
        time.sleep(extra)
    if run.proc.poll() is not None:
        return "after the command had ended"
    done = count_chunks(big, folder)
    run.kill9()
    return f"while running, {done} of 14 files indexed"


def kill_trials(
    work: Path,
    big: Path,
    indexed: dict[str, int],
    base_chunks: int,
    n: int,
    seed: int,
    start_s: float,
) -> dict:
    """Index a new version, kill -9 the process group at a random moment, run it again.

    ``indexed``: the new files already in ``big`` with their chunk counts. The moment is
    seeded and tied to progress, not to a guessed duration (the neighbours' load changes it
    two-fold): the first trial kills during start and opening (``start_s``: the measured
    start-up of the command), the others once a random number of files (0–13) is indexed
    plus a random 0–1 s, i.e. inside parsing, embedding or a file's write."""
    rng = random.Random(seed)
    expected = dict(indexed)
    ok = during = 0
    for t in range(n):
        folder = new_variant(work / "files", 200 + t)
        expected.update(expected_chunks(folder))
        if t == 0:
            target, extra = -1, rng.uniform(0.5, max(start_s, 1.0))
        else:
            target, extra = rng.randint(0, 13), rng.uniform(0.0, 1.0)
        run = Run(work, big, folder)
        where = _kill_moment(run, big, folder, target, extra)
        during += int(where.startswith("while"))
        rc, _out, _err, _wall = run.wait()
        again = index_once(work, big, folder)
        check = verify_child(work, big, expected, base_chunks)
        good = check.get("ok") and not again["rebuilt"]
        ok += int(bool(good))
        print(
            f"kill -9 trial {t + 1}: {where} (exit {rc}); rerun {again['pages']} pages in "
            f"{again['wall_s']} s; check: {'ok' if good else check.get('problems')} (SQLite "
            f"{check.get('sqlite_chunks')}, vectors {check.get('vectors')}, expected "
            f"{check.get('expected')}, search hits {check.get('hits')})",
            flush=True,
        )
    return {"kill9_trials": n, "kill9_while_running": during, "kill9_ok": ok}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=CACHE)
    ap.add_argument("--trials", type=int, default=5, help="kill -9 trials at 100×")
    ap.add_argument("--versions", type=int, default=3, help="new law versions for the rate")
    ap.add_argument("--pairs", type=int, default=2, help="empty/100× pairs, in ABBA order")
    ap.add_argument("--seed", type=int, default=22)
    ap.add_argument("--full", action="store_true", help="index all 29,527 pages (25–50 min)")
    ap.add_argument("--full-only", action="store_true", help="with --full: nothing else")
    ap.add_argument("--verify", type=Path, help=argparse.SUPPRESS)  # child process
    ap.add_argument("--expected", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.verify:
        print(json.dumps(verify(args.verify, args.expected)))
        return 0
    cached = args.cache / "lib-100x"
    if not (cached / "built.json").exists():
        print(f"no cached 100× library in {cached}: run bench/scale.py first", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="llmoin-index-scale-"))
    for sub in ("config", "data", "policy"):
        (work / sub).mkdir()
    try:
        figures: dict[str, object] = {}
        if args.full:
            folders = sorted(p for p in (args.cache / "variants").iterdir() if p.is_dir())
            full = work / "full"
            full.mkdir()
            for f in [CORPUS, *folders]:  # copies: the indexer does not follow links out
                shutil.copytree(f, full / f.name)  # of an added folder (issue 18)
            r = index_once(work, work / "lib-full", full)
            print(f"full 100× build: {r}", flush=True)
            figures.update(
                full_pages=r["pages"], full_pages_per_s=r["pages_per_s"],
                full_peak_rss_mb=r["peak_rss_mb"],
            )  # fmt: skip
            if args.full_only:
                figures["load_avg"] = round(os.getloadavg()[0], 1)
                print(" ".join(f"{k}={v}" for k, v in figures.items()))
                return 0
        folder = work / "files" / "rate"
        for i in range(100, 100 + args.versions):
            new_variant(folder, i)
        indexed = expected_chunks(folder)
        empties: list[dict] = []
        bigs: list[dict] = []
        big = work / "lib-100x"
        for p in range(args.pairs):  # ABBA…: the neighbours' load drifts; both orders count
            for kind in ("empty", "100x") if p % 2 == 0 else ("100x", "empty"):
                if kind == "empty":
                    r = index_once(work, work / f"lib-empty-{p}", folder)
                    empties.append(r)
                else:
                    shutil.rmtree(big, ignore_errors=True)
                    t0 = time.perf_counter()
                    shutil.copytree(cached, big, ignore=shutil.ignore_patterns("library.lock"))
                    copy_s = time.perf_counter() - t0
                    r = index_once(work, big, folder)
                    r["copy_s"] = round(copy_s, 1)
                    bigs.append(r)
                r.pop("stderr", None)
                print(
                    f"pair {p + 1}, into {'an empty library' if kind == 'empty' else 'the 100× copy'}: {r}",
                    flush=True,
                )
        base_chunks = count_chunks(big) - sum(indexed.values())

        def mean(runs: list[dict], key: str) -> float:
            return round(sum(r[key] for r in runs) / len(runs), 1)

        figures.update(
            index_pages=empties[0]["pages"],
            index_pages_per_s_empty=mean(empties, "pages_per_s"),
            index_pages_per_s_at_100x=mean(bigs, "pages_per_s"),
            ratio=round(mean(bigs, "pages_per_s") / max(mean(empties, "pages_per_s"), 0.01), 2),
            ratios=",".join(
                f"{b['pages_per_s'] / max(e['pages_per_s'], 0.01):.2f}"
                for e, b in zip(empties, bigs, strict=True)
            ),
            index_pages_per_s_wall_empty=mean(empties, "pages_per_s_wall"),
            index_pages_per_s_wall_at_100x=mean(bigs, "pages_per_s_wall"),
            peak_rss_mb_empty=max(r["peak_rss_mb"] for r in empties),
            peak_rss_mb_at_100x=max(r["peak_rss_mb"] for r in bigs),
            rebuilds=sum(int(r["rebuilt"]) for r in empties + bigs),
        )
        at_big = bigs[-1]
        if args.trials:
            start_s = at_big["wall_s"] - at_big["loop_s"]  # process start, embedder, opening
            figures.update(
                kill_trials(work, big, indexed, base_chunks, args.trials, args.seed, start_s)
            )
        figures["load_avg"] = round(os.getloadavg()[0], 1)
        print(" ".join(f"{k}={v}" for k, v in figures.items()))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
