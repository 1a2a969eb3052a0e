"""Issue 19, item 2 in full: the fact check while the result streams, supported figures that
open their source page, and the same marks in the answer of "Dokumente fragen".

FakeBackend for the timing of the stream (a real law file and the real checker, index and
document viewer); the real demo model streams through the real engine in
``test_factcheck_live_model.py``."""

from __future__ import annotations

from pathlib import Path

from fakes import FakeBackend
from PySide6.QtCore import QPoint, Qt
from test_ui_ask import ask, ask_window, laws_library  # noqa: F401 - fixtures
from test_ui_tasks import generate, open_task, task_window

from llmoin_desktop.ui.a11y import add_announcement_listener
from llmoin_desktop.ui.factcheck_marks import flagged_marks
from llmoin_desktop.ui.factcheck_stream import complete_part

STREAMED = (
    "Jugendliche erhalten jährlich 30 Werktage Urlaub. "
    "Der gesetzliche Urlaub beträgt mindestens 24 Werktage nach § 3 Abs. 1 BUrlG. "
    "Der volle Anspruch entsteht erst nach dem Ablauf einer Wartezeit. "
    "Dieser Teil der Zusammenfassung wird noch geschrieben, während die Prüfung schon läuft, "
    "und er enthält keine weitere Zahl, damit das Ende der Antwort etwas auf sich warten lässt."
)
ASK_ANSWER = "Man muss sich innerhalb von zwei Wochen anmelden [1]. Das kostet 35 Euro."


def test_complete_part_ends_after_whole_sentences_only() -> None:
    assert complete_part("Die Frist beträgt 2 Wochen. Danach") == "Die Frist beträgt 2 Wochen."
    assert complete_part("Nach § 5 Abs. 2 VwVfG") == ""  # "Abs." does not end a sentence
    assert complete_part("Bis zum 01.03. bis") == ""
    assert complete_part("Erste Zeile\nzweite") == "Erste Zeile\n"


def test_marks_appear_while_the_result_streams_and_only_the_end_is_spoken(
    qtbot, tmp_path: Path, corpus_dir: Path
) -> None:
    heard: list[str] = []
    remove = add_announcement_listener(lambda _w, text, _a: heard.append(text))
    try:
        backend = FakeBackend(token_delay=0.06, tokens=[w + " " for w in STREAMED.split()])
        window, _b = task_window(qtbot, tmp_path, backend)
        page, controller = open_task(qtbot, window, "zusammenfassen")
        page.form.set_values({"dokument": str(corpus_dir / "gesetze" / "burlg.md")})
        bar, editor = page.result.factcheck, page.result.editor
        with qtbot.waitSignal(controller.finished, timeout=20_000) as blocker:
            qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: "30 Werktage" in flagged_marks(editor), timeout=10_000)
            assert controller.busy and editor.isReadOnly()  # mid-stream, before the job ends
            assert bar.partial and bar.summary.text().startswith("Vorläufig")
            assert not any("Quelle gefunden" in h for h in heard)  # partial checks are silent
        result = blocker.args[0]
        assert page.result.stream_check.runs >= 1
        assert not bar.partial and bar.report is not None
        assert bar.summary.text() == result.factcheck.summary()
        assert flagged_marks(editor) == ["30 Werktage"]
        assert heard.count("1 Angabe nicht in der Quelle gefunden") == 1  # the final check only
    finally:
        remove()


