"""A department's library at 1×, 10× and 100× the law corpus: index, open, search, recall.

Usage::

    .venv/bin/python bench/scale.py [--sizes 1,10,100] [--cache DIR] [--questions FILE]

Builds one library per size from ``../shared/corpus/gesetze`` with the app's own code
(``Library.add`` + ``index_pending``: sandboxed parsing, chunking, FTS5, USE vectors). Copy 0
of each law is the original file; copies 1…N-1 are *distinct* documents written as Markdown
from the parsed text, each one a "version" of the law as departments keep them: a version
line, about a tenth of the paragraphs with changed numbers, some paragraphs dropped, an
added transitional sentence here and there, and a newer file date per version. So 100×
holds 1,400 documents, most of whose sections exist in many near-identical versions.

Libraries and variant files are cached in ``~/.cache/llmoin-bench/scale`` (``--cache``):
a rerun only measures. A build that was killed resumes where it stopped (the library's
pending files). Each measurement runs in a fresh process (chromadb keeps per-process state),
so ``open`` is what a clerk's start costs: the embedder is loaded first and not counted.

``index_pages_per_s_*`` and ``peak_rss_mb_*`` are those of the cached build (in-process
parsing, an embedding memo across versions: a bench shortcut, measured when the cache was
made). The real path's figures — the ``llmoin-desktop index`` command with its parser
workers and every text embedded, into an empty and into the 100× library, the whole 100×
corpus, kill -9 — come from ``bench/index_scale.py`` (docs/retrieval.md).

Timings on the shared 2-core machine depend on the neighbours; the load average is printed.
The last line is ``key=value`` pairs (issue 22).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CORPUS = ROOT.parent / "shared" / "corpus" / "gesetze"
QUESTIONS = ROOT.parent / "shared" / "eval" / "retrieval-dev.jsonl"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "llmoin-bench" / "scale"
BASE_TIME = 1_500_000_000.0  # variant i gets this + i days as its file date (newer = higher i)


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(round(0.95 * len(values))) - 1)] if values else 0.0


# Building --------------------------------------------------------------------------------
def _markdown(doc: object) -> str:
    lines: list[str] = []
    for b in doc.blocks:  # type: ignore[attr-defined]
        if not b.text.strip():
            continue
        if b.kind == "heading":
            lines.append("#" * max(1, min(6, b.level or 2)) + " " + b.text.strip())
        else:
            lines.append(b.text.strip())
    return "\n\n".join(lines)


def _vary(md: str, title: str, law: str, i: int) -> str:
    """Version ``i`` of a law: distinct text, mostly the same sections (as real versions)."""
    rng = random.Random(f"{law}-{i}")
    year = 1995 + i % 30
    out = [f"# {title}", f"Fassung {i}, Stand {i % 28 + 1}.{i % 12 + 1}.{year}"]
    for para in md.split("\n\n"):
        if para.startswith("#") or para.lstrip().startswith("§"):
            out.append(para)
            continue
        r = rng.random()
        if r < 0.04:
            continue  # dropped in this version
        if r < 0.14:
            para = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), para)
        elif r < 0.20:
            para += f" Diese Regelung gilt ab dem 1. {rng.randint(1, 12)}. {year}."
        out.append(para)
    return "\n\n".join(out)


def variants(cache: Path, copies: int) -> list[Path]:
    """Folders v001 … v{copies-1}, each with one Markdown version of every law."""
    from llmoin_desktop.core.documents import load_document

    base = cache / "variants"
    folders = [base / f"v{i:03d}" for i in range(1, copies)]
    todo = [f for f in folders if not (f / ".done").exists()]
    if not todo:
        return folders
    sources = []
    for path in sorted(CORPUS.iterdir()):
        doc = load_document(path)
        sources.append((path.stem, doc.title or path.stem, _markdown(doc)))
    for folder in todo:
        i = int(folder.name[1:])
        folder.mkdir(parents=True, exist_ok=True)
        for law, title, md in sources:
            target = folder / f"{law}_fassung_{i:03d}.md"
            target.write_text(_vary(md, title, law, i), encoding="utf-8")
            stamp = BASE_TIME + i * 86400.0
            os.utime(target, (stamp, stamp))
        (folder / ".done").write_text("ok")
    return folders


class MemoEmbedder:
    """The default embedder with a memo of the texts it has embedded (the bench only).

    Versions of a law share most of their sections word for word, so most texts to embed
    are exact repeats; the embedder is deterministic, so the memo returns the very vector it
    would compute. It makes a 100× build affordable on a shared 2-core machine; the pages/s
    it gives at 100× therefore exceed a real first indexing (see docs/retrieval.md)."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.name = inner.name  # type: ignore[attr-defined]
        self.dim = inner.dim  # type: ignore[attr-defined]
        self.cosines = getattr(inner, "cosines", None)
        self.memo: dict[str, object] = {}
        self.computed = 0

    def embed_documents(self, texts: list[str]) -> object:
        import numpy as np

        todo = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if todo:
            self.computed += len(todo)
            for t, v in zip(todo, self.inner.embed_documents(todo), strict=True):  # type: ignore[attr-defined]
                self.memo[t] = v
        return np.stack([self.memo[t] for t in texts])

    def embed_query(self, text: str) -> object:
        return self.inner.embed_query(text)  # type: ignore[attr-defined]


