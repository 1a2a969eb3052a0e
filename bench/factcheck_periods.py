"""Period cases for bench/factcheck.py: deadlines a summary writes as the date or period they
mean, and the same with a wrong date or period.

The phrases come from the laws themselves, found by pattern, none picked by hand:

- *derived dates*: every period anchored at the calendar that the checker's own rules find
  (``periods.find_anchored``: "in den ersten drei Monaten des folgenden Kalenderjahrs",
  "am Ende des Kalenderjahres", "im laufenden Kalenderjahr") is rewritten as the date it
  ends on, in four spellings ("bis zum 31. März des folgenden Jahres", "bis 31.03.", "bis
  Ende März des Folgejahres", "bis 31.3."), and corrupted to another month's end, a day
  before, or the wrong year ("des laufenden Jahres" for "des folgenden");
- *event periods*: a period counted from an event ("binnen eines Monats nach Zugang",
  "spätestens sechs Wochen vor", "innerhalb von zwei Wochen") is rewritten without its
  preposition in another unit or spelling ("einen Monat nach Zugang", "42 Tage vor", "14
  Tage") and corrupted to another number.

Each case is a one-sentence summary "Nach § 7 Abs. 3 BUrlG gilt: …" built like the law
sentences of bench/factcheck.py; a rewording is a false alarm when it gets more flags than
the same sentence with the law's own words.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from factcheck_cases import WORDS, de_num

from llmoin_desktop.core.factcheck.extract import extract
from llmoin_desktop.core.factcheck.model import SourceText
from llmoin_desktop.core.factcheck.periods import LAST_DAY, MONTH_NAMES, find_anchored
from llmoin_desktop.core.factcheck.refs import markers

_SENT = re.compile(r"(?<=[a-zäöüß)])\.\s+(?=[A-ZÄÖÜ])")
_PREP_BEFORE = re.compile(
    r"(?:spätestens\s+(?:zum|am|bis\s+zum)|bis\s+zum|in\s+den|in\s+dem|im|am|zum|mit\s+dem|"
    r"nach\s+dem|nach|vor\s+dem|vor|mit)\s+$"
)
_EVENT_BEFORE = re.compile(
    r"(?:binnen|innerhalb\s+von|innerhalb|spätestens|frühestens|von)\s+$", re.I
)
_EVENT_AFTER = re.compile(r"\s+(?:nach|vor|seit|ab)\s")
REL_TEXT = {
    "next": [" des folgenden Jahres", " des Folgejahres"],
    "this": ["", " des laufenden Jahres"],
}


@dataclass
class PeriodCase:
    """One faithful sentence and its variants: (kind, text, start, end of the change)."""

    base: str
    rewordings: list[tuple[str, str, int, int]] = field(default_factory=list)
    corruptions: list[tuple[str, str, int, int]] = field(default_factory=list)


def law_blocks(sources: list[SourceText]) -> Iterator[tuple[str, list[str]]]:
    """(where, sentences) for every paragraph of a law: "§ 7 Abs. 3", ["Der Urlaub muß …", …]."""
    text = "\n\n".join(s.text for s in sources)
    marks = markers(text)
    head: list[str] | None = None
    abs_: str | None = None
    for i, (pos, kind, value) in enumerate(marks):
        if kind == "head":
            head, abs_ = value.split("|"), None
        elif kind == "abs":
            abs_ = value
        else:
            continue
        if head is None:
            continue
        end = next((p for p, k, _v in marks[i + 1 :] if k in ("head", "abs")), len(text))
        block = text[pos:end]
        if kind == "head":
            block = block.split("\n", 1)[1] if "\n" in block else ""
        block = re.sub(r"^\s*\(\d+[a-z]?\)\s*", "", " ".join(block.split()))
        where = ("Art." if head[0] == "Art" else "§") + f" {head[1]}"
        where += f" Abs. {abs_}" if abs_ else ""
        yield where, _SENT.split(block)


def law_sentences(sources: list[SourceText]) -> Iterator[tuple[str, str]]:
    """(where, sentence) for every sentence of a law."""
    for where, sentences in law_blocks(sources):
        for sentence in sentences:
            yield where, sentence


def _date_text(month: int, day: int, style: int, rel: str | None, rng: random.Random) -> str:
    if style == 0:
        core = f"{day}. {MONTH_NAMES[month - 1]}"
    elif style == 1:
        core = f"{day:02}.{month:02}."
    elif style == 2:
        core = f"Ende {MONTH_NAMES[month - 1]}" if day == LAST_DAY[month] else f"{day}.{month}."
    else:
        core = f"{day}.{month}."
    return core + rng.choice(REL_TEXT.get(rel or "", [""]))


def _case(
    where: str, law: str, sentence: str, a: int, b: int, original: str
) -> tuple[str, int, int]:
    """The summary sentence around sentence[a:b] (the phrase), and the phrase's offsets."""
    words_before = [m.start() for m in re.finditer(r"\S+", sentence[:a])]
    cs = words_before[-12] if len(words_before) >= 12 else 0
    after = [m.end() for m in re.finditer(r"\S+", sentence[b:])]
    ce = b + (after[13] if len(after) > 13 else len(sentence) - b)
    prefix = f"Nach {where} {law} gilt: " + sentence[cs:a]
    tail = sentence[b:ce].rstrip(" .,;:") + "."
    return prefix + original + tail, len(prefix), len(prefix) + len(original)


