"""§ references against the source law: does the cited paragraph exist, and is the claim's
sentence about it rather than about another paragraph?

Split from check.py (the Checker mixes these methods in) to keep each file readable; the
value rules and the helpers both sides use stay next to each other here."""

from __future__ import annotations

import math

from llmoin_desktop.core.factcheck.index import SourceIndex
from llmoin_desktop.core.factcheck.model import (
    ABWEICHEND,
    BELEGT,
    NICHT_BELEGT,
    Fact,
    SourceFact,
    Verdict,
)

# DIFF_MIN: stems a different value's (or paragraph's) context must share with the result's
# to count as the source's statement about the same thing. REF_MIN / REF_MARGIN: idf-weighted
# word overlap a better matching paragraph needs, and its lead over the cited one (measured in
# bench/factcheck.py; see docs/factcheck.md).
DIFF_MIN = 3
REF_MIN = 6.0
REF_MARGIN = 4.5
# REF_STRAY_*: a cited paragraph sharing (next to) nothing with the sentence while another
# shares a few rare words (bench: +5 caught, no new alarm or base flag).
REF_STRAY_CITED = 1.0
REF_STRAY_MIN = 3.0
# A summary sentence often joins two paragraphs ("24 Werktage bezahlter Erholungsurlaub":
# § 1 and § 3 BUrlG). What saves such a sentence is its own figure standing in the cited
# paragraph ("cofacts", below) or the source citing the reference in the same words; a cap
# on the cited paragraph's score was measured too (bench/factcheck.py: 1.0 → recall 0.920,
# 3.0 → 0.947, 6.0 → 0.960, none → 0.971) and did not flag any of 20 hand-written faithful
# sentences without it, so there is none.
REF_CITED_MAX = math.inf


def _overlap(a: frozenset[str], b: frozenset[str]) -> int:
    return len(a & b)


def _best(fact: Fact, cands: list[SourceFact]) -> tuple[int, SourceFact | None]:
    best, best_sf = -1, None
    for sf in cands:
        o = _overlap(fact.ctx, sf.ctx)
        if o > best:
            best, best_sf = o, sf
    return best, best_sf


def _verdict(fact: Fact, status: str, sf: SourceFact | None, other: str = "") -> Verdict:
    if sf is None:
        return Verdict(fact, status)
    return Verdict(fact, status, sf.file, sf.page, sf.snippet, other)


