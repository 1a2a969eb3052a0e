"""``llmoin-desktop model-check MODEL.gguf [--report FILE.html]``: IT checks a model before
rollout (issue 12, part 2; core in ``core/modelcheck``).

Exit codes: 0 every check passed, 1 a check failed or the model could not be used (the table
says which), 130 cancelled with Ctrl+C. The last stdout line is the key=value summary.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from llmoin_desktop.core.i18n import _, tr


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "model-check",
        help=_("ein Modell vor dem Einsatz prüfen: alle Aufgaben mit Beispieldateien, Bericht"),
    )
    p.add_argument("model", help=_("Pfad zur GGUF-Datei oder Modellname"))
    p.add_argument(
        "--report", type=Path, default=None, help=_("Bericht als HTML (und .txt) hierhin schreiben")
    )
    p.add_argument(
        "--max-tokens",
        type=int,
        default=0,
        help=_("höchstens so viele Token je Antwort (Standard: 400; kleiner = schneller)"),
    )
    p.set_defaults(func=cmd_model_check)


def cmd_model_check(args: argparse.Namespace) -> int:
    from llmoin_desktop.cli.base import (
        EXIT_CANCELLED,
        EXIT_ERROR,
        EXIT_OK,
        eprint,
        load_store,
        pick_model,
        progress_printer,
    )
    from llmoin_desktop.core.engine.catalog import chat_template_note
    from llmoin_desktop.core.engine.local import LocalBackend
    from llmoin_desktop.core.jobs import Job, JobState, Progress, run_interruptible
    from llmoin_desktop.core.modelcheck.report import key_value_line, text_table, write_report
    from llmoin_desktop.core.modelcheck.run import run_model_check

    store = load_store(args)
    info = pick_model(store, args.model)
    note = chat_template_note(info)
    if note:
        eprint(_("Fehler:"), note)
        return EXIT_ERROR
    backend = LocalBackend(store)  # always the model file itself, also where IT runs a server
    show = progress_printer()

    def work(ctx) -> object:  # noqa: ANN001 - JobContext
        backend.load(info.path, progress=show, cancel=ctx.cancel)
        return run_model_check(
            backend,
            progress=lambda i, n, text: show(Progress(i, n, text)),
            cancel=ctx.cancel,
            settings=store.settings,
            model_path=info.path,
            **({"max_tokens": args.max_tokens} if args.max_tokens > 0 else {}),
        )

    job = Job(work, name="model-check")
    try:
        run_interruptible(job)
    finally:
        backend.close()
    if job.state is JobState.CANCELLED:
        eprint(_("Abgebrochen."))
        return EXIT_CANCELLED
    if job.state is not JobState.DONE or job.result is None:
        eprint(_("Fehler:"), job.error.user_message if job.error else _("unbekannt"))
        return EXIT_ERROR
    report = job.result
    print(text_table(report))
    if args.report:
        html_path, kv_path = write_report(report, args.report)
        print(tr("Bericht: {html} (Schlüssel=Wert: {kv})", html=str(html_path), kv=str(kv_path)))
    print(key_value_line(report))
    return EXIT_OK if report.failed == 0 else EXIT_ERROR
