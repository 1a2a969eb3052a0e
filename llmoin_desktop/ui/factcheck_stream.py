"""The fact check while the model writes (issue 19): the sentences written so far are checked
again every ``INTERVAL_MS`` and their marks appear in the result before the last token.

Why this shape: the check of a 2-page result takes ~26 ms on the office PC, but a busy PC
doubles that, and the GUI thread must stay free for the stream and the screen reader; so
every check runs in a worker (``run`` hands it to the WorkerPool), at most one at a time,
and only on complete sentences (a figure cut in half, "§ 5 Abs." before the "2" arrives,
would flash a false mark). Results of a check that was overtaken (the stream ended, a new
run began) are dropped: the check of the finished result is the authoritative one.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from llmoin_desktop.core.factcheck import Report, SourceIndex, check_text

log = logging.getLogger(__name__)

INTERVAL_MS = 400
# A sentence is complete when its end mark is followed by a space or a line break and the
# next sentence has begun (a capital letter, a dash, a digit of a list); "Abs. 2" and
# "01.03. bis" do not end one. A line break always does.
_BOUNDARY = re.compile(r"[.!?:;](?=\s+[A-ZÄÖÜ„\"(•\-–*])|\n")

Run = Callable[[Callable[[], Any], Callable[[Any], None]], None]


def complete_part(text: str) -> str:
    """The text up to the end of its last complete sentence ("" when none is complete)."""
    ends = [m.end() for m in _BOUNDARY.finditer(text)]
    return text[: ends[-1]] if ends else ""


def run_inline(fn: Callable[[], Any], done: Callable[[Any], None]) -> None:
    done(fn())


class StreamCheck(QObject):
    """Emits ``checked`` with provisional reports of the growing text (GUI thread)."""

    checked = Signal(object)  # Report of the complete part of the text so far

    def __init__(
        self, text: Callable[[], str], run: Run = run_inline, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._text = text
        self.run = run
        self.index: SourceIndex | None = None
        self.active = False
        self.runs = 0
        self.run_ms: list[float] = []  # duration of each check (in the worker)
        self._generation = 0
        self._busy = False
        self._done_len = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self._check)

    @property
    def generation(self) -> int:
        """Changes with every start and stop: an index built for an older run is dropped."""
        return self._generation

    def start(self, index: SourceIndex | None = None) -> None:
        """A new stream; ``index`` may follow later (``set_index``) once the source is read."""
        self._generation += 1
        self.active = True
        self.index = None if index is None or index.empty else index
        self._busy = False
        self._done_len = 0

    def use_pool(self, pool: Any) -> None:
        """Run the checks (and the indexing) in ``pool``'s workers, not in the GUI thread."""
        self.run = lambda fn, done: pool.call(fn, done, lambda _e: None)

    def index_result(self, result: Any) -> None:
        """The run's sources are read (a task's documents, the passages "Dokumente fragen"
        found): index them in a worker, exactly as the final check will
        (``sources_for_result``); the check uses the index from then on. An index that
        arrives after the stream ended or a new one began is dropped."""
        from llmoin_desktop.core.factcheck.result_check import sources_for_result

        generation = self._generation

        def work() -> SourceIndex | None:
            try:
                return SourceIndex(sources_for_result(result))
            except Exception:  # noqa: BLE001 - a provisional aid; the final check still runs
                log.exception("indexing the sources for the stream check failed")
                return None

        self.run(work, lambda index: self.set_index(index, generation))

    def set_index(self, index: SourceIndex | None, generation: int | None = None) -> None:
        if self.active and generation in (None, self._generation):
            self.index = None if index is None or index.empty else index
            self.feed()

    def stop(self) -> None:
        """The stream ended (done, stopped, failed): late results are dropped."""
        self._generation += 1
        self.active = False
        self._timer.stop()

    def feed(self) -> None:
        """New text arrived: check soon (at most once per interval)."""
        if self.active and self.index is not None and not self._timer.isActive():
            self._timer.start()

    def _check(self) -> None:
        if not self.active or self.index is None or self._busy:
            return
        part = complete_part(self._text())
        if len(part) <= self._done_len:
            return
        self._done_len = len(part)
        self._busy = True
        generation, index = self._generation, self.index

        def work() -> tuple[Report, float] | None:
            started = time.perf_counter()
            try:
                report = check_text(part, index)
            except Exception:  # noqa: BLE001 - a provisional aid; the final check still runs
                log.exception("fact check while streaming failed")
                return None
            return report, (time.perf_counter() - started) * 1000

        def done(out: tuple[Report, float] | None) -> None:
            if generation != self._generation:
                return
            self._busy = False
            if out is None:
                return
            report, ms = out
            self.runs += 1
            self.run_ms.append(ms)
            self.checked.emit(report)
            self.feed()  # text that came during the check

        self.run(work, done)
