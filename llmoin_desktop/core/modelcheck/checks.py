"""Checks on model output that need no judgement of prose (issue 12, part 2).

Each check answers a yes/no question a person could verify by looking: is the summary shorter
than its source, is it German, does the letter open with a salutation, do the table rows parse
and hold the sample's deadlines and amounts, do the [n] citations point at real sources, are
the sentences of a plain-language text shorter than the source's, does reasoning text leak.
Quality of wording is left to people; these checks find models that do not work at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from llmoin_desktop.core.tasks.tables import parse_markdown_table

# Frequent function words; a German text has many of the first and few of the second.
GERMAN_STOP = set(
    [
        "der",
        "die",
        "das",
        "und",
        "ist",
        "nicht",
        "ein",
        "eine",
        "einen",
        "einem",
        "einer",
        "den",
        "dem",
        "des",
        "zu",
        "mit",
        "auf",
        "für",
        "von",
        "im",
        "in",
        "sich",
        "auch",
        "es",
        "wir",
        "sie",
        "er",
        "ich",
        "wird",
        "werden",
        "wurde",
        "sind",
        "war",
        "hat",
        "haben",
        "kann",
        "können",
        "dass",
        "als",
        "an",
        "aus",
        "bei",
        "nach",
        "oder",
        "über",
        "um",
        "wie",
        "noch",
        "nur",
        "so",
        "bis",
        "durch",
        "zum",
        "zur",
        "vom",
        "sowie",
        "diese",
        "dieser",
        "dieses",
        "ihre",
        "ihr",
        "unsere",
        "wenn",
        "bitte",
        "muss",
    ]
)
ENGLISH_STOP = set(
    [
        "the",
        "and",
        "is",
        "not",
        "a",
        "an",
        "of",
        "to",
        "in",
        "for",
        "on",
        "with",
        "that",
        "this",
        "it",
        "be",
        "are",
        "was",
        "were",
        "by",
        "from",
        "as",
        "at",
        "or",
        "which",
        "have",
        "has",
        "will",
        "can",
        "you",
        "your",
        "we",
        "our",
        "they",
        "their",
        "there",
        "if",
        "but",
    ]
)
SALUTATIONS = ("sehr geehrte", "liebe ", "lieber ", "guten tag", "hallo", "moin")
CLOSINGS = (
    "mit freundlichen grüßen",
    "freundliche grüße",
    "mit freundlichem gruß",
    "viele grüße",
    "beste grüße",
    "herzliche grüße",
    "hochachtungsvoll",
    "mit besten grüßen",
)
# Markers of thinking text that must never reach the clerk's result.
REASONING_MARKERS = (
    "<think>",
    "</think>",
    "<|channel|>",
    "<|start|>",
    "<|message|>",
    "<|end|>",
    "[THINK]",
    "[/THINK]",
    "<reasoning>",
)

_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+")


@dataclass
class Outcome:
    ok: bool
    detail: str  # what was measured, in the user's language


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def german_share(text: str) -> tuple[float, float]:
    """Shares of German and English function words among all words."""
    ws = words(text)
    if not ws:
        return 0.0, 0.0
    de = sum(1 for w in ws if w in GERMAN_STOP)
    en = sum(1 for w in ws if w in ENGLISH_STOP)
    return de / len(ws), en / len(ws)


def is_german(text: str) -> bool:
    de, en = german_share(text)
    return de >= 0.12 and de > 2 * en


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*[-•*\d])", text)
    return [p for p in (s.strip() for s in parts) if len(words(p)) >= 2]


def mean_sentence_words(text: str) -> float:
    sents = sentences(text)
    if not sents:
        return 0.0
    return sum(len(words(s)) for s in sents) / len(sents)


def has_salutation(text: str) -> bool:
    lines = [ln.strip().lower() for ln in text.splitlines() if ln.strip()]
    return any(ln.startswith(SALUTATIONS) for ln in lines[:6])


def has_closing(text: str) -> bool:
    lines = [ln.strip().lower() for ln in text.splitlines() if ln.strip()]
    # A line that *is* the closing, not an instruction that mentions one (a small model may
    # echo "… mit Mit freundlichen Grüßen enden" from its prompt).
    return any(ln.startswith(CLOSINGS) for ln in lines[-5:])


def reasoning_leak(text: str) -> str:
    """The first reasoning marker found in ``text`` ('' when clean)."""
    low = text.casefold()
    for marker in REASONING_MARKERS:
        if marker.casefold() in low:
            return marker
    return ""


def normalise(text: str) -> str:
    """Case and spaces folded, for comparing '256,00 €' with '256,00€' and '15. April 2025'
    with '15.April 2025' (punctuation stays: '2,50' must not match '25,00')."""
    return re.sub(r"\s+", "", text.casefold().replace("\u00a0", " "))


def fact_found(fact: tuple[str, ...], text: str) -> bool:
    """A fact is found when one of its spellings occurs (ignoring spaces and punctuation)."""
    flat = normalise(text)
    return any(normalise(spelling) in flat for spelling in fact)


def table_rows(text: str) -> tuple[int, int]:
    """(rows, rows with three non-empty cells) of the first Markdown table; (0, 0) if none."""
    parsed = parse_markdown_table(text)
    if parsed is None:
        return 0, 0
    _header, rows = parsed
    good = sum(1 for r in rows if len(r) >= 3 and all(c.strip() for c in r[:3]))
    return len(rows), good


def cited_sources(answer: str) -> set[int]:
    found: set[int] = set()
    for m in re.finditer(r"\[([\d,;\s]+)\]", answer):
        found.update(int(x) for x in re.findall(r"\d+", m.group(1)))
    return found
