"""The thread decision and governor (issue 24): counts from the load, steps down on slow tokens.

No timing asserts: the load monitor and the governor get fake clocks and fake CPU counters;
one test runs the real engine to see that the counts reach llama.cpp."""

from __future__ import annotations

import time

import pytest

from llmoin_desktop.core.engine import threads
from llmoin_desktop.core.engine.threads import (
    LoadMonitor,
    ThreadGovernor,
    plan_threads,
    threads_for_load,
)


class FakeCpu:
    """System busy seconds (normal, niced) and our own CPU seconds, moved by the test."""

    def __init__(self) -> None:
        self.now = 0.0
        self.busy = 0.0
        self.niced = 0.0
        self.own = 0.0

    def advance(self, seconds: float, *, own: float, foreign: float, niced: float = 0.0) -> None:
        """``seconds`` pass; we use ``own`` cores, other programs ``foreign`` (+ ``niced``)."""
        self.now += seconds
        self.own += own * seconds
        self.busy += (own + foreign) * seconds
        self.niced += niced * seconds

    def monitor(self) -> LoadMonitor:
        return LoadMonitor(
            clock=lambda: self.now,
            system=lambda: (self.busy, self.niced),
            own=lambda: self.own,
        )


def test_plan_for_small_and_large_pcs() -> None:
    two = plan_threads(0, cores=2)
    assert (two.gen, two.batch, two.max_gen, two.max_batch, two.fixed) == (2, 2, 2, 2, False)
    eight = plan_threads(0, cores=8)
    assert eight.max_gen == 7 and eight.max_batch == 8  # a core stays free for generation
    one = plan_threads(0, cores=1)
    assert one.gen == one.batch == 1


def test_configured_threads_are_fixed() -> None:
    plan = plan_threads(3, cores=2)
    assert plan.fixed and plan.gen == plan.batch == 3
    gov = ThreadGovernor(plan, None, cores=2)
    assert not gov.active
    for _ in range(10):
        assert gov.token(10.0) is False  # never moves IT's choice
    assert gov.choose() == (3, 3)


@pytest.mark.parametrize(
    ("foreign", "expected"),
    [(None, 2), (0.0, 2), (0.2, 2), (0.3, 1), (1.0, 1), (1.9, 1), (5.0, 1)],
)
def test_threads_for_load_on_two_cores(foreign: float | None, expected: int) -> None:
    assert threads_for_load(2, 2, foreign) == expected


def test_threads_for_load_on_eight_cores() -> None:
    assert threads_for_load(7, 8, 0.0) == 7
    assert threads_for_load(7, 8, 1.0) == 7  # one busy program: still a free core each
    assert threads_for_load(7, 8, 3.0) == 5
    assert threads_for_load(8, 8, 0.5) == 8 - 1


def test_monitor_counts_other_programs_not_us_nor_niced_ones() -> None:
    cpu = FakeCpu()
    mon = cpu.monitor()
    assert mon.foreign is None  # no window yet
    cpu.advance(1.0, own=1.0, foreign=0.0)
    assert mon.sample() == pytest.approx(0.0)  # we alone use a core: quiet
    cpu.advance(1.0, own=1.0, foreign=1.0)
    assert mon.sample() == pytest.approx(1.0)  # a busy loop at normal priority
    cpu.advance(1.0, own=1.0, foreign=0.0, niced=2.0)
    assert mon.sample() == pytest.approx(0.0)  # two nice-19 loops yield to us
    assert mon.niced == pytest.approx(2.0)


def test_monitor_keeps_its_figure_within_the_sample_time() -> None:
    cpu = FakeCpu()
    mon = cpu.monitor()
    cpu.advance(1.0, own=0.0, foreign=1.0)
    assert mon.sample() == pytest.approx(1.0)
    cpu.advance(0.05, own=0.0, foreign=0.0)
    assert mon.sample() == pytest.approx(1.0)  # too soon: cached
    assert mon.sample(force=True) == pytest.approx(1.0)  # under MIN_WINDOW_S: still cached
    cpu.advance(0.5, own=0.0, foreign=0.0)
    assert mon.sample() == pytest.approx(0.0, abs=0.1)


