"""The plain data the checker passes around: facts, source texts and their verdicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Statuses as the clerk reads them (German is the source language; the UI translates them).
BELEGT = "belegt"
ABWEICHEND = "abweichend"
NICHT_BELEGT = "nicht belegt"

# Fact kinds (stable ids: the JSON output, the bench and the UI use them).
KINDS = (
    "amount",  # 37 Euro, 1.500,00 €
    "percent",  # 67 Prozent, 5 v. H.
    "number",  # 500 Meter, 3 Kinder, 14. Lebensmonat
    "date",  # 1. März 2026, 01.03.26, 31.03., im Jahr 2019
    "time",  # 10:30 Uhr
    "period",  # drei Wochen, binnen eines Monats, Jahresfrist
    "reference",  # § 5 Abs. 2 Satz 1 VwVfG, Art. 3 I GG
    "file_number",  # Aktenzeichen / Geschäftszeichen
    "iban",
    "phone",
    "email",
    "person",  # Frau Dr. Anna Müller
    "authority",  # Bezirksamt Hamburg-Nord, Bundesamt für Migration und Flüchtlinge
)


@dataclass
class Fact:
    """One checkable statement in a text: where it is, what kind, and its canonical value.

    ``value`` is hashable and equal for equivalent spellings ("37 Euro" and "37,00 €" give
    ``("EUR", "37")``); ``ctx`` holds the stems of content words around it, used to tell a
    differing value ("abweichend") from an unrelated one."""

    kind: str
    text: str
    start: int
    end: int
    value: Any
    ctx: frozenset[str] = frozenset()
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class SourceText:
    """A piece of source material with where it is: a page of a document, a form field, an
    e-mail header, a cited passage. ``page`` is 1-based or None (no pages)."""

    file: str
    text: str
    page: int | None = None
    section: str | None = None


@dataclass
class SourceFact:
    kind: str
    value: Any
    file: str
    page: int | None
    snippet: str
    ctx: frozenset[str]
    text: str = ""  # the fact as written in the source ("zwei Wochen")
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Verdict:
    """The checker's answer for one fact of the result."""

    fact: Fact
    status: str
    file: str | None = None
    page: int | None = None
    source_text: str = ""
    source_value: str = ""  # for "abweichend": the value the source has ("37 Euro")

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.fact.text,
            "kind": self.fact.kind,
            "status": self.status,
            "file": self.file,
            "page": self.page,
            "source_text": self.source_text,
            "start": self.fact.start,
            "end": self.fact.end,
        }
        if self.source_value:
            out["source_value"] = self.source_value
        return out
