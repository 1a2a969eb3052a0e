"""How many threads llama.cpp uses, decided by measurement (issue 24: fast on a busy PC).

The cliff: llama.cpp's threads meet at a barrier after every step of the graph (hundreds per
token). With as many threads as cores, one ordinary busy program (a virus scan, a browser
tab) takes a core for a time slice at a time and the other thread waits at the barrier for
it: on the 2-core test PC decoding fell from 103 to 0.3 tokens/s, while one thread kept 75.
Programs at the lowest priority (nice 19) hardly matter: the scheduler gives us the core.

The decision (figures in docs/design.md, "Fast on a busy office PC"):
- **Every half second** :class:`LoadMonitor` (a daemon thread, :func:`shared_monitor`) reads
  how much CPU *other* programs at normal priority used (system busy time minus our own
  process time; niced programs are counted apart on Linux/macOS, because they yield to us).
  Before each call, after each prompt batch and after each token the engine asks for
  threads = free cores = cores − ⌈foreign load − ¼⌉, at least 1 (a cached figure: cheap).
- **Per token**, :class:`ThreadGovernor` compares the step's time with the recent quiet time
  at this thread count; two tokens three times slower in a row mean a barrier waits for a
  core someone else has: one thread less at once, and no step back up for a hold time that
  doubles when it happens again (5 s … 60 s). So the cliff costs at most two tokens.
- **Prompt reading** (``n_threads_batch``) follows the same load figure; two slow batches
  in a row step it down the same way.
- ``n_threads`` set by IT or the user (> 0) fixes both counts and switches the governor off.
- The ceiling when quiet: all physical cores on 2–3 cores (leaving one free would halve the
  speed on an idle PC, and the governor protects the busy case); cores − 1 for generation on
  4 and more (decoding is memory-bound, the last core adds little and keeps the window
  smooth); prompt reading (compute-bound) may use every physical core.

Qt-free and llama-free: ``local.py``/``token_loop.py`` feed it times and apply its counts with
``llama_set_n_threads`` (a plain field write in llama.cpp, free to call per token).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psutil

# Foreign load (in cores) that still counts as "nothing else running": a mail client and a
# clock in the tray use a few per cent.
QUIET_CORES = 0.25
# How often the load figure is refreshed (a read of /proc/stat and os.times()).
SAMPLE_S = 0.5
MIN_WINDOW_S = 0.1
# A step this many times slower than the recent quiet time at the same thread count ...
SLOW_FACTOR = 3.0
# ... this many times in a row steps the thread count down.
SLOW_STREAK = 2
# After a slowdown, no step up for this long; doubles on each repeat up to HOLD_MAX_S.
HOLD_S = 5.0
HOLD_MAX_S = 60.0
# The recent quiet time forgets slowly (the context grows, a token costs a little more).
REF_DECAY = 1.01
BATCH_DECAY = 1.25
# A step this many times slower than the reference is the cliff itself: step down at once;
# a prompt batch that takes this much longer than expected is aborted and repeated.
EXTREME_FACTOR = 10.0
BATCH_MIN_BUDGET_S = 1.0
# The engine publishes its current decode rate this often (status bar "Tempo").
RATE_PUBLISH_S = 1.0


def physical_cores() -> int:
    """Physical cores: hyper-threads slow llama.cpp's matrix work down rather than up."""
    return max(1, psutil.cpu_count(logical=False) or psutil.cpu_count() or os.cpu_count() or 1)


@dataclass
class ThreadPlan:
    """Thread counts for one loaded model."""

    gen: int  # n_threads at load (decoding)
    batch: int  # n_threads_batch at load (prompt reading)
    max_gen: int
    max_batch: int
    fixed: bool = False  # set by IT/the user: the governor keeps its hands off

    def describe(self) -> str:
        """For ``doctor``/the status: "2 (automatisch, 1–2)" style facts, language-neutral."""
        if self.fixed:
            return str(self.gen)
        return f"{self.gen} (auto 1-{self.max_gen}/{self.max_batch})"


def plan_threads(configured: int = 0, cores: int | None = None) -> ThreadPlan:
    """The counts for ``n_threads = configured`` (0 = the app decides) on ``cores`` cores."""
    cores = max(1, cores or physical_cores())
    if configured > 0:
        return ThreadPlan(configured, configured, configured, configured, fixed=True)
    max_gen = cores if cores <= 3 else cores - 1
    return ThreadPlan(gen=max_gen, batch=cores, max_gen=max_gen, max_batch=cores)


