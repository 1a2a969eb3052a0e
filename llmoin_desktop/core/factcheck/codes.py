"""Codes: e-mail addresses, IBANs, Aktenzeichen/Geschäftszeichen and phone numbers.

Their canonical form drops spacing and case ("DE89 3704 0044 0532 0130 00" =
"DE89370400440532013000"); the lookup also searches the source's compacted text, so a code
is found even where the source prints it without a keyword ("Unser Zeichen" in a letterhead
table the loader split into cells)."""

from __future__ import annotations

import re
from collections.abc import Iterator

Hit = tuple[int, int, str, object, dict]

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")


def find_emails(text: str) -> Iterator[Hit]:
    for m in _EMAIL.finditer(text):
        yield m.start(), m.end(), "email", ("email", m.group(0).casefold()), {}


_IBAN = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)\b")


def compact(text: str) -> str:
    """Upper case, no spaces, one kind of dash: how codes are compared."""
    return re.sub(r"\s+", "", text).upper().replace("–", "-").replace("‑", "-")


def find_ibans(text: str) -> Iterator[Hit]:
    for m in _IBAN.finditer(text):
        code = compact(m.group(1))
        if 15 <= len(code) <= 34 and sum(c.isdigit() for c in code) >= 10:
            yield m.start(), m.end(), "iban", ("iban", code), {}


_AZ_KEY = re.compile(
    r"\b(Aktenzeichen|Az\.|Az|AZ|Gz\.|GZ|Geschäftszeichen|Gesch\.-Z\.|Zeichen|Kassenzeichen|"
    r"Vorgangsnummer|Vorgangs-Nr\.|Antragsnummer|Kundennummer|Steuernummer|Bearbeitungsnummer|"
    r"Registernummer|Mitgliedsnummer|Personalnummer|Bescheidnummer|Rechnungsnummer)"
    r"(?:\s*\((?:neu|alt|bitte[^)]{0,40})\))?\s*[:.]?\s*",
)
_TOKEN = re.compile(r"[A-ZÄÖÜ0-9][A-Za-zÄÖÜäöüß0-9/\-–.:_()]*")
_COURT = re.compile(r"\b(\d{1,3}\s?[A-Z][A-Za-z]{0,3}\s?\d{1,6}/\d{2,4})\b")
_NOT_CODE = frozenset({"vom", "und", "oder", "bitte", "angeben", "Datum"})


def _code_after(text: str, pos: int) -> tuple[int, int] | None:
    """The code that starts at ``pos``: tokens with digits or short capitals ("III B 2 -
    1234/26"), up to the first ordinary word, comma or line end."""
    end = pos
    i = pos
    has_digit = False
    while i < len(text):
        m = _TOKEN.match(text, i)
        if not m:
            if text.startswith(("- ", "– "), i) and end > pos:  # "III B 2 - 1234/26"
                i += 2
                continue
            break
        token = m.group(0).rstrip(".:,)")
        digits = any(c.isdigit() for c in token)
        short_caps = len(token) <= 4 and token.isupper()
        if not (digits or short_caps) or token in _NOT_CODE:
            break
        has_digit = has_digit or digits
        end = m.start() + len(token)
        i = m.end()
        if i < len(text) and text[i] == " " and i + 1 < len(text) and text[i + 1] != "\n":
            i += 1
            continue
        break
    return (pos, end) if has_digit and end - pos >= 3 else None


def find_file_numbers(text: str) -> Iterator[Hit]:
    for m in _AZ_KEY.finditer(text):
        span = _code_after(text, m.end())
        if span:
            code = compact(text[span[0] : span[1]])
            yield span[0], span[1], "file_number", ("file_number", code), {"key": m.group(1)}
    for m in _COURT.finditer(text):
        code = compact(m.group(1))
        yield m.start(1), m.end(1), "file_number", ("file_number", code), {"key": "court"}


_PHONE_KEY = re.compile(
    r"\b(?:Telefon|Tel\.|Tel|Telefax|Fax|Mobil|Handy|Rufnummer|Durchwahl|Tel\.-Nr\.|"
    r"Telefonnummer|Fon)\s*[:.]?\s*"
)
_PHONE = re.compile(r"(?:\+|00)?\(?\d[\d /().\-–]{4,}\d")
_PHONE_FREE = re.compile(
    r"(?<![\w/])(\+49[\d /().\-–]{6,}\d|0\d{2,5}\s?/\s?\d[\d \-–]{3,}\d|"
    r"\(0\d{2,5}\)\s?\d[\d \-–]{3,}\d|(?<=unter )0\d{2,5}[ \-–]?\d[\d \-–]{3,}\d)"
)


def phone_digits(text: str) -> str:
    """ "+49 (0)40 428 28-0" → "040428280": national form, digits only."""
    t = text.replace("(0)", "")
    digits = re.sub(r"\D", "", t)
    if t.strip().startswith("+"):
        digits = "0" + digits[2:] if digits.startswith("49") else "00" + digits
    elif digits.startswith("0049"):
        digits = "0" + digits[4:]
    return digits


def find_phones(text: str) -> Iterator[Hit]:
    for m in _PHONE_KEY.finditer(text):
        p = _PHONE.match(text, m.end())
        if p:
            raw = p.group(0).rstrip(" -–/(")
            digits = phone_digits(raw)
            if len(digits) >= 5:
                end = p.start() + len(raw)
                yield p.start(), end, "phone", ("phone", digits), {}
    for p in _PHONE_FREE.finditer(text):
        digits = phone_digits(p.group(1))
        if len(digits) >= 7:
            yield p.start(), p.end(), "phone", ("phone", digits), {}


_DIGIT_RUN = re.compile(r"\+?\(?\d[\d /().\-–]{3,}\d")


def digit_runs(text: str) -> set[str]:
    """Every run of digits with phone-like separators, in national form: a phone number
    printed without a keyword still supports one in the result."""
    return {phone_digits(m.group(0)) for m in _DIGIT_RUN.finditer(text)}
