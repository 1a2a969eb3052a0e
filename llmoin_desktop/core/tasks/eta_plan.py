"""What a job's time is made of: measured rates, the planned model calls, and their wording.

Split from ``eta.py`` (issue 23) so that ``eta_live.py`` (the remaining time during a job) and
``eta.py`` (calibration, the rate store and planning) both read these types without importing
each other: eta_plan ← eta_live ← eta is a line, not a circle. Standard library and i18n only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from llmoin_desktop.core.i18n import _, tr

DEFAULT_FILL = 0.8  # before any finished job: share of max_tokens an answer uses
DEFAULT_MAP_FILL = 1.0  # notes of a part usually use their whole small budget


# Rates -----------------------------------------------------------------------------------------
@dataclass
class Rates:
    """Measured speed of one model on this PC, in effective tokens per second."""

    prompt_tps: float
    gen_tps: float
    fill: float = DEFAULT_FILL
    map_fill: float = DEFAULT_MAP_FILL
    depth_k: float = 0.0
    runs: int = 0  # finished jobs blended in (0: only the calibration)
    measured_at: float = 0.0

    def prompt_seconds(self, n: int, start: int = 0) -> float:
        return effective_tokens(n, start, self.depth_k) / max(self.prompt_tps, 1e-6)

    def gen_seconds(self, n: float, start: int = 0) -> float:
        return effective_tokens(n, start, self.depth_k) / max(self.gen_tps, 1e-6)


def effective_tokens(n: float, start: int, k: float) -> float:
    """Tokens ``start … start+n`` weighted by their attention cost (see the module doc)."""
    if n <= 0:
        return 0.0
    end = start + n
    return n + k * (end * end - start * start) / 2.0


# Plans ------------------------------------------------------------------------------------------
@dataclass
class Step:
    """One model call: ``prompt`` new tokens after ``cached`` reused ones, up to ``max_new``."""

    kind: str  # "map" | "final"
    prompt: int
    max_new: int
    cached: int = 0

    def seconds(self, rates: Rates) -> float:
        fill = rates.map_fill if self.kind == "map" else rates.fill
        gen = self.max_new * fill
        return rates.prompt_seconds(self.prompt, self.cached) + rates.gen_seconds(
            gen, self.cached + self.prompt
        )


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    long: bool = False  # the document does not fit in one pass
    skimmed: bool = False  # only the beginnings of paragraphs are read
    can_skim: bool = False  # a "schnell" reading exists for this task and document
    input_tokens: int = 0
    load_s: float = 0.0  # reading the document (measured while planning)

    def seconds(self, rates: Rates) -> float:
        return self.load_s + sum(s.seconds(rates) for s in self.steps)


# Wording ----------------------------------------------------------------------------------------
def duration_text(seconds: float) -> str:
    """ "ca. 4 Minuten" — rounded the way a person says it."""
    if seconds < 10:
        return _("wenige Sekunden")
    if seconds < 55:
        return tr("ca. {n} Sekunden", n=int(round(seconds / 10.0) * 10) or 10)
    minutes = seconds / 60.0
    if minutes < 1.5:
        return _("ca. 1 Minute")
    if minutes < 60:
        return tr("ca. {n} Minuten", n=int(round(minutes)))
    hours = minutes / 60.0
    if hours < 1.25:
        return _("ca. 1 Stunde")
    return tr("ca. {n} Stunden", n=f"{hours:.1f}".rstrip("0").rstrip(".").replace(".", ","))
