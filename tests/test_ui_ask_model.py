""" "Dokumente fragen" end to end with the real demo model on the real main window: the
answer streams, the sources point at real chunks, and a source opens at its page."""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_helpers import ask_window_on_bmg

pytestmark = pytest.mark.model


def test_real_model_answer_with_citations_opens_the_cited_page(
    qtbot, engine, corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ask_window_on_bmg(  # max_tokens 48: the flow matters here, not the prose
        qtbot, engine, corpus_dir, tmp_path, monkeypatch, max_tokens=48
    ) as (window, lib, page, controller):
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
