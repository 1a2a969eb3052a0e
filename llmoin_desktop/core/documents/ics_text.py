"""Meeting invitations (iCalendar, RFC 5545) and contact cards (vCard, RFC 6350): what
Outlook shows — when, where, who; name, e-mail, phone, company.

An invitation reaches the administration as a ``text/calendar`` part of an e-mail or as an
``.ics`` file. Its raw lines ("DTSTART;TZID=W. Europe Standard Time:20260310T090000") are
not what a clerk reads, so each event becomes "Termin: …", "Wann: 10.03.2026 09:00 – 10:30",
"Ort", "Organisator", "Teilnehmer" and its description — the same labels as an Outlook
meeting request (msg_loader.py). Standard library only; unknown lines are ignored.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from llmoin_desktop.core.documents.model import Block, Document
from llmoin_desktop.core.documents.text_loader import decode_bytes
from llmoin_desktop.core.i18n import _

MAX_EVENTS = 200
_CN = re.compile(r'CN="?([^";:]+)"?', re.IGNORECASE)


def _unfold(text: str) -> list[str]:
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        else:
            lines.append(raw)
    return lines


def _unescape(value: str) -> str:
    return (
        value.replace("\\n", "\n").replace("\\N", "\n").replace("\\,", ",").replace("\\;", ";")
    ).replace("\\\\", "\\")


def _when(value: str, params: str) -> datetime | None:
    value = value.strip()
    for fmt in ("%Y%m%dT%H%M%SZ", "%Y%m%dT%H%M%S", "%Y%m%d"):
        try:
            stamp = datetime.strptime(value, fmt)
        except ValueError:
            continue
        if value.endswith("Z"):
            return stamp.replace(tzinfo=UTC).astimezone()  # shown in this PC's time zone
        return stamp  # local time of the given TZID: shown as written
    return None


def _person(params: str, value: str) -> str:
    match = _CN.search(params)
    address = re.sub(r"(?i)^mailto:", "", value.strip())
    if match:
        return f"{match.group(1).strip()} <{address}>" if address else match.group(1).strip()
    return address


def events(text: str) -> list[list[tuple[str, str]]]:
    """Each VEVENT as labelled lines (label, value)."""
    out: list[list[tuple[str, str]]] = []
    current: dict[str, list[str]] | None = None
    starts: dict[str, datetime | None] = {}
    for line in _unfold(text):
        name, _sep, value = line.partition(":")
        key, _semi, params = name.partition(";")
        key = key.upper().strip()
        if key == "BEGIN" and value.strip().upper() == "VEVENT":
            current, starts = {}, {}
            continue
        if current is None:
            continue
        if key == "END" and value.strip().upper() == "VEVENT":
            out.append(_labelled(current, starts))
            current = None
            if len(out) >= MAX_EVENTS:
                break
            continue
        if key in ("DTSTART", "DTEND"):
            starts[key] = _when(value, params)
        elif key in ("ORGANIZER", "ATTENDEE"):
            current.setdefault(key, []).append(_person(params, value))
        elif key in ("SUMMARY", "LOCATION", "DESCRIPTION"):
            current.setdefault(key, []).append(_unescape(value).strip())
    return out


def _labelled(ev: dict[str, list[str]], times: dict[str, datetime | None]) -> list[tuple[str, str]]:
    start, end = times.get("DTSTART"), times.get("DTEND")
    when = start.strftime("%d.%m.%Y %H:%M") if start else ""
    if start and end:
        same = end.date() == start.date()
        when += " – " + end.strftime("%H:%M" if same else "%d.%m.%Y %H:%M")
    rows = [
        (_("Termin"), " ".join(ev.get("SUMMARY", []))),
        (_("Wann"), when),
        (_("Ort"), " ".join(ev.get("LOCATION", []))),
        (_("Organisator"), "; ".join(ev.get("ORGANIZER", []))),
        (_("Teilnehmer"), "; ".join(ev.get("ATTENDEE", []))),
        (_("Beschreibung"), "\n".join(ev.get("DESCRIPTION", []))),
    ]
    return [(label, value) for label, value in rows if value.strip()]


def calendar_text(text: str) -> str:
    """All events as text blocks separated by blank lines ("" when there is none)."""
    return "\n\n".join(
        "\n".join(f"{label}: {value}" for label, value in ev) for ev in events(text) if ev
    )


def load_ics(path: Path) -> Document:
    text = decode_bytes(path.read_bytes())[0]
    blocks = [Block(t) for t in calendar_text(text).split("\n\n") if t.strip()]
    first = next((b.text.split("\n")[0].partition(": ")[2] for b in blocks), "")
    return Document(path=str(path), title=first or path.stem, format="ics", blocks=blocks)


def vcard_text(text: str) -> str:
    """Each card as labelled lines, with the labels of an Outlook contact (msg_loader.py)."""
    labels = {
        "FN": _("Name"),
        "ORG": _("Firma"),
        "TITLE": _("Position"),
        "EMAIL": _("E-Mail"),
        "TEL": _("Telefon"),
        "ADR": _("Adresse"),
        "NOTE": _("Notiz"),
        "URL": _("Webseite"),
    }
    cards: list[str] = []
    current: dict[str, list[str]] | None = None
    for line in _unfold(text):
        name, _sep, value = line.partition(":")
        key = name.partition(";")[0].split(".")[-1].upper().strip()
        if key == "BEGIN" and value.strip().upper() == "VCARD":
            current = {}
        elif key == "END" and value.strip().upper() == "VCARD" and current is not None:
            rows = [f"{labels[k]}: {', '.join(v)}" for k, v in current.items() if v]
            if rows:
                cards.append("\n".join(rows))
            current = None
        elif current is not None and key in labels:
            parts = [p.strip() for p in _unescape(value).split(";")]
            joined = " ".join(p for p in parts if p) if key in ("ADR", "ORG") else _unescape(value)
            if joined.strip():
                current.setdefault(key, []).append(joined.strip())
    return "\n\n".join(cards)


def load_vcf(path: Path) -> Document:
    text = decode_bytes(path.read_bytes())[0]
    blocks = [Block(t) for t in vcard_text(text).split("\n\n") if t.strip()]
    first = next((b.text.split("\n")[0].partition(": ")[2] for b in blocks), "")
    return Document(path=str(path), title=first or path.stem, format="vcf", blocks=blocks)
