"""``llmoin-desktop search``: the library's search without a model, for clerks and scripts.

Prints the passages found — file, page, section, score and the sentence that matches the
question best — in the order "Dokumente fragen" would hand them to the model (the same
``Library.search`` with the same number of passages). ``--json`` prints the same as one JSON
array (scripts). ``--queries FILE`` (one query a line) times every query and ends with
``queries=… p50_ms=… p95_ms=… open_s=…``: a department can measure its own library on its own
PCs without a benchmark script.

Nothing here loads a chat model; the search model (USE, or IT's ``embedding_model``) is
loaded once before the first query and its load time is reported apart from ``open_s``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from llmoin_desktop.core.i18n import _, tr


def register(sub: argparse._SubParsersAction) -> None:
    from llmoin_desktop.cli.library import _library_option
    from llmoin_desktop.core.tasks.library_task import PASSAGES

    p = sub.add_parser(
        "search", help=_("in der Dokumentbibliothek suchen (ohne Sprachmodell, mit Fundstellen)")
    )
    p.add_argument("query", metavar="SUCHE", nargs="?", default="", help=_("Frage oder Suchwörter"))
    p.add_argument(
        "--scope",
        nargs="+",
        metavar="PFAD",
        help=_("nur in diesen Dokumenten oder Ordnern suchen"),
    )
    p.add_argument(
        "--k", type=int, default=PASSAGES, help=_("so viele Fundstellen zeigen (Vorgabe: wie ask)")
    )
    p.add_argument("--json", action="store_true", help=_("Ergebnis als JSON ausgeben"))
    p.add_argument(
        "--queries",
        metavar="DATEI",
        type=Path,
        help=_("eine Suche pro Zeile ausführen und die Zeiten messen"),
    )
    _library_option(p)
    p.set_defaults(func=cmd_search)


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(round(0.95 * len(values))) - 1)] if values else 0.0


def hit_record(rank: int, hit: Any, query: str) -> dict[str, Any]:
    """One passage as the CLI shows it (and as ``--json`` prints it)."""
    from llmoin_desktop.core.library import text as T
    from llmoin_desktop.core.tasks.ask import best_sentence

    terms = set(T.analyze(query))
    return {
        "rank": rank,
        "file": Path(hit.path).name,
        "path": hit.path,
        "title": hit.title,
        "pages": hit.page_label,
        "section": hit.section,
        "score": round(float(hit.score), 5),
        "similarity": None if hit.similarity is None else round(float(hit.similarity), 3),
        "sentence": " ".join(best_sentence(hit.text, terms, question_terms=terms).split()),
        "other_versions": len(getattr(hit, "versions", []) or []),
    }


def _print_hits(records: list[dict[str, Any]]) -> None:
    for r in records:
        where = [r["file"]]
        if r["pages"]:
            where.append(tr("Seite {pages}", pages=r["pages"]))
        if r["section"]:
            where.append(r["section"])
        print(f"{r['rank']}. {', '.join(where)}  ({_('Wert')} {r['score']:.4f})")
        print(f"   {r['path']}")
        print(f"   „{r['sentence']}“")
        if r["other_versions"]:
            print("   " + tr("(+ {n} weitere Fassungen)", n=r["other_versions"]))


def cmd_search(args: argparse.Namespace) -> int:
    from llmoin_desktop.cli.base import EXIT_OK, EXIT_USAGE, eprint, load_store
    from llmoin_desktop.cli.library import _open

    load_store(args)  # policy problems on stderr, IT's data_dir, the UI language
    queries: list[str]
    if args.queries is not None:
        try:
            queries = [q.strip() for q in args.queries.read_text("utf-8").splitlines() if q.strip()]
        except (OSError, UnicodeDecodeError) as exc:
            eprint(
                _("Fehler:"),
                tr(
                    "Die Datei „{path}“ kann nicht gelesen werden: {error}",
                    path=str(args.queries),
                    error=getattr(exc, "strerror", None) or exc,
                ),
            )
            return EXIT_USAGE
    else:
        queries = [args.query.strip()] if args.query.strip() else []
    if not queries:
        eprint(_("Fehler:"), _("Bitte einen Suchtext angeben (oder --queries DATEI)."))
        return EXIT_USAGE
    if args.k < 1:
        eprint(_("Fehler:"), _("--k muss mindestens 1 sein."))
        return EXIT_USAGE
    scope = None
    if args.scope:
        scope = [str(Path(p).expanduser().resolve()) for p in args.scope]
    t0 = time.perf_counter()
    lib = _open(args)
    open_s = time.perf_counter() - t0
    if not lib.store.documents("indexed"):
        eprint(
            _("Hinweis:"),
            _("Die Bibliothek ist leer. `llmoin-desktop index ORDNER` nimmt Dokumente auf."),
        )
    t1 = time.perf_counter()
    if lib.embedder is not None:
        lib.embedder.embed_query("Aufwärmen")  # loads the search model once
    model_s = time.perf_counter() - t1
    if args.queries is None:
        hits = lib.search(queries[0], k=args.k, scope=scope)
        records = [hit_record(i, h, queries[0]) for i, h in enumerate(hits, 1)]
        if args.json:
            print(json.dumps(records, ensure_ascii=False, indent=2))
        elif records:
            _print_hits(records)
        else:
            print(_("Nichts gefunden."))
        return EXIT_OK
    times: list[float] = []
    results = []
    for q in queries:
        t = time.perf_counter()
        hits = lib.search(q, k=args.k, scope=scope)
        ms = (time.perf_counter() - t) * 1000
        times.append(ms)
        if args.json:
            results.append(
                {
                    "query": q,
                    "ms": round(ms, 1),
                    "hits": [hit_record(i, h, q) for i, h in enumerate(hits, 1)],
                }
            )
        else:
            top = f"{Path(hits[0].path).name} {hits[0].section}" if hits else "-"
            print(f"{ms:8.1f} ms  {q}  →  {top}")
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    summary = (
        f"queries={len(times)} p50_ms={statistics.median(times):.1f} p95_ms={_p95(times):.1f}"
        f" open_s={open_s:.2f} model_s={model_s:.2f}"
    )
    (sys.stderr if args.json else sys.stdout).write(summary + "\n")
    return EXIT_OK
