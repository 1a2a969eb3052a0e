"""``llmoin-desktop read FILE [--pages 2-5]``: print the text the app extracts from a file.

IT and clerks use it to understand a search miss ("what did the app actually read from this
scan?"); bench/ocr.py uses it to measure recognition. It goes through the same sandboxed
parser as the library and the tasks, so what it prints is exactly what they get: page and
part markers, "[Texterkennung]" on recognised pages, e-mail metadata, warnings. A rejected
file ends with the clerk's message on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from llmoin_desktop.core.documents.model import Document
from llmoin_desktop.core.i18n import _, tr


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "read",
        help=_("den Text anzeigen, den das Programm aus einer Datei liest (auch Scans)"),
    )
    p.add_argument("file", type=Path, metavar=_("DATEI"))
    p.add_argument(
        "--pages",
        default="",
        metavar="3|2-5",
        help=_("nur diese Seiten ausgeben (z. B. 3 oder 2-5)"),
    )
    p.set_defaults(func=run)


def _page_range(value: str) -> tuple[int, int] | None:
    if not value.strip():
        return None
    lo, _sep, hi = value.strip().partition("-")
    try:
        first = int(lo)
        last = int(hi) if hi.strip() else first
    except ValueError:
        raise SystemExit(tr("Ungültige Seitenangabe: {value}", value=value)) from None
    return (first, last) if first <= last else (last, first)


def _stderr_progress(step: int, total: int, text: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{text}   ", end="", file=sys.stderr, flush=True)
    elif step == total or step % 100 == 0 or "Texterkennung" in text or "recognition" in text:
        print(text, file=sys.stderr, flush=True)


def render(doc: Document, pages: tuple[int, int] | None = None) -> str:
    """The document as text with markers; the format `read` prints (bench/ocr.py parses it)."""
    out: list[str] = []
    header = f"# {doc.title} ({Path(doc.path).name})"
    if doc.n_pages == 1:
        header += " — " + _("1 Seite")
    elif doc.n_pages:
        header += " — " + tr("{n} Seiten", n=doc.n_pages)
    out.append(header)
    for key, value in (getattr(doc, "metadata", None) or {}).items():
        if value:
            out.append(f"{key}: {value}")
    for warning in doc.warnings:
        out.append(_("Hinweis:") + " " + warning)
    marker: tuple[object, object] | None = None
    for block in doc.blocks:
        page = block.page
        if pages is not None and (page is None or not pages[0] <= page <= pages[1]):
            continue
        part = getattr(block, "part", None)
        if (part, page) != marker:
            marker = (part, page)
            label = [str(part)] if part else []
            if page is not None:
                label.append(tr("Seite {page}", page=page))
            if block.ocr:
                label.append("[" + _("Texterkennung") + "]")
            if label:
                out.append("")
                out.append("=== " + " · ".join(label) + " ===")
        out.append(block.text)
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> int:
    from llmoin_desktop.cli.base import load_store
    from llmoin_desktop.core.documents import parse_document

    load_store(args)  # like every command: settings/policy problems on stderr, UI language
    pages = _page_range(args.pages)
    doc = parse_document(args.file, on_progress=_stderr_progress)
    if sys.stderr.isatty():
        print("\r", end="", file=sys.stderr)
    sys.stdout.write(render(doc, pages))
    return 0
