"""Dates derived from periods: "in den ersten drei Monaten des folgenden Kalenderjahrs" is
the same fact as "bis zum 31. März des folgenden Jahres".

A law states deadlines as periods anchored at a point of the calendar; a summary writes the
date they end on. Both sides are reduced to one canonical value here, so the checker finds
them equal without knowing which way round the text put it:

- month counts from the start of a year ("ersten N Monate / Quartale / das erste Halbjahr
  des (folgenden) (Kalender)jahres") → the last day of month N ("31. März" for N = 3);
- the end of an ordinal month, quarter or half-year of a year ("Ende des dritten Monats des
  Kalenderjahres", "Ablauf des zweiten Kalendervierteljahres") → its last day;
- the end of a year ("Ablauf des Kalenderjahres", "Ende des auf den Wegzug folgenden
  Kalenderjahres", "Jahresende") → "31. Dezember";
- "Ende März" → "31. März";
- the end of an ordinal month or week counted from an event ("Ablauf des fünften Monats der
  Schwangerschaft") → the period itself ("fünf Monate").

Only what is computable without knowing the event is derived: "Ende des Monats, in dem …"
has no fixed date and is left alone. The qualifier of the year ("des folgenden Jahres",
"des Folgejahres", "im laufenden Kalenderjahr") is kept in ``extra["rel"]`` so a derived date
in the wrong year can be told apart (check.py). Every derived fact carries
``extra["derived"]``; the period inside a month count is kept in ``extra["also"]`` so the
source still supports "drei Monate" written as a period.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from llmoin_desktop.core.factcheck.model import SourceFact
from llmoin_desktop.core.factcheck.numbers import canon, parse_word

Hit = tuple[int, int, str, object, dict]

LAST_DAY = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MONTH_NAMES = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
_ORD = {
    "erst": 1,
    "zweit": 2,
    "dritt": 3,
    "viert": 4,
    "fünft": 5,
    "sechst": 6,
    "siebent": 7,
    "siebt": 7,
    "acht": 8,
    "neunt": 9,
    "zehnt": 10,
    "elft": 11,
    "zwölft": 12,
}
_ORD_RE = r"(?:(erst|zweit|dritt|viert|fünft|sechst|siebent|siebt|acht|neunt|zehnt|elft|zwölft)e[nrsm]?|(\d{1,2})\.)"
_CARD_RE = r"(\d{1,2}|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf)"
# Units of a year, in months.
_UNIT_MONTHS = {
    "kalendermonat": 1,
    "monat": 1,
    "quartal": 3,
    "kalendervierteljahr": 3,
    "vierteljahr": 3,
    "halbjahr": 6,
}
_UNIT_RE = r"(Kalendermonat|Monat|Quartal|Kalendervierteljahr|Vierteljahr|Halbjahr)(?:e?s|en|e|n)?"
# The year a period is anchored at, with its qualifier.
_REL_WORDS = {
    "folgenden": "next",
    "nächsten": "next",
    "darauffolgenden": "next",
    "darauf folgenden": "next",
    "kommenden": "next",
    "laufenden": "this",
    "gleichen": "this",
    "selben": "this",
    "vorangegangenen": "prev",
    "vorhergehenden": "prev",
    "vorausgegangenen": "prev",
    "vorigen": "prev",
}
_REL_RE = r"(folgenden|nächsten|darauffolgenden|darauf folgenden|kommenden|laufenden|gleichen|selben|vorangegangenen|vorhergehenden|vorausgegangenen|vorigen|jeweiligen)"
_YEAR_RE = r"(?:Kalenderjahr|Haushaltsjahr|Jahr)(?:e?s)?(?![A-Za-zäöüß])"
_ANCHOR = (
    rf"(?:(?:des|eines|im)\s+(?:{_REL_RE}\s+)?{_YEAR_RE}|(des\s+Folgejahr(?:e?s)?|im\s+Folgejahr))"
)
_END = r"(?:Ende|Ablauf|Schluss|Schluß)"

_MONTH_COUNT = re.compile(
    rf"(?<![A-Za-zäöüß])erste[nm]?\s+(?:{_CARD_RE}\s+)?{_UNIT_RE}\s+{_ANCHOR}", re.I
)
_END_OF_ORD = re.compile(
    rf"(?<![A-Za-zäöüß]){_END}\s+des\s+{_ORD_RE}\s+{_UNIT_RE}\s+{_ANCHOR}", re.I
)
# A quarter or half-year is one of the calendar year even without "des Jahres".
_END_OF_ORD_QUARTER = re.compile(
    rf"(?<![A-Za-zäöüß]){_END}\s+des\s+{_ORD_RE}\s+(Quartal|Kalendervierteljahr|Vierteljahr|"
    r"Halbjahr)(?:e?s)?(?![A-Za-zäöüß])",
    re.I,
)
_END_OF_YEAR = re.compile(
    rf"(?<![A-Za-zäöüß]){_END}\s+(?:des|dieses)\s+(?:(?:{_REL_RE}|auf\s+[^.;:]{{1,80}}?\s+"
    rf"(folgenden))\s+)?{_YEAR_RE}|(?<![A-Za-zäöüß])Jahres(?:ende|schluss|schluß)(?![a-zäöüß])"
    r"|(?<![A-Za-zäöüß])(?:Ende|Schluss)\s+des\s+Folgejahr(?:e?s)?",
    re.I,
)
# Source only: "im laufenden Kalenderjahr gewährt und genommen" ends on 31 December, but a
# result's "im laufenden Jahr" is no date claim of its own.
_THIS_YEAR = re.compile(r"(?<![A-Za-zäöüß])im\s+laufenden\s+(?:Kalender)?[jJ]ahr(?:e?s)?\b")
_END_OF_MONTH_NAME = re.compile(
    r"(?<![A-Za-zäöüß])(?:Ende|Ultimo)\s+(?:des\s+Monats\s+)?(" + "|".join(MONTH_NAMES) + r")"
    r"(?![A-Za-zäöüß])(?:\s+((?:19|20)\d{2})(?!\d))?"
)
_END_OF_ORD_EVENT = re.compile(
    rf"(?<![A-Za-zäöüß]){_END}\s+(?:des|der)\s+{_ORD_RE}\s+(Kalendermonat|Monat|Woche|Kalenderwoche)"
    r"(?:e?s)?(?![A-Za-zäöüß])",
    re.I,
)
# "bis zum 31. März des folgenden Jahres": the qualifier right after a date.
_REL_AFTER = re.compile(
    rf"\s*,?\s*(?:(?:des|im)\s+{_REL_RE}\s+{_YEAR_RE}|(des\s+Folgejahr(?:e?s)?|im\s+Folgejahr)|"
    r"(des\s+Vorjahr(?:e?s)?|im\s+Vorjahr))"
)
# Words that belong to the date phrase, not to what the date is about: two unrelated dates
# both "des folgenden Jahres" share them and nothing else (docs/factcheck.md). Month names
# stay context: they come from another date of the same sentence ("nach dem 31. Dezember
# 2021 geboren oder nach dem 31. Dezember 2021 … aufgenommen"), which does tie two places.
DATE_WORDS = frozenset(
    [
        "folgen",
        "nachst",
        "darauf",
        "kommen",
        "laufen",
        "jeweil",
        "jahres",
        "jahrs",
        "kalend",
        "folgej",
        "vorjah",
        "haushal",
        "monats",
        "quarta",
        "vierte",
        "halbja",
        "ende",
        "ablauf",
        "schlus",
        "beginn",
        "ersten",
        "erste",
        "letzte",
    ]
)


def _ord(m: re.Match[str], word: int, digits: int) -> int | None:
    if m.group(word):
        return _ORD[m.group(word).casefold()]
    if m.group(digits):
        return int(m.group(digits))
    return None


def _rel(word: str | None, folge: str | None) -> str | None:
    if folge:
        return "next"
    return _REL_WORDS.get(" ".join(word.split()).casefold()) if word else None


def _date_hit(start: int, end: int, months: int, rel: str | None, also: list) -> Hit | None:
    if not 1 <= months <= 12:
        return None
    value = ("date", None, months, LAST_DAY[months])
    return start, end, "date", value, {"derived": True, "rel": rel, "also": also}


def _period(n: int, dim: str = "m") -> tuple:
    return ("period", dim, canon(Decimal(n)))


def find_anchored(text: str, *, source: bool = False) -> Iterator[Hit]:
    """Periods anchored at the calendar, as the date they end on (see module doc). The
    longer phrase first: "Ende des ersten Quartals" before "ersten Quartals"."""
    for m in _END_OF_ORD.finditer(text):
        k = _ord(m, 1, 2)
        unit = _UNIT_MONTHS[m.group(3).casefold()]
        hit = _date_hit(m.start(), m.end(), (k or 0) * unit, _rel(m.group(4), m.group(5)), [])
        if hit:
            yield hit
    for m in _END_OF_ORD_QUARTER.finditer(text):
        k = _ord(m, 1, 2)
        hit = _date_hit(
            m.start(), m.end(), (k or 0) * _UNIT_MONTHS[m.group(3).casefold()], None, []
        )
        if hit:
            yield hit
    for m in _MONTH_COUNT.finditer(text):
        n = parse_word(m.group(1)) if m.group(1) and not m.group(1).isdigit() else None
        n = int(m.group(1)) if m.group(1) and m.group(1).isdigit() else (n or 1)
        months = n * _UNIT_MONTHS[m.group(2).casefold()]
        also = [("period", _period(months))] if months > 1 else []
        hit = _date_hit(m.start(), m.end(), months, _rel(m.group(3), m.group(4)), also)
        if hit:
            yield hit
    for m in _END_OF_YEAR.finditer(text):
        folge = m.group(2) or (m.group(0).casefold().find("folgejahr") >= 0 and "x")
        yield (
            m.start(),
            m.end(),
            "date",
            ("date", None, 12, 31),
            {"derived": True, "rel": _rel(m.group(1), folge or None), "also": []},
        )
    for m in _END_OF_MONTH_NAME.finditer(text):
        month = MONTH_NAMES.index(m.group(1)) + 1
        year = int(m.group(2)) if m.group(2) else None
        day = 29 if month == 2 and year and year % 4 == 0 else LAST_DAY[month]
        value = ("date", year, month, day)
        yield m.start(), m.end(), "date", value, {"derived": True, "rel": None, "also": []}
    for m in _END_OF_ORD_EVENT.finditer(text):
        k = _ord(m, 1, 2)
        if k is None:
            continue
        unit = m.group(3).casefold()
        value = _period(k) if "monat" in unit else _period(7 * k, "d")
        also = [("number", ("ordinal", "monat" if "monat" in unit else "woche", str(k)))]
        yield m.start(), m.end(), "period", value, {"derived": True, "also": also}
    if source:
        for m in _THIS_YEAR.finditer(text):
            value = ("date", None, 12, 31)
            yield m.start(), m.end(), "date", value, {"derived": True, "rel": "this", "also": []}


def year_rel(text: str, end: int) -> str | None:
    """The year qualifier right after a date: "31. März des folgenden Jahres" → "next"."""
    m = _REL_AFTER.match(text, end, end + 60)
    if not m:
        return None
    if m.group(3):
        return "prev"
    return _rel(m.group(1), m.group(2))


def plain_ctx(ctx: frozenset[str]) -> frozenset[str]:
    """A date's or period's context without the words of date phrases."""
    return ctx - DATE_WORDS


def best_plain(
    ctx: frozenset[str], cands: Iterable[SourceFact], rel: str | None = None
) -> tuple[int, SourceFact | None]:
    """The candidate whose context shares most non-date words with ``ctx``; on a tie the
    one anchored at the same year ("des folgenden Jahres") wins."""
    plain = plain_ctx(ctx)
    best, best_key, best_sf = -1, (-1, False), None
    for sf in cands:
        o = len(plain & sf.ctx)
        key = (o, rel is not None and sf.extra.get("rel") == rel)
        if key > best_key:
            best, best_key, best_sf = o, key, sf
    return best, best_sf


def shown(sf: SourceFact) -> str:
    """How the source's value is shown: a derived date with the day it means."""
    v = sf.value
    if sf.extra.get("derived") and sf.kind == "date" and v[2] and v[3]:  # type: ignore[index]
        return f"{' '.join(sf.text.split())} (= {v[3]}. {MONTH_NAMES[v[2] - 1]})"  # type: ignore[index]
    return sf.text