def test_governor_follows_the_load_both_ways() -> None:
    cpu = FakeCpu()
    gov = ThreadGovernor(plan_threads(0, cores=2), cpu.monitor(), cores=2, clock=lambda: cpu.now)
    cpu.advance(1.0, own=2.0, foreign=0.0)
    assert gov.choose() == (2, 2)
    cpu.advance(1.0, own=1.0, foreign=1.0)  # a virus scan starts
    assert gov.choose() == (1, 1)
    cpu.advance(1.0, own=1.0, foreign=0.0)  # and ends
    assert gov.choose() == (2, 2)


def test_slow_tokens_step_down_and_hold() -> None:
    """Two tokens far slower than the quiet ones at the same count: one thread less, and no
    step back up until the hold time has passed (the load figure said "quiet" throughout)."""
    cpu = FakeCpu()
    gov = ThreadGovernor(plan_threads(0, cores=2), cpu.monitor(), cores=2, clock=lambda: cpu.now)
    cpu.advance(1.0, own=2.0, foreign=0.0)
    gov.choose()
    for _ in range(20):
        assert gov.token(0.010) is False
    assert gov.token(0.05) is False  # one slow token is not yet a trend
    assert gov.token(0.05) is True  # the second one is
    assert gov.gen == 1 and gov.batch == 1 and gov.steps_down == 1  # a core is taken: both
    cpu.advance(1.0, own=1.0, foreign=0.0)
    assert gov.choose() == (1, 1)  # held down although the figure looks quiet
    cpu.advance(threads.HOLD_S + 0.1, own=1.0, foreign=0.0)
    assert gov.choose() == (2, 2)  # hold over: back up
    # A second slowdown soon after holds twice as long.
    for _ in range(2):
        gov.token(0.05)
    assert gov.gen == 1
    cpu.advance(threads.HOLD_S + 0.1, own=1.0, foreign=0.0)
    assert gov.choose()[0] == 1
    cpu.advance(threads.HOLD_S, own=1.0, foreign=0.0)
    assert gov.choose()[0] == 2


def test_a_slower_context_is_not_a_slowdown() -> None:
    """Tokens get slowly dearer as the context grows: no step down for that."""
    gov = ThreadGovernor(plan_threads(0, cores=2), None, cores=2, clock=lambda: 0.0)
    dt = 0.010
    for _ in range(500):
        dt *= 1.002
        gov.token(dt)
    assert gov.gen == 2 and gov.steps_down == 0


def test_slow_prompt_batches_step_the_batch_threads_down() -> None:
    gov = ThreadGovernor(plan_threads(0, cores=2), None, cores=2, clock=lambda: 0.0)
    assert gov.prompt_batch(256, 0.25) is False
    assert gov.prompt_batch(256, 0.25) is False
    assert gov.prompt_batch(10, 5.0) is False  # a short tail batch is not compared
    gov.prompt_batch(256, 1.0)
    assert gov.prompt_batch(256, 1.0) is True
    assert gov.batch == 1 and gov.gen == 1


def test_background_threads_leave_a_core() -> None:
    assert threads.background_threads(2) == 1
    assert threads.background_threads(1) == 1
    assert threads.background_threads(8) == 7


def test_hardware_reports_the_plan(tmp_path) -> None:  # noqa: ANN001
    from llmoin_desktop.core.engine import hardware
    from llmoin_desktop.core.settings.config import SettingsStore

    store = SettingsStore(config_dir=tmp_path / "config", policy_dir=tmp_path / "policy")
    assert hardware.n_threads(store) == plan_threads(0).gen
    store.set("n_threads", 1)
    assert hardware.n_threads(store) == 1


