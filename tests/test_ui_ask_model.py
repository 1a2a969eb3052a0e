""" "Dokumente fragen" end to end with the real demo model on the real main window: the
answer streams, the sources point at real chunks, and a source opens at its page."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.core.tasks.library_task import close_all_libraries, open_library

pytestmark = pytest.mark.model


def test_real_model_answer_with_citations_opens_the_cited_page(
    qtbot, engine, corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmoin_desktop.core.tasks import library_task
    from llmoin_desktop.ui.main_window import MainWindow

    monkeypatch.setattr(library_task, "PASSAGES", 2)  # a short prompt: 2 shared CPU cores
    folder = tmp_path / "bibliothek"
    monkeypatch.setenv("LLMOIN_LIBRARY_DIR", str(folder))
    lib = open_library(folder, embedder=None)
    try:
        lib.add([corpus_dir / "gesetze" / "bmg.pdf"])
        assert lib.index_pending().count("indexed") == 1
        store = SettingsStore()
        store.set("max_tokens", 48, save=False)  # the flow matters here, not the prose
        window = MainWindow(engine, store, scanner=lambda _s: [])
        qtbot.addWidget(window)
        window.show()
        qtbot.mouseClick(window.gallery.tiles["dokumente_fragen"], Qt.MouseButton.LeftButton)
        page = window.library.ask_pages["dokumente_fragen"]
        controller = window.library.ask_controllers["dokumente_fragen"]
        streamed: list[str] = []
        page.question.setPlainText(
            "Innerhalb welcher Frist muss man sich nach dem Einzug in eine Wohnung anmelden?"
        )
        with qtbot.waitSignal(controller.finished, timeout=300_000) as blocker:
            page.ask_button.click()
            qtbot.waitUntil(lambda: controller.handle is not None, timeout=5000)
            controller.handle.tokens.connect(streamed.append)
        result = blocker.args[0]
        assert streamed and result.answer.strip()
        assert page.sources.count() == len(result.citations) > 0
        chunks = {c.id: c for c in lib.store.chunks([c.chunk_id for c in result.citations])}
        assert all(chunks[c.chunk_id].text == c.passage for c in result.citations)
        meldung = next(c for c in result.citations if "§ 17" in c.section)
        viewer = controller.open_citation(meldung.n)
        assert viewer.page in meldung.pages and viewer.highlight_count > 0
        assert viewer.page_label.text() == f"Seite {viewer.page} von 48"
        viewer.close()
        window.pool.shutdown()
    finally:
        close_all_libraries()
