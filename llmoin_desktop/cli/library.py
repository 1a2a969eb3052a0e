"""The document library on the command line: ``index``, ``library``, ``ask``.

``--library DIR`` (or the environment variable ``LLMOIN_LIBRARY_DIR``) selects a library
folder other than the user's. Progress goes to stderr, results to stdout; Ctrl+C stops.

Shared library: with the ``library_server`` setting (or ``--library-server URL``) the folder
is the local mirror of the department's collection on a Chroma server. Every command syncs
the mirror when it opens the library (so ``library`` lists what the whole department has):
the sync runs as the app's background job, and the CLI waits for it (a script expects
complete results; a first pull shows "n von m Abschnitten" on stderr, an unchanged server
costs two small requests);
``index`` pushes to the server, ``library --remove`` removes there. When the server is down,
``library`` and ``ask`` still work on the mirror (with a notice); ``index`` and ``--remove``
fail with exit code 1 and change nothing.

Exit codes of ``index``: 0 every file indexed (or unchanged), 3 the run finished but some
files were rejected (password, no text layer, damaged …: the table says which and why),
1 the library could not be opened, 2 a path does not exist, 130 cancelled. A rejected file is
an expected outcome for a clerk's folder, so it gets its own code: scripts can tell "some
files need attention" from "the command failed".
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import JobState, run_interruptible

EXIT_REJECTED = 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("index", help=_("Dateien und Ordner in die Dokumentbibliothek aufnehmen"))
    p.add_argument("paths", nargs="+", metavar="PFAD", help=_("Dateien oder Ordner"))
    _library_option(p)
    p.add_argument("--quiet", action="store_true", help=_("keinen Fortschritt anzeigen"))
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("library", help=_("Dokumente der Bibliothek und ihren Status anzeigen"))
    _library_option(p)
    p.add_argument("--rescan", action="store_true", help=_("geänderte Dateien neu einlesen"))
    p.add_argument(
        "--remove", metavar="PFAD", action="append", default=[], help=_("Dokument entfernen")
    )
    p.set_defaults(func=cmd_library)

    p = sub.add_parser("ask", help=_("eine Frage an die Dokumente stellen (mit Quellenangaben)"))
    p.add_argument("question", metavar="FRAGE", help=_("die Frage"))
    p.add_argument(
        "--scope",
        nargs="+",
        metavar="PFAD",
        help=_("nur in diesen Dokumenten oder Ordnern suchen"),
    )
    _library_option(p)
    p.add_argument("--model", help=_("Modellname oder Pfad zu einer GGUF-Datei"))
    p.add_argument("--max-tokens", type=int, default=0, help=_("höchstens so viele Token erzeugen"))
    p.add_argument("--no-history", action="store_true", help=_("nicht im Verlauf speichern"))
    p.add_argument("--quiet", action="store_true", help=_("keinen Fortschritt anzeigen"))
    from llmoin_desktop.cli.tasks import add_check_option

    add_check_option(p)
    p.set_defaults(func=cmd_ask)


def _library_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--library",
        metavar="ORDNER",
        help=_("Bibliotheksordner (Vorgabe: LLMOIN_LIBRARY_DIR oder der eigene Datenordner)"),
    )
    p.add_argument(
        "--library-server",
        metavar="URL",
        help=_(
            "gemeinsame Bibliothek auf diesem Chroma-Server (Vorgabe: Einstellung "
            "library_server; ein Server außerhalb dieses Rechners nur per Richtlinie)"
        ),
    )


def _open(args: argparse.Namespace) -> Any:
    """The shared library for --library; the env var makes the task runner use the same one."""
    from llmoin_desktop.cli.base import eprint
    from llmoin_desktop.core.tasks.library_task import library_key, open_library, server_options

    if args.library:
        os.environ["LLMOIN_LIBRARY_DIR"] = str(library_key(args.library))
    server = getattr(args, "library_server", None)
    options = server_options(server) if server else {}
    lib = open_library(**options, background_sync=True)
    # A write that has to wait for another process says so once, then waits (Ctrl+C stops).
    lib.on_wait = lambda text: eprint(_("Hinweis:"), text)
    if lib.server_label:
        eprint(tr("Gemeinsame Bibliothek: {server}", server=lib.server_label))
        _wait_for_sync(lib, eprint)
    for notice in lib.notices:
        eprint(_("Hinweis:"), notice)
    return lib


def _wait_for_sync(lib: Any, eprint: Any) -> None:
    """A script expects complete results: the CLI waits for the shared library's sync (the
    routine check costs two small requests; a first pull shows its progress on stderr)."""
    shown = [""]

    def show(text: str) -> None:
        if text and text != shown[0] and lib.syncing:
            shown[0] = text
            eprint(text)

    job = lib.sync_job
    if job is not None:
        job.on_progress(lambda p: show(p.text))  # every page, from the job's thread
        show(lib.sync_notice)  # a line sent before we listened
    while not lib.wait_sync(0.5):  # in steps: Ctrl+C stops (the pull resumes next time)
        pass


STATUS_LABELS = {
    "indexed": _("eingelesen"),
    "rejected": _("abgelehnt"),
    "pending": _("wartet"),
    "missing": _("fehlt"),
    "cancelled": _("abgebrochen"),
    "unchanged": _("unverändert"),
    # A rule skipped it (hidden, temporary, a link leaving the folder: folder_scan.py).
    "skipped": _("übersprungen"),
}


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, None, *rows]:
        if row is None:
            lines.append("-" * (sum(widths) + 2 * len(widths) + len(header[-1])))
            continue
        cells = [c.ljust(w) for c, w in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def _seconds(value: float) -> str:
    return f"{value:.1f}"


def cmd_index(args: argparse.Namespace) -> int:
    from llmoin_desktop.cli.base import (
        EXIT_CANCELLED,
        EXIT_OK,
        EXIT_USAGE,
        eprint,
        load_store,
        progress_printer,
    )

    load_store(args)  # policy problems on stderr, IT's data_dir, the UI language
    missing = [p for p in args.paths if not Path(p).expanduser().exists()]
    if missing:
        for p in missing:
            eprint(_("Fehler:"), tr("Datei oder Ordner nicht gefunden: {path}", path=p))
        return EXIT_USAGE
    lib = _open(args)
    roots = [Path(p).expanduser().resolve() for p in args.paths]
    job = lib.index_job(roots)
    if not args.quiet:
        job.on_progress(progress_printer())
    run_interruptible(job, grace_s=0.3)
    if job.cancel_token.cancelled and job.state is JobState.RUNNING:
        # Ctrl+C while a large file is still being read: end now (exit 130). Holding the
        # library's lock first lets a write in progress finish its transaction and vectors.
        # Kept until the process ends, so no new write starts; ending at once (like the
        # kill -9 the library is built to survive, but between writes) skips a teardown of
        # the parser pool and chromadb that can take a second.
        lib._lock.acquire()  # noqa: SLF001 - the CLI owns this Library
        eprint(_("Abgebrochen. Bereits eingelesene Dateien bleiben erhalten."))
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_CANCELLED)
    if job.state is JobState.FAILED:
        raise job.error  # type: ignore[misc]  # an LLMoinError: cli.main prints it
    report = job.result
    done = {o.path: o for o in report.outcomes} if report else {}
    rows: list[list[str]] = []
    counts: dict[str, int] = {}
    known = {doc.path for doc in lib.documents()}
    for o in report.outcomes if report else []:
        if o.path not in known:  # not storable (e.g. a name in an old encoding): still listed
            counts[o.status] = counts.get(o.status, 0) + 1
            rows.append([o.path, status_label(o.status), "", "", o.message])
    for doc in lib.documents():
        p = Path(doc.path)
        if not any(p == r or r in p.parents for r in roots):
            continue
        outcome = done.get(doc.path)
        status = (
            outcome.status if outcome else ("unchanged" if doc.status == "indexed" else doc.status)
        )
        message = outcome.message if outcome else doc.message
        seconds = _seconds(outcome.seconds) if outcome else ""
        chunks = str(outcome.chunks if outcome else doc.n_chunks) if status != "rejected" else ""
        counts[status] = counts.get(status, 0) + 1
        rows.append([doc.path, status_label(status), seconds, chunks, message])
    header = [_("Datei"), _("Ergebnis"), _("Sekunden"), _("Abschnitte"), _("Hinweis")]
    print(_table(rows, header) if rows else _("Keine unterstützten Dateien gefunden."))
    summary = ", ".join(f"{n} {status_label(s)}" for s, n in sorted(counts.items()))
    if report is not None and report.outcomes:
        summary += " — " + tr(
            "{s} s, {pages} Seiten", s=_seconds(report.seconds), pages=report.pages
        )
    print(summary)
    if job.state is JobState.CANCELLED or (report is not None and report.cancelled):
        eprint(_("Abgebrochen. Bereits eingelesene Dateien bleiben erhalten."))
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_CANCELLED)  # no slow teardown after Ctrl+C; every write is committed
    return EXIT_REJECTED if counts.get("rejected") else EXIT_OK


def cmd_library(args: argparse.Namespace) -> int:
    from llmoin_desktop.cli.base import EXIT_OK, eprint, load_store

    load_store(args)  # policy problems on stderr, IT's data_dir, the UI language
    lib = _open(args)
    for path in args.remove:
        if lib.remove(path):
            eprint(tr("Entfernt: {path}", path=path))
        else:
            eprint(_("Hinweis:"), tr("Nicht in der Bibliothek: {path}", path=path))
    if args.rescan:
        pending = lib.rescan()
        if pending:
            job = lib.index_job([])
            run_interruptible(job)
            eprint(tr("{n} geänderte Dateien neu eingelesen.", n=len(pending)))
    docs = lib.documents()
    print(tr("Bibliothek: {path}", path=lib.folder))
    if lib.server_label:
        state = _("abgeglichen") if lib.server_online else _("nicht erreichbar")
        print(tr("Gemeinsam auf: {server} ({state})", server=lib.server_label, state=state))
    if not docs:
        print(_("Die Bibliothek ist leer. `llmoin-desktop index ORDNER` nimmt Dokumente auf."))
        return EXIT_OK
    rows = [
        [
            status_label(d.status),
            str(d.n_pages or ""),
            str(d.n_chunks or "") if d.status == "indexed" else "",
            d.path,
            d.message or "; ".join(d.warnings),
        ]
        for d in docs
    ]
    header = [_("Status"), _("Seiten"), _("Abschnitte"), _("Datei"), _("Hinweis")]
    # the file column is last-but-one; keep the message at the end of the line
    print(_table(rows, header))
    counts: dict[str, int] = {}
    for d in docs:
        counts[d.status] = counts.get(d.status, 0) + 1
    print(
        tr("{n} Dokumente: ", n=len(docs))
        + ", ".join(f"{n} {status_label(s)}" for s, n in sorted(counts.items()))
    )
    return EXIT_OK


def cmd_ask(args: argparse.Namespace) -> int:
    from llmoin_desktop.cli.base import (
        EXIT_ERROR,
        EXIT_OK,
        eprint,
        load_store,
        open_backend,
        stream_job,
    )
    from llmoin_desktop.core.engine.backend import GenerationParams
    from llmoin_desktop.core.history import TolerantHistory
    from llmoin_desktop.core.tasks.catalog import load_catalog
    from llmoin_desktop.core.tasks.library_task import (
        DOCUMENTS_FIELD,
        QUESTION_FIELD,
        SCOPE_FIELD,
        SCOPE_SELECTED,
        TASK_ID,
    )
    from llmoin_desktop.core.tasks.runner import TaskRunner, task_job

    store = load_store(args)
    catalog = load_catalog(store.settings)
    spec = catalog.get(TASK_ID)
    if spec is None:
        eprint(_("Fehler:"), _("Die Aufgabe „Dokumente fragen“ ist nicht freigegeben."))
        return EXIT_ERROR
    values: dict[str, Any] = {QUESTION_FIELD: args.question}
    if args.scope:
        values[SCOPE_FIELD] = SCOPE_SELECTED
        values[DOCUMENTS_FIELD] = "\n".join(str(Path(p).expanduser().resolve()) for p in args.scope)
    _open(args)  # opens (and checks) the library before the model is loaded
    backend = open_backend(args, store)
    try:
        settings = store.settings
        params = GenerationParams.from_settings(settings)
        params.max_tokens = args.max_tokens or settings.max_tokens
        history = None if args.no_history else TolerantHistory(store.data_dir() / "history.sqlite3")
        job = task_job(TaskRunner(backend, params=params), spec, values, history=history)
        failed = stream_job(job, quiet=args.quiet)
        for message in history.messages if history is not None else []:
            eprint(_("Hinweis:"), message)
        if failed is None and job.result is not None:
            from llmoin_desktop.cli.tasks import print_check

            print_check(job.result, args)  # figures of the answer against the cited passages
        return EXIT_OK if failed is None else failed
    finally:
        backend.close()
