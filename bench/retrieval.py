"""Retrieval quality and speed of the document library on a question set.

Usage::

    .venv/bin/python bench/retrieval.py QUESTIONS.jsonl [--corpus DIR] [-k 5] [--no-vectors]

Indexes DIR (default ../shared/corpus/gesetze) into a fresh temporary library, then asks
every question. Each JSONL line needs ``question`` and ``quote`` (other fields are ignored;
``id`` is printed for misses).

Hit definition: a result chunk is a hit when, after whitespace normalisation (all runs of
whitespace → one space, case kept; soft line-break hyphens are not touched), it contains
at least half of the quote — i.e. some contiguous run of quote words whose length is at
least half of the quote's words appears verbatim in the chunk. recall@k = share of
questions with a hit among the first k results; MRR = mean of 1/rank of the first hit
within the first 10 results (0 if none). Latency is wall time of ``Library.search`` per
question (query embedding included), after one warm-up query; its CPU time (all threads of
this process) is printed as well. "Pages" are PDF pages; other
formats count 3,000 characters as a page. The machine's load average is printed too: on a
shared machine wall times say more about the neighbours than about us.

The last line is machine-readable key=value pairs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from llmoin_desktop.core.library import Library  # noqa: E402
from llmoin_desktop.core.library.embed import LlamaCppEmbedder, default_embedder  # noqa: E402

MRR_DEPTH = 10


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def holds_half(chunk: str, quote: str) -> bool:
    """Does the chunk contain a contiguous run of at least half of the quote's words?"""
    chunk_n = normalize(chunk)
    words = normalize(quote).split(" ")
    need = max(1, (len(words) + 1) // 2)
    return any(" ".join(words[i : i + need]) in chunk_n for i in range(0, len(words) - need + 1))


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(round(0.95 * len(values))) - 1)] if values else 0.0


