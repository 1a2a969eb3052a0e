"""``llmoin-desktop check RESULT.txt --source FILE [--source FILE …] [--json]``.

Checks every figure of a finished text (a summary, a draft, an answer) against the files it
was made from and prints each fact with its status: belegt (with file and page), abweichend
(with the source's value) or nicht belegt. ``--json`` prints one JSON object per line with
``text``, ``kind``, ``status``, ``file``, ``page``, ``source_text`` (plus ``start``/``end``
and, for "abweichend", ``source_value``) for scripts. The summary line goes to stderr.
Exit code 0 when the check ran, whatever it found (a script reads the statuses); 1 when a
file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from llmoin_desktop.core.i18n import _, tr

STATUS_MARKS = {"belegt": "✓", "abweichend": "≠", "nicht belegt": "?"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help=_("Zahlen, Daten, Fristen, §§ und Namen eines Textes mit den Quellen abgleichen"),
    )
    p.add_argument(
        "result", metavar=_("ERGEBNIS"), help=_("Textdatei mit dem Ergebnis („-“: Standardeingabe)")
    )
    p.add_argument(
        "--source",
        action="append",
        default=[],
        metavar=_("DATEI"),
        help=_("Quelldokument (mehrfach möglich: PDF, DOCX, TXT, MD, E-Mail …)"),
    )
    p.add_argument("--json", action="store_true", help=_("eine JSON-Zeile je Angabe ausgeben"))
    p.set_defaults(func=run)


def read_result(name: str) -> str:
    """The text to check: stdin, a plain text file (any common encoding) or a document."""
    if name == "-":
        return sys.stdin.read()
    path = Path(name).expanduser()
    if not path.is_file():
        from llmoin_desktop.core.errors import LLMoinError

        raise LLMoinError(tr("Datei nicht gefunden: {path}", path=name))
    if path.suffix.lower() in (".docx", ".pdf", ".odt", ".rtf", ".eml", ".msg", ".html", ".htm"):
        from llmoin_desktop.core.tasks.sources import load_document

        return load_document(path).text
    data = path.read_bytes()
    for encoding in (
        ("utf-8-sig", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",)
    ):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", errors="replace")


def format_verdict(v: object) -> str:
    """One line for the terminal: mark, status, kind, fact, where (or the source's value)."""
    from llmoin_desktop.core.factcheck import ABWEICHEND, BELEGT
    from llmoin_desktop.core.factcheck.labels import kind_label, status_label

    status = v.status  # type: ignore[attr-defined]
    fact = v.fact  # type: ignore[attr-defined]
    line = f"{STATUS_MARKS.get(status, '?')} {status_label(status):13} {kind_label(fact.kind):14} {fact.text}"
    if status == BELEGT and v.file:  # type: ignore[attr-defined]
        where = v.file  # type: ignore[attr-defined]
        if v.page:  # type: ignore[attr-defined]
            where += ", " + tr("S. {page}", page=v.page)  # type: ignore[attr-defined]
        line += f"  — {where}"
    elif status == ABWEICHEND:
        other = v.source_value or v.source_text  # type: ignore[attr-defined]
        line += "  — " + tr("Quelle: {value}", value=other)
        if v.file:  # type: ignore[attr-defined]
            line += f" ({v.file}" + (f", {tr('S. {page}', page=v.page)})" if v.page else ")")  # type: ignore[attr-defined]
    return line


def run(args: argparse.Namespace) -> int:
    from llmoin_desktop.cli.base import EXIT_OK, EXIT_USAGE, eprint, load_store
    from llmoin_desktop.core.errors import LLMoinError
    from llmoin_desktop.core.factcheck import SourceIndex, check_text
    from llmoin_desktop.core.factcheck.sources import load_sources

    # Like every command: the UI language and IT's policy (a broken policy is reported here
    # too, so the clerk learns of it whichever command she runs).
    load_store(args)
    if not args.source:
        eprint(_("Fehler:"), _("Bitte mindestens eine Quelle mit --source angeben."))
        return EXIT_USAGE
    for name in args.source:
        if not Path(name).expanduser().is_file():
            eprint(_("Fehler:"), tr("Datei nicht gefunden: {path}", path=name))
            return 1
    text = read_result(args.result)
    # One unreadable source must not cost the check against the others: it is named, its
    # facts count as "nicht belegt" (never as supported), and the exit code says 1.
    sources, unread = [], []
    for name in args.source:
        try:
            sources += load_sources([name])
        except LLMoinError as exc:
            unread.append(name)
            eprint(_("Fehler:"), exc.user_message, _("Gegen diese Quelle wird nicht geprüft."))
    if not sources and unread:
        return 1
    report = check_text(text, SourceIndex(sources))
    for v in report.verdicts:
        if args.json:
            print(json.dumps(v.as_json(), ensure_ascii=False))
        else:
            print(format_verdict(v))
    eprint(report.summary())
    return 1 if unread else EXIT_OK
