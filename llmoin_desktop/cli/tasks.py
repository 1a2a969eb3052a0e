"""Guided tasks on the command line, from the same task files as the GUI.

``tasks`` lists tasks and fields; ``task ID --set FIELD=VALUE … [--file PATH] [--export X.docx]``
runs one; ``summarize FILE``, ``draft``, ``simplify``, ``extract FILE`` are short forms.
The result streams to stdout, progress goes to stderr; Ctrl+C stops within a second.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from llmoin_desktop.core.engine.backend import GenerationParams
from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import Job, JobState
from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.core.tasks.catalog import TaskCatalog, load_catalog
from llmoin_desktop.core.tasks.email_fill import fill_from_email, wants_email
from llmoin_desktop.core.tasks.spec import TaskInputError, TaskSpec

ALIASES = {
    "summarize": ("zusammenfassen", _("ein Dokument zusammenfassen")),
    "draft": ("entwurf", _("einen Entwurf schreiben (Brief, E-Mail, Vermerk …)")),
    "simplify": ("einfache_sprache", _("Text in Einfache/Leichte Sprache umschreiben")),
    "extract": ("extrahieren", _("Fristen, Termine, Beträge … als Tabelle herausziehen")),
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tasks", help=_("geführte Aufgaben und ihre Felder anzeigen"))
    p.set_defaults(func=cmd_tasks)

    p = sub.add_parser("task", help=_("eine geführte Aufgabe ausführen"))
    p.add_argument("task_id", metavar="ID", help=_("Aufgabe (siehe `tasks`)"))
    p.add_argument("--file", help=_("Dokument (PDF, DOCX, TXT, MD …)"))
    _common(p)
    p.set_defaults(func=cmd_task)

    for alias, (task_id, help_text) in ALIASES.items():
        p = sub.add_parser(alias, help=help_text)
        if alias in ("summarize", "extract"):
            p.add_argument("file", metavar="DATEI", help=_("Dokument (PDF, DOCX, TXT, MD …)"))
        else:
            p.add_argument("--file", help=_("Dokument (optional)"))
        _common(p)
        p.set_defaults(func=cmd_task, task_id=task_id)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="FELD=WERT",
        help=_("ein Formularfeld setzen (mehrfach möglich)"),
    )
    p.add_argument("--text", help=_("Text statt Datei („-“ liest von der Standardeingabe)"))
    p.add_argument("--export", metavar="DATEI.docx", help=_("Ergebnis als Word-Datei speichern"))
    p.add_argument("--model", help=_("Modellname oder Pfad zu einer GGUF-Datei"))
    p.add_argument("--max-tokens", type=int, default=0, help=_("höchstens so viele Token erzeugen"))
    p.add_argument("--no-history", action="store_true", help=_("nicht im Verlauf speichern"))
    p.add_argument("--quiet", action="store_true", help=_("keinen Fortschritt anzeigen"))
    add_check_option(p)


def add_check_option(p: argparse.ArgumentParser) -> None:
    """``--check`` (default) / ``--no-check``: the fact check's summary line on stderr."""
    p.add_argument(
        "--check",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=_("Zahlen, Daten, Fristen, §§ und Namen mit der Quelle abgleichen (Vorgabe: an)"),
    )


def print_check(result: Any, args: argparse.Namespace) -> None:
    """After a task: "14 Angaben geprüft: 12 belegt, …" on stderr (stdout stays the text)."""
    if not getattr(args, "check", False):
        return
    from llmoin_desktop.cli.base import eprint
    from llmoin_desktop.core.factcheck.result_check import check_result

    report = check_result(result)
    if report is not None:
        eprint(report.summary())


def _catalog(store: SettingsStore) -> TaskCatalog:
    from llmoin_desktop.cli.base import eprint

    catalog = load_catalog(store.settings)
    for problem in catalog.problems:
        eprint(_("Hinweis:"), problem)
    return catalog


def describe_task(spec: TaskSpec) -> str:
    lines = [f"{spec.id} — {spec.t(spec.title)}", f"    {spec.t(spec.description)}"]
    for f in spec.fields:
        flags = []
        if f.required:
            flags.append(_("Pflicht"))
        if f.show_if:
            cond = "; ".join(f"{k}={'|'.join(v)}" for k, v in f.show_if.items())
            flags.append(tr("nur bei {cond}", cond=cond))
        line = f"    --set {f.name}=…  ({f.kind}) {spec.t(f.label)}"
        if flags:
            line += f" [{', '.join(flags)}]"
        lines.append(line)
        if f.options:
            opts = ", ".join(o.value for o in f.options)
            default = f.default if f.default is not None else f.options[0].value
            if isinstance(default, list):
                default = ",".join(default)
            lines.append(
                "        " + tr("Werte: {opts} (Vorgabe: {default})", opts=opts, default=default)
            )
    return "\n".join(lines)