def search_terms_source(model: Path | None) -> Callable[[str], str] | None:
    """question → the model's search terms, exactly as the ask task asks for them."""
    if model is None:
        return None
    from llmoin_desktop.core.engine.local import LocalBackend
    from llmoin_desktop.core.jobs import CancelToken
    from llmoin_desktop.core.settings.config import SettingsStore
    from llmoin_desktop.core.tasks.catalog import load_catalog
    from llmoin_desktop.core.tasks.library_task import search_message_for
    from llmoin_desktop.core.tasks.render import render_system
    from llmoin_desktop.core.tasks.search_terms import model_search_terms

    store = SettingsStore()
    backend = LocalBackend(store)
    backend.load(model)
    spec = load_catalog(store.settings).get("dokumente_fragen")

    system = render_system(spec, spec.defaults())  # as the task sends it (KV cache prefix)

    def terms(question: str) -> str:
        message = search_message_for(spec, {"frage": question})
        return model_search_terms(backend, message, CancelToken(), system)

    return terms


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("questions", type=Path)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "gesetze")
    ap.add_argument("-k", type=int, default=5)
    ap.add_argument("--no-vectors", action="store_true", help="keyword search only")
    ap.add_argument("--verbose", "-v", action="store_true", help="print every miss")
    ap.add_argument(
        "--embedding-model",
        type=Path,
        default=None,
        help="a GGUF embedding model (as IT puts into the models folder) instead of the default",
    )
    ap.add_argument(
        "--search-terms-model",
        type=Path,
        default=None,
        help="a chat GGUF: ask it for search terms first, as 'Dokumente fragen' does "
        "(core/tasks/search_terms.py, the task file's prompt), and search for both",
    )
    args = ap.parse_args(argv)

    questions = [
        json.loads(line) for line in args.questions.read_text("utf-8").splitlines() if line.strip()
    ]
    if not args.corpus.is_dir():
        print(f"corpus folder not found: {args.corpus}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="llmoin-bench-") as tmp:
        t0 = time.perf_counter()
        if args.no_vectors:
            embedder = None
        elif args.embedding_model is not None:
            embedder = LlamaCppEmbedder(args.embedding_model)
        else:
            embedder = default_embedder()
        if embedder is not None:
            embedder.embed_query("Aufwärmen")  # model load is a one-off, not indexing time
        t_load = time.perf_counter() - t0
        lib = Library.open(Path(tmp) / "lib", embedder=embedder)
        t1, c1 = time.perf_counter(), time.process_time()
        lib.add([args.corpus])
        report = lib.index_pending()
        index_s = time.perf_counter() - t1
        index_cpu_s = time.process_time() - c1
        n_chunks = sum(d.n_chunks for d in lib.documents())
        print(f"embedder: {embedder.name if embedder else 'none'} (load {t_load:.1f} s)")
        print(
            f"indexed {report.count('indexed')} files, rejected {report.count('rejected')}, "
            f"{report.pages} pages, {n_chunks} chunks in {index_s:.1f} s"
        )

        terms_for = search_terms_source(args.search_terms_model)
        lib.search("Warm-up Anfrage")
        ranks: list[int | None] = []
        terms_s: list[float] = []
        latencies: list[float] = []
        cpu: list[float] = []
        for q in questions:
            terms = ""
            if terms_for is not None:
                t = time.perf_counter()
                terms = terms_for(q["question"])
                terms_s.append(time.perf_counter() - t)
                if args.verbose:
                    print(f"  terms {q.get('id', '?')}: {terms}")
            t, c = time.perf_counter(), time.process_time()
            hits = lib.search(q["question"], k=max(args.k, MRR_DEPTH), also=terms)
            latencies.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            rank = next((i for i, h in enumerate(hits, 1) if holds_half(h.text, q["quote"])), None)
            ranks.append(rank)
            if args.verbose and (rank is None or rank > args.k):
                top = hits[0] if hits else None
                print(
                    f"  miss {q.get('id', '?')} rank={rank} want {q.get('law')} {q.get('sections')}"
                    f" got {Path(top.path).stem if top else '-'} {top.section[:40] if top else ''}"
                )
        lib.close()

    n = len(questions) or 1
    r1 = sum(1 for r in ranks if r == 1) / n
    rk = sum(1 for r in ranks if r is not None and r <= args.k) / n
    mrr = sum(1 / r for r in ranks if r is not None) / n
    p50 = statistics.median(latencies) if latencies else 0.0
    p95 = _p95(latencies)
    cpu_p95 = _p95(cpu)
    pages_per_s = report.pages / index_s if index_s else 0.0
    print(f"questions: {len(questions)}")
    print(f"recall@1:  {r1:.3f}")
    print(f"recall@{args.k}:  {rk:.3f}")
    print(f"MRR@{MRR_DEPTH}:    {mrr:.3f}")
    print(
        f"indexing:  {index_s:.1f} s wall ({pages_per_s:.1f} pages/s), {index_cpu_s:.1f} s CPU"
        " in this process (parsing runs in worker processes and is not included)"
    )
    print(f"search:    p50 {p50:.0f} ms, p95 {p95:.0f} ms wall; p95 {cpu_p95:.0f} ms CPU")
    terms_p50 = statistics.median(terms_s) if terms_s else 0.0
    if terms_s:
        print(f"terms:     {args.search_terms_model.name}, p50 {terms_p50:.1f} s per question")
    print(
        f"recall_at_1={r1:.3f} recall_at_{args.k}={rk:.3f} mrr={mrr:.3f} index_s={index_s:.1f}"
        f" pages_per_s={pages_per_s:.1f} search_p50_ms={p50:.0f} search_p95_ms={p95:.0f}"
        f" index_cpu_s={index_cpu_s:.1f} search_cpu_p95_ms={cpu_p95:.0f}"
        f" load_avg={os.getloadavg()[0]:.1f}"
        + (f" search_terms_p50_s={terms_p50:.2f}" if terms_s else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