class InProcessParser:
    """Parses in this process instead of the sandboxed worker pool (the bench only).

    The files are the shared corpus and Markdown this script wrote: trusted. The sandbox
    starts a worker per file, which on a shared, niced 2-core machine is most of a 100×
    build; in-process, every size pays only the library's own work (chunking, FTS5,
    vectors). ``--sandbox`` uses the app's parser instead."""

    def iter_parse(self, paths, *, cancel=None, on_progress=None, **_kw):  # noqa: ANN001, ANN201
        from llmoin_desktop.core.documents import load_document
        from llmoin_desktop.core.documents.sandbox import ParseOutcome
        from llmoin_desktop.core.errors import LLMoinError

        for path in paths:
            t = time.perf_counter()
            try:
                doc, err = load_document(path), None
            except LLMoinError as exc:
                doc, err = None, exc
            yield ParseOutcome(str(path), doc, err, time.perf_counter() - t)


SANDBOX = False


def build(cache: Path, size: int) -> dict:
    """Index the size's library (resumes a killed build); figures of the (last) build."""
    from llmoin_desktop.core.library import Library
    from llmoin_desktop.core.library.embed import default_embedder

    folder = cache / f"lib-{size}x"
    done = folder / "built.json"
    if done.exists():
        return json.loads(done.read_text())
    roots = [CORPUS, *variants(cache, size)]
    embedder = MemoEmbedder(default_embedder())
    embedder.embed_query("Aufwärmen")
    t0 = time.perf_counter()
    parser = None if SANDBOX else InProcessParser()
    with Library.open(folder, embedder=embedder, parser=parser) as lib:
        lib.add(roots)
        report = lib.index_pending()
        chunks = len(lib.store.chunk_ids())
        docs = len(lib.documents())
        complete = not report.cancelled and not lib.pending()
    seconds = time.perf_counter() - t0
    figures = {
        "size": size,
        "documents": docs,
        "chunks": chunks,
        "pages": report.pages,
        "index_s": round(seconds, 1),
        "pages_per_s": round(report.pages / seconds, 1) if seconds else 0.0,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "disk_mb": round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6),
        "load_avg": round(os.getloadavg()[0], 1),
        "embedded": embedder.computed,
    }
    if complete:
        done.write_text(json.dumps(figures))
    return figures


# Measuring (in a fresh process) ----------------------------------------------------------
def warm_keywords(lib: object) -> object | None:
    """Build (or load) the keyword cache before timing, as the app does once per library;
    None when the library is small enough for FTS5 alone."""
    from llmoin_desktop.core.library import search as S

    kw = lib._keywords()  # type: ignore[attr-defined]  # noqa: SLF001 - built once per library
    if lib._chunks() < S.KEYWORD_INDEX_FROM:  # type: ignore[attr-defined]  # noqa: SLF001
        return None
    if kw is not None and not kw.ready(lib.store.conn):  # type: ignore[attr-defined]
        kw.wait()
    return kw


def dev_questions(lib: object, qs: list[dict], k: int) -> dict:
    """The dev questions through ``lib.search`` as ``ask`` uses it: time per query and the
    rank of the first hit holding half the quote (recall@k, MRR)."""
    from retrieval import holds_half

    lib.search("Aufwärmen der Suche")  # type: ignore[attr-defined]
    times: list[float] = []
    ranks: list[int | None] = []
    for q in qs:
        t = time.perf_counter()
        hits = lib.search(q["question"], k=10)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - t) * 1000)
        ranks.append(
            next((i for i, h in enumerate(hits, 1) if holds_half(h.text, q["quote"])), None)
        )
    n = len(qs) or 1
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(_p95(times), 1),
        "recall5": round(sum(1 for r in ranks if r is not None and r <= k) / n, 3),
        "mrr": round(sum(1 / r for r in ranks if r is not None) / n, 3),
    }


