"""The live time estimate on a busy PC (issue 24): it follows a changed speed within seconds
and says why a job is slow. Fake clock and fake load figure; no timing asserts."""

from __future__ import annotations

import pytest

from llmoin_desktop.core import i18n
from llmoin_desktop.core.tasks import eta


class FakeMonitor:
    def __init__(self, foreign: float | None) -> None:
        self.foreign = foreign

    def sample(self, force: bool = False) -> float | None:
        return self.foreign


def _one_step_job(monitor: FakeMonitor | None = None) -> tuple[eta.LiveEta, list[float]]:
    """Prompt 1000 tokens at 100/s (10 s), then 200 tokens at 10/s (20 s): 30 s planned."""
    plan = eta.Plan(steps=[eta.Step("final", 1000, 200)])
    rates = eta.Rates(prompt_tps=100, gen_tps=10, fill=1.0)
    now = [0.0]
    return eta.LiveEta(plan, rates, clock=lambda: now[0], monitor=monitor), now


def _stream(live: eta.LiveEta, now: list[float], n: int, per_token: float) -> None:
    for _ in range(n):
        now[0] += per_token
        live.token("Wort")  # one token


def test_remaining_time_follows_a_slowdown_within_seconds() -> None:
    live, now = _one_step_job()
    now[0] = 10.0  # the prompt took as long as planned
    _stream(live, now, 50, 0.1)  # 5 s at the planned speed
    assert live.factor() == pytest.approx(1.0, rel=0.05)
    # A busy program starts: tokens now take three times as long. After 8 s the factor
    # has moved most of the way (the job's average would still say ~1.3).
    _stream(live, now, 27, 0.3)
    factor = live.factor()
    assert factor is not None and factor > 2.2
    average = now[0] / live.predicted_done()
    assert average < 1.6
    rest_tokens = 200 - 77
    assert live.remaining() == pytest.approx(rest_tokens * 0.1 * factor, rel=0.05)
    # The program ends: back near the plan within about ten seconds.
    _stream(live, now, 115, 0.1)
    assert live.factor() == pytest.approx(1.0, abs=0.3)


def test_a_stalled_step_raises_the_estimate() -> None:
    """No progress while a long prompt is read: once the wait exceeds what the step should
    take at the current speed, the remaining time grows instead of sitting at "gleich"."""
    plan = eta.Plan(steps=[eta.Step("map", 1000, 10) for _ in range(4)])
    rates = eta.Rates(prompt_tps=100, gen_tps=10, map_fill=1.0)
    now = [0.0]
    live = eta.LiveEta(plan, rates, clock=lambda: now[0])
    step = live.step_s[0]
    now[0] = step
    live.progress(1, 4)
    assert live.remaining() == pytest.approx(3 * step, rel=0.01)
    now[0] += 3 * step  # the second step takes three times its plan and is not done yet
    assert live.factor() == pytest.approx(3.0, rel=0.01)
    assert live.remaining() > 2 * step


def test_busy_message_only_with_a_busy_pc_and_a_slow_job() -> None:
    i18n.set_language("de")
    busy, now = _one_step_job(FakeMonitor(1.0))
    now[0] = 10.0
    _stream(busy, now, 60, 0.3)
    assert busy.busy()
    assert "stark ausgelastet" in busy.text()
    assert busy.text().startswith("noch ")

    quiet, now = _one_step_job(FakeMonitor(0.0))  # slow, but nobody else uses the CPU
    now[0] = 10.0
    _stream(quiet, now, 60, 0.3)
    assert not quiet.busy()
    assert "ausgelastet" not in quiet.text()

    fast, now = _one_step_job(FakeMonitor(1.5))  # a busy PC, but the job keeps its plan
    now[0] = 10.0
    _stream(fast, now, 60, 0.1)
    assert not fast.busy()

    blind, now = _one_step_job(None)  # no monitor (CLI, bench): never claims a cause
    now[0] = 10.0
    _stream(blind, now, 60, 0.3)
    assert not blind.busy()


def test_busy_message_in_english() -> None:
    i18n.set_language("en")
    try:
        assert "very busy" in eta.busy_text()
    finally:
        i18n.set_language("de")


def test_status_bar_names_a_busy_pc(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """The status bar's speed is the current rate; far below the session's best while other
    programs use the CPU, it says so (tooltip: the whole sentence)."""
    from llmoin_desktop.ui import status_bar
    from llmoin_desktop.ui.status_bar import AppStatusBar

    i18n.set_language("de")
    busy = [False]
    monkeypatch.setattr(status_bar, "_pc_busy", lambda: busy[0])
    bar = AppStatusBar()
    qtbot.addWidget(bar)
    bar.set_tokens_per_s(100.0)
    bar.set_tokens_per_s(30.0)  # slower, but nobody else computes: no claim
    assert "ausgelastet" not in bar.speed_label.text()
    busy[0] = True
    bar.set_tokens_per_s(30.0)
    assert "30,0 Token/s" in bar.speed_label.text()
    assert "Rechner ausgelastet" in bar.speed_label.text()
    assert "stark ausgelastet" in bar.speed_label.toolTip()
    bar.set_tokens_per_s(90.0)  # fast again
    assert "ausgelastet" not in bar.speed_label.text() and not bar.speed_label.toolTip()