def cmd_tasks(args: argparse.Namespace) -> int:
    from llmoin_desktop.cli.base import EXIT_ERROR, EXIT_OK, load_store

    catalog = _catalog(load_store(args))
    if not catalog.tasks:
        print(_("Keine Aufgaben verfügbar."))
        return EXIT_ERROR
    print("\n\n".join(describe_task(spec) for spec in catalog.ordered()))
    return EXIT_OK


def collect_values(spec: TaskSpec, args: argparse.Namespace) -> dict[str, Any]:
    """Defaults, then ``--set`` pairs, then ``--file`` / ``--text``; raises TaskInputError."""
    values = spec.defaults()
    for item in args.sets:
        if "=" not in item:
            raise TaskInputError(
                tr("„--set {item}“: bitte in der Form FELD=WERT angeben.", item=item)
            )
        name, _sep, text = item.partition("=")
        values[name.strip()] = spec.parse_value(name.strip(), text)
    file = getattr(args, "file", None)
    if file:
        if spec.document_field is None:
            raise TaskInputError(tr("Die Aufgabe „{task}“ nimmt kein Dokument an.", task=spec.id))
        if not Path(file).expanduser().is_file():
            raise TaskInputError(tr("Datei nicht gefunden: {path}", path=file))
        values[spec.document_field.name] = str(Path(file).expanduser().resolve())
    text = getattr(args, "text", None)
    if text is not None:
        target = spec.source_field
        if target is None:
            raise TaskInputError(tr("Die Aufgabe „{task}“ nimmt keinen Text an.", task=spec.id))
        values[target.name] = sys.stdin.read() if text == "-" else text
    if wants_email(spec, values):  # "entwurf --file mail.eml": recipient, subject from the mail
        from llmoin_desktop.core.tasks.sources import load_document

        values = fill_from_email(spec, values, load_document(values[spec.document_field.name]))
    problems = spec.validate(values)
    if problems:
        raise TaskInputError("\n".join(problems.values()))
    return values


def cmd_task(args: argparse.Namespace) -> int:
    from llmoin_desktop.cli.base import (
        EXIT_ERROR,
        EXIT_OK,
        EXIT_USAGE,
        eprint,
        load_store,
        open_backend,
        stream_job,
    )
    from llmoin_desktop.core.export import content_from_result, export_docx
    from llmoin_desktop.core.history import TolerantHistory
    from llmoin_desktop.core.settings.policy_gate import require_task
    from llmoin_desktop.core.tasks.runner import TaskRunner, task_job

    store = load_store(args)
    require_task(store.settings, args.task_id)  # hidden by IT: say so, not "unknown"
    catalog = _catalog(store)
    spec = catalog.get(args.task_id)
    if spec is None:
        eprint(
            tr(
                "Unbekannte Aufgabe „{id}“. Verfügbar: {ids}",
                id=args.task_id,
                ids=", ".join(catalog.tasks) or "–",
            )
        )
        return EXIT_USAGE
    try:
        values = collect_values(spec, args)
    except TaskInputError as exc:
        eprint(_("Fehler:"), exc.user_message)
        return EXIT_USAGE
    settings = store.settings
    backend = open_backend(args, store)
    try:
        params = GenerationParams.from_settings(settings)
        params.max_tokens = args.max_tokens or settings.max_tokens
        runner = TaskRunner.from_settings(backend, settings, params=params)
        # A history that cannot be opened or written never costs the result or the export.
        history = None if args.no_history else TolerantHistory(store.data_dir() / "history.sqlite3")
        job: Job[Any] = task_job(runner, spec, values, history=history)
        # Ctrl+C ends within a second (exit 130), even while a large file is being read;
        # a history write is one SQLite transaction, so it is never left half done.
        failed = stream_job(job, quiet=args.quiet, grace_s=0.2)
        for message in history.messages if history is not None else []:
            eprint(_("Hinweis:"), message)
        if failed is not None and job.state is JobState.RUNNING:
            # Cancelled while still reading a large file (that holds the interpreter): end
            # now rather than wait for it. Nothing is half written: the history write comes
            # after the job's last cancel check and is one SQLite transaction.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(failed)
        if failed is not None:
            return failed
        assert job.result is not None
        print_check(job.result, args)
        if args.export:
            try:
                out = export_docx(
                    content_from_result(spec, job.result), Path(args.export), settings=settings
                )
            except LLMoinError as exc:
                eprint(_("Fehler:"), exc.user_message)
                return EXIT_ERROR
            eprint(tr("Gespeichert: {path}", path=out))
        return EXIT_OK
    finally:
        backend.close()