@pytest.mark.model
def test_engine_applies_the_governors_counts(engine) -> None:  # noqa: ANN001
    """The real engine: counts reach llama.cpp (its own getter) and the status shows them."""
    from llama_cpp import llama_cpp as lc

    gov = engine._governor
    assert gov is not None and gov.active
    engine.chat([{"role": "user", "content": "Hallo"}])
    ctx_threads = engine._call(lambda: lc.llama_n_threads(engine._llm._ctx.ctx))
    assert ctx_threads == gov.gen
    assert engine.status().n_threads == gov.gen
    # A forced step down reaches the context before the next token.
    engine._call(lambda: engine._threads_apply((1, 1)))
    assert engine._call(lambda: lc.llama_n_threads(engine._llm._ctx.ctx)) == 1
    assert engine.status().n_threads == 1


@pytest.mark.model
def test_engine_publishes_its_current_rate_while_decoding(engine) -> None:  # noqa: ANN001
    """The status bar's "Tempo" follows the current rate: the engine publishes it about once a
    second while tokens flow, not only when the answer is finished."""
    from llmoin_desktop.core.engine.backend import GenerationParams

    seen: list[tuple[str, float]] = []
    engine.add_status_listener(lambda s: seen.append((s.state, s.last_tokens_per_s)))
    engine.clear_cache()
    token_times: list[float] = []
    engine.chat(
        [{"role": "user", "content": "Erzähle eine lange Geschichte."}],
        GenerationParams(max_tokens=4000, temperature=0.0, ignore_eos=True),
        on_token=lambda _t: token_times.append(time.perf_counter()),
        cancel=_cancel_after_seconds(2.5, token_times),
    )
    during = [rate for state, rate in seen if state == "busy" and rate > 0]
    assert during, "no rate published during decoding"


def _cancel_after_seconds(seconds: float, token_times: list[float]):  # noqa: ANN202
    """A token that cancels once tokens have flowed for ``seconds`` (checked per token)."""
    from llmoin_desktop.core.jobs import CancelToken

    class AfterSeconds(CancelToken):
        @property
        def cancelled(self) -> bool:  # type: ignore[override]
            return bool(token_times) and time.perf_counter() - token_times[0] > seconds

    return AfterSeconds()


def test_deeper_prompt_batches_are_not_a_slowdown() -> None:
    """Later batches of a long prompt cost more per token (attention over more positions)."""
    gov = ThreadGovernor(plan_threads(0, cores=2), None, cores=2, clock=lambda: 0.0)
    per_batch = 0.25
    for _ in range(32):  # 8,000 tokens: the last batches cost ~4x the first
        per_batch *= 1.045
        assert gov.prompt_batch(256, per_batch) is False
    assert gov.batch == 2


def test_a_new_call_forgets_the_decode_reference() -> None:
    gov = ThreadGovernor(plan_threads(0, cores=2), None, cores=2, clock=lambda: 0.0)
    for _ in range(10):
        gov.token(0.010)
    gov.new_call()  # a long prompt: every token of this answer costs 4x
    for _ in range(10):
        gov.token(0.040)
    assert gov.gen == 2 and gov.steps_down == 0


def test_the_cliff_itself_steps_down_after_one_token() -> None:
    gov = ThreadGovernor(plan_threads(0, cores=2), None, cores=2, clock=lambda: 0.0)
    for _ in range(5):
        gov.token(0.010)
    assert gov.token(2.0) is True  # 200x: no second token at that price
    assert gov.gen == 1


