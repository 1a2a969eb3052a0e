"""Word-level helpers: crude German stems and the context of a fact.

A fact's context is the set of content-word stems near it. It only has to answer "is this
source passage about the same thing as the sentence in the result?", so a prefix stem (first
six letters, umlauts folded) is enough and costs nothing; a real stemmer would add a
dependency for no measurable gain here."""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

WORD_RE = re.compile(r"[A-Za-zÄÖÜäöüß][A-Za-zÄÖÜäöüß-]{2,}")
STOP = frozenset(
    [
        "aber",
        "alle",
        "allen",
        "aller",
        "alles",
        "als",
        "also",
        "am",
        "an",
        "auch",
        "auf",
        "aus",
        "bei",
        "beim",
        "bis",
        "bzw",
        "da",
        "damit",
        "dann",
        "das",
        "dass",
        "daß",
        "dem",
        "den",
        "denen",
        "der",
        "deren",
        "des",
        "dessen",
        "die",
        "dies",
        "diese",
        "diesem",
        "diesen",
        "dieser",
        "dieses",
        "doch",
        "dort",
        "durch",
        "ein",
        "eine",
        "einem",
        "einen",
        "einer",
        "eines",
        "er",
        "es",
        "für",
        "gegen",
        "hat",
        "haben",
        "hier",
        "ihr",
        "ihre",
        "ihrem",
        "ihren",
        "ihrer",
        "im",
        "in",
        "ist",
        "ja",
        "jede",
        "jedem",
        "jeden",
        "jeder",
        "jedes",
        "kann",
        "kein",
        "keine",
        "können",
        "man",
        "mehr",
        "mit",
        "muss",
        "muß",
        "nach",
        "nicht",
        "noch",
        "nur",
        "ob",
        "oder",
        "ohne",
        "sein",
        "seine",
        "seinem",
        "seinen",
        "seiner",
        "sich",
        "sie",
        "sind",
        "so",
        "soll",
        "sollen",
        "sowie",
        "über",
        "um",
        "und",
        "uns",
        "unter",
        "vom",
        "von",
        "vor",
        "war",
        "wenn",
        "werden",
        "wird",
        "wie",
        "wir",
        "worden",
        "wurde",
        "zu",
        "zum",
        "zur",
        "zwischen",
        "nach",
        "gemäß",
        "binnen",
        "innerhalb",
        "spätestens",
        "mindestens",
        "höchstens",
        "bereits",
        "gilt",
        "gelten",
        "sowie",
        "soweit",
        "sofern",
        "ihm",
        "ihn",
        "wer",
        "was",
        "welche",
        "welcher",
        "welches",
        "eines",
        "beträgt",
        "betragen",
        "absatz",
        "satz",
        "nummer",
        "abs",
        "artikel",
        "paragraph",
        "euro",
        "prozent",
        "tage",
        "tagen",
        "wochen",
        "monate",
        "monaten",
        "jahre",
        "jahren",
        "jahr",
        "monat",
        "woche",
        "tag",
        "uhr",
        "seite",
        "seiten",
    ]
)
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "s"})


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    w = word.casefold().translate(_FOLD)
    return w[:6]


def content_words(text: str) -> list[tuple[int, str]]:
    """(position, stem) of every content word (no stop words, no short words)."""
    out: list[tuple[int, str]] = []
    for m in WORD_RE.finditer(text):
        s = _content_stem(m.group(0))
        if s:
            out.append((m.start(), s))
    return out


@lru_cache(maxsize=65536)
def _content_stem(word: str) -> str:
    return "" if word.casefold() in STOP else stem(word)


def stems_between(words: list[tuple[int, str]], positions: list[int], lo: int, hi: int) -> set[str]:
    """Stems of the content words that start in [lo, hi)."""
    i = bisect.bisect_left(positions, lo)
    j = bisect.bisect_left(positions, hi)
    return {w for _p, w in words[i:j]}


