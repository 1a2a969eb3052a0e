"""German text analysis for the keyword index: folding, stemming, compounds, § references.

Index and query go through the same functions, so whatever we do to German words (umlauts,
case, inflection, compounds) happens on both sides. The FTS5 table only ever sees the
space-separated output of :func:`analyze`; SQLite's own tokenizer does nothing clever.

Compounds ("Reisekostenvergütung" vs "Reisekosten", "Perso" vs "Personalausweis") are
handled with character n-grams of long words in a separate column: no dictionary, no word
list, works for every compound the corpus holds (McNamee & Mayfield showed 4/5-grams work
well for German).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

try:  # PyStemmer (C, fast); snowballstemmer is the pure-Python twin with the same algorithm
    import Stemmer as _stemmer_mod

    _STEMMER = _stemmer_mod.Stemmer("german")
    _STEMMER.maxCacheSize = 50000

    def _stem(word: str) -> str:
        return _STEMMER.stemWord(word)

except ImportError:  # pragma: no cover - depends on the installation
    try:
        import snowballstemmer

        _SNOW = snowballstemmer.stemmer("german")

        def _stem(word: str) -> str:
            return _SNOW.stemWord(word)

    except ImportError:

        def _stem(word: str) -> str:
            return word


# Generic German function words (articles, pronouns, auxiliaries, particles). They carry
# no topic; leaving them in lets long questions match any long paragraph.
_STOPWORDS_TEXT = """
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer
    anderes auch auf aus bei beim bin bis bist bzw da dabei dadurch dafür dagegen daher
    damit dann darf darfst dürfen dürfte daran darauf daraus darin darüber das dass daß
    dazu dein deine dem den denn dennoch der deren des deshalb dessen dich die dies diese
    diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines
    einfach einige einigen einiger er es etwa etwas euch euer eure für gegen gewesen
    hab habe haben hat hatte hätte hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren
    ihrer ihres im immer in ins ist ja jede jedem jeden jeder jedes jemand jemandem jemanden
    jetzt kann kannst können könnte man manche mehr mein meine meinem meinen meiner mich
    mir mit muss musst müssen müsste nach nicht nichts noch nun nur ob oder ohne schon sehr
    sein seine seinem seinen seiner seines selbst sich sie sind so soll sollen sollte
    sondern sonst über um und uns unser unsere unserem unseren unter viel vom von vor
    wann war waren warum was weil welche welchem welchen welcher welches wem wen wenn wer
    werde werden wie wieder will wir wird wo wollen worden wurde würde zu zum zur zwar
    eigentlich überhaupt trotzdem denn mal bitte gibt geht gilt kriegt wieso weshalb
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

_WORD_RE = re.compile(r"§+\s*\d+\s*[a-z]?\b|\d+[a-zA-Z]?|[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
_PARA_RE = re.compile(r"§+\s*(\d+)\s*([a-z]?)\b")
_GRAM_N = 4
_GRAM_MIN_WORD = 5  # short words are matched by their stems only


def fold(text: str) -> str:
    """Lower-case, umlauts to their base letter, ß to ss, other accents stripped."""
    text = text.lower().replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def paragraph_token(number: str, suffix: str = "") -> str:
    """One indexable token per § reference, e.g. "§ 17a" → "par17a"."""
    return f"par{number}{suffix.lower()}"


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem a lower-cased word, then fold; the German Snowball stemmer expects umlauts."""
    return fold(_stem(word.lower()))


def words(text: str) -> list[str]:
    """Raw word-like pieces in reading order; § references stay one piece."""
    return _WORD_RE.findall(text)


def analyze(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Text → stemmed, folded tokens; hyphenated words give the whole and its parts."""
    out: list[str] = []
    for w in words(text):
        if w.startswith("§"):
            m = _PARA_RE.match(w)
            if m:
                out.append(paragraph_token(m.group(1), m.group(2)))
            continue
        if w[0].isdigit():
            out.append(fold(w))
            continue
        parts = [w.replace("-", "")] + (w.split("-") if "-" in w else [])
        for part in parts:
            low = part.lower()
            if not keep_stopwords and (low in STOPWORDS or len(low) < 2):
                continue
            out.append(stem(low))
    return out


def grams(text: str) -> list[str]:
    """Character 4-grams of the long words (folded, unstemmed) for compound matching."""
    out: list[str] = []
    for w in words(text):
        out.extend(_word_grams(w))
    return out


@lru_cache(maxsize=200_000)
def _word_grams(w: str) -> tuple[str, ...]:
    """Per distinct word, cached: a corpus repeats its words, folding them is the cost."""
    if w[0] == "§" or w[0].isdigit():
        return ()
    f = fold(w).replace("-", "")
    if len(f) < _GRAM_MIN_WORD or f in STOPWORDS:
        return ()
    return tuple(f[i : i + _GRAM_N] for i in range(len(f) - _GRAM_N + 1))


def prefix_terms(text: str, min_len: int = 4) -> list[str]:
    """Short query words that may be clipped forms ("Perso") → folded prefixes to expand."""
    out = []
    for w in words(text):
        if w[0] == "§" or w[0].isdigit():
            continue
        f = fold(w)
        if min_len <= len(f) <= 6 and f not in STOPWORDS:
            out.append(f)
    return out


def paragraph_refs(text: str) -> list[tuple[str, str]]:
    """All "§ 17" / "§ 17a" references in a text as (number, suffix)."""
    return [(m.group(1), m.group(2).lower()) for m in _PARA_RE.finditer(text)]


_ABBR_PAREN = re.compile(r"\(([A-ZÄÖÜ][A-Za-zÄÖÜäöü]{1,9})\)")
_ABBR_BEFORE = re.compile(r"(?<![\w\-])((?:[\w\-]+\s+){0,3}[\w\-]{4,})\s+$")


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def abbreviation_definitions(text: str) -> list[tuple[str, str]]:
    """Abbreviations a document defines itself: "Bundesmeldegesetz (BMG)" → ("bmg", long form).

    Laws and administrative texts introduce their short forms this way; learning them from
    the indexed documents keeps us from shipping a hand-made list. The long form is the
    shortest run of preceding words that starts with the abbreviation's first letter and
    contains its letters in order.
    """
    found = []
    # Find "(ABC)" first and only then look at the words before it: one regex over the
    # whole text that starts at every word costs seconds on a long law.
    for p in _ABBR_PAREN.finditer(text):
        if sum(1 for c in p.group(1) if c.isupper()) < 2:
            continue
        m = _ABBR_BEFORE.search(text, max(0, p.start() - 300), p.start())
        if m is None:
            continue
        abbr = fold(p.group(1))
        ws = m.group(1).split()
        for start in range(len(ws) - 1, -1, -1):
            cand = fold("".join(ws[start:]))
            if cand.startswith(abbr[0]) and _is_subsequence(abbr, cand):
                found.append((abbr, " ".join(ws[start:])))
                break
    return found


# Versions of one rule (library_search.collapse_versions, keyword_index): here, below both, so
# neither imports the other.
_NOT_LETTERS = re.compile(r"[^a-zäöüß]+")
FINGERPRINT_CHARS = 60


def fingerprint(section: str, text: str) -> str:
    """What makes two passages "the same rule in another version": the section heading and
    the start of the text, without numbers (amounts, dates, § numbers change between
    versions), case or punctuation."""
    return _NOT_LETTERS.sub(" ", f"{section} {text[:FINGERPRINT_CHARS]}".lower()).strip()