def test_prompt_watchdog_budget() -> None:
    gov = ThreadGovernor(plan_threads(0, cores=2), None, cores=2, clock=lambda: 0.0)
    assert gov.batch_budget(256) is None  # nothing measured yet: no watchdog
    gov.prompt_batch(256, 0.5)
    budget = gov.batch_budget(256)
    assert budget == pytest.approx(threads.EXTREME_FACTOR * 0.5)
    assert gov.batch_budget(8) == threads.BATCH_MIN_BUDGET_S  # a floor for tiny batches
    assert gov.batch_overdue() is True
    assert gov.batch == 1 and gov.batch_budget(256) is None  # one thread: nothing to give
    assert gov.batch_overdue() is False
    fixed = ThreadGovernor(plan_threads(2, cores=2), None, cores=2)
    fixed.prompt_batch(256, 0.5)
    assert fixed.batch_budget(256) is None  # IT's fixed count: no watchdog


@pytest.mark.model
def test_a_stuck_prompt_batch_is_repeated_with_fewer_threads(
    engine, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    """The watchdog aborts a prompt batch through llama.cpp's abort callback and repeats it
    with one thread less; the answer is the same as without it (greedy decoding)."""
    from llmoin_desktop.core.engine.backend import GenerationParams

    messages = [{"role": "user", "content": "Nenne drei Farben. " * 30}]
    params = GenerationParams(max_tokens=8, temperature=0.0)
    original = engine._governor

    def fresh(gen: int, batch: int) -> ThreadGovernor:
        gov = ThreadGovernor(plan_threads(0, cores=2), None, cores=2)
        gov.gen, gov.batch = gen, batch
        engine._call(lambda: (setattr(engine, "_governor", gov), engine._threads_apply((1, 1))))
        return gov

    try:
        fresh(1, 1)
        engine.clear_cache()
        expected = engine.chat(messages, params).text
        gov = fresh(2, 2)
        gov._tok_ref[2] = 1e-9  # "measured" absurdly fast: every batch is overdue at once
        gov.choose = lambda force_sample=False: (gov.gen, gov.batch)  # type: ignore[method-assign]
        monkeypatch.setattr(threads, "BATCH_MIN_BUDGET_S", 0.0)
        engine.clear_cache()
        got = engine.chat(messages, params)
        assert gov.steps_down >= 1 and gov.batch == 1
        assert got.text == expected and got.finish_reason != "cancelled"
    finally:
        engine._call(lambda: setattr(engine, "_governor", original))


def test_more_threads_are_compared_with_fewer() -> None:
    """Stepping up from one thread into a busy PC: the first 2-thread tokens are compared
    with the 1-thread time (no 2-thread reference yet), so the cliff shows at once."""
    cpu = FakeCpu()
    gov = ThreadGovernor(plan_threads(0, cores=2), cpu.monitor(), cores=2, clock=lambda: cpu.now)
    cpu.advance(1.0, own=1.0, foreign=1.0)
    assert gov.choose() == (1, 1)
    for _ in range(10):
        gov.token(0.020)  # one thread, busy PC: fine
    cpu.advance(1.0, own=1.0, foreign=0.0)  # the figure says quiet (it was wrong)
    assert gov.choose() == (2, 2)
    assert gov.token(0.5) is True  # 25x the 1-thread time: back to one thread at once
    assert gov.gen == 1
    # Prompt watchdog at 2 threads uses the 1-thread prompt rate.
    gov2 = ThreadGovernor(plan_threads(0, cores=2), None, cores=2, clock=lambda: 0.0)
    gov2.batch = 1
    gov2.prompt_batch(256, 1.0)
    gov2.batch = 2
    assert gov2.batch_budget(256) == pytest.approx(threads.EXTREME_FACTOR * 1.0)


def test_real_monitor_sees_a_busy_program() -> None:
    """The real counters (/proc/stat or psutil, os.times): a CPU loop in another process
    shows up as foreign load. (A lower bound only; other programs may add to it.)"""
    import subprocess
    import sys

    mon = LoadMonitor()
    loop = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        mon.sample(force=True)
        time.sleep(1.0)
        foreign = mon.sample(force=True)
    finally:
        loop.kill()
        loop.wait()
    assert foreign is not None and foreign >= 0.2