def test_a_supported_figure_opens_its_source_page(qtbot, tmp_path: Path, corpus_dir: Path) -> None:
    backend = FakeBackend(token_delay=0.001, tokens=[w + " " for w in STREAMED.split()])
    window, _b = task_window(qtbot, tmp_path, backend)
    page, controller = open_task(qtbot, window, "zusammenfassen")
    page.form.set_values({"dokument": str(corpus_dir / "gesetze" / "burlg.md")})
    result = generate(qtbot, page, controller)
    editor, bar = page.result.editor, page.result.factcheck
    supported = next(v for v in result.factcheck.verdicts if v.fact.text == "24 Werktage")
    assert supported.status == "belegt" and supported.file == "burlg.md"
    try:
        cursor = editor.textCursor()
        cursor.setPosition(supported.fact.start + 1)
        editor.setTextCursor(cursor)
        editor.setFocus()
        assert bar.source_button.isEnabled() and "F9" in bar.detail.text()
        qtbot.keyClick(editor, Qt.Key.Key_F9)
        viewer = controller.viewer
        assert viewer is not None and viewer.path.endswith("burlg.md")
        qtbot.waitUntil(lambda: viewer.highlight_count > 0, timeout=5000)
        assert "24 Werktage" in viewer.highlight_text  # the passage with the figure, marked
        viewer.close()

        # Strg+Klick on the mark does the same; a plain click only moves the cursor.
        rect = editor.cursorRect(cursor)
        point = QPoint(rect.x() + 2, rect.center().y())
        qtbot.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=point)
        assert controller.viewer is viewer  # unchanged: no new window
        qtbot.mouseClick(
            editor.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, point
        )
        assert controller.viewer is not viewer and controller.viewer.isVisible()
    finally:
        if controller.viewer is not None:
            controller.viewer.close()


def test_pasted_text_quotes_the_source_passage_instead(qtbot, tmp_path: Path) -> None:
    answer = "Die Gebühr beträgt 37 Euro."
    backend = FakeBackend(token_delay=0.001, tokens=[w + " " for w in answer.split()])
    window, _b = task_window(qtbot, tmp_path, backend)
    page, controller = open_task(qtbot, window, "einfache_sprache")
    page.form.set_values({"text": "Für die Bearbeitung wird eine Gebühr von 37,00 € erhoben."})
    generate(qtbot, page, controller)
    bar = page.result.factcheck
    fee = bar.report.verdicts[0]
    assert fee.status == "belegt"
    assert bar.open_source(fee) is False and controller.viewer is None  # no file to open
    assert "37,00 €" in bar.detail.text() and bar.detail.text().startswith("Fundstelle")


def test_ask_answer_carries_marks_and_opens_the_cited_page(qtbot, ask_window) -> None:  # noqa: F811
    heard: list[str] = []
    remove = add_announcement_listener(lambda _w, text, _a: heard.append(text))
    _window, page, controller, backend = ask_window
    backend.tokens = [w + " " for w in ASK_ANSWER.split()]
    try:
        result = ask(qtbot, page, controller, "Innerhalb welcher Frist muss man sich anmelden?")
        bar = page.factcheck
        assert bar.report is not None and bar.summary.text() == result.factcheck.summary()
        assert flagged_marks(page.answer) == ["35 Euro"]
        assert "1 Angabe nicht in der Quelle gefunden" in heard
        assert "[1]" in page.answer_text()  # marks never change the text or its links
        weeks = next(v for v in bar.report.verdicts if v.fact.text == "zwei Wochen")
        assert weeks.status == "belegt" and weeks.file == "bmg.pdf" and weeks.page
        page.answer.setFocus()
        qtbot.keyClick(page.answer, Qt.Key.Key_F8)  # next mark: the unsupported amount
        assert page.answer.textCursor().selectedText() == "35 Euro"
        cursor = page.answer.textCursor()
        cursor.setPosition(weeks.fact.start)
        page.answer.setTextCursor(cursor)
        qtbot.keyClick(page.answer, Qt.Key.Key_Right)  # a keyboard caret reaches every figure
        assert page.answer.textCursor().position() == weeks.fact.start + 1
        assert page.factcheck.source_button.isEnabled()
        qtbot.keyClick(page.answer, Qt.Key.Key_Return)  # read-only answer: Enter opens it
        viewer = controller.viewer
        assert viewer is not None and viewer.path.endswith("bmg.pdf")
        assert viewer.page == weeks.page and viewer.highlight_count > 0
    finally:
        remove()