_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-ZÄÖÜ\d(§])|(?<=[a-zäöüß)])[.!?](?=\s)|\n\s*\n")
_NOT_END = re.compile(
    r"\b(?:Abs|Nr|Art|Artt|S|Dr|Prof|Str|bzw|vgl|ca|Buchst|lit|Ziff|gem|ggf|usw|"
    r"Nrn|Hs|Anm|Az|Gz|Tel|Fr|Hr|[a-zA-Z])$"
)
_MONTH_AFTER = re.compile(
    r"\.\s+(?:Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|"
    r"Dezember|Lebens|Kalender)"
)


def _ordinal(text: str, dot: int) -> bool:
    i = dot
    while i > 0 and text[i - 1].isdigit():
        i -= 1
    if i == dot or dot - i > 2:
        return False
    if i > 0 and text[i - 1] in ".,/":
        return False
    line_start = text.rfind("\n", 0, i) + 1
    return not text[line_start:i].strip() or bool(_MONTH_AFTER.match(text, dot))


def _ends(text: str, lo: int, hi: int) -> list[int]:
    """Sentence ends in [lo, hi): not after "Abs", a list number or a day ("1. März")."""
    out = []
    for m in _SENTENCE_END.finditer(text, lo, hi):
        if m.group(0) == "." and (
            _NOT_END.search(text, max(0, m.start() - 8), m.start()) or _ordinal(text, m.start())
        ):
            continue
        out.append(m.start())
    return out


def context(
    words: list[tuple[int, str]],
    positions: list[int],
    start: int,
    end: int,
    text: str,
    width: int = 7,
) -> frozenset[str]:
    """Stems of up to ``width`` content words on either side of [start, end) within the same
    sentence: the next sentence is about something else ("Das Schreiben ist vom 3. März.
    Bitte bis 31. März antworten" must not tie the first date to "antworten")."""
    before = _ends(text, max(0, start - 400), start)
    lo_limit = before[-1] if before else -1
    after = _ends(text, end, end + 400)
    hi_limit = after[0] if after else min(len(text), end + 400)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    line = text[line_start:line_end].rstrip()
    wrapped = (
        not line
        or line[-1] in ",;-"
        or line[-1].islower()
        or text[line_end + 1 : line_end + 2].islower()
        or _continues(text, line_start)
    )
    if (
        line_end - line_start < 60 and not wrapped
    ):  # a letterhead or header line ("Datum: 9. März 2026")
        lo_limit, hi_limit = max(lo_limit, line_start - 1), min(hi_limit, line_end)
    i = bisect.bisect_left(positions, start)
    j = bisect.bisect_left(positions, end)
    out: set[str] = set()
    for k in range(max(0, i - width), i):
        if words[k][0] > lo_limit:
            out.add(words[k][1])
    for k in range(j, min(len(words), j + width)):
        if words[k][0] < hi_limit:
            out.add(words[k][1])
    return frozenset(out)


def _continues(text: str, line_start: int) -> bool:
    """The line before is a long wrapped line that runs on into this one ("… spätestens 36
    Monate nach dem 23. Juli 2021, für Behörden … mit weniger als 50 Beschäftigten" / "spätestens
    24 Monate nach dem 23. Juli 2021."): this line is a sentence's end, not a header line."""
    prev_start = text.rfind("\n", 0, max(0, line_start - 1)) + 1
    prev = text[prev_start : max(prev_start, line_start - 1)].rstrip()
    return len(prev) >= 60 and (prev[-1] in ",;-" or prev[-1].islower())


def snippet(text: str, start: int, end: int, width: int = 90) -> str:
    """The passage around a match, on one line, cut at word boundaries."""
    lo = max(0, start - width)
    hi = min(len(text), end + width)
    if lo > 0:
        space = text.find(" ", lo)
        lo = space + 1 if 0 <= space < start else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space > end else hi
    out = " ".join(text[lo:hi].split())
    return ("… " if lo > 0 else "") + out + (" …" if hi < len(text) else "")
