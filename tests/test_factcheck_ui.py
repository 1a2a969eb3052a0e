"""The fact check in the task result pane (FakeBackend for speed, a real law file): summary
line, marks that do not change the text, F8 to the next mark with a spoken detail line, and
a re-check of the clerk's edit."""

from __future__ import annotations

from pathlib import Path

from fakes import FakeBackend
from PySide6.QtCore import Qt
from test_ui_ask import ask_window, laws_library  # noqa: F401 - fixtures
from test_ui_tasks import generate, open_task, task_window

from llmoin_desktop.ui.a11y import add_announcement_listener
from llmoin_desktop.ui.factcheck_marks import flagged_marks

ANSWER = (
    "Der Urlaub beträgt jährlich mindestens 24 Werktage (§ 3 Abs. 1 BUrlG). "
    "Jugendliche erhalten 30 Werktage nach § 99 BUrlG."
)


def test_marks_jump_and_recheck(qtbot, tmp_path: Path, corpus_dir: Path) -> None:
    heard: list[str] = []
    remove = add_announcement_listener(lambda _w, text, _a: heard.append(text))
    try:
        backend = FakeBackend(tokens=[w + " " for w in ANSWER.split()])
        window, _b = task_window(qtbot, tmp_path, backend)
        page, controller = open_task(qtbot, window, "zusammenfassen")
        page.form.set_values({"dokument": str(corpus_dir / "gesetze" / "burlg.md")})
        result = generate(qtbot, page, controller)
        bar = page.result.factcheck
        assert result.factcheck is not None
        assert bar.isVisible()
        summary = bar.summary.text()
        assert summary.startswith("4 Angaben geprüft: 2 belegt"), summary
        assert "2 Angaben nicht in der Quelle gefunden" in heard
        text_before = page.result.text()
        assert flagged_marks(page.result.editor) == ["30 Werktage", "§ 99 BUrlG"]
        assert len(page.result.editor.extraSelections()) == 4  # + 2 supported, dotted links
        assert page.result.text() == text_before  # marks never change the text

        page.result.editor.setFocus()
        qtbot.keyClick(page.result.editor, Qt.Key.Key_F8)
        cursor = page.result.editor.textCursor()
        assert cursor.selectedText() == "30 Werktage"
        assert bar.detail.text().startswith("Angabe 1 von 2: ")
        assert any(h.startswith("Angabe 1 von 2") for h in heard)
        qtbot.keyClick(page.result.editor, Qt.Key.Key_F8)
        assert page.result.editor.textCursor().selectedText() == "§ 99 BUrlG"

        # The clerk corrects the figure: checked again after a short pause.
        cursor.insertText("24 Werktage")
        qtbot.waitUntil(lambda: bar.summary.text().startswith("4 Angaben geprüft: 3 belegt"))
        assert flagged_marks(page.result.editor) == ["§ 99 BUrlG"]
    finally:
        remove()


def test_policy_asks_before_copying_or_exporting_unsupported_figures(
    qtbot, tmp_path: Path, corpus_dir: Path
) -> None:
    from PySide6.QtGui import QGuiApplication

    backend = FakeBackend(tokens=[w + " " for w in ANSWER.split()])
    window, _b = task_window(qtbot, tmp_path, backend)
    page, controller = open_task(qtbot, window, "zusammenfassen")
    page.form.set_values({"dokument": str(corpus_dir / "gesetze" / "burlg.md")})
    generate(qtbot, page, controller)
    asked: list[int] = []
    controller.confirm_unsupported = lambda n: asked.append(n) is not None  # "Abbrechen"
    QGuiApplication.clipboard().setText("vorher")
    qtbot.mouseClick(page.result.copy_button, Qt.MouseButton.LeftButton)
    assert asked == [] and QGuiApplication.clipboard().text() != "vorher"  # off by default

    controller.settings.set("factcheck_confirm_export", True)
    QGuiApplication.clipboard().setText("vorher")
    qtbot.mouseClick(page.result.copy_button, Qt.MouseButton.LeftButton)
    assert asked == [2] and QGuiApplication.clipboard().text() == "vorher"
    assert controller.export_to(tmp_path / "x.docx") is True  # export_to is the dialog-free path
    qtbot.waitUntil(lambda: controller.export_handle is None)
    assert controller.export() is False and asked == [2, 2]


def test_ask_page_shows_the_check_of_the_answer(qtbot, ask_window) -> None:  # noqa: F811
    """ "Dokumente fragen": the answer's figures against the cited passages."""
    from test_ui_ask import ask

    _window, page, controller, _backend = ask_window
    result = ask(qtbot, page, controller, "Innerhalb welcher Frist muss man sich anmelden?")
    assert result.factcheck is not None
    assert page.check_line.isVisible()
    assert page.check_line.text() == result.factcheck.summary()
    statuses = {v.fact.text: v.status for v in result.factcheck.verdicts}
    assert statuses.get("zwei Wochen") == "belegt"


def test_free_chat_answer_is_checked_against_the_clerks_messages(qtbot, tmp_path: Path) -> None:
    from test_ui_chat import open_chat

    answer = "Die Gebühr beträgt 35 Euro und ist bis zum 31.03.2026 fällig."
    window, _backend = open_chat(
        qtbot, tmp_path, backend=FakeBackend(tokens=[w + " " for w in answer.split()])
    )
    view = window.chat_view
    view.input.setPlainText("Fasse zusammen: Die Gebühr von 37 Euro ist bis 31.03.2026 fällig.")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=10000):
        qtbot.keyClick(view.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert "2 Angaben geprüft: 1 belegt, 1 abweichend, 0 nicht gefunden" in view.status_label.text()

    window.chat.settings.set("factcheck_chat", False)  # IT: no check in free chat
    qtbot.keyClicks(view.input, "Nochmal bitte.")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=10000):
        qtbot.keyClick(view.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert "Angaben geprüft" not in view.status_label.text()
