"""Time estimates (core/tasks/eta.py): wording, rates per model file, plans that mirror the
runner, the live remaining time; and one real check with the demo model."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import FakeBackend

from llmoin_desktop.core.documents.model import Block, Document
from llmoin_desktop.core.tasks import eta
from llmoin_desktop.core.tasks.catalog import load_catalog
from llmoin_desktop.core.tasks.runner import RunStats, TaskRunner


def test_duration_text_reads_like_a_person_says_it() -> None:
    assert eta.duration_text(4) == "wenige Sekunden"
    assert eta.duration_text(31) == "ca. 30 Sekunden"
    assert eta.duration_text(70) == "ca. 1 Minute"
    assert eta.duration_text(241) == "ca. 4 Minuten"
    assert eta.duration_text(3 * 3600) == "ca. 3 Stunden"
    assert eta.duration_text(5400) == "ca. 1,5 Stunden"


def test_effective_tokens_grow_with_depth() -> None:
    assert eta.effective_tokens(100, 0, 0.0) == 100
    shallow = eta.effective_tokens(100, 0, 1e-3)
    deep = eta.effective_tokens(100, 3000, 1e-3)
    assert 100 < shallow < deep


def test_rates_are_remembered_per_model_file(tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"x" * 10)
    store = eta.RateStore(tmp_path / "data")
    assert store.get(model) is None
    store.put(model, eta.Rates(prompt_tps=100, gen_tps=10))
    again = eta.RateStore(tmp_path / "data").get(model)
    assert again is not None and again.prompt_tps == 100
    # The first finished job replaces the calibration; later ones move the rates halfway.
    stats = RunStats(calls=1, n_prompt=1000, n_generated=200, prompt_s=5.0, decode_s=10.0)
    plan = eta.Plan(steps=[eta.Step("final", 1000, 400)])
    rates = store.record(model, stats, plan)
    assert rates is not None
    assert rates.prompt_tps == pytest.approx(200)
    assert rates.gen_tps == pytest.approx(20)
    assert rates.fill == pytest.approx(0.5)  # 200 of a 400-token budget
    assert rates.runs == 1
    stats.prompt_s, stats.decode_s = 10.0, 20.0
    rates = store.record(model, stats, plan)
    assert rates.prompt_tps == pytest.approx(150) and rates.gen_tps == pytest.approx(15)
    # Another file (other size) has its own rates.
    other = tmp_path / "other.gguf"
    other.write_bytes(b"y" * 11)
    assert store.get(other) is None


def test_broken_rates_file_means_no_rates(tmp_path: Path) -> None:
    store = eta.RateStore(tmp_path)
    store.path.write_text("{not json", encoding="utf-8")
    assert store.get(tmp_path / "m.gguf") is None


def _doc(paragraphs: int, words: int = 60) -> Document:
    blocks = [
        Block(" ".join(f"Wort{i}x{j}" for j in range(words)) + ".", page=1 + i // 5, section=None)
        for i in range(paragraphs)
    ]
    return Document(path="/tmp/lang.txt", title="lang", format="text", blocks=blocks)


class SmallContext(FakeBackend):
    n_ctx = 2048

    def context_size(self) -> int:
        return self.n_ctx


def test_plan_mirrors_the_runner_short_and_long() -> None:
    backend = SmallContext(token_delay=0)
    backend.loaded = Path("fake.gguf")
    runner = TaskRunner(backend, max_read_tokens=3000)
    spec = load_catalog().get("zusammenfassen")
    short = eta.plan_task(runner, spec, {"text": "Ein kurzer Text."})
    assert len(short.steps) == 1 and not short.long and short.steps[0].kind == "final"

    doc = _doc(200)
    quick = eta.plan_task(runner, spec, {"text": "siehe Dokument"}, doc, read_all=False)
    full = eta.plan_task(runner, spec, {"text": "siehe Dokument"}, doc, read_all=True)
    assert quick.long and quick.skimmed and quick.can_skim
    assert full.long and not full.skimmed
    assert len(full.steps) > len(quick.steps) >= 2
    assert full.steps[-1].kind == "final"
    rates = eta.Rates(prompt_tps=100, gen_tps=10)
    assert full.seconds(rates) > quick.seconds(rates)
    est = eta.estimate_task(runner, spec, {"text": "siehe Dokument"}, rates, doc)
    assert est.thorough_s is not None and est.quick_s is not None
    assert est.thorough_s > est.quick_s

    # The runner really makes as many calls as planned (notes that fit one reduce call).
    backend.n_ctx = 4096
    backend.tokens = ["Notiz "] * 100
    full = eta.plan_task(runner, spec, {"text": "siehe Dokument"}, doc, read_all=True)
    runner.max_read_tokens = None
    result = runner.run(spec, {"text": "siehe Dokument"}, document=doc)
    assert result.stats.calls == len(full.steps)


def test_live_eta_follows_the_real_speed() -> None:
    plan = eta.Plan(
        steps=[eta.Step("map", 1000, 100) for _ in range(9)] + [eta.Step("final", 500, 200)]
    )
    rates = eta.Rates(prompt_tps=100, gen_tps=10, map_fill=1.0, fill=1.0)
    now = [0.0]
    live = eta.LiveEta(plan, rates, clock=lambda: now[0])
    total = live.total_s
    assert live.remaining() == pytest.approx(total)
    # Half the parts done in exactly the predicted time: the rest as planned.
    now[0] = sum(live.step_s[:5])
    live.progress(5, 10)
    assert live.remaining() == pytest.approx(total - now[0], rel=0.01)
    # A PC twice as slow (another program busy): twice the rest.
    now[0] = 0.0
    live2 = eta.LiveEta(plan, rates, clock=lambda: now[0])
    now[0] = 2 * sum(live2.step_s[:5])
    live2.progress(5, 10)
    assert live2.remaining() == pytest.approx(2 * (total - sum(live2.step_s[:5])), rel=0.01)
    assert "Minuten" in live2.text() or "Sekunden" in live2.text()


@pytest.mark.model
def test_calibration_and_prediction_with_the_demo_model(engine, tmp_path: Path) -> None:
    """Calibrate the real engine, predict a real summary, compare with the real run."""
    rates = eta.calibrate(engine)
    assert rates.prompt_tps > 1 and rates.gen_tps > 1 and rates.depth_k > 0
    store = eta.RateStore(tmp_path)
    store.put(engine.status().model_path, rates)
    assert eta.rates_for(engine, store) is not None
    runner = TaskRunner(engine)
    runner.params.max_tokens = 24
    runner.params.seed = 1
    spec = load_catalog().get("zusammenfassen")
    sample = Path(__file__).resolve().parents[1] / "resources" / "samples"
    text = (sample / "Bericht_Stadtbibliothek_2024.txt").read_text(encoding="utf-8")[:1200]
    values = {"text": text, "laenge": "kurz"}
    est = eta.estimate_task(runner, spec, values, rates)
    result = runner.run(spec, values)
    ratio = result.stats.wall_s / est.seconds
    # One short job on shared CPUs: only a loose bound here; bench/eta.py measures properly.
    assert 0.2 < ratio < 5, (result.stats.wall_s, est.seconds)
    assert store.record(engine.status().model_path, result.stats, est.plan) is not None
