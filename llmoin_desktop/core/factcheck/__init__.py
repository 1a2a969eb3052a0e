"""Checks every figure of a generated text against its sources (issue 19, docs/factcheck.md).

Deterministic, no model, no Qt: amounts, numbers with units, percentages, dates, times,
periods, § references, file numbers, IBANs, phone numbers, e-mail addresses, persons and
authorities are extracted from the result, reduced to canonical values and looked up in the
sources. The check marks; it never changes the text.

    index = SourceIndex(sources)          # once per set of sources
    report = check_text(result, index)    # per result, refinement, edit
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from llmoin_desktop.core.factcheck.check import Checker
from llmoin_desktop.core.factcheck.index import SourceIndex
from llmoin_desktop.core.factcheck.model import (
    ABWEICHEND,
    BELEGT,
    KINDS,
    NICHT_BELEGT,
    Fact,
    SourceText,
    Verdict,
)
from llmoin_desktop.core.i18n import tr

__all__ = [
    "ABWEICHEND",
    "BELEGT",
    "KINDS",
    "NICHT_BELEGT",
    "Fact",
    "Report",
    "SourceIndex",
    "SourceText",
    "Verdict",
    "check_text",
]


@dataclass
class Report:
    verdicts: list[Verdict] = field(default_factory=list)
    # The sources' index, kept so an edit of the text is re-checked in milliseconds.
    index: SourceIndex | None = field(default=None, repr=False, compare=False)

    def count(self, status: str) -> int:
        return sum(1 for v in self.verdicts if v.status == status)

    @property
    def flagged(self) -> list[Verdict]:
        """Facts the clerk must look at, in reading order."""
        return [v for v in self.verdicts if v.status != BELEGT]

    def summary(self) -> str:
        """ "14 Angaben geprüft: 12 belegt, 1 abweichend, 1 nicht gefunden"."""
        n = len(self.verdicts)
        if n == 0:
            return tr("Keine prüfbaren Angaben gefunden.")
        if n == 1:  # German and English both need the singular here
            return tr(
                "1 Angabe geprüft: {ok} belegt, {diff} abweichend, {missing} nicht gefunden",
                ok=self.count(BELEGT),
                diff=self.count(ABWEICHEND),
                missing=self.count(NICHT_BELEGT),
            )
        return tr(
            "{n} Angaben geprüft: {ok} belegt, {diff} abweichend, {missing} nicht gefunden",
            n=n,
            ok=self.count(BELEGT),
            diff=self.count(ABWEICHEND),
            missing=self.count(NICHT_BELEGT),
        )

    def announcement(self) -> str:
        """What a screen reader says after the check: only the facts that need a look."""
        bad = len(self.flagged)
        if bad == 0:
            return self.summary()
        if bad == 1:
            return tr("1 Angabe nicht in der Quelle gefunden")
        return tr("{n} Angaben nicht in der Quelle gefunden", n=bad)


def check_text(text: str, sources: SourceIndex | Iterable[SourceText]) -> Report:
    """Check ``text`` against the sources (an index, or source texts to index now)."""
    index = sources if isinstance(sources, SourceIndex) else SourceIndex(sources)
    return Report(Checker(index).check(text), index)