class RefChecks:
    """The reference rules of :class:`~llmoin_desktop.core.factcheck.check.Checker`."""

    index: SourceIndex
    _para_cache: dict[tuple[str, str, str | None], frozenset[str]]
    _weights: dict[str, float] | None

    def _same(self, value: object) -> list[SourceFact]:  # defined by Checker
        raise NotImplementedError

    def _judge_ref(self, fact: Fact) -> Verdict:
        _k, singles, law = fact.value  # type: ignore[misc]
        worst: Verdict | None = None
        for single in singles:
            v = self._judge_single(fact, single, law)
            if worst is None or _rank(v.status) > _rank(worst.status):
                worst = v
        return worst or Verdict(fact, NICHT_BELEGT)

    def _judge_single(self, fact: Fact, single: tuple, law: str | None) -> Verdict:
        idx = self.index
        kind, num, abs_, satz, nr, lit = single
        entries = idx.refs.get(single, [])
        if not entries and satz is not None:
            limit = idx.max_satz.get((kind, num, abs_), 0)
            if int(satz) <= limit + 1:
                entries = idx.refs.get((kind, num, abs_, None, nr, lit), [])
        # Absätze without "(1)" markers: an Abs. within the §'s block count is taken as
        # the § (its words decide below); one beyond it is flagged.
        if (
            not entries
            and abs_ is not None
            and abs_.isdigit()
            and int(abs_) <= idx.unmarked_abs.get((kind, num), 0)
        ):
            entries = idx.refs.get((kind, num, None, None, None, None), [])
        if not entries:
            # The same paragraph under another number: show the nearest the source has.
            near = idx.refs.get((kind, num, None, None, None, None), [])
            if near:
                best, sf = _best(fact, [e[0] for e in near])
                return _verdict(fact, ABWEICHEND if best >= DIFF_MIN else NICHT_BELEGT, sf)
            return Verdict(fact, NICHT_BELEGT)
        if law is None:
            fitting = [e[0] for e in entries]
        else:
            fitting = [
                sf
                for sf, laws in entries
                if (laws is not None and law in laws)
                or (laws is None and law in idx.laws_mentioned)
            ]
        if not fitting:
            sf = entries[0][0]
            other = ", ".join(sorted(entries[0][1] or ())) if entries[0][1] else ""
            return _verdict(fact, ABWEICHEND, sf, other.upper())
        return self._ref_context(fact, single, fitting)

    def _ref_context(self, fact: Fact, single: tuple, fitting: list[SourceFact]) -> Verdict:
        """A reference that exists but names the wrong paragraph: the result's sentence
        matches another paragraph far better than the one it cites."""
        kind, num, abs_ = single[0], single[1], single[2]
        # Explicit mentions carry ("reference", singles, law); structure entries the single.
        explicit = [sf for sf in fitting if sf.value[0] == "reference"]  # type: ignore[index]
        if len(explicit) == len(fitting) and not self._own_law(fact, kind):
            # Not a paragraph of a source law (a reference the source only mentions, e.g.
            # to an EU directive): no paragraph to compare the sentence with. A paragraph
            # of the source law itself that has no text (repealed: "§§ 181 und 182
            # (weggefallen)") is still compared: a sentence with content is about another.
            return _verdict(fact, BELEGT, _best(fact, fitting)[1])
        weight = self._idf()
        # The cited paragraph's words, or the words around a place where the source itself
        # cites it (a cross-reference: "der Beigeladene (§ 65)").
        # A law whose "(1)" markers were lost (some DOCX) has only the whole §: its words
        # stand for the cited Abs.
        cited_ctx = self._paragraph_ctx(kind, num, abs_) or self._paragraph_ctx(kind, num, None)
        cited_score = max(
            [_weighted(fact.ctx & cited_ctx, weight)]
            + [_weighted(fact.ctx & sf.ctx, weight) for sf in explicit]
        )
        best, best_sf = -1.0, None
        for sf in self.index.paragraphs:
            k, n, a = sf.value[0], sf.value[1], sf.value[2]  # type: ignore[index]
            if k == kind and n == num and (abs_ is None or a is None or a == abs_):
                continue  # the cited paragraph itself, or the whole § that holds it
            o = _weighted(fact.ctx & sf.ctx, weight)
            if o > best:
                best, best_sf = o, sf
        clearly = best >= REF_MIN and best - cited_score >= REF_MARGIN
        # The cited paragraph shares (next to) no word with the sentence while another
        # shares several rare ones: a short sentence is still clearly about that other one.
        stray = cited_score <= REF_STRAY_CITED and best >= REF_STRAY_MIN
        if (
            best_sf is not None
            and cited_score <= REF_CITED_MAX
            and (clearly or stray)
            and not self._cofact_saves(fact, single, best_sf)
        ):
            return _verdict(fact, ABWEICHEND, best_sf, _ref_label(best_sf.value))
        # Supported: name the paragraph itself (its page) rather than a mention of it.
        structural = [sf for sf in fitting if sf.value[0] != "reference"]  # type: ignore[index]
        return _verdict(fact, BELEGT, _best(fact, structural or fitting)[1])

    def _own_law(self, fact: Fact, kind: str) -> bool:
        """The reference names a law whose text is among the sources (or no law while a
        source is a law text with paragraphs of this kind: "Art. 41" next to a § law is
        an article of some other act the source mentions)."""
        law = fact.value[2]  # type: ignore[index]
        files = {sf.file for sf in self.index.paragraphs if sf.value[0] == kind}  # type: ignore[index]
        if law is None:
            return bool(files)
        return any(law in self.index.law_ids.get(f, ()) for f in files)

    def _cofact_saves(self, fact: Fact, single: tuple, best_sf: SourceFact) -> bool:
        """The sentence's own figure stands in the cited paragraph ("24 Werktage … § 3
        Abs. 1" while the words match § 1 better): the reference is right whatever else
        the sentence paraphrases. Only when the figure does *not* also stand in the better
        matching paragraph, though: "binnen eines Monats" occurs in half the paragraphs of
        a procedural law and says nothing about which one the sentence means."""
        kind, num, abs_ = single[0], single[1], single[2]
        bk, bn, ba = best_sf.value[0], best_sf.value[1], best_sf.value[2]  # type: ignore[index]
        for value in fact.extra.get("cofacts", []):
            paras = [sf.extra.get("para") for sf in self._same(value)]
            in_cited = any(
                p and p[0] == kind and p[1] == num and abs_ in (None, p[2]) for p in paras
            )
            in_best = any(p and p[0] == bk and p[1] == bn and ba in (None, p[2]) for p in paras)
            if in_cited and not in_best:
                return True
        return False

    def _idf(self) -> dict[str, float]:
        """Rare words say more about which paragraph a sentence is about than "Daten"
        or "Behörde", which a law uses everywhere."""
        if self._weights is None:
            df: dict[str, int] = {}
            for sf in self.index.paragraphs:
                for w in sf.ctx:
                    df[w] = df.get(w, 0) + 1
            n = max(1, len(self.index.paragraphs))
            self._weights = {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()}
        return self._weights

    def _paragraph_ctx(self, kind: str, num: str, abs_: str | None) -> frozenset[str]:
        key = (kind, num, abs_)
        if key not in self._para_cache:
            words: set[str] = set()
            for sf in self.index.paragraphs:
                v = sf.value
                if v[0] == kind and v[1] == num and (abs_ is None or v[2] == abs_):  # type: ignore[index]
                    words |= sf.ctx
            self._para_cache[key] = frozenset(words)
        return self._para_cache[key]


def _ref_label(single: object) -> str:
    kind, num, abs_, *_rest = single  # type: ignore[misc]
    head = "§" if kind == "§" else "Art."
    return f"{head} {num}" + (f" Abs. {abs_}" if abs_ else "")


def _weighted(words: frozenset[str], weight: dict[str, float]) -> float:
    return sum(weight.get(w, 0.0) for w in words)


def _rank(status: str) -> int:
    return {BELEGT: 0, ABWEICHEND: 1, NICHT_BELEGT: 2}[status]