def _derived_date_cases(
    where: str, law: str, sentence: str, rng: random.Random
) -> Iterator[PeriodCase]:
    for start, end, kind, value, extra in find_anchored(sentence, source=True):
        if kind != "date":
            continue
        _d, _y, month, day = value  # type: ignore[misc]
        prep = _PREP_BEFORE.search(sentence, max(0, start - 20), start)
        a = prep.start() if prep else start
        lead = prep.group(0).strip() if prep else ""
        lead = "bis zum" if lead in ("", "in den", "in dem", "im", "mit dem", "mit") else lead
        base, s, e = _case(where, law, sentence, a, end, sentence[a:end])
        case = PeriodCase(base)
        rel = extra.get("rel")

        # "des auf den Wegzug folgenden Kalenderjahres": the event stays in the sentence.
        inner = re.search(r"\bauf\s+(.+?)\s+folgenden", sentence[start:end])
        if inner:
            rel = None
        tail = f" des auf {inner.group(1)} folgenden Jahres" if inner else ""
        for style in range(4):
            new = f"{lead} {_date_text(month, day, style, rel, rng)}{tail}"
            case.rewordings.append(_variant(case.base, s, e, new))
        wrong_month = month % 12 + 1 if rng.random() < 0.5 or month == 1 else month - 1
        for m2, d2 in ((wrong_month, LAST_DAY[wrong_month]), (month, day - 1)):
            new = f"{lead} {_date_text(m2, d2, rng.randrange(4), rel, rng)}{tail}"
            case.corruptions.append(_variant(case.base, s, e, new))
        if rel in ("next", "this"):
            other = " des laufenden Jahres" if rel == "next" else " des folgenden Jahres"
            new = f"{lead} {day}. {MONTH_NAMES[month - 1]}{other}"
            case.corruptions.append(_variant(case.base, s, e, new))
        yield case


def _variant(base: str, s: int, e: int, new: str, kind: str = "derived_date") -> tuple:
    """base with [s, e) replaced by ``new``: (kind, text, start, end of the change)."""
    return kind, base[:s] + new + base[e:], s, s + len(new)


def _period_text(dim: str, n: Decimal, rng: random.Random) -> str:
    """Another spelling of the same period (days ↔ weeks, months ↔ years, word ↔ digit)."""
    options: list[str] = []
    if dim == "d":
        options.append(f"{de_num(n)} Tage" if n != 1 else "einen Tag")
        if n % 7 == 0:
            k = n / 7
            options.append("eine Woche" if k == 1 else f"{de_num(k)} Wochen")
    elif dim == "m":
        options.append("einen Monat" if n == 1 else f"{de_num(n)} Monate")
        if n % 12 == 0:
            k = n / 12
            options.append("ein Jahr" if k == 1 else f"{de_num(k)} Jahre")
        elif 2 <= n <= 12:
            options.append(f"{WORDS[int(n)]} Monate")
    return rng.choice(options)


def _event_period_cases(
    where: str, law: str, sentence: str, rng: random.Random
) -> Iterator[PeriodCase]:
    for f in extract(sentence):
        if f.kind != "period" or f.value[1] not in ("d", "m"):
            continue
        before = _EVENT_BEFORE.search(sentence, max(0, f.start - 16), f.start)
        if not before and not _EVENT_AFTER.match(sentence, f.end):
            continue
        a = before.start() if before else f.start
        base, s, e = _case(where, law, sentence, a, f.end, sentence[a : f.end])
        case = PeriodCase(base)
        n = Decimal(f.value[2])
        new = _period_text(f.value[1], n, rng)
        case.rewordings.append(_variant(base, s, e, new, "derived_period"))
        if f.value[1] == "d" and n % 7 == 0 and n > 7:
            wrong = f"{de_num(n / 7 + rng.choice([-1, 1]))} Wochen"
        elif f.value[1] == "d":
            wrong = f"{de_num(n + rng.choice([1, 2, 3]))} Tage"
        else:
            wrong = rng.choice([f"{de_num(n + 1)} Monate", f"{de_num(n * 4 + 1)} Wochen"])
        case.corruptions.append(_variant(base, s, e, wrong, "derived_period"))
        yield case


def period_cases(
    sources: list[SourceText], law: str, rng: random.Random, max_event: int = 6
) -> list[PeriodCase]:
    """All derived-date cases of a law and up to ``max_event`` event-period cases."""
    dates: list[PeriodCase] = []
    events: list[PeriodCase] = []
    for where, sentence in law_sentences(sources):
        dates += _derived_date_cases(where, law, sentence, rng)
        events += _event_period_cases(where, law, sentence, rng)
    rng.shuffle(events)
    return dates + events[:max_event]
