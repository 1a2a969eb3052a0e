"""Measuring the synopsis: make a second version of a text with known edits, compare, score.

Used by ``bench/synopsis.py`` and ``tests/test_synopsis.py``. The edits are seeded random:
changed paragraphs (a word replaced, a sentence added or dropped), inserted paragraphs,
deleted paragraphs and paragraphs moved to another §. Edited paragraphs are kept apart (an
untouched unit on each side), and only paragraphs whose text is unique are edited, so the
truth is unambiguous. The new version is written as a real file and read back through the
normal document loaders, as a clerk's second file would be.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field

from llmoin_desktop.core.tasks.proofread import similarity
from llmoin_desktop.core.tasks.synopsis import (
    CHANGED,
    DELETED,
    INSERTED,
    MOVED,
    UNCHANGED,
    Synopsis,
    Unit,
)

KINDS = (CHANGED, INSERTED, DELETED, MOVED)
_WORDS = [
    "elektronisch",
    "schriftlich",
    "unverzüglich",
    "angemessen",
    "zuständige",
    "gesonderte",
    "ausdrücklich",
    "vorläufig",
    "rechtzeitig",
    "vollständig",
]
_SUBJECTS = [
    "Die zuständige Stelle",
    "Die Aufsichtsbehörde",
    "Das Bundesministerium",
    "Die Gemeinde",
    "Der Landkreis",
]
_VERBS = ["unterrichtet", "benachrichtigt", "informiert", "hört", "beteiligt"]
_OBJECTS = [
    "die Beteiligten",
    "die antragstellende Person",
    "den Datenschutzbeauftragten",
    "die betroffenen Behörden",
    "die Öffentlichkeit",
]
_WHEN = [
    "innerhalb von {n} Tagen",
    "spätestens {n} Wochen nach Eingang des Antrags",
    "vor Ablauf von {n} Monaten",
]
_ADDED = [
    "Dies gilt auch für elektronisch geführte Verfahren.",
    "Die Frist beginnt mit der Bekanntgabe.",
    "Satz 1 gilt entsprechend für Bevollmächtigte.",
    "Näheres regelt eine Verwaltungsvorschrift.",
]


@dataclass
class Truth:
    """The edits as (kind, old text key, new text key); keys as :attr:`Unit.key` builds them."""

    items: Counter = field(default_factory=Counter)

    def add(self, kind: str, old: str, new: str) -> None:
        self.items[(kind, _key(old), _key(new))] += 1


@dataclass
class Score:
    precision: float
    recall: float
    found: int
    reported: int
    expected: int
    by_kind: dict[str, tuple[int, int]]  # kind → (found, expected)
    false: list[tuple[str, str, str]]
    missed: list[tuple[str, str, str]]


def _key(text: str) -> str:
    return Unit(text, "").key if text else ""


def _sentence(rng: random.Random, n: int) -> str:
    when = rng.choice(_WHEN).format(n=rng.randint(2, 12))
    return (
        f"({n}a) {rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {when} "
        f"{rng.choice(_WORDS)} über die Entscheidung nach Absatz {n}."
    )


def _change(text: str, rng: random.Random) -> str:
    """A visible but partial change: similar enough to still be "the same paragraph"."""
    for _attempt in range(6):
        op = rng.choice(("word", "add", "drop"))
        if op == "word":
            words = [m for m in re.finditer(r"\b[a-zäöüß]{6,}\b", text)]
            if not words:
                continue
            m = rng.choice(words)
            new = text[: m.start()] + rng.choice(_WORDS) + text[m.end() :]
        elif op == "add":
            new = text.rstrip() + " " + rng.choice(_ADDED)
        else:
            sentences = re.split(r"(?<=[.;])\s+", text)
            if len(sentences) < 3:
                continue
            k = rng.randrange(1, len(sentences))
            new = " ".join(sentences[:k] + sentences[k + 1 :])
        if new != text and similarity(_key(text), _key(new)) >= 0.65:
            return new
    return text.rstrip() + " " + rng.choice(_ADDED)


def make_version(units: list[Unit], edits_per_kind: int, seed: int = 1) -> tuple[list[Unit], Truth]:
    """A new version of ``units`` with ``edits_per_kind`` edits of every kind, and the truth."""
    rng = random.Random(seed)
    counts = Counter(u.key for u in units)
    eligible = [
        i
        for i, u in enumerate(units)
        if u.kind == "paragraph" and counts[u.key] == 1 and len(u.key) >= 60
    ]
    rng.shuffle(eligible)
    blocked: set[int] = set()
    plan: dict[int, str] = {}
    wanted = [k for k in KINDS for _ in range(edits_per_kind)]
    for i in eligible:
        if not wanted:
            break
        if {i - 1, i, i + 1} & blocked:
            continue
        plan[i] = wanted.pop()
        blocked |= {i - 1, i, i + 1}
    if wanted:
        raise ValueError(f"text too short for {edits_per_kind} edits of each kind")
    truth = Truth()
    out: list[Unit] = []
    moving: list[Unit] = []
    for i, u in enumerate(units):
        kind = plan.get(i)
        if kind == DELETED:
            truth.add(DELETED, u.text, "")
            continue
        if kind == MOVED:
            moving.append(u)
            truth.add(MOVED, u.text, u.text)
            continue
        if kind == CHANGED:
            new = _change(u.text, rng)
            out.append(Unit(new, u.ref, u.kind, u.page))
            truth.add(CHANGED, u.text, new)
            continue
        out.append(u)
        if kind == INSERTED:
            text = _sentence(rng, len(out))
            out.append(Unit(text, u.ref, "paragraph", u.page))
            truth.add(INSERTED, "", text)
    # Moved paragraphs go at least a fifth of the text away, after an untouched paragraph.
    untouched = {id(u) for i, u in enumerate(units) if i not in plan}
    position = {id(u): i for i, u in enumerate(units)}
    for u in moving:
        old_pos = position[id(u)] / max(1, len(units))
        spots = [
            k
            for k, x in enumerate(out)
            if x.kind == "paragraph"
            and abs(k / max(1, len(out)) - old_pos) > 0.2
            and id(x) in untouched
            and (k + 1 >= len(out) or id(out[k + 1]) in untouched)
        ]
        k = rng.choice(spots)
        out.insert(k + 1, u)
    return out, truth


def render_markdown(units: list[Unit]) -> str:
    """Units back to a Markdown file: headings as ``##`` lines, one paragraph per block."""
    lines = []
    for u in units:
        text = " ".join(u.text.split())
        lines.append(f"## {text}" if u.kind == "heading" else text)
    return "\n\n".join(lines) + "\n"


def score(syn: Synopsis, truth: Truth) -> Score:
    found_items: Counter = Counter()
    for r in syn.rows:
        if r.status == UNCHANGED:
            continue
        found_items[(r.status, r.old.key if r.old else "", r.new.key if r.new else "")] += 1
    hit = found_items & truth.items
    n_hit, n_rep, n_exp = sum(hit.values()), sum(found_items.values()), sum(truth.items.values())
    by_kind = {
        k: (
            sum(v for (kk, _o, _n), v in hit.items() if kk == k),
            sum(v for (kk, _o, _n), v in truth.items.items() if kk == k),
        )
        for k in KINDS
    }
    return Score(
        precision=n_hit / n_rep if n_rep else 1.0,
        recall=n_hit / n_exp if n_exp else 1.0,
        found=n_hit,
        reported=n_rep,
        expected=n_exp,
        by_kind=by_kind,
        false=sorted((found_items - truth.items).elements()),
        missed=sorted((truth.items - found_items).elements()),
    )
