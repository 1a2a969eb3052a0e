"""Finds the checkable facts in a text and gives each a canonical value.

Extractors run in a fixed order of precedence (codes before dates before plain numbers) and a
span taken by one is closed to the others: "Az. 12-345/2026" is a file number, never a year
plus a number. The same extractors read the result and the sources, so anything copied
verbatim is always found again; equivalent spellings meet in the canonical value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal

from llmoin_desktop.core.factcheck import codes, names, periods, refs
from llmoin_desktop.core.factcheck.model import Fact
from llmoin_desktop.core.factcheck.numbers import (
    NUM_SPACED,
    WORD,
    WORD_NO_EIN,
    canon,
    parse_number,
    parse_word,
)
from llmoin_desktop.core.factcheck.words import content_words, context

Hit = tuple[int, int, str, object, dict]  # start, end, kind, value, extra

MONTHS = {
    "januar": 1,
    "jänner": 1,
    "jan": 1,
    "februar": 2,
    "feb": 2,
    "märz": 3,
    "mär": 3,
    "mrz": 3,
    "april": 4,
    "apr": 4,
    "mai": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "dezember": 12,
    "dez": 12,
}
_MONTH_RE = (
    r"(Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|"
    r"Dezember|Jan\.|Feb\.|Mär\.|Mrz\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept\.|Sep\.|Okt\.|Nov\.|Dez\.)"
)
PIVOT = 50  # two-digit years: 00–49 → 2000s, 50–99 → 1900s ("11.12.90" is 1990)


def full_year(text: str) -> int:
    y = int(text.lstrip("'’"))
    if len(text.lstrip("'’")) <= 2:
        y += 2000 if y < PIVOT else 1900
    return y


def _date(d: int | None, m: int | None, y: int | None) -> tuple | None:
    if m is not None and not 1 <= m <= 12:
        return None
    if d is not None and not 1 <= d <= 31:
        return None
    return ("date", y, m, d)


_DATE_NUM = re.compile(r"(?<![\d.,/])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})(?![\d.,]\d)")
_DATE_ISO = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
_DATE_NAME = re.compile(
    r"(?<![\d.])(\d{1,2})\\?\.?\s*" + _MONTH_RE + r"(?:\s*(\d{4}|['’]\d{2})(?!\d))?", re.I
)
_MONTH_YEAR = re.compile(r"\b" + _MONTH_RE + r"\s+(\d{4})(?!\d)")
_DATE_SHORT = re.compile(r"(?<![\d.,/§])(\d{1,2})\.(\d{1,2})\.(?!\s?\d)")
_SHORT_CUE = re.compile(r"(?:am|zum|bis|vom|ab|den|dem|seit|Stichtag|spätestens|bis zum)\s*$", re.I)
_YEAR = re.compile(
    r"\b(?:im Jahr(?:e)?|seit|bis|ab|vor|nach|von|zum|Ende|Anfang|Mitte|Jahr(?:e|es)?|"
    r"Haushaltsjahr(?:es)?|Kalenderjahr(?:es)?)\s+((?:19|20)\d{2})(?![\d.,]\d)"
)


def find_dates(text: str) -> Iterator[Hit]:
    for m in _DATE_NUM.finditer(text):
        v = _date(int(m.group(1)), int(m.group(2)), full_year(m.group(3)))
        if v:
            yield m.start(), m.end(), "date", v, {}
    for m in _DATE_ISO.finditer(text):
        v = _date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if v:
            yield m.start(), m.end(), "date", v, {}
    for m in _DATE_NAME.finditer(text):
        month = MONTHS[m.group(2).casefold().rstrip(".")]
        year = full_year(m.group(3)) if m.group(3) else None
        v = _date(int(m.group(1)), month, year)
        if v:
            yield m.start(), m.end(), "date", v, {}
    for m in _MONTH_YEAR.finditer(text):
        v = _date(None, MONTHS[m.group(1).casefold().rstrip(".")], int(m.group(2)))
        if v:
            yield m.start(), m.end(), "date", v, {}
    for m in _DATE_SHORT.finditer(text):
        two_digit_month = len(m.group(2)) == 2
        cue = _SHORT_CUE.search(text, max(0, m.start() - 14), m.start())
        if two_digit_month or cue:
            v = _date(int(m.group(1)), int(m.group(2)), None)
            if v:
                yield m.start(), m.end(), "date", v, {}


def find_years(text: str) -> Iterator[Hit]:
    for m in _YEAR.finditer(text):
        yield m.start(1), m.end(1), "date", ("date", int(m.group(1)), None, None), {}


_TIME_COLON = re.compile(r"(?<![\d.,:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")
_UHR = re.compile(r"(?<![A-Za-zäöüß])Uhr(?![A-Za-zäöüß])")
_HOUR_END = re.compile(
    rf"(?<![\d.,:A-Za-zäöüß])(?:([01]?\d|2[0-3])(?:[:.]([0-5]\d))?|({WORD_NO_EIN}|ein))\s*$", re.I
)


def find_times(text: str) -> Iterator[Hit]:
    for m in _UHR.finditer(text):
        h = _HOUR_END.search(text, max(0, m.start() - 20), m.start())
        if not h:
            continue
        if h.group(3):
            n = parse_word(h.group(3))
            if n is None or n > 24:
                continue
            value = ("time", n, 0)
        else:
            value = ("time", int(h.group(1)), int(h.group(2) or 0))
        yield h.start(), m.end(), "time", value, {}
    for m in _TIME_COLON.finditer(text):
        yield m.start(), m.end(), "time", ("time", int(m.group(1)), int(m.group(2))), {}


_CURRENCY = {
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "cent": "EUR/100",
    "ct": "EUR/100",
    "us-dollar": "USD",
    "dollar": "USD",
    "usd": "USD",
    "$": "USD",
    "chf": "CHF",
    "franken": "CHF",
    "gbp": "GBP",
    "£": "GBP",
    "pfund": "GBP",
    "dm": "DEM",
    "deutsche mark": "DEM",
}
_CUR = r"(€|EUR|Euro|Cent|ct|US-Dollar|Dollar|USD|\$|CHF|Franken|GBP|£|DM|Deutsche Mark)"
_MULT = r"(Mio\.?|Millionen|Million|Mrd\.?|Milliarden|Milliarde|Tsd\.?|Tausend)"
_MULTS = {"mio": 10**6, "million": 10**6, "millionen": 10**6, "mrd": 10**9}
_MULTS |= {"milliarden": 10**9, "milliarde": 10**9, "tsd": 1000, "tausend": 1000}
# Units are found first and the number is read backwards from them: a scan for number
# words at every position of a 57-page law costs ten times more than one for the units.
_NUM_END = re.compile(
    rf"(?<![A-Za-zÄÖÜäöüß\d.,])({NUM_SPACED}|(?:ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun|"
    rf"zehn)einhalb|{WORD}|anderthalb|"
    r"(?:ein(?:e[mns]?)?\s+)?halbe[nsm]?)(?:,[-–]{1,2})?\s*$",
    re.I,
)
_MULT_END = re.compile(_MULT + r"\s*$")


def number_before(text: str, pos: int, *, words: bool = True) -> tuple[int, str] | None:
    """The number that ends right before ``pos`` ("1.500,00 " before "Euro"): start, text."""
    m = _NUM_END.search(text, max(0, pos - 40), pos)
    if not m:
        return None
    if not words and not m.group(1)[0].isdigit():
        return None
    return m.start(), m.group(1)


_CUR_AFTER = re.compile(r"(?<![A-Za-zÄÖÜäöüß])" + _CUR + r"(?![A-Za-zäöü])")
_AMOUNT_BEFORE = re.compile(
    rf"(?<![A-Za-z]){_CUR}\s*({NUM_SPACED})(?:,[-–]{{1,2}})?(?:\s*{_MULT})?(?![\d])"
)


def _amount(number: str, mult: str | None, cur: str) -> tuple | None:
    value = parse_number(number)
    if value is None:
        return None
    if mult:
        value *= _MULTS.get(mult.casefold().rstrip("."), 1)
    code = _CURRENCY.get(cur.casefold(), cur.upper())
    if code == "EUR/100":
        code, value = "EUR", value / Decimal(100)
    return ("amount", code, canon(value))


def find_amounts(text: str) -> Iterator[Hit]:
    for m in _CUR_AFTER.finditer(text):
        cur = m.group(1)
        pos = m.start()
        mult = _MULT_END.search(text, max(0, pos - 14), pos)
        if mult:
            pos = mult.start()
        num = number_before(text, pos)
        if num is None:
            continue
        v = _amount(num[1], mult.group(1) if mult else None, cur)
        if v:
            yield num[0], m.end(), "amount", v, {}
    for m in _AMOUNT_BEFORE.finditer(text):
        v = _amount(m.group(2), m.group(3), m.group(1))
        if v:
            yield m.start(), m.end(), "amount", v, {}


_PERCENT = re.compile(r"(%|Prozentpunkte?n?|Prozent|v\.\s?H\.|vom Hundert)")


def find_percents(text: str) -> Iterator[Hit]:
    for m in _PERCENT.finditer(text):
        num = number_before(text, m.start())
        value = parse_number(num[1]) if num else None
        if num is None or value is None:
            continue
        unit = "pp" if m.group(1).casefold().startswith("prozentp") else "%"
        yield num[0], m.end(), "percent", ("percent", unit, canon(value)), {}


# Period units → (dimension, factor): days and weeks compare in days, months and years in
# months; working days are their own dimension ("24 Werktage" are not "24 Tage").
_PERIOD_UNITS = {
    "minute": ("min", 1),
    "stunde": ("min", 60),
    "tag": ("d", 1),
    "kalendertag": ("d", 1),
    "woche": ("d", 7),
    "kalenderwoche": ("d", 7),
    "werktag": ("wd", 1),
    "arbeitstag": ("ad", 1),
    "monat": ("m", 1),
    "kalendermonat": ("m", 1),
    "quartal": ("m", 3),
    "vierteljahr": ("m", 3),
    "halbjahr": ("m", 6),
    "jahr": ("m", 12),
    "kalenderjahr": ("m", 12),
}
_PERIOD = re.compile(
    r"(?<![A-Za-zÄÖÜäöüß])(Minute|Stunde|Kalendertag|Kalenderwoche|Werktag|Arbeitstag|"
    r"Kalendermonat|Tag|Woche|Monat|Quartal|Vierteljahr|Halbjahr|Kalenderjahr|Jahr)"
    r"(e|en|n|s|es)?(?![A-Za-zäöüß])"
)
_FRIST_CUE = re.compile(r"frist|wöchig|monatig|jährig|tägig", re.I)
_FRIST = re.compile(
    rf"({WORD_NO_EIN}|ein)?(wochen|monats|jahres|tages|wöch|monat|jähr|täg)"
    r"(frist|ig)[a-zäöüß]*",
    re.I,
)
_WORD_AT = re.compile(r"[A-Za-zÄÖÜäöüß]+")


def _period(n: Decimal, unit: str) -> tuple:
    dim, factor = _PERIOD_UNITS[unit.casefold()]
    return ("period", dim, canon(n * factor))


def find_periods(text: str) -> Iterator[Hit]:
    for m in _PERIOD.finditer(text):
        num = number_before(text, m.start())
        if num is None or not text[num[0] : m.start()].endswith((" ", "\n", "\u00a0")):
            continue
        word = num[1].casefold()
        if word.endswith("einhalb"):
            n = Decimal(parse_word(word[:-7]) or 0) + Decimal("0.5")
        elif word == "anderthalb":
            n = Decimal("1.5")
        elif "halb" in word:
            n = Decimal("0.5")
        else:
            parsed = parse_number(num[1])
            if parsed is None:
                continue
            n = parsed
        yield num[0], m.end(), "period", _period(n, m.group(1)), {}
    units = {"wochen": "woche", "monats": "monat", "jahres": "jahr", "tages": "tag"}
    units |= {"wöch": "woche", "monat": "monat", "jähr": "jahr", "täg": "tag"}
    seen = -1
    for cue in _FRIST_CUE.finditer(text):
        start = cue.start()
        while start > 0 and (text[start - 1].isalpha()):
            start -= 1
        if start <= seen:
            continue
        seen = start
        word = _WORD_AT.match(text, start)
        m = _FRIST.fullmatch(word.group(0)) if word else None
        if not m or (m.group(3) == "ig") != (len(m.group(2)) <= 5):
            continue  # "Wochenfrist", "zweiwöchig"; not "Fristig" or "Monatsig"
        if m.group(3) == "ig" and not m.group(1):
            continue
        n = Decimal(parse_word(m.group(1)) or 0) if m.group(1) else Decimal(1)
        if n:
            end = start + len(word.group(0))  # type: ignore[union-attr]
            unit = units[m.group(2).casefold()]
            yield start, end, "period", _period(n, unit), {}


_MEASURE = {
    "m": ("m", 1),
    "meter": ("m", 1),
    "km": ("m", 1000),
    "kilometer": ("m", 1000),
    "cm": ("m", Decimal("0.01")),
    "zentimeter": ("m", Decimal("0.01")),
    "mm": ("m", Decimal("0.001")),
    "millimeter": ("m", Decimal("0.001")),
    "qm": ("m2", 1),
    "m²": ("m2", 1),
    "m2": ("m2", 1),
    "quadratmeter": ("m2", 1),
    "ha": ("m2", 10000),
    "hektar": ("m2", 10000),
    "m³": ("m3", 1),
    "m3": ("m3", 1),
    "kubikmeter": ("m3", 1),
    "kg": ("g", 1000),
    "kilogramm": ("g", 1000),
    "g": ("g", 1),
    "gramm": ("g", 1),
    "t": ("g", 10**6),
    "tonnen": ("g", 10**6),
    "tonne": ("g", 10**6),
    "l": ("l", 1),
    "liter": ("l", 1),
    "kw": ("kw", 1),
    "kwh": ("kwh", 1),
    "grad": ("grad", 1),
    "°c": ("grad", 1),
    "°": ("grad", 1),
}
_MEASURE_RE = re.compile(
    r"(?<![A-Za-zÄÖÜäöüß])(Kilometer|Zentimeter|Millimeter|Quadratmeter|"
    r"Kubikmeter|Kilogramm|Tonnen|Tonne|Gramm|Liter|Hektar|Meter|Grad|km|cm|mm|qm|m²|m³|m2|m3|"
    r"kg|kWh|kW|ha|°C|°|g|t|l|m)(n)?(?![A-Za-zäöüß0-9])"
)
_ORDINAL = re.compile(
    r"(?<![\d.,§])(\d{1,3})\.\s+((?:Lebens|Kalender)?(?:jahr|monat|tag|woche|Jahr|Monat|Tag|"
    r"Woche)|[A-ZÄÖÜ][a-zäöüß]+(?:jahr|monat|tag|woche))(es|s|e|en)?\b"
)
_COUNT = re.compile(r"(?<![\d.,§/-])(\d+(?:,\d+)?|\d{1,3}(?:\.\d{3})+)\s+([A-ZÄÖÜ][a-zäöüß]{2,})\b")
_COUNT_WORD = re.compile(rf"\b((?i:{WORD_NO_EIN}))\s+([A-ZÄÖÜ][a-zäöüß]{{2,}})\b")
_LOCATOR = re.compile(
    r"(?:Nr\.|Nummer|Nummern|Abs\.|Absatz|Satz|Sätze|Seite|Seiten|S\.|Anlage|Teil|Teilen|"
    r"Kapitel|Abschnitt|Art\.|Artikel|§|§§|Buchstabe|Ziffer|Ziff\.|Tel\.?|Fax|Band|Stufe|"
    r"Klasse|Gruppe|Zeile|Spalte|Punkt|Position|Pos\.|Anhang|Buch|Titel|und|bis|oder)\s*$"
)
# "Absatz 1 Satz 2": the number belongs to the word before, "Satz" is no counted thing.
_LOCATOR_NOUNS = frozenset(
    [
        "Satz",
        "Sätze",
        "Absatz",
        "Absätze",
        "Nummer",
        "Nummern",
        "Buchstabe",
        "Buchstaben",
        "Halbsatz",
        "Alternative",
        "Abschnitt",
        "Teil",
        "Kapitel",
        "Anlage",
        "Anhang",
        "Artikel",
        "Paragraph",
        "Paragraf",
        "Ziffer",
        "Spalte",
        "Zeile",
        "Seite",
        "Seiten",
        "Tabelle",
        "Punkt",
        "Stufe",
        "Unterabschnitt",
        "Verordnung",
    ]
)
_NOUN_ENDINGS = ("en", "es", "er", "e", "n", "s")


def noun_stem(word: str) -> str:
    """ "Kindern", "Kinder", "Kind" → "kind": endings dropped twice at most."""
    w = word.casefold()
    for _round in range(2):
        for ending in _NOUN_ENDINGS:
            if w.endswith(ending) and len(w) - len(ending) >= 4:
                w = w[: -len(ending)]
                break
        else:
            break
    return w


def find_numbers(text: str, *, source: bool) -> Iterator[Hit]:
    for m in _MEASURE_RE.finditer(text):
        unit = _MEASURE.get(m.group(1).casefold()) or _MEASURE.get(m.group(1))
        short = len(m.group(1)) <= 2
        num = number_before(text, m.start(), words=not short)
        if num is None or unit is None:
            continue
        value = parse_number(num[1])
        if value is None or num[1].casefold().startswith("ein"):
            continue
        yield num[0], m.end(), "number", ("number", unit[0], canon(value * unit[1])), {}
    for m in _ORDINAL.finditer(text):
        stem = noun_stem(m.group(2))
        yield m.start(), m.end(), "number", ("ordinal", stem, m.group(1)), {}
    for regex in (_COUNT, _COUNT_WORD):
        for m in regex.finditer(text):
            noun = m.group(2)
            if noun.casefold() in MONTHS or noun in names.NOT_NOUNS or noun in _LOCATOR_NOUNS:
                continue
            if _LOCATOR.search(text, max(0, m.start() - 12), m.start()):
                continue
            value = parse_number(m.group(1))
            if value is None:
                continue
            yield (
                m.start(),
                m.end(),
                "number",
                ("count", noun_stem(m.group(2)), canon(value)),
                {},
            )


def _source_only(fn: Callable[[str], Iterator[Hit]]) -> Callable[[str, bool], Iterator[Hit]]:
    return lambda text, source: fn(text)


# Order = precedence when spans overlap.
EXTRACTORS: list[Callable[[str, bool], Iterator[Hit]]] = [
    _source_only(codes.find_emails),
    _source_only(codes.find_ibans),
    _source_only(codes.find_file_numbers),
    _source_only(codes.find_phones),
    lambda text, source: periods.find_anchored(text, source=source),
    _source_only(find_dates),
    _source_only(find_times),
    _source_only(refs.find_references),
    _source_only(find_amounts),
    _source_only(find_percents),
    _source_only(find_periods),
    lambda text, source: find_numbers(text, source=source),
    _source_only(names.find_persons),
    _source_only(names.find_authorities),
    _source_only(find_years),
]


def extract(text: str, *, source: bool = False, with_context: bool = True) -> list[Fact]:
    """All facts in ``text``, in reading order, none overlapping another.

    ``source=True`` reads a source: a few extra patterns (counts in words: "drei Kinder")
    that only ever *support* a fact, never raise one."""
    taken = bytearray(len(text) + 1)
    facts: list[Fact] = []
    for extractor in EXTRACTORS:
        for start, end, kind, value, extra in extractor(text, source):
            if taken.find(1, start, end) >= 0:
                continue
            taken[start:end] = b"\x01" * (end - start)
            facts.append(Fact(kind, text[start:end], start, end, value, extra=extra))
    facts.sort(key=lambda f: f.start)
    if with_context and facts:
        words = content_words(text)
        positions = [p for p, _w in words]
        for f in facts:
            # A reference names what the whole sentence is about; other facts their
            # neighbourhood.
            width = 20 if f.kind == "reference" else 7
            f.ctx = context(words, positions, f.start, f.end, text, width)
    return facts