def test_a_pasted_letter_with_a_slash_is_a_source_not_a_file_name() -> None:
    """A form entry is skipped as "the document's path" only if it is one; asking the OS
    about a 300-character "name" raised (File name too long) and lost the whole check."""
    from llmoin_desktop.core.factcheck.sources import from_fields

    letter = "Gebühr 37,00 €, Aktenzeichen III B 2 - 1234/26.\n\n" + "Mit freundlichen Grüßen " * 12
    assert "37,00 €" in from_fields({"text": letter})[0].text


def test_a_refinement_is_marked_while_it_streams_with_the_results_index(
    qtbot, tmp_path: Path, corpus_dir: Path
) -> None:
    backend = FakeBackend(token_delay=0.001, tokens=[w + " " for w in STREAMED.split()[:12]])
    window, _b = task_window(qtbot, tmp_path, backend)
    page, controller = open_task(qtbot, window, "zusammenfassen")
    page.form.set_values({"dokument": str(corpus_dir / "gesetze" / "burlg.md")})
    first = generate(qtbot, page, controller)
    backend.token_delay = 0.06
    backend.tokens = [w + " " for w in ("Kurz: Es gibt 25 Werktage. " + STREAMED).split()]
    editor = page.result.editor
    with qtbot.waitSignal(controller.finished, timeout=20_000) as blocker:
        qtbot.mouseClick(page.result.refine_buttons["kuerzer"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "25 Werktage" in flagged_marks(editor), timeout=10_000)
        assert controller.busy and page.result.factcheck.partial
        assert page.result.stream_check.index is first.factcheck.index  # no second index
    assert "25 Werktage" in flagged_marks(editor) and not page.result.factcheck.partial
    assert blocker.args[0].factcheck.summary() == page.result.factcheck.summary.text()


ASK_STREAMED = (
    "Das kostet 35 Euro. Man muss sich innerhalb von zwei Wochen anmelden [1]. "
    "Dieser Teil der Antwort wird noch geschrieben, während die Prüfung schon läuft, "
    "und er enthält keine weitere Zahl, damit das Ende der Antwort etwas auf sich warten lässt."
)


def test_ask_answer_is_marked_while_it_streams_against_the_found_passages(
    qtbot,
    ask_window,  # noqa: F811
) -> None:
    """The passages are found before the model writes: the job hands them over at once, the
    answer is checked against them sentence by sentence (silent), the final check replaces
    it and is the one spoken. The live index has exactly the final check's sources."""
    heard: list[str] = []
    remove = add_announcement_listener(lambda _w, text, _a: heard.append(text))
    _window, page, controller, backend = ask_window
    backend.token_delay = 0.06
    backend.tokens = [w + " " for w in ASK_STREAMED.split()]
    bar, stream = page.factcheck, page.stream_check
    try:
        page.question.setPlainText("Innerhalb welcher Frist muss man sich anmelden?")
        with qtbot.waitSignal(controller.finished, timeout=20_000) as blocker:
            qtbot.mouseClick(page.ask_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: "35 Euro" in flagged_marks(page.answer), timeout=10_000)
            assert controller.busy and controller.handle is not None  # before the job ends
            assert bar.partial and bar.summary.text().startswith("Vorläufig")
            live = stream.index
            assert not any("Quelle gefunden" in h for h in heard)  # partial checks are silent
        result = blocker.args[0]
        assert stream.runs >= 1 and not stream.active
        final = result.factcheck.index
        assert [(f.name, f.text) for f in live.files] == [(f.name, f.text) for f in final.files]
        assert not bar.partial and bar.summary.text() == result.factcheck.summary()
        assert flagged_marks(page.answer) == ["35 Euro"]
        assert heard.count("1 Angabe nicht in der Quelle gefunden") == 1  # the final check only
    finally:
        remove()


def test_the_live_check_leaves_out_the_sources_list_after_the_answer() -> None:
    from llmoin_desktop.ui.ask_answer import answer_part

    streamed = "Es sind zwei Wochen [1].\n\nQuellen:\n\n- [1] bmg.pdf, S. 13\n  „… 30 Tage …“"
    assert answer_part(streamed) == "Es sind zwei Wochen [1]."
    assert answer_part("Noch keine Quellen. Weiter") == "Noch keine Quellen. Weiter"
