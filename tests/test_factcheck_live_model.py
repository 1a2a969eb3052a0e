"""The fact check while the real demo model writes (issue 19): the real engine streams a
plain-language rewrite of a pasted letter, the provisional check marks the sentences so far
before the job ends, and the check of the finished text replaces it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from ui_helpers import ask_window_on_bmg

from llmoin_desktop.core.settings.config import SettingsStore

pytestmark = pytest.mark.model

LETTER = (
    "Sehr geehrte Frau Becker,\n\nfür Ihren Antrag vom 12. Januar 2026 erheben wir eine Gebühr "
    "von 37,00 €. Bitte zahlen Sie den Betrag innerhalb von zwei Wochen auf das Konto "
    "DE89 3704 0044 0532 0130 00. Gegen diesen Bescheid können Sie binnen eines Monats "
    "Widerspruch einlegen. Ihr Aktenzeichen lautet III B 2 - 1234/26.\n\nMit freundlichen Grüßen"
)


def test_real_model_stream_is_checked_before_the_last_token(qtbot, engine, tmp_path: Path) -> None:
    from llmoin_desktop.ui.main_window import MainWindow

    store = SettingsStore()
    store.set("max_tokens", 160, save=False)
    window = MainWindow(engine, store, scanner=lambda _s: [])
    qtbot.addWidget(window)
    window.show()
    qtbot.mouseClick(window.gallery.tiles["einfache_sprache"], Qt.MouseButton.LeftButton)
    page = window.tasks.pages["einfache_sprache"]
    controller = window.tasks.controllers["einfache_sprache"]
    page.form.set_values({"text": LETTER})
    stream = page.result.stream_check
    during: list[tuple[bool, str, list[tuple[int, int, str]]]] = []

    def seen(report: object) -> None:  # each provisional report, with the text it marks
        text = page.result.editor.toPlainText()
        spans = [(v.fact.start, v.fact.end, v.fact.text) for v in report.verdicts]  # type: ignore[attr-defined]
        during.append((controller.busy, text, spans))

    stream.checked.connect(seen)
    with qtbot.waitSignal(controller.finished, timeout=300_000) as blocker:
        qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    result = blocker.args[0]
    assert result.answer.strip()
    # The model wrote whole sentences before its last token: they were checked meanwhile,
    # while the job still ran, and every mark sat on the very words it names.
    assert during, f"no provisional check during {len(result.answer)} characters"
    assert all(busy for busy, _t, _s in during)
    assert all(text[a:b] == fact for _b, text, spans in during for a, b, fact in spans)
    assert stream.run_ms and max(stream.run_ms) < 200  # per check, in the worker
    bar = page.result.factcheck
    assert not bar.partial and bar.report is not None
    assert bar.summary.text() == result.factcheck.summary()
    print(f"stream_checks={stream.runs} max_ms={max(stream.run_ms):.1f} chars={len(result.answer)}")


def test_real_model_ask_answer_is_checked_against_the_passages_while_it_streams(
    qtbot, engine, corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Dokumente fragen" with the real library (real parser, SQLite, keyword search over a
    real law) and the real model: the passages reach the GUI before the first token, the
    answer's sentences are checked against them while the job runs, and the live index has
    exactly the sources of the final check."""
    with ask_window_on_bmg(qtbot, engine, corpus_dir, tmp_path, monkeypatch, max_tokens=160) as (
        window,
        lib,
        page,
        controller,
    ):
        stream = page.stream_check
        during: list[tuple[bool, str, list[tuple[int, int, str]]]] = []
        indexes: list[object] = []

        def seen(report: object) -> None:
            text = page.answer.toPlainText()
            spans = [(v.fact.start, v.fact.end, v.fact.text) for v in report.verdicts]  # type: ignore[attr-defined]
            during.append((controller.handle is not None, text, spans))
            indexes.append(stream.index)

        stream.checked.connect(seen)
        page.question.setPlainText(
            "Innerhalb welcher Frist muss man sich nach dem Einzug in eine Wohnung anmelden? "
            "Antworte in mehreren Sätzen."
        )
        with qtbot.waitSignal(controller.finished, timeout=300_000) as blocker:
            page.ask_button.click()
        result = blocker.args[0]
        assert result.answer.strip() and result.citations
        assert during, f"no provisional check during {len(result.answer)} characters"
        assert all(busy for busy, _t, _s in during)  # all before the job ended
        assert all(text[a:b] == fact for _b, text, spans in during for a, b, fact in spans)
        final = result.factcheck.index
        live = indexes[-1]
        assert [(f.name, f.text) for f in live.files] == [(f.name, f.text) for f in final.files]  # type: ignore[attr-defined]
        bar = page.factcheck
        assert not bar.partial and bar.summary.text() == result.factcheck.summary()
        print(f"ask_stream_checks={stream.runs} max_ms={max(stream.run_ms):.1f}")
