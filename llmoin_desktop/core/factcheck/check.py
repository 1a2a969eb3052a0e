"""Judges each fact of a result against the source index: belegt, abweichend, nicht belegt.

"abweichend" needs evidence that the source says something *else about the same thing*: a
fact of the same family (an amount in the same currency, any period or deadline) whose
surrounding words overlap the result's. A value found in the source counts as "belegt",
unless it only occurs in unrelated places while a different value sits in a passage that
matches the result's sentence: "Säumniszuschlag 37 Euro" where the source gives the
Säumniszuschlag as 5 Euro and 37 Euro is the fee.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from llmoin_desktop.core.factcheck import periods
from llmoin_desktop.core.factcheck.check_refs import (
    DIFF_MIN,
    RefChecks,
    _best,
    _overlap,
    _verdict,
)
from llmoin_desktop.core.factcheck.codes import compact
from llmoin_desktop.core.factcheck.extract import extract
from llmoin_desktop.core.factcheck.index import SourceIndex
from llmoin_desktop.core.factcheck.model import (
    ABWEICHEND,
    BELEGT,
    NICHT_BELEGT,
    Fact,
    SourceFact,
    Verdict,
)

# A different value counts as the source's statement about the same thing when its context
# shares at least DIFF_MIN stems with the result's; a value found in the source is overruled
# only when a different one's passage shares MARGIN stems more than any passage that has it.
# (DIFF_MIN and the REF_* thresholds for § references: check_refs.py.)
SAME_MAX = 3
MARGIN = 3


def _family(value: object) -> object:
    v = value  # type: ignore[assignment]
    kind = v[0]  # type: ignore[index]
    if kind in ("amount", "percent"):
        return v[:2]  # type: ignore[index]
    if kind == "period":
        return ("period", "d" if v[1] in ("d", "wd", "ad") else v[1])  # type: ignore[index]
    if kind in ("count", "ordinal", "number"):
        return v[:2]  # type: ignore[index]
    return kind


class Checker(RefChecks):
    def __init__(self, index: SourceIndex) -> None:
        self.index = index
        self._para_cache: dict[tuple[str, str, str | None], frozenset[str]] = {}
        self._weights: dict[str, float] | None = None
        self._families: dict[object, list[SourceFact]] = {}
        for kind, facts in index.by_kind.items():
            if kind in ("amount", "percent", "period", "number", "date", "time"):
                for sf in facts:
                    self._families.setdefault(_family(sf.value), []).append(sf)

    def check(self, text: str) -> list[Verdict]:
        facts = extract(text)
        ends = _sentence_ends(text)
        verdicts = []
        for f in facts:
            if f.kind == "date" and "rel" not in f.extra:
                f.extra["rel"] = periods.year_rel(text, f.end)
            here = bisect.bisect_left(ends, f.start)
            same_sentence = [g for g in facts if bisect.bisect_left(ends, g.start) == here]
            if f.kind == "reference":
                f.extra["cofacts"] = [g.value for g in same_sentence if g.kind in _VALUE_KINDS]
            elif f.kind in _VALUE_KINDS:
                f.extra["cited"] = [
                    (single, g.value[2])
                    for g in same_sentence
                    if g.kind == "reference"
                    for single in g.value[1]
                ]
            verdicts.append(self.judge(f))
        return verdicts

    def judge(self, fact: Fact) -> Verdict:
        if fact.kind == "reference":
            return self._judge_ref(fact)
        if fact.kind in ("email", "iban", "file_number", "phone"):
            return self._judge_code(fact)
        if fact.kind == "person":
            return self._judge_person(fact)
        if fact.kind == "authority":
            return self._judge_authority(fact)
        return self._judge_value(fact)

    # Values -------------------------------------------------------------------------------
    def _same(self, value: object) -> list[SourceFact]:
        idx = self.index
        found = list(idx.by_value.get(value, []))
        v = value  # type: ignore[assignment]
        if v[0] == "date" and v[1] is not None and v[2] is not None and v[3] is not None:  # type: ignore[index]
            yearless = ("date", None, v[2], v[3])  # type: ignore[index]
            if yearless in idx.yearless:
                found += [sf for sf in idx.by_value[yearless] if sf.value == yearless]
        if v[0] == "date" and v[2] is None and v[1] in idx.years and not found:  # type: ignore[index]
            loc = idx.locate(re.compile(rf"(?<!\d){v[1]}(?!\d)"))  # type: ignore[index]
            if loc:
                found.append(SourceFact("date", value, loc[0], loc[1], loc[2], frozenset()))
        if v[0] == "period" and v[1] == "d":  # type: ignore[index]
            for dim in ("wd", "ad"):  # "24 Tage" is supported by "24 Werktage"
                found += idx.by_value.get(("period", dim, v[2]), [])  # type: ignore[index]
        return found

    def _judge_value(self, fact: Fact) -> Verdict:
        same = self._same(fact.value)
        family = [
            sf for sf in self._families.get(_family(fact.value), []) if sf.value != fact.value
        ]
        if fact.kind == "date":
            family = [sf for sf in family if not _date_compatible(fact.value, sf.value)]
        cited = self._cited_paragraph_check(fact, same, family)
        if cited is not None:
            return cited
        if fact.kind == "date":
            dated = self._letter_date_check(fact, same) or self._derived_date_check(
                fact, same, family
            )
            if dated is not None:
                return dated
        if fact.kind == "period":
            # In the context comparison all periods compete, whatever their unit: a model
            # turns "eines Monats" into "zwei Wochen" as readily as into "zwei Monaten", and
            # "zwei Wochen" standing elsewhere in a long law must not make the changed
            # deadline look supported. (The cited-paragraph rule above keeps to one unit: a
            # paragraph often holds a deadline and a period in another unit side by side.)
            family = [sf for sf in self.index.by_kind["period"] if sf.value != fact.value]
        return self._decide(fact, same, family)

    def _letter_date_check(self, fact: Fact, same: list[SourceFact]) -> Verdict | None:
        """ "Das Schreiben ist vom 5. Januar 2026" where the letter is dated "Dresden, 12.
        Januar 2026" and the 5th only occurs in its text: the claim is about the letter's
        own date (its date line has no words around it to compare), so that date decides.
        A date the source itself gives as a letter's ("Ihr Schreiben vom 5. Januar") stays
        supported."""
        if not fact.ctx & _LETTER_WORDS or any(sf.ctx & _LETTER_WORDS for sf in same):
            return None
        for ft in self.index.files:
            for m in _DATE_LINE.finditer(ft.text):
                for f in extract(m.group(1)):
                    if f.kind == "date" and not _date_compatible(fact.value, f.value):
                        snip = " ".join(m.group(0).split())
                        return Verdict(
                            fact, ABWEICHEND, ft.name, ft.page_at(m.start()), snip, f.text
                        )
                    if f.kind == "date":
                        return None
        return None

    def _derived_date_check(
        self, fact: Fact, same: list[SourceFact], family: list[SourceFact]
    ) -> Verdict | None:
        """A date that a period of the source fixes ("ersten drei Monate des folgenden
        Kalenderjahrs" = 31 March). "bis zum 30. April des folgenden Jahres" where the
        sentence's words sit at that period and 30 April only stands in another rule is
        *abweichend*; so is the right day in the wrong year ("des laufenden Jahres" for
        "des folgenden"). The words of date phrases ("folgenden Jahres") do not count as
        common context: two unrelated deadlines share them (docs/factcheck.md)."""
        rel = fact.extra.get("rel")
        _o, sf = periods.best_plain(fact.ctx, same)
        if (
            rel
            and sf is not None
            and sf.extra.get("rel") not in (None, rel)
            and all(other.extra.get("rel") != rel for other in same)
        ):
            shown = f"{periods.shown(sf)}, {_REL_NAMES.get(sf.extra['rel'])}"
            return _verdict(fact, ABWEICHEND, sf, shown)
        derived = [sf for sf in family if sf.extra.get("derived")]
        if not derived or not same or any(sf.extra.get("derived") for sf in same):
            return None
        best_d, d_sf = periods.best_plain(fact.ctx, derived, rel)
        best_s, _s = periods.best_plain(fact.ctx, same)
        if d_sf is not None and best_d >= 2 and best_d > best_s:
            return _verdict(fact, ABWEICHEND, d_sf, periods.shown(d_sf))
        return None

    def _cited_paragraph_check(
        self, fact: Fact, same: list[SourceFact], family: list[SourceFact]
    ) -> Verdict | None:
        """ "binnen vier Wochen (§ 17 Abs. 1 BMG)": the sentence names the paragraph, and
        that paragraph has another value of the same kind and not this one."""
        cited = fact.extra.get("cited") or []
        if not cited or not family:
            return None

        def in_cited(sf: SourceFact) -> bool:
            para = sf.extra.get("para")
            if not para:
                return False
            for (kind, num, abs_, *_rest), law in cited:
                if law and law not in self.index.law_ids.get(sf.file, ()):
                    continue
                if para[0] == kind and para[1] == num and abs_ in (None, para[2]):
                    return True
            return False

        if any(in_cited(sf) for sf in same) or _best(fact, same)[0] >= 2:
            return None  # found in the cited paragraph, or elsewhere in a sentence like this
        others = [sf for sf in family if in_cited(sf)]
        if not others:
            return None
        best, sf = _best(fact, others)
        return _verdict(fact, ABWEICHEND, sf, sf.text if sf else "")

    def _decide(
        self,
        fact: Fact,
        same: list[SourceFact],
        family: list[SourceFact],
        same_max: int = SAME_MAX,
    ) -> Verdict:
        # Dates: the words of date phrases ("des folgenden Jahres") are no common context.
        probe = replace(fact, ctx=periods.plain_ctx(fact.ctx)) if fact.kind == "date" else fact
        best_diff, diff_sf = _best(probe, family)
        if same:
            best_same, same_sf = _best(probe, same)
            strong = (
                best_same <= same_max
                and best_diff >= DIFF_MIN
                and best_diff - max(best_same, 0) >= MARGIN
            )
            # A short sentence ("Der Säumniszuschlag beträgt 37 Euro."): every word of it
            # sits at exactly one other value and at none of the places with this one.
            short = (
                best_same <= 0
                and 1 <= len(probe.ctx) <= 2
                and best_diff == len(probe.ctx)
                and sum(1 for sf in family if _overlap(probe.ctx, sf.ctx) == best_diff) == 1
            )
            if diff_sf is not None and (strong or short):
                return _verdict(fact, ABWEICHEND, diff_sf, periods.shown(diff_sf))
            return _verdict(fact, BELEGT, same_sf)
        if fact.kind in ("date", "period"):
            # "abweichend" claims the source says something else about the same thing: the
            # shared words must be about the thing, not "des folgenden Jahres" (two unrelated
            # deadlines share those); otherwise the fact is simply not in the source.
            best_diff, diff_sf = periods.best_plain(fact.ctx, family, fact.extra.get("rel"))
            need = min(2, max(1, len(periods.plain_ctx(fact.ctx))))
        else:
            need = min(2, max(1, len(fact.ctx)))
        if diff_sf is not None and best_diff >= need:
            return _verdict(fact, ABWEICHEND, diff_sf, periods.shown(diff_sf))
        return Verdict(fact, NICHT_BELEGT)

    # Codes --------------------------------------------------------------------------------
    def _judge_code(self, fact: Fact) -> Verdict:
        idx = self.index
        same = idx.by_value.get(fact.value, [])
        if same:
            return _verdict(fact, BELEGT, _best(fact, same)[1])
        kind, code = fact.value  # type: ignore[misc]
        present = False
        if kind == "email":
            present = any(code in low for low in idx.lowers)
        elif kind == "phone":
            present = code in idx.digits
        else:
            present = any(code in c for c in idx.compacts)
        if present:
            pattern = _flexible(fact.text if kind != "phone" else code, kind)
            loc = idx.locate(pattern)
            if loc:
                return Verdict(fact, BELEGT, loc[0], loc[1], loc[2])
            return Verdict(fact, BELEGT)
        others = idx.by_kind.get(kind, [])
        if others:
            best, sf = _best(fact, others)
            return _verdict(fact, ABWEICHEND, sf, sf.text if sf else "")
        return Verdict(fact, NICHT_BELEGT)

    # Names --------------------------------------------------------------------------------
    def _judge_person(self, fact: Fact) -> Verdict:
        tokens = fact.value[1]  # type: ignore[index]
        others = self.index.by_kind.get("person", [])
        if all(t in self.index.words for t in tokens):
            # "Frau Becker" where the source only knows "Herrn Jonas Becker": another person.
            gender = fact.extra.get("gender")
            named = [sf for sf in others if tokens[-1] in sf.value[1]]  # type: ignore[index]
            genders = {sf.extra.get("gender") for sf in named}
            if gender and named and None not in genders and gender not in genders:
                return _verdict(fact, ABWEICHEND, named[0], named[0].text)
            surname = re.escape(fact.text.split()[-1])
            loc = self.index.locate(re.compile(rf"\b{surname}"))
            if loc:
                return Verdict(fact, BELEGT, loc[0], loc[1], loc[2])
            return Verdict(fact, BELEGT)
        if others:
            best, sf = _best(fact, others)
            return _verdict(fact, ABWEICHEND, sf, sf.text if sf else "")
        return Verdict(fact, NICHT_BELEGT)

    def _judge_authority(self, fact: Fact) -> Verdict:
        needle = " " + fact.value[1] + " "  # type: ignore[index]
        authorities = self.index.by_kind.get("authority", [])
        if any(needle in s for s in self.index.streams):
            same = [sf for sf in authorities if sf.value == fact.value]
            if same:
                # Only one-word offices compete ("Meldebehörde" vs "Ausländerbehörde"); a
                # name with a place or "für …" was already found as a whole.
                suffix = _suffix(fact)
                single = " " not in fact.value[1]  # type: ignore[index]
                family = [
                    sf
                    for sf in authorities
                    if single
                    and sf.value != fact.value
                    and " " not in sf.value[1]  # type: ignore[index]
                    and _suffix(sf) == suffix
                ]
                # Office words come in lists ("Bundes- und Landesbehörden"): only a clear
                # case counts.
                return self._decide(fact, same, family, same_max=0)
            first = fact.text.split()[0]
            loc = self.index.locate(re.compile(re.escape(first[: max(4, len(first) - 3)])))
            return Verdict(fact, BELEGT, *(loc or (None, None, "")))
        head = fact.extra.get("head")
        others = [
            sf
            for sf in authorities
            if head and sf.value[1].split()[0] == head  # type: ignore[index]
        ]
        if others:
            best, sf = _best(fact, others)
            return _verdict(fact, ABWEICHEND, sf, sf.text if sf else "")
        return Verdict(fact, NICHT_BELEGT)


_SUFFIX = re.compile(
    r"(amt|ämt|behörd|ministeri|gericht|agentur|direktion|präsidi|kammer|kass|anstalt)"
)


def _suffix(f: Fact | SourceFact) -> str:
    head = f.value[1].split()[0]  # type: ignore[index]
    found = _SUFFIX.findall(head)
    return found[-1] if found else head


# A letter's own date: "Schreiben / Brief / E-Mail vom …", "datiert"; its date line
# "Dresden, 12. Januar 2026" or "Hamburg, den 01.03.2026" alone on a line.
_LETTER_WORDS = frozenset({"schrei", "brief", "datier"})
_DATE_LINE = re.compile(
    r"^[ \t]*[A-ZÄÖÜ][\wäöüß.\- ]{1,40},[ \t]*(?:den[ \t]+)?(\d{1,2}\.[^\n]{3,20}\d{2,4})[ \t]*$",
    re.M,
)
_REL_NAMES = {"next": "Folgejahr", "this": "laufendes Jahr", "prev": "Vorjahr"}
_VALUE_KINDS = ("amount", "percent", "period", "number", "date", "time")


def _sentence_ends(text: str) -> list[int]:
    from llmoin_desktop.core.factcheck.words import _ends

    return _ends(text, 0, len(text))


def _date_compatible(a: object, b: object) -> bool:
    """A year-only or month-only date does not contradict a fuller date that agrees."""
    _ka, ya, ma, da = a  # type: ignore[misc]
    _kb, yb, mb, db = b  # type: ignore[misc]
    return all(x is None or y is None or x == y for x, y in ((ya, yb), (ma, mb), (da, db)))


def _flexible(code: str, kind: str) -> re.Pattern[str]:
    """The code as a pattern that allows any spacing between its characters."""
    if kind == "phone":
        chars = list(code.lstrip("0"))
        return re.compile(r"[\s/().\-–]*".join(re.escape(c) for c in chars))
    chars = [c for c in compact(code)]
    return re.compile(r"\s*".join(re.escape(c) for c in chars), re.I)
