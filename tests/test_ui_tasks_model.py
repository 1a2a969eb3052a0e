"""Task pages with the real demo model (LocalBackend) on a real law text from the corpus:
stream, refine, export, history reopen; Stop in the middle of a map-reduce saves nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from llmoin_desktop.core.engine.catalog import inspect_model
from llmoin_desktop.core.history import HistoryStore
from llmoin_desktop.core.settings.config import SettingsStore

pytestmark = pytest.mark.model


@pytest.fixture
def real_window(qtbot, demo_model_path: Path):
    from llmoin_desktop.core.engine.local import LocalBackend
    from llmoin_desktop.ui.main_window import MainWindow

    store = SettingsStore()
    store.set("max_tokens", 48, save=False)  # small: the flow matters here, not the prose
    store.set("n_ctx", 2048, save=False)  # the law does not fit: read in parts
    backend = LocalBackend(store)
    info = inspect_model(demo_model_path, is_demo=True)
    window = MainWindow(backend, store, scanner=lambda _s: [info])
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    with qtbot.waitSignal(window.models.loaded, timeout=120_000):
        window.models.load(info)
    yield window
    window.pool.shutdown()
    backend.close()


def open_summary(qtbot, window, law: Path):
    qtbot.mouseClick(window.gallery.tiles["zusammenfassen"], Qt.MouseButton.LeftButton)
    page = window.tasks.pages["zusammenfassen"]
    page.form.set_values({"dokument": str(law), "laenge": "kurz"})
    return page, window.tasks.controllers["zusammenfassen"]


def finished(qtbot, controller, action, timeout: int):
    """Run ``action`` and return the TaskResult; fail at once (with the message) on an error."""
    outcome: list[object] = []
    slots = [lambda r: outcome.append(r), lambda m: outcome.append(m), lambda: outcome.append(None)]
    for signal, slot in zip(
        (controller.finished, controller.failed, controller.stopped), slots, strict=True
    ):
        signal.connect(slot)
    action()
    qtbot.waitUntil(lambda: bool(outcome), timeout=timeout)
    for signal, slot in zip(
        (controller.finished, controller.failed, controller.stopped), slots, strict=True
    ):
        signal.disconnect(slot)
    assert outcome[0] is not None and not isinstance(outcome[0], str), outcome
    return outcome[0]


def test_real_model_summary_streams_refines_exports_and_reopens(
    qtbot, real_window, corpus_dir: Path, tmp_path: Path
) -> None:
    """A real excerpt (§§ 1-3 of the BUrlG) keeps this single-pass and quick on a busy CPU;
    the long-document path is covered by the Stop test below and tests/test_tasks_model.py."""
    import docx

    window = real_window
    text = (corpus_dir / "gesetze" / "burlg.md").read_text(encoding="utf-8")
    law = tmp_path / "burlg_auszug.md"
    law.write_text(text[text.index("## § 1") : text.index("## § 4")], encoding="utf-8")
    page, controller = open_summary(qtbot, window, law)
    seen_while_busy: list[int] = []
    page.result.editor.textChanged.connect(
        lambda: seen_while_busy.append(len(page.result.text())) if controller.busy else None
    )
    result = finished(
        qtbot,
        controller,
        lambda: qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton),
        timeout=240_000,
    )
    assert result.answer.strip() and result.sources == ["burlg_auszug.md"]
    assert max(seen_while_busy, default=0) > 0  # text arrived while the model still wrote
    assert page.result.text() == result.text
    assert HistoryStore().count() == 1

    refined = finished(
        qtbot,
        controller,
        lambda: qtbot.mouseClick(page.result.refine_buttons["kuerzer"], Qt.MouseButton.LeftButton),
        timeout=240_000,
    )
    assert refined.refinements == ["kuerzer"] and refined.answer.strip()
    assert HistoryStore().get(result.history_id).result == refined.text

    out = tmp_path / "zusammenfassung.docx"
    controller.ask_export_path = lambda: str(out)
    with qtbot.waitSignal(controller.exported, timeout=30_000):
        qtbot.mouseClick(page.result.export_button, Qt.MouseButton.LeftButton)
    body = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    first_line = refined.answer.strip().splitlines()[0].strip()
    assert first_line[:40] in body and "burlg_auszug.md" in body

    page.form.set_values({"dokument": "", "laenge": "mittel"})
    with qtbot.waitSignal(window.tasks.history_controller.loaded, timeout=5000):
        qtbot.mouseClick(window.history_button, Qt.MouseButton.LeftButton)
    view = window.tasks.history_view
    assert view.table.rowCount() == 1 and view.table.item(0, 2).text() == "burlg_auszug.md"
    qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is page
    assert page.form.values()["dokument"] == str(law)
    assert page.form.values()["laenge"] == "kurz"
    assert page.result.text() == refined.text


def test_real_model_stop_in_the_middle_of_a_long_document_saves_nothing(
    qtbot, real_window, corpus_dir: Path
) -> None:
    window = real_window
    page, controller = open_summary(qtbot, window, corpus_dir / "gesetze" / "burlg.md")
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Teil 1 von" in page.status_label.text(), timeout=60_000)
    assert controller.busy
    with qtbot.waitSignal(controller.stopped, timeout=5000):
        pressed = time.perf_counter()
        qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert time.perf_counter() - pressed < 1.0
    assert HistoryStore().count() == 0
    assert "Angehalten" in page.status_label.text()
