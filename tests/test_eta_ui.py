"""The time estimate on a task page: shown before the run, both readings of a long document,
the clerk's choice reaches the runner, the remaining time during the run, rates remembered."""

from __future__ import annotations

from pathlib import Path

from fakes import FakeBackend
from PySide6.QtCore import Qt
from ui_helpers import load_model, make_window

from llmoin_desktop.core.tasks import eta


class SmallContext(FakeBackend):
    """A tiny context, so a real law is long (map-reduce) and can be skimmed."""

    def context_size(self) -> int:
        return 1200


def _page(qtbot, tmp_path: Path, backend: FakeBackend, task_id: str = "zusammenfassen"):
    window, backend, infos = make_window(qtbot, tmp_path, backend=backend)
    load_model(qtbot, window, infos[0])
    qtbot.mouseClick(window.gallery.tiles[task_id], Qt.MouseButton.LeftButton)
    page = window.tasks.pages[task_id]
    controller = window.tasks.controllers[task_id]
    return window, page, controller


def test_short_text_shows_one_estimate(qtbot, tmp_path: Path) -> None:
    backend = FakeBackend(token_delay=0)
    _window, page, controller = _page(qtbot, tmp_path, backend)
    page.form.set_values({"text": "Die Stadt baut eine neue Brücke über den Fluss. " * 20})
    assert controller.eta.refresh()
    qtbot.waitUntil(lambda: page.estimate.label.text() != "", timeout=20_000)
    assert "Voraussichtliche Dauer" in page.estimate.label.text()
    assert page.estimate.mode.isHidden()
    # Calibrated on first use and remembered for this model file.
    assert eta.RateStore().get(backend.status().model_path) is not None


def test_long_document_offers_both_readings_and_the_choice_reaches_the_runner(
    qtbot, tmp_path: Path, corpus_dir: Path
) -> None:
    backend = SmallContext(token_delay=0, tokens=["Notiz "] * 20)
    _window, page, controller = _page(qtbot, tmp_path, backend)
    page.form.set_values({"dokument": str(corpus_dir / "gesetze" / "vwvfg.pdf")})
    controller.eta.refresh()
    qtbot.waitUntil(lambda: not page.estimate.mode.isHidden(), timeout=60_000)
    items = [page.estimate.mode.itemText(i) for i in range(page.estimate.mode.count())]
    assert items[0].startswith("gründlich (alles lesen) – ")
    assert items[1].startswith("schnell (Kernstellen) – ")
    assert page.estimate.mode_value() == eta.READ_SKIM  # the default (policy key long_read_mode)
    assert controller.runner().max_read_tokens
    page.estimate.mode.setCurrentIndex(0)
    assert controller.runner().max_read_tokens is None
    est = controller.eta.estimate
    assert est is not None and est.thorough_s > est.quick_s


def test_remaining_time_during_the_run_and_rates_after(qtbot, tmp_path: Path) -> None:
    backend = FakeBackend(token_delay=0.05)
    _window, page, controller = _page(qtbot, tmp_path, backend)
    page.form.set_values({"text": "Der Gemeinderat hat den Haushalt beschlossen. " * 10})
    controller.eta.refresh()
    qtbot.waitUntil(lambda: controller.eta.estimate is not None, timeout=20_000)
    path = backend.status().model_path
    runs_before = eta.RateStore().get(path).runs
    seen: list[str] = []
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        assert controller.generate()
        qtbot.waitUntil(lambda: controller.eta.live is not None, timeout=5000)
        seen.append(page.estimate.label.text())
    assert any(t.startswith(("noch ", "gleich fertig")) for t in seen), seen
    qtbot.waitUntil(lambda: eta.RateStore().get(path).runs > runs_before, timeout=10_000)