def threads_for_load(ceiling: int, cores: int, foreign: float | None) -> int:
    """Threads that find a free core: ``cores − ⌈foreign − QUIET_CORES⌉``, within 1…ceiling."""
    if foreign is None:
        return ceiling
    taken = max(0, int(-(-(foreign - QUIET_CORES) // 1)))  # ceil, never negative
    return max(1, min(ceiling, cores - taken))


# Load ------------------------------------------------------------------------------------------
def _proc_stat() -> tuple[float, float] | None:
    """Linux: (normal-priority busy, niced busy) CPU seconds of the whole system."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            parts = fh.readline().split()
    except OSError:
        return None
    if not parts or parts[0] != "cpu":
        return None
    ticks = [int(x) for x in parts[1:]]
    hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    user, nice, system = ticks[0], ticks[1], ticks[2]
    irq = ticks[5] if len(ticks) > 5 else 0
    softirq = ticks[6] if len(ticks) > 6 else 0
    return (user + system + irq + softirq) / hz, nice / hz


def _system_busy() -> tuple[float, float] | None:
    """(normal-priority busy, niced busy) CPU seconds since boot, all cores together."""
    if sys.platform.startswith("linux"):
        got = _proc_stat()
        if got is not None:
            return got
    try:
        t = psutil.cpu_times()
    except (OSError, RuntimeError):
        return None
    busy = t.user + t.system + getattr(t, "interrupt", 0.0) + getattr(t, "dpc", 0.0)
    return busy, float(getattr(t, "nice", 0.0))


def _own_busy() -> float:
    t = os.times()
    return t.user + t.system


class LoadMonitor:
    """CPU that *other* programs at normal priority use, in cores, over the last half second.

    Why system minus own: our own threads must not count as competition, and per-process
    lists are too slow to read every half second. Niced programs (nice > 0 on Linux/macOS)
    are left out: they yield to us (the issue's nice-19 loops cost only a tenth)."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        system: Callable[[], tuple[float, float] | None] = _system_busy,
        own: Callable[[], float] = _own_busy,
        sample_s: float = SAMPLE_S,
    ) -> None:
        self._clock, self._system, self._own, self.sample_s = clock, system, own, sample_s
        self._last: tuple[float, float, float, float] | None = None  # time, busy, niced, own
        self.foreign: float | None = None  # last figure, cores
        self.niced: float = 0.0
        self._lock = threading.Lock()
        self.sample()

    def sample(self, force: bool = False) -> float | None:
        """Refresh the figure if ``sample_s`` has passed (or ``force``); returns it.

        A window shorter than ``MIN_WINDOW_S`` keeps the previous figure (the kernel counts
        in 10 ms ticks: a shorter window is noise)."""
        with self._lock:
            now = self._clock()
            last = self._last
            if last is not None and now - last[0] < (MIN_WINDOW_S if force else self.sample_s):
                return self.foreign
            got = self._system()
            if got is None:
                return self.foreign
            busy, niced = got
            own = self._own()
            if last is not None:
                t0, busy0, niced0, own0 = last
                dt = now - t0
                self.foreign = max(0.0, ((busy - busy0) - (own - own0)) / dt)
                self.niced = max(0.0, (niced - niced0) / dt)
            self._last = (now, busy, niced, own)
            return self.foreign


_shared_monitor: LoadMonitor | None = None
_shared_lock = threading.Lock()


def shared_monitor() -> LoadMonitor:
    """The process-wide monitor, refreshed every ``SAMPLE_S`` by a daemon thread.

    Why a thread: a figure taken only when a call starts would average over the minutes the
    engine sat idle; the thread keeps it to the last half second (two cheap reads each time)."""
    global _shared_monitor
    with _shared_lock:
        if _shared_monitor is None:
            monitor = LoadMonitor()

            def refresh() -> None:
                while True:
                    time.sleep(monitor.sample_s)
                    monitor.sample(force=True)

            threading.Thread(target=refresh, name="llmoin-load", daemon=True).start()
            _shared_monitor = monitor
        return _shared_monitor


# Governor --------------------------------------------------------------------------------------
@dataclass
class ThreadGovernor:
    """Per-model thread counts that follow the machine's load (see the module doc)."""

    plan: ThreadPlan
    monitor: LoadMonitor | None = None
    cores: int = field(default_factory=physical_cores)
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self.gen = self.plan.gen
        self.batch = self.plan.batch
        self._ref: dict[tuple[str, int], float] = {}  # (kind, threads) -> recent quiet s/token
        self._tok_ref: dict[int, float] = {}  # batch threads -> best prompt s/token
        self._streak = 0
        self._hold_until = 0.0
        self._hold_s = HOLD_S
        self._last_down: float | None = None
        self._cap_gen = self.plan.max_gen
        self._cap_batch = self.plan.max_batch
        self.steps_down = 0
        self.steps_up = 0

    @property
    def active(self) -> bool:
        return not self.plan.fixed

    # Load-based choice -------------------------------------------------------------------
    def _caps(self) -> tuple[int, int]:
        if self.clock() >= self._hold_until:
            self._cap_gen, self._cap_batch = self.plan.max_gen, self.plan.max_batch
        return self._cap_gen, self._cap_batch

    def choose(self, force_sample: bool = False) -> tuple[int, int]:
        """(gen, batch) for the next call or the next second; updates ``gen``/``batch``."""
        if not self.active:
            return self.gen, self.batch
        foreign = self.monitor.sample(force_sample) if self.monitor is not None else None
        cap_gen, cap_batch = self._caps()
        gen = threads_for_load(cap_gen, self.cores, foreign)
        batch = threads_for_load(cap_batch, self.cores, foreign)
        if gen > self.gen:
            self.steps_up += 1
        self.gen, self.batch = gen, batch
        return gen, batch

    # Watchdog for one prompt batch -------------------------------------------------------
    def batch_budget(self, n_tokens: int) -> float | None:
        """Seconds after which a prompt batch counts as stuck at the barrier (the engine aborts
        it through llama.cpp's abort callback and repeats it with one thread less); ``None``
        without a measured rate at this thread count or when one thread is all we have."""
        if not self.active or self.batch <= 1:
            return None
        refs = [v for n, v in self._tok_ref.items() if n <= self.batch]
        if not refs:
            return None
        return max(BATCH_MIN_BUDGET_S, EXTREME_FACTOR * min(refs) * n_tokens)

    def batch_overdue(self) -> bool:
        """The watchdog fired: one thread less (True), or nothing left to give (False)."""
        if not self.active or self.batch <= 1:
            return False
        self._step_down("batch")
        return True

    # Time-based correction ---------------------------------------------------------------
    def new_call(self) -> None:
        """A new prompt: its context depth may differ a lot, so the decode references loosen
        (twice the time is still "normal"); the cliff (10x and more) still shows at once."""
        for key in [k for k in self._ref if k[0] == "gen"]:
            self._ref[key] *= 2.0
        self._streak = 0

    def _reference(self, kind: str, threads: int) -> float | None:
        """The quiet time to compare with: the best at this *or fewer* threads (more threads
        are never slower when quiet, so a reference taken during a slowdown is overruled)."""
        refs = [v for (k, n), v in self._ref.items() if k == kind and n <= threads]
        return min(refs) if refs else None

    def _observe(self, kind: str, threads: int, per_token: float, decay: float) -> bool:
        """Record one step; True when it was slow enough (twice in a row) to step down.

        ``decay``: how fast the reference follows slower steps (deeper context)."""
        key = (kind, threads)
        own = self._ref.get(key)
        if own is None or per_token < own:
            self._ref[key] = own = per_token
        ref = self._reference(kind, threads) or per_token
        if per_token <= ref:
            self._streak = 0
            return False
        if per_token > EXTREME_FACTOR * ref:
            self._streak = SLOW_STREAK  # the cliff itself: one such step is enough
        elif per_token > SLOW_FACTOR * ref:
            self._streak += 1  # a slow step says nothing about the quiet speed: ref stays
        else:
            self._streak = 0
            if per_token > own:
                self._ref[key] = min(per_token, own * decay)  # deeper context: follow slowly
        return self._streak >= SLOW_STREAK

    def _step_down(self, kind: str) -> None:
        self._streak = 0
        self.steps_down += 1
        now = self.clock()
        if self._last_down is not None and now - self._last_down < HOLD_MAX_S:
            self._hold_s = min(HOLD_MAX_S, self._hold_s * 2)  # slow again soon after: wait longer
        else:
            self._hold_s = HOLD_S  # a quiet minute forgets earlier slowdowns
        self._last_down = now
        self._hold_until = now + self._hold_s
        # A core is taken: both counts lose a thread (prompt and decode meet the same barrier).
        self.gen = max(1, self.gen - 1)
        self.batch = max(1, self.batch - 1)
        self._cap_gen, self._cap_batch = self.gen, self.batch

    def token(self, seconds: float) -> bool:
        """One decode step took ``seconds``; True when the thread counts changed."""
        if not self.active:
            return False
        # Observed at one thread, too: that time is the reference for more threads.
        if self._observe("gen", self.gen, seconds, REF_DECAY):
            if self.gen > 1 or self.batch > 1:
                self._step_down("gen")
                return True
            self._streak = 0
        return False

    def prompt_batch(self, n_tokens: int, seconds: float) -> bool:
        """One prompt batch of ``n_tokens`` took ``seconds``; True when the counts changed.

        Only full-size batches are compared (a short tail batch has other overheads)."""
        if not self.active:
            return False
        if n_tokens >= 16:  # the watchdog's rate, also at one thread (a bound for more)
            per_token = seconds / n_tokens
            ref = self._tok_ref.get(self.batch)
            self._tok_ref[self.batch] = per_token if ref is None else min(ref * 1.05, per_token)
        if n_tokens < 64 or self.batch <= 1:
            return False
        # Batches: each one sits deeper in the context than the last (attention costs grow),
        # so the reference follows a slower batch by a quarter; a 3x jump still shows.
        if self._observe(f"batch{n_tokens}", self.batch, seconds / n_tokens, BATCH_DECAY):
            self._step_down("batch")
            return True
        return False


# Engine side ------------------------------------------------------------------------------------
class GovernedThreadsMixin:
    """What ``LocalBackend`` mixes in: apply the governor's counts to the loaded context.

    Kept here so ``local.py``/``token_loop.py`` only call three hooks: before a call, after a
    prompt batch, after a decoded token. ``llama_set_n_threads`` only writes two fields of the
    context; the next ``llama_decode`` uses them."""

    _llm: object
    # Made at each load (local.py); None: no model, or a backend without a governor.
    _governor: ThreadGovernor | None = None
    _threads_applied: tuple[int, int] | None = None
    # Prompt-batch watchdog: the abort callback (local.py) stops a batch stuck at llama.cpp's
    # barrier after this perf_counter time and says so in _abort_overdue.
    _abort_deadline: float = 0.0
    _abort_overdue: bool = False

    def _threads_apply(self, counts: tuple[int, int]) -> None:
        from llama_cpp import llama_cpp as lc

        if self._llm is None:
            return
        lc.llama_set_n_threads(self._llm._ctx.ctx, counts[0], counts[1])  # type: ignore[attr-defined]
        self._threads_applied = counts
        set_status = getattr(self, "_set_status", None)
        if set_status is not None:  # ``doctor`` and the status show the count in use
            set_status(n_threads=counts[0])

    def _publish_rate(self) -> None:
        """The current speed for the status bar, about once a second while tokens flow
        (the finished call's average comes at its end, as before)."""
        now = time.perf_counter()
        t0 = getattr(self, "_rate_t0", 0.0)
        if not t0:
            self._rate_t0, self._rate_n = now, 0
            return
        self._rate_n += 1
        if now - t0 >= RATE_PUBLISH_S:
            set_status = getattr(self, "_set_status", None)
            if set_status is not None:
                set_status(last_tokens_per_s=self._rate_n / (now - t0))
            self._rate_t0, self._rate_n = now, 0

    def _threads_before_call(self) -> None:
        """A fresh look at the load before a prompt is read (a fresh sample, not the cached)."""
        self._rate_t0, self._rate_n = 0.0, 0
        gov = self._governor
        if gov is not None and gov.active:
            gov.new_call()
            counts = gov.choose(force_sample=True)
            if counts != getattr(self, "_threads_applied", None):
                self._threads_apply(counts)

    def _threads_batch_deadline(self, n_tokens: int) -> float:
        """``perf_counter`` time after which the abort callback stops this prompt batch (0: none)."""
        gov = self._governor
        budget = gov.batch_budget(n_tokens) if gov is not None else None
        return time.perf_counter() + budget if budget else 0.0

    def _threads_batch_overdue(self) -> bool:
        """A batch was stopped by the watchdog: one thread less; True when worth repeating."""
        gov = self._governor
        if gov is None or not gov.batch_overdue():
            return False
        self._threads_apply((gov.gen, gov.batch))
        return True

    def _threads_after_batch(self, n_tokens: int, seconds: float) -> None:
        gov = self._governor
        if gov is None or not gov.active:
            return
        gov.prompt_batch(n_tokens, seconds)
        counts = gov.choose()
        if counts != getattr(self, "_threads_applied", None):
            self._threads_apply(counts)

    def _threads_after_token(self, seconds: float) -> None:
        self._publish_rate()
        gov = self._governor
        if gov is None or not gov.active:
            return
        gov.token(seconds)
        counts = gov.choose()
        if counts != getattr(self, "_threads_applied", None):
            self._threads_apply(counts)


def background_threads(cores: int | None = None) -> int:
    """Threads for background number-crunching (embedding while indexing, OCR pages): one core
    always stays free for the clerk's programs and our window (cores − 1, at least 1)."""
    return max(1, (cores or physical_cores()) - 1)
