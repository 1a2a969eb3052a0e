"""German numbers: digits with thousands separators and decimal commas, and number words.

Why a parser of its own: the checker must treat "1.500,00 €", "1 500 Euro" and "EUR 1500" as
one value, and "drei Wochen" as "3 Wochen". ``Decimal`` keeps cents exact (no float noise when
a summary writes "0,1 %" and the source "0,10 %").
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# A number as written in German texts: "37", "37,50", "1.500", "1.500,00", "0,5", "37,-".
# Thousands groups need exactly three digits, so "31.03." (a date) never parses as 3103.
NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
# For amounts: also "1 500" (a space, narrow or no-break space as the thousands separator).
NUM_SPACED = r"\d{1,3}(?:[.\u00a0\u202f ]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"

_UNITS = {
    "null": 0,
    "ein": 1,
    "eins": 1,
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "fünf": 5,
    "sechs": 6,
    "sieben": 7,
    "acht": 8,
    "neun": 9,
}
_TEENS = {
    "zehn": 10,
    "elf": 11,
    "zwölf": 12,
    "dreizehn": 13,
    "vierzehn": 14,
    "fünfzehn": 15,
    "sechzehn": 16,
    "siebzehn": 17,
    "achtzehn": 18,
    "neunzehn": 19,
}
_TENS = {
    "zwanzig": 20,
    "dreißig": 30,
    "vierzig": 40,
    "fünfzig": 50,
    "sechzig": 60,
    "siebzig": 70,
    "achtzig": 80,
    "neunzig": 90,
}
# Inflected forms of "ein" ("binnen eines Monats", "einer Woche", "einem Jahr").
_EIN_FORMS = ("ein", "eine", "einen", "einem", "einer", "eines")


def parse_word(word: str) -> int | None:
    """ "drei" → 3, "einundzwanzig" → 21, "einem" → 1, "hundert" → 100; else None."""
    w = word.casefold()
    if w in _EIN_FORMS:
        return 1
    if w in _UNITS:
        return _UNITS[w]
    if w in _TEENS:
        return _TEENS[w]
    if w in _TENS:
        return _TENS[w]
    if w in ("hundert", "einhundert"):
        return 100
    if w in ("tausend", "eintausend"):
        return 1000
    if "und" in w:
        unit, _sep, tens = w.partition("und")
        u = 1 if unit == "ein" else _UNITS.get(unit)
        t = _TENS.get(tens)
        if u is not None and t is not None and u > 0:
            return t + u
    return None


def _word_alternatives() -> str:
    units = "ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun"
    tens = "|".join(_TENS)
    teens = "|".join(_TEENS)
    return (
        rf"(?:(?:{units})und(?:{tens})|{tens}|{teens}|eine[mnrs]?|ein|eins|"
        rf"zwei|drei|vier|fünf|sechs|sieben|acht|neun|hundert|einhundert|tausend)"
    )


# Number words as a regex alternative (case-insensitive use: "Drei Wochen" at a sentence start).
WORD = _word_alternatives()
# Words without "ein…": for counts of things "eine Behörde" is no statement of a number.
WORD_NO_EIN = WORD.replace("eine[mnrs]?|ein|eins|", "")

_SPACES = re.compile(r"[\u00a0\u202f ]")


def parse_number(text: str) -> Decimal | None:
    """ "1.500,00" → 1500.00; "37,-" → 37; "drei" → 3; None when it is not a number."""
    t = text.strip().rstrip("-–").rstrip(",")
    if not t:
        return None
    if t[0].isdigit():
        t = _SPACES.sub("", t)
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", t):
            t = t.replace(".", "")
        t = t.replace(",", ".")
        try:
            return Decimal(t)
        except InvalidOperation:
            return None
    n = parse_word(t)
    return Decimal(n) if n is not None else None


def canon(value: Decimal) -> str:
    """One spelling per value: 37 == 37,00 == 37.0 → "37"; 0,50 → "0.5"."""
    normal = value.normalize()
    text = format(normal, "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}


def parse_roman(text: str) -> int | None:
    """ "II" → 2, "IV" → 4, "XII" → 12 (paragraph numbers: "§ 5 II 1")."""
    if not text or not re.fullmatch(r"[IVXL]+", text):
        return None
    total = 0
    prev = 0
    for ch in reversed(text):
        v = ROMAN[ch]
        if v < prev:
            total -= v
        else:
            total += v
            prev = v
    return total if 0 < total < 40 else None
