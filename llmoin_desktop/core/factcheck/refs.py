"""§ / Art. references: "§ 9 Abs. 2 Satz 1 Nr. 3 VwVfG", "§ 5 II 1", "§§ 3 und 4", "Art. 6
Abs. 1 lit. e DSGVO".

A reference becomes one or more *single* references ``(kind, number, Abs., Satz, Nr.,
Buchst.)``; unset parts are None, so "§ 5 Abs. 2 Satz 1" and "§ 5 II 1" give the same tuple.
A law text supports a reference by its structure too: its heading "§ 9 …" and the paragraph
marker "(2)" below it support "§ 9 Abs. 2" although the source never writes those words
(``structure``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from llmoin_desktop.core.factcheck.names import law_key
from llmoin_desktop.core.factcheck.numbers import parse_roman

Hit = tuple[int, int, str, object, dict]
Single = tuple[str, str, str | None, str | None, str | None, str | None]

_HEAD = re.compile(
    r"(§§|§|Artt\.|Art\.|Artikel|Paragraphen|Paragraph|Paragrafen|Paragraf)\s*(\d+(?:\s?[a-z](?![a-zäöüß]))?)(?![\w,.]\d)"
)
_SEP = r"\s*(?:,|und|bis|sowie|oder|–|-)\s*"
_LIST = re.compile(_SEP + r"(\d+[a-z]?)\b(?![.,]\d)")
_PAREN_ABS = re.compile(r"\s?\((\d{1,2}[a-z]?)\)")
_ROMAN = re.compile(r"\s+([IVX]{1,5})\b(?![.\-])")
_BARE_SATZ = re.compile(
    r"\s+(\d{1,2})(?![\d.,])(?!\s*(?:Euro|EUR|€|%|Prozent|Tag|Woche|Monat|Jahr|Stunde|Uhr))"
)
_PARTS = {
    "abs": re.compile(r"\s*(?:Abs\.|Absatz|Absätze|Abs)\s*(\d+[a-z]?)\b"),
    "satz": re.compile(r"\s*(?:S\.|Satz|Sätze|Satzes)\s*(\d+)\b"),
    "nr": re.compile(r"\s*(?:Nr\.|Nrn\.|Nummer|Nummern|Ziff\.|Ziffer)\s*(\d+[a-z]?)\b"),
    "lit": re.compile(r"\s*(?:Buchst\.|Buchstabe|Buchstaben|lit\.)\s*([a-z])\b"),
}
_HALF = re.compile(r"\s*(?:Halbsatz|Hs\.|HS|Halbs\.)\s*\d")
_LAW = re.compile(
    r"\s+(?:des\s+|der\s+|im\s+|in\s+der\s+|nach\s+dem\s+)?"
    r"((?:(?:Richtlinie|Verordnung|Durchführungsverordnung)\s*\((?:EU|EG|EWG)\)\s*(?:Nr\.\s*)?"
    r"\d+/\d+|[A-ZÄÖÜ][A-Za-zÄÖÜäöü-]*[A-ZÄÖÜ][A-Za-zÄÖÜäöü]*|[A-ZÄÖÜ][a-zäöüß-]+"
    r"(?:gesetz|gesetzes|gesetzbuch|gesetzbuches|gesetzbuchs|ordnung|verordnung|"
    r"grundverordnung))(?:\s+[IVX]{1,4}\b)?)"
)
_KINDS = {"§§": "§", "§": "§", "Artt.": "Art", "Art.": "Art", "Artikel": "Art"}


def _kind(word: str) -> str:
    return _KINDS.get(word, "§" if word.startswith("Parag") else "Art")


def _list(text: str, pos: int, first: str) -> tuple[list[str], int]:
    """ "1 und 2", "1 bis 3", "1, 2 und 4" after a part word; ranges of up to 30 expand."""
    items = [first]
    while True:
        m = _LIST.match(text, pos)
        if not m:
            return items, pos
        sep = text[pos : m.start(1)]
        if "bis" in sep or "–" in sep or "-" in sep:
            a, b = re.match(r"\d+", items[-1]), re.match(r"\d+", m.group(1))
            if a and b and 0 < int(b.group(0)) - int(a.group(0)) <= 30:
                items += [str(n) for n in range(int(a.group(0)) + 1, int(b.group(0)) + 1)]
            else:
                items.append(m.group(1))
        else:
            items.append(m.group(1))
        pos = m.end()


def parse_at(text: str, m: re.Match[str]) -> tuple[int, list[Single], str | None]:
    """Parse the reference whose head ``m`` matched: (end, singles, law key)."""
    kind = _kind(m.group(1))
    nums = [m.group(2).replace(" ", "")]
    pos = m.end()
    if m.group(1) in ("§§", "Artt.", "Paragraphen", "Paragrafen"):
        nums, pos = _list(text, pos, nums[0])
    parts: dict[str, list[str]] = {}
    paren = _PAREN_ABS.match(text, pos)  # "§ 9 (2)": the paragraph in brackets
    if paren:
        parts["abs"] = [paren.group(1)]
        pos = paren.end()
    r = None if paren else _ROMAN.match(text, pos)
    if r and parse_roman(r.group(1)):
        parts["abs"] = [str(parse_roman(r.group(1)))]
        pos = r.end()
        s = _BARE_SATZ.match(text, pos)
        if s:
            parts["satz"] = [s.group(1)]
            pos = s.end()
    progressed = True
    while progressed:
        progressed = False
        for name, regex in _PARTS.items():
            if name in parts:
                continue
            p = regex.match(text, pos)
            if p:
                items, pos = _list(text, p.end(), p.group(1))
                parts[name] = items
                progressed = True
        h = _HALF.match(text, pos)
        if h:
            pos = h.end()
            progressed = True
    law = None
    lm = _LAW.match(text, pos)
    if lm:
        key = law_key(lm.group(1))
        if key:
            law = key
            pos = lm.end()
    singles: list[Single] = []
    for num in nums:
        for a in parts.get("abs", [None]):
            for s in parts.get("satz", [None]):
                for n in parts.get("nr", [None]):
                    for li in parts.get("lit", [None]):
                        singles.append((kind, num, a, s, n, li))
    return pos, singles, law


def find_references(text: str) -> Iterator[Hit]:
    for m in _HEAD.finditer(text):
        end, singles, law = parse_at(text, m)
        while end > m.start() and text[end - 1] in " ,":
            end -= 1
        value = ("reference", tuple(sorted(set(singles), key=str)), law)
        yield m.start(), end, "reference", value, {}


# --- structure of a law text -----------------------------------------------------------------
_HEADING = re.compile(
    r"^[ \t]*(?:#+[ \t]*)?(§|Art\.|Artikel)[ \t]*(\d+[ \t]?[a-z]?)\b(?![ \t]*(?:Abs|Absatz|Satz|Nr|"
    r"Nummer|und|bis|,|des|der|dieses|gilt|ist|bleibt|findet|wird|werden))([^\n]{0,160})$",
    re.M,
)
_ABS_MARK = re.compile(r"^[ \t]*\((\d{1,2}[a-z]?)\)[ \t]", re.M)
_NR_MARK = re.compile(r"^[ \t]*(\d{1,2}[a-z]?)\.[ \t]+(?=\S)", re.M)
_LIT_MARK = re.compile(r"^[ \t]*([a-z])\)[ \t]+", re.M)
_SENT_END = re.compile(r"(\S+)\.\s+(?=[A-ZÄÖÜ])")
_ABBREV = frozenset(
    [
        "abs",
        "nr",
        "art",
        "s",
        "z",
        "b",
        "bzw",
        "vgl",
        "ggf",
        "u",
        "a",
        "d",
        "h",
        "i",
        "v",
        "m",
        "o.ä",
        "ff",
        "f",
        "sog",
        "ca",
        "usw",
        "etc",
        "bgbl",
        "str",
        "dr",
        "prof",
    ]
)


def count_sentences(text: str) -> int:
    """Sentences as legal citations count them ("Satz 2"): full stops before a capital,
    not after an abbreviation or a list number."""
    n = 1
    for m in _SENT_END.finditer(text):
        word = m.group(1).rstrip(")").casefold()
        last = word.split(".")[-1]
        if last.isdigit() or last in _ABBREV or len(last) == 1:
            continue
        n += 1
    return n


Marker = tuple[int, str, str | None, str | None, str | None]  # pos, §/Art num, abs, nr, lit


def markers(text: str) -> list[tuple[int, str, str]]:
    """Structure markers in reading order: ("head", "§ 9"), ("abs", "2"), ("nr", "3")…"""
    out: list[tuple[int, str, str]] = []
    for m in _HEADING.finditer(text):
        title = m.group(3).strip()
        if title.endswith((".", ";")) and len(title) > 40:
            continue  # a sentence that starts with a reference, not a heading
        if re.match(r"(?:G|V|Bek|Gesetz|Verordnung)\s+v(?:om|\.)\s", title) or "BGBl" in title:
            continue  # "Art. 4 G v. 28.3.2021 I 591": a law's amendment note
        kind = "§" if m.group(1) == "§" else "Art"
        out.append((m.start(), "head", f"{kind}|{m.group(2).replace(' ', '').replace(chr(9), '')}"))
    for m in _ABS_MARK.finditer(text):
        out.append((m.start(), "abs", m.group(1)))
    for m in _NR_MARK.finditer(text):
        out.append((m.start(), "nr", m.group(1)))
    for m in _LIT_MARK.finditer(text):
        out.append((m.start(), "lit", m.group(1)))
    out.sort()
    return out