def measure(folder: Path, questions: Path, k: int) -> dict:
    from llmoin_desktop.core.library import Library
    from llmoin_desktop.core.library.embed import default_embedder

    embedder = default_embedder()
    embedder.embed_query("Aufwärmen")  # model load is not the library's open
    vectors_dir_before = _vectors_dir(folder)
    t0 = time.perf_counter()
    import chromadb  # noqa: F401 - a process pays this once (the app at start), not per open

    import_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    lib = Library.open(folder, embedder=embedder)
    open_s = time.perf_counter() - t0
    rebuilds = int(lib.repair_state() is not None)  # a re-embedding was needed (background)
    rebuilds += int(vectors_dir_before != _vectors_dir(folder))
    qs = [json.loads(x) for x in questions.read_text("utf-8").splitlines() if x.strip()]
    t1 = time.perf_counter()
    kw = warm_keywords(lib)
    keyword_build_s = time.perf_counter() - t1
    figures = dev_questions(lib, qs, k)
    lib.close()
    return {
        "open_s": round(open_s, 2),
        "chromadb_import_s": round(import_s, 2),
        "keyword_build_s": round(keyword_build_s, 2),
        "keywords": "tantivy" if kw is not None else "fts5",
        **figures,
        "rebuilds": rebuilds,
        "notices": lib.notices,
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _vectors_dir(folder: Path) -> str:
    import sqlite3

    try:
        con = sqlite3.connect(f"file:{folder / 'library.sqlite3'}?mode=ro", uri=True)
        row = con.execute("SELECT value FROM meta WHERE key='vectors_dir'").fetchone()
        con.close()
        return row[0] if row else "vectors"
    except sqlite3.Error:
        return ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,10,100")
    ap.add_argument("--cache", type=Path, default=CACHE)
    ap.add_argument("--questions", type=Path, default=QUESTIONS)
    ap.add_argument("-k", type=int, default=5)
    ap.add_argument("--build-only", action="store_true", help="build (or resume), no measuring")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # child process
    ap.add_argument("--sandbox", action="store_true", help="parse in the app's worker pool")
    ap.add_argument("--forget", action="store_true", help="delete the cached libraries first")
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.questions, args.k)))
        return 0
    global SANDBOX
    SANDBOX = args.sandbox
    if args.forget:
        shutil.rmtree(args.cache, ignore_errors=True)
    args.cache.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    built: dict[int, dict] = {}
    for size in sizes:
        built[size] = build(args.cache, size)
        b = built[size]
        print(
            f"{size}×: {b['documents']} documents, {b['pages']} pages, {b['chunks']} chunks; "
            f"indexed in {b['index_s']} s ({b['pages_per_s']} pages/s), peak RSS "
            f"{b['peak_rss_mb']} MB, {b['disk_mb']} MB on disk (load {b['load_avg']})",
            flush=True,
        )
    if args.build_only:
        return 0
    measured: dict[int, dict] = {}
    for size in sizes:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--measure",
                str(args.cache / f"lib-{size}x"),
                "--questions",
                str(args.questions),
                "-k",
                str(args.k),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            return 1
        m = measured[size] = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{size}×: open {m['open_s']} s, search p50 {m['p50_ms']} / p95 {m['p95_ms']} ms, "
            f"recall@{args.k} {m['recall5']}, MRR {m['mrr']}, rebuilds {m['rebuilds']}, "
            f"RSS {m['rss_mb']} MB; notices: {m['notices'] or '-'}",
            flush=True,
        )
    big, small = max(sizes), min(sizes)
    pairs = {
        f"chunks_{big}x": built[big]["chunks"],
        f"index_pages_per_s_{big}x": built[big]["pages_per_s"],
        f"peak_rss_mb_{big}x": built[big]["peak_rss_mb"],
        f"open_s_{big}x": measured[big]["open_s"],
        **{f"search_p95_ms_{s}x": measured[s]["p95_ms"] for s in sizes},
        f"growth_p95_{big}x_vs_{small}x": round(
            measured[big]["p95_ms"] / max(measured[small]["p95_ms"], 0.1), 2
        ),
        **{f"recall5_{s}x": measured[s]["recall5"] for s in sizes},
        "rebuilds": sum(m["rebuilds"] for m in measured.values()),
        "load_avg": round(os.getloadavg()[0], 1),
    }
    print(" ".join(f"{k}={v}" for k, v in pairs.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
