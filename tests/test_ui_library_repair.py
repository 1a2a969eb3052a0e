"""Issue 22 on the real main window: a library with a damaged vector index opens without
blocking the window; the library page and the ask page say that the search index is being
rebuilt and that only words are searched meanwhile; an answer comes from the keyword search;
the line goes when the background repair is done.

Real laws, real chromadb, the library's real embedder held at a gate; FakeBackend for the
chat model (the answer's wording does not matter here)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fakes import FakeBackend
from PySide6.QtCore import Qt, QTimer
from repair_helpers import QUESTION, GatedEmbedder, build_library, chunk_count, damage
from ui_helpers import load_model, make_window

from llmoin_desktop.core.tasks.library_task import close_all_libraries

LINE = "Der Suchindex wird im Hintergrund wiederhergestellt ("


@pytest.fixture
def damaged_library(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, int]:
    folder = build_library(tmp_path / "bibliothek", corpus_dir)
    damage(folder, "deleted")
    monkeypatch.setenv("LLMOIN_LIBRARY_DIR", str(folder))
    yield folder, chunk_count(folder)
    close_all_libraries()


def test_pages_show_the_repair_and_the_window_stays_responsive(
    qtbot, tmp_path: Path, damaged_library: tuple[Path, int]
) -> None:
    _folder, total = damaged_library
    window, _backend, infos = make_window(
        qtbot, tmp_path, backend=FakeBackend(token_delay=0.001, tokens=["Sechs ", "Monate [1]."])
    )
    load_model(qtbot, window, infos[0])
    area = window.library
    embedder = GatedEmbedder()  # the repair stands still until the gate opens
    area.controller.library_kwargs = {"embedder": embedder}
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(20)

    try:
        qtbot.mouseClick(window.library_button, Qt.MouseButton.LeftButton)  # opens in the pool
        page = area.page
        qtbot.waitUntil(lambda: LINE in page.notice.text(), timeout=30_000)
        lib = area.controller.library
        assert lib is not None and lib.repairing
        assert f"(0 von {total} Abschnitten)" in page.notice.text()
        assert "bis dahin wird nur nach Wörtern gesucht" in page.notice.text()
        assert page.notice.isVisible()

        ask_page = area.ask_pages["dokumente_fragen"]
        controller = area.ask_controllers["dokumente_fragen"]
        window.show_page("dokumente_fragen")
        assert LINE in ask_page.status_label.text()
        ask_page.question.setPlainText(QUESTION)
        with qtbot.waitSignal(controller.finished, timeout=30_000) as blocker:
            qtbot.mouseClick(ask_page.ask_button, Qt.MouseButton.LeftButton)
        result = blocker.args[0]
        assert result.citations and result.citations[0].file_name == "burlg.md"  # keywords found it
        status = ask_page.status_label.text()
        assert status.startswith("Fertig") and LINE in status, status
        timer.stop()
        gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
        assert len(ticks) >= 3 and max(gaps) < 3.0, max(gaps)  # never waited (inline: 120 s)
        assert embedder.embedded == 0  # all of that while the repair stood still

        embedder.gate.set()
        qtbot.waitUntil(lambda: lib.repair_state() is None, timeout=120_000)
        qtbot.waitUntil(lambda: LINE not in page.notice.text(), timeout=5000)
        assert page.status_label.text() == "Der Suchindex ist wiederhergestellt."
        assert embedder.embedded == total
        assert any("dense" in h.sources for h in lib.search(QUESTION, k=5))
    finally:
        embedder.gate.set()  # a failed test must not leave the repair waiting
