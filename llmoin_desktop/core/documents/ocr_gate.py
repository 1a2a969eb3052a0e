"""The lexicon gate: is what Tesseract read from an image text, or noise? (issue 20)

A photo of a garden, a wall or branches came back as "A / wg = / ef" with a mean confidence
of 40–50 — enough for the old check (3 characters, confidence 30), but no word in it is one.
The gate judges each recognised word (docs/ocr.md, "Per page" step 6).
"""

from __future__ import annotations

import re

# A word counts as credible when Tesseract read it with good confidence *and* it is in
# the language's dictionary, or is a number/date (2+ digits), or is long and read with very
# high confidence (names, compounds the dictionary lacks: "Lindenallee", "OA-32/2025").
CREDIBLE_CONFIDENCE = 60.0
SURE_CONFIDENCE = 85.0
_WORD_CHARS = re.compile(r"[^\w]+")


def credible_word(word: str, confidence: float, in_dictionary: bool | None) -> bool:
    core = _WORD_CHARS.sub("", word)
    if confidence < CREDIBLE_CONFIDENCE or not core:
        return False
    digits = sum(c.isdigit() for c in core)
    if digits >= 2 and digits >= len(core) // 2:
        return True
    letters = sum(c.isalpha() for c in core)
    if in_dictionary and letters >= 2:
        return True
    return letters >= 4 and confidence >= SURE_CONFIDENCE and _plausible(core)


def _plausible(core: str) -> bool:
    """Letters that could be a word: a vowel, no run of 4 equal letters, not mixed case."""
    lower = core.lower()
    if not any(v in lower for v in "aeiouäöüy"):
        return False
    if re.search(r"(.)\1\1\1", lower):
        return False
    inner = core[1:]
    return not (any(c.isupper() for c in inner) and any(c.islower() for c in inner))


def credible_in_text(text: str) -> tuple[int, int]:
    """(credible, all) words judged from the text alone (pages cached before the gate)."""
    words = text.split()
    good = 0
    for word in words:
        core = _WORD_CHARS.sub("", word)
        digits = sum(c.isdigit() for c in core)
        if (digits >= 2 and digits >= len(core) // 2) or (len(core) >= 4 and _plausible(core)):
            good += 1
    return good, len(words)


def looks_like_text(credible: int, words: int) -> bool:
    """Two credible words making up a quarter of all, or one making up half (a door sign)."""
    if words <= 0:
        return False
    ratio = credible / words
    return (credible >= 2 and ratio >= 0.25) or (credible >= 1 and ratio >= 0.5)
