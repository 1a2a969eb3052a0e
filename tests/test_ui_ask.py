"""The "Dokumente fragen" page on the real main window: real library (real parser, SQLite,
keyword search) over two real laws, FakeBackend for the model (fast; the real-model flow is
in test_ui_ask_model.py). Citations, the document viewer at the cited page, scope, export."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import FakeBackend
from PySide6.QtCore import Qt, QUrl
from ui_helpers import load_model, make_window

from llmoin_desktop.core.tasks.library_task import close_all_libraries, open_library
from llmoin_desktop.ui.a11y import missing_accessible_names

ANSWER = ["Man ", "muss ", "sich ", "innerhalb ", "von ", "zwei ", "Wochen ", "anmelden ", "[1]."]


@pytest.fixture(scope="module")
def laws_library(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bibliothek")
    lib = open_library(folder, embedder=None)
    lib.add([corpus_dir / "gesetze" / "bmg.pdf", corpus_dir / "gesetze" / "burlg.md"])
    assert lib.index_pending().count("indexed") == 2
    yield folder
    close_all_libraries()


@pytest.fixture
def ask_window(qtbot, tmp_path: Path, laws_library: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LLMOIN_LIBRARY_DIR", str(laws_library))
    window, backend, infos = make_window(
        qtbot, tmp_path, backend=FakeBackend(token_delay=0.005, tokens=list(ANSWER))
    )
    load_model(qtbot, window, infos[0])
    qtbot.mouseClick(window.gallery.tiles["dokumente_fragen"], Qt.MouseButton.LeftButton)
    page = window.library.ask_pages["dokumente_fragen"]
    assert window.stack.currentWidget() is page
    controller = window.library.ask_controllers["dokumente_fragen"]
    qtbot.waitUntil(lambda: page.scope_list.count() == 2, timeout=5000)
    yield window, page, controller, backend
    if controller.viewer is not None:
        controller.viewer.close()


def ask(qtbot, page, controller, question: str):
    page.question.setPlainText(question)
    with qtbot.waitSignal(controller.finished, timeout=20_000) as blocker:
        qtbot.mouseClick(page.ask_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_answer_streams_with_sources_and_a_citation_opens_the_page(qtbot, ask_window) -> None:
    window, page, controller, backend = ask_window
    assert window.focusWidget() is page.question  # ready to type
    assert missing_accessible_names(page) == []
    result = ask(
        qtbot, page, controller, "Innerhalb welcher Frist muss man sich nach dem Einzug anmelden?"
    )
    # the model got the passages as delimited data, the question after them
    user = backend.calls[-1][1]["content"]
    assert "<<<QUELLE 1: bmg.pdf" in user and user.rstrip().endswith("nach dem Einzug anmelden?")
    assert "zwei Wochen anmelden [1]." in page.answer_text()
    assert "Quellen:" not in page.answer_text()  # the sources are listed beside, not in the text
    assert page.sources.count() == len(result.citations) >= 1
    first = result.citations[0]
    assert first.file_name == "bmg.pdf" and "§ 17" in first.section and first.cited
    assert "zwei Wochen" in first.quote
    item = page.sources.item(0).text()
    assert item.startswith("[1] bmg.pdf, S. 13") and "„" in item and "§ 17" in item
    assert "nicht zitiert" not in item  # cited by the answer
    assert "Im Verlauf" not in page.status_label.text()  # status: "Fertig (… s)."
    assert "Fertig" in page.status_label.text()

    # clicking the source opens the viewer at the cited page with the quote highlighted
    with qtbot.waitSignal(controller.viewer_opened, timeout=5000) as opened:
        rect = page.sources.visualItemRect(page.sources.item(0))
        qtbot.mouseClick(page.sources.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    viewer = opened.args[0]
    assert viewer.page == 13
    assert viewer.page_label.text() == "Seite 13 von 48"
    assert viewer.highlight_count > 0
    assert "zwei Wochen" in viewer.quote_label.text()
    assert missing_accessible_names(viewer) == []
    viewer.next_button.click()
    assert viewer.page == 14 and viewer.page_label.text() == "Seite 14 von 48"
    viewer.prev_button.click()
    assert viewer.page == 13

    # the [1] marker in the answer is a link to the same source
    with qtbot.waitSignal(controller.viewer_opened, timeout=5000) as opened:
        page.answer.anchorClicked.emit(QUrl("cite:1"))
    assert opened.args[0].page == 13


def test_text_source_opens_scrolled_to_the_quote(qtbot, ask_window) -> None:
    _window, page, controller, _backend = ask_window
    result = ask(qtbot, page, controller, "Wie viele Werktage Urlaub gibt es mindestens im Jahr?")
    md = next(c for c in result.citations if c.file_name == "burlg.md")
    viewer = controller.open_citation(md.n)
    qtbot.waitUntil(lambda: viewer.highlight_count > 0, timeout=20_000)
    assert viewer.page_label.text().startswith("Abschnitt: §")
    assert len(viewer.text.extraSelections()) == 1
    assert " ".join(md.quote.split())[:30] in " ".join(viewer.highlight_text.split())
    assert viewer.text.textCursor().position() == viewer.text.toPlainText().find(
        viewer.highlight_text
    )
    assert not viewer.prev_button.isVisible()  # no pages in a text document


def test_scope_limits_the_sources_and_is_checked(qtbot, ask_window, corpus_dir: Path) -> None:
    _window, page, controller, _backend = ask_window
    page.scope_selected.setChecked(True)
    assert page.scope_list.isEnabled()
    page.question.setPlainText("Wie viele Werktage Urlaub gibt es?")
    page.ask_button.click()  # nothing ticked: a clear message, no run
    assert "mindestens ein Dokument" in page.message_text() and not controller.busy
    page.tick_documents([str(corpus_dir / "gesetze" / "burlg.md")])
    result = ask(qtbot, page, controller, "Wie viele Werktage Urlaub gibt es?")
    assert result.citations and {c.file_name for c in result.citations} == {"burlg.md"}
    assert result.values["umfang"] == "auswahl"


def test_empty_question_and_nothing_found(qtbot, ask_window) -> None:
    _window, page, controller, backend = ask_window
    page.ask_button.click()
    assert "Bitte eine Frage eingeben" in page.message_text()
    calls = len(backend.calls)
    result = ask(qtbot, page, controller, "Wie backe ich einen Schokoladenkuchen mit Glasur?")
    assert not result.citations and len(backend.calls) == calls  # the model was not asked
    assert "nichts Passendes gefunden" in page.answer_text()
    assert "Keine Quellen" in page.result_message.text()


def test_stop_and_export_with_sources(qtbot, ask_window, tmp_path: Path) -> None:
    import docx

    _window, page, controller, backend = ask_window
    backend.token_delay = 0.2
    page.question.setPlainText("Innerhalb welcher Frist muss man sich nach dem Einzug anmelden?")
    with qtbot.waitSignal(controller.stopped, timeout=20_000):
        page.ask_button.click()
        qtbot.waitUntil(lambda: controller.handle is not None, timeout=5000)
        qtbot.waitUntil(lambda: bool(page.answer_text()), timeout=10_000)
        qtbot.keyClick(page.question, Qt.Key.Key_Escape)
    assert "Angehalten" in page.status_label.text() and page.ask_button.isEnabled()

    backend.token_delay = 0.0
    result = ask(
        qtbot, page, controller, "Innerhalb welcher Frist muss man sich nach dem Einzug anmelden?"
    )
    out = tmp_path / "antwort.docx"
    with qtbot.waitSignal(controller.exported, timeout=10_000):
        assert controller.export_to(out)
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "zwei Wochen anmelden [1]" in text and "Quellen:" in text
    assert result.citations[0].label() in text
    assert " ".join(result.citations[0].quote.split()) in text  # the quoted passage


def test_history_entry_reopens_on_the_ask_page(qtbot, ask_window) -> None:
    from llmoin_desktop.core.history import HistoryStore

    window, page, controller, _backend = ask_window
    result = ask(qtbot, page, controller, "Innerhalb welcher Frist muss man sich anmelden?")
    entry = HistoryStore().get(result.history_id)
    assert entry.task_id == "dokumente_fragen" and "Quellen:" in entry.result
    page.question.clear()
    window.show_page("gallery")
    assert window.tasks.open_entry(entry)
    assert window.stack.currentWidget() is page
    assert page.question_text() == "Innerhalb welcher Frist muss man sich anmelden?"
    assert "bmg.pdf" in page.answer_text() and "Verlauf" in page.status_label.text()


def test_reasoning_model_thinking_stays_out_of_answer_and_citations(qtbot, ask_window) -> None:
    _window, page, controller, backend = ask_window
    backend.tokens = ["<think>", "Ich suche § 17 ", "im BMG.", "</think>\n\n", *list(ANSWER)]
    result = ask(qtbot, page, controller, "Innerhalb welcher Frist muss man sich anmelden?")
    assert result.reasoning == "Ich suche § 17 im BMG."
    assert "Ich suche" not in page.answer_text() and "<think>" not in page.answer_text()
    assert "zwei Wochen anmelden [1]." in page.answer_text()
    assert page.reasoning.content() == result.reasoning and not page.reasoning.isHidden()
    assert page.reasoning.text.isHidden()  # collapsed
    assert all("Ich suche" not in c.quote for c in result.citations)
