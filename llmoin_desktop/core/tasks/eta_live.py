"""The remaining time *during* a job, and why it grows on a busy PC (issues 12 and 24).

Split from ``eta.py`` (plans and rates before the job) along the natural seam: this part only
reads a plan and the measured rates, and watches progress and the PC's load while the job runs.
``eta.LiveEta`` and ``eta.busy_text`` stay importable from ``eta``.
"""

from __future__ import annotations

import math
import time
from typing import Any

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.tasks.eta_plan import Plan, Rates, duration_text

# The live correction follows a changed speed with this time constant (seconds of wall time):
# a program that starts to compete shows in the remaining time within a few seconds.
FOLLOW_S = 6.0
# Real/planned time beyond which the clerk is told that the PC is busy (with a busy PC only).
BUSY_FACTOR = 1.6
# Other programs' CPU use (cores, normal priority) that counts as "the PC is busy".
BUSY_CORES = 0.5
BUSY_MIN_ELAPSED_S = 5.0


class LiveEta:
    """Remaining time from the plan, corrected by how fast the job goes *now*.

    Feed it the runner's progress (``step``, ``total``) and the streamed text. Once a tenth of
    the work is done, ``remaining()`` scales the plan's rest by a speed factor (real seconds
    per planned second): first the job's average so far, then a running average over the last
    few seconds (``FOLLOW_S``), so a virus scan that starts mid-job lengthens the remaining time
    within seconds instead of minutes, and its end shortens it again (issue 24). While no
    progress comes at all (a long prompt being read), the wait itself raises the factor once
    it is longer than the current step should take. Before a tenth is done the plan's figure
    stands."""

    def __init__(
        self, plan: Plan, rates: Rates, clock: Any = time.monotonic, monitor: Any = None
    ) -> None:
        self.plan = plan
        self.rates = rates
        self.clock = clock
        self.started = clock()
        self.step_s = [s.seconds(rates) for s in plan.steps] or [0.0]
        self.total_s = plan.load_s + sum(self.step_s)
        self._done_steps = 0.0
        self._tokens = 0
        self._step_tokens_at = 0
        self._factor: float | None = None  # running real/planned factor
        self._mark: tuple[float, float] = (self.started, 0.0)  # (time, predicted done)
        self.monitor = monitor  # threads.LoadMonitor: is the PC busy with other programs?

    def progress(self, step: int, total: int | None) -> None:
        if not total:
            return
        frac = min(1.0, step / total)
        position = frac * len(self.step_s)
        if position != self._done_steps:
            self._done_steps = position
            self._step_tokens_at = self._tokens
            self._update()

    def token(self, text: str) -> None:
        self._tokens += max(1, len(text) // 4)
        self._update()

    def predicted_done(self) -> float:
        whole = int(self._done_steps)
        done = self.plan.load_s + sum(self.step_s[:whole])
        if whole < len(self.step_s):
            step = self.plan.steps[whole] if whole < len(self.plan.steps) else None
            if step is not None:
                written = self._tokens - self._step_tokens_at
                if written > 0:  # the answer is streaming: its prompt is done
                    done += self.rates.prompt_seconds(step.prompt, step.cached)
                    done += self.rates.gen_seconds(
                        min(written, step.max_new), step.cached + step.prompt
                    )
        return min(done, self.total_s)

    def _update(self) -> None:
        """Blend the speed since the last progress into the running factor."""
        now = self.clock()
        done = self.predicted_done()
        t0, done0 = self._mark
        if done <= done0:
            return
        self._mark = (now, done)
        if done < 0.1 * self.total_s:
            return
        if self._factor is None:  # first figure: the average so far
            self._factor = (now - self.started) / done
            return
        inst = (now - t0) / (done - done0)
        weight = 1.0 - math.exp(-max(0.0, now - t0) / FOLLOW_S)
        self._factor += weight * (inst - self._factor)

    def _current_step_rest(self, done: float) -> float:
        """Planned seconds from ``done`` to the end of the step in progress."""
        whole = int(self._done_steps)
        end = self.plan.load_s + sum(self.step_s[: whole + 1])
        return max(0.0, min(end, self.total_s) - done)

    def factor(self) -> float | None:
        """Real seconds per planned second now (None while too little is done)."""
        if self._factor is None:
            return None
        factor = self._factor
        t_mark, done = self._mark
        waited = self.clock() - t_mark
        pending = self._current_step_rest(done)
        if pending > 0 and waited > factor * pending:
            factor = waited / pending  # overdue: the wait itself says how slow it is now
        return max(0.25, min(8.0, factor))

    def remaining(self) -> float:
        elapsed = self.clock() - self.started
        done = self.predicted_done()
        rest = max(0.0, self.total_s - done)
        factor = self.factor()
        if factor is not None and done > 0:
            # Counts down between two pieces of progress (the wait is part of the rest).
            rest = rest * factor - max(0.0, self.clock() - self._mark[0])
        else:
            rest = max(rest, self.total_s - elapsed)
        return max(0.0, rest)

    def busy(self) -> bool:
        """Far slower than planned *and* other programs use the CPU: tell the clerk why."""
        factor = self.factor()
        if factor is None or factor < BUSY_FACTOR:
            return False
        if self.clock() - self.started < BUSY_MIN_ELAPSED_S or self.monitor is None:
            return False
        foreign = self.monitor.sample()
        return foreign is not None and foreign >= BUSY_CORES

    def text(self) -> str:
        rest = self.remaining()
        main = _("gleich fertig") if rest < 10 else tr("noch {time}", time=duration_text(rest))
        if self.busy():
            return main + " – " + busy_text()
        return main


def busy_text() -> str:
    """Why a job takes longer than estimated (shown next to the remaining time)."""
    return _(
        "Der Rechner ist gerade stark ausgelastet: andere Programme brauchen viel Rechenzeit, "
        "deshalb dauert es länger als geschätzt."
    )
