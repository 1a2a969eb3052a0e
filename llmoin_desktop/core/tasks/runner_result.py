"""What a task run reports and returns (split out of ``runner.py``): the Reporter protocol,
the run's statistics and the :class:`TaskResult` every task kind hands to the UI, the
history and the export. Apart from the runner so that the long-document code and the other
task kinds can use them without importing the runner itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from llmoin_desktop.core.engine.backend import GenerationResult, Message
from llmoin_desktop.core.jobs import CancelToken


def drop_repeats(text: str) -> str:
    """Remove paragraphs a small model repeated in a loop (and the cut-off start of the next).

    Streaming has already shown them; the final result (pane, history, export) is clean."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    seen: list[str] = []
    kept: list[str] = []
    for i, para in enumerate(paragraphs):
        key = " ".join(para.split()).casefold()
        last = i == len(paragraphs) - 1
        if key in seen or (last and len(key) > 20 and any(s.startswith(key) for s in seen)):
            continue
        seen.append(key)
        kept.append(para.strip())
    return "\n\n".join(kept)


class Reporter(Protocol):
    """What the runner needs from a :class:`JobContext` (tests and the bench pass their own)."""

    cancel: CancelToken

    def progress(self, step: int, total: int | None, text: str = "") -> None: ...

    def token(self, text: str) -> None: ...


def reasoning_sink(rep: Reporter) -> Callable[[str], None] | None:
    """The reporter's thinking stream, if it has one (JobContext does; test reporters may not)."""
    return getattr(rep, "reasoning", None)


class SilentReporter:
    def __init__(self, cancel: CancelToken | None = None) -> None:
        self.cancel = cancel or CancelToken()

    def progress(self, step: int, total: int | None, text: str = "") -> None:
        pass

    def token(self, text: str) -> None:
        pass


@dataclass
class RunStats:
    calls: int = 0
    n_prompt: int = 0
    n_cached: int = 0
    n_generated: int = 0
    decode_s: float = 0.0
    prompt_s: float = 0.0  # sum of times to first token ≈ prompt evaluation
    first_ttft_s: float | None = None
    wall_s: float = 0.0
    n_reasoning: int = 0
    reasoning: list[str] = field(default_factory=list)  # each call's thinking, in order

    def add(self, r: GenerationResult) -> None:
        self.calls += 1
        self.n_prompt += r.n_prompt
        self.n_cached += r.n_cached
        self.n_generated += r.n_generated
        self.n_reasoning += r.n_reasoning
        self.decode_s += r.decode_s
        self.prompt_s += r.ttft_s
        if self.first_ttft_s is None:
            self.first_ttft_s = r.ttft_s


@dataclass
class TaskResult:
    task_id: str
    values: dict[str, Any]
    answer: str  # the model's text (edited by the clerk in the UI)
    output_kind: str
    sources: list[str] = field(default_factory=list)
    coverage: str = ""  # "Grundlage: vwvfg.pdf, Seiten 1–57 …" for long documents
    parts: int = 1
    messages: list[Message] = field(default_factory=list)  # the final call, for refinements
    original: str = ""  # the source text (shown beside a plain-language rewrite)
    refinements: list[str] = field(default_factory=list)
    stats: RunStats = field(default_factory=RunStats)
    history_id: int | None = None
    # "Dokumente fragen": core.tasks.ask.Citation objects; ``coverage`` holds their text form.
    citations: list[Any] = field(default_factory=list)
    # The source Documents (pages, e-mail header): what core.factcheck checks the figures
    # of ``answer`` against, together with ``values`` and ``citations``.
    documents: list[Any] = field(default_factory=list)
    factcheck: Any = None  # core.factcheck.Report of ``answer`` (set by task_job/refine_job)

    @property
    def reasoning(self) -> str:
        """A reasoning model's thinking over all calls: shown collapsed as "Überlegungen des
        Modells", never part of ``text``, the export, the history or the citations."""
        return "\n\n".join(r.strip() for r in self.stats.reasoning if r.strip())

    @property
    def text(self) -> str:
        """What the clerk sees and exports: the answer plus the coverage note."""
        return f"{self.answer}\n\n{self.coverage}" if self.coverage else self.answer
