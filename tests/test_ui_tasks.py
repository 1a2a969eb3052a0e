"""Task pages on the real main window (FakeBackend for speed, real files, real SQLite and DOCX):
tiles from the task files, form, Erzeugen/Stopp, streaming, progress, refinements, export,
document errors, drag and drop, side-by-side original, extraction table."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fakes import FakeBackend
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from ui_helpers import load_model, make_window, tab_round

from llmoin_desktop.core.history import HistoryStore
from llmoin_desktop.core.tasks.catalog import load_catalog
from llmoin_desktop.ui.a11y import missing_accessible_names

TASK_IDS = [s.id for s in load_catalog().ordered() if s.runner == "standard"]


def task_window(qtbot, tmp_path: Path, backend: FakeBackend | None = None):
    window, backend, infos = make_window(qtbot, tmp_path, backend=backend)
    load_model(qtbot, window, infos[0])
    return window, backend


def open_task(qtbot, window, task_id: str):
    qtbot.mouseClick(window.gallery.tiles[task_id], Qt.MouseButton.LeftButton)
    page = window.tasks.pages[task_id]
    assert window.stack.currentWidget() is page
    return page, window.tasks.controllers[task_id]


def generate(qtbot, page, controller, timeout: int = 10_000):
    with qtbot.waitSignal(controller.finished, timeout=timeout) as blocker:
        qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def history_count() -> int:
    return HistoryStore().count()


class SmallContext(FakeBackend):
    """A model with a tiny context, so a real law text is read in many parts (map-reduce)."""

    def context_size(self) -> int:
        return 700


@pytest.fixture
def short_law(corpus_dir: Path) -> Path:
    return corpus_dir / "gesetze" / "burlg.md"


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_every_task_tile_opens_a_page_with_its_form(qtbot, tmp_path: Path, task_id: str) -> None:
    window, _b, _i = make_window(qtbot, tmp_path)
    page, _c = open_task(qtbot, window, task_id)
    spec = window.tasks.catalog.get(task_id)
    assert set(page.form.rows) == {f.name for f in spec.fields}
    assert page.title.text() == spec.title
    assert [b.text() for b in page.result.refine_buttons.values()] == [
        r.label for r in spec.refinements
    ]
    assert missing_accessible_names(page) == []
    first = next(n for n, row in page.form.rows.items() if not row.isHidden())
    assert window.focusWidget() is page.form.field_widget(first)  # ready to type
    page.back_button.click()
    assert window.stack.currentWidget() is window.gallery


def test_tiles_follow_task_files_and_policy(qtbot, tmp_path: Path, isolated_dirs) -> None:
    (isolated_dirs["policy"] / "policy.toml").write_text(
        'hidden_tasks = ["entwurf"]\n', encoding="utf-8"
    )
    window, _b, _i = make_window(qtbot, tmp_path)
    tiles = window.gallery.tiles
    assert "entwurf" not in tiles and "zusammenfassen" in tiles
    assert tiles["zusammenfassen"].isEnabled()
    if "dokumente_fragen" not in window.pages:  # room for the library's page until it exists
        assert not tiles["dokumente_fragen"].isEnabled()
        assert "bald verfügbar" in tiles["dokumente_fragen"].accessibleDescription()
        window.add_page("dokumente_fragen", QWidget())
        window.refresh_tiles()
    assert window.gallery.tiles["dokumente_fragen"].isEnabled()


def test_summary_streams_saves_history_and_says_so(qtbot, tmp_path: Path, short_law) -> None:
    backend = FakeBackend(token_delay=0.02)
    window, _b = task_window(qtbot, tmp_path, backend)
    page, controller = open_task(qtbot, window, "zusammenfassen")
    page.form.set_values({"dokument": str(short_law), "laenge": "kurz"})
    qtbot.keyClick(
        page.form.field_widget("laenge"), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    assert controller.busy and not page.generate_button.isEnabled()
    # streamed: text appears while the job still runs
    qtbot.waitUntil(lambda: "Guten Tag" in page.result.text(), timeout=10_000)
    assert controller.busy and page.result.editor.isReadOnly()
    with qtbot.waitSignal(controller.finished, timeout=10_000) as blocker:
        pass
    result = blocker.args[0]
    assert result.sources == ["burlg.md"]
    assert page.result.text() == result.text and not page.result.editor.isReadOnly()
    assert "Im Verlauf gespeichert" in page.status_label.text()
    assert history_count() == 1
    assert "Mindesturlaub" in backend.calls[0][-1]["content"]  # the file's text reached the model
    assert all(b.isEnabled() for b in page.result.refine_buttons.values())


def test_stop_ends_a_long_map_reduce_within_a_second_and_saves_nothing(
    qtbot, tmp_path: Path, short_law
) -> None:
    window, backend = task_window(qtbot, tmp_path, SmallContext(token_delay=0.02))
    page, controller = open_task(qtbot, window, "zusammenfassen")
    page.form.set_values({"dokument": str(short_law)})
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Teil 2 von" in page.status_label.text(), timeout=20_000)
    assert page.progress.isVisible() and page.progress.maximum() > 0
    with qtbot.waitSignal(controller.stopped, timeout=2000):
        pressed = time.perf_counter()
        qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert time.perf_counter() - pressed < 1.0
    assert controller.last_stop_latency_s < 1.0
    assert "Angehalten" in page.status_label.text()
    assert history_count() == 0
    assert page.generate_button.isEnabled() and not page.progress.isVisible()
    assert not page.result.export_button.isEnabled()
    assert page.form.values()["dokument"] == str(short_law)  # nothing lost


def test_refinement_reuses_the_context_and_the_clerks_edit(qtbot, tmp_path: Path) -> None:
    window, backend = task_window(qtbot, tmp_path, FakeBackend(token_delay=0.001))
    page, controller = open_task(qtbot, window, "zusammenfassen")
    page.form.set_values({"text": "Der Antrag ist bis zum 31. März einzureichen. " * 5})
    first = generate(qtbot, page, controller)
    page.result.editor.setPlainText("Bearbeitete Fassung der Zusammenfassung.")
    with qtbot.waitSignal(controller.finished, timeout=10_000) as blocker:
        qtbot.mouseClick(page.result.refine_buttons["kuerzer"], Qt.MouseButton.LeftButton)
    refined = blocker.args[0]
    messages = backend.calls[-1]
    assert messages[:2] == first.messages  # same system + task prompt: prefix cache reuse
    assert messages[2] == {
        "role": "assistant",
        "content": "Bearbeitete Fassung der Zusammenfassung.",
    }
    assert "Kürze" in messages[3]["content"]
    assert refined.refinements == ["kuerzer"]
    assert HistoryStore().get(first.history_id).result == refined.text
    assert history_count() == 1


def test_stopped_refinement_puts_the_previous_text_back(qtbot, tmp_path: Path) -> None:
    window, backend = task_window(qtbot, tmp_path, FakeBackend(token_delay=0.001))
    page, controller = open_task(qtbot, window, "zusammenfassen")
    page.form.set_values({"text": "Ein kurzer Text über Fristen."})
    generate(qtbot, page, controller)
    page.result.editor.setPlainText("Meine Fassung.")
    backend.token_delay = 0.05
    qtbot.mouseClick(page.result.refine_buttons["foermlicher"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.result.text() not in ("", "Meine Fassung."), timeout=5000)
    with qtbot.waitSignal(controller.stopped, timeout=2000):
        qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    assert page.result.text() == "Meine Fassung."
    assert page.result.export_button.isEnabled()


def test_export_writes_docx_off_the_gui_thread(qtbot, tmp_path: Path) -> None:
    import docx

    window, _b = task_window(qtbot, tmp_path, FakeBackend(token_delay=0.001))
    page, controller = open_task(qtbot, window, "zusammenfassen")
    page.form.set_values({"text": "Die Frist beträgt einen Monat."})
    generate(qtbot, page, controller)
    page.result.editor.appendPlainText("Ergänzt von Hand.")
    out = tmp_path / "export" / "zusammenfassung"
    controller.ask_export_path = lambda: str(out)
    with qtbot.waitSignal(controller.exported, timeout=10_000) as blocker:
        qtbot.keyClick(page, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args[0].endswith("zusammenfassung.docx")
    text = "\n".join(p.text for p in docx.Document(blocker.args[0]).paragraphs)
    assert "Wohngeld" in text and "Ergänzt von Hand." in text
    assert "Gespeichert als" in page.result.message.text()
    assert "Ergänzt von Hand." in HistoryStore().list()[0].result  # the edit is kept


def test_export_to_an_unwritable_place_says_so(qtbot, tmp_path: Path) -> None:
    window, _b = task_window(qtbot, tmp_path, FakeBackend(token_delay=0.001))
    page, controller = open_task(qtbot, window, "zusammenfassen")
    page.form.set_values({"text": "Die Frist beträgt einen Monat."})
    generate(qtbot, page, controller)
    blocker_file = tmp_path / "datei.txt"
    blocker_file.write_text("x", encoding="utf-8")
    with qtbot.waitSignal(controller.export_failed, timeout=10_000) as blocker:
        controller.export_to(blocker_file / "unter" / "aus.docx")
    assert "nicht beschreibbar" in blocker.args[0]
    assert "Fehler:" in page.result.message.accessibleName()
    assert page.result.export_button.isEnabled()  # she can try another place


@pytest.mark.parametrize(
    ("name", "words"),
    [("libreoffice-writer-password.pdf", "Passwort"), ("corrupt-zip.docx", "beschädigt")],
)
def test_document_errors_are_shown_in_plain_german(
    qtbot, tmp_path: Path, corpus_dir: Path, name: str, words: str
) -> None:
    window, _b = task_window(qtbot, tmp_path)
    page, controller = open_task(qtbot, window, "zusammenfassen")
    path = str(corpus_dir / "wild" / name)
    page.form.set_values({"dokument": path, "fokus": "Fristen"})
    with qtbot.waitSignal(controller.failed, timeout=30_000) as blocker:
        qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    assert words in blocker.args[0] and name in blocker.args[0]
    assert words in page.message_text()
    row = page.form.rows["dokument"]
    assert not row.error.isHidden() and words in row.error.text()
    assert page.form.values()["dokument"] == path and page.form.values()["fokus"] == "Fristen"
    assert history_count() == 0
    assert page.generate_button.isEnabled()


def test_missing_input_is_marked_beside_the_field(qtbot, tmp_path: Path) -> None:
    window, backend = task_window(qtbot, tmp_path)
    page, controller = open_task(qtbot, window, "zusammenfassen")
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    assert not controller.busy and backend.calls == []
    assert "markierten" in page.message_text()
    assert not page.form.rows["dokument"].error.isHidden()


def test_a_file_dropped_on_a_text_field_becomes_the_document(
    qtbot, tmp_path: Path, short_law
) -> None:
    window, _b, _i = make_window(qtbot, tmp_path)
    page, controller = open_task(qtbot, window, "zusammenfassen")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(short_law))])
    target = page.form.field_widget("text").viewport()
    enter = QDragEnterEvent(
        QPoint(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    event = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, event)
    assert page.form.values()["dokument"] == str(short_law)
    assert page.form.values()["text"] == ""  # not pasted as a file:// line
    assert "burlg.md" in page.message_text()


def test_plain_language_shows_original_beside_the_result(qtbot, tmp_path: Path) -> None:
    window, _b = task_window(qtbot, tmp_path, FakeBackend(token_delay=0.001))
    page, controller = open_task(qtbot, window, "einfache_sprache")
    original = "Der Antragsteller hat die erforderlichen Nachweise beizubringen."
    page.form.set_values({"text": original})
    generate(qtbot, page, controller)
    assert page.result.original_box.isVisible() and page.result.original.isVisible()
    assert page.result.original.toPlainText().strip() == original
    assert page.result.editor.isVisible()
    summary_page = window.tasks.pages["zusammenfassen"]
    assert not summary_page.result.original_box.isVisibleTo(summary_page)


TABLE = (
    "| Art | Angabe | Fundstelle |\n|---|---|---|\n"
    "| Frist | Widerspruch binnen eines Monats | § 70 |\n"
    "| Betrag | 150 Euro Gebühr | § 3 |\n"
)


def test_extraction_shows_a_table_and_exports_a_word_table(qtbot, tmp_path: Path) -> None:
    import docx

    backend = FakeBackend(token_delay=0.001, tokens=[line + "\n" for line in TABLE.splitlines()])
    window, _b = task_window(qtbot, tmp_path, backend)
    page, controller = open_task(qtbot, window, "extrahieren")
    page.form.set_values({"text": "Widerspruch binnen eines Monats (§ 70). Gebühr 150 Euro (§ 3)."})
    generate(qtbot, page, controller)
    table = page.result.table
    assert page.result.tabs.currentWidget() is table
    assert table.rowCount() == 2 and table.columnCount() == 3
    assert table.item(0, 1).text() == "Widerspruch binnen eines Monats"
    controller.ask_export_path = lambda: str(tmp_path / "fristen.docx")
    with qtbot.waitSignal(controller.exported, timeout=10_000):
        qtbot.mouseClick(page.result.export_button, Qt.MouseButton.LeftButton)
    tables = docx.Document(str(tmp_path / "fristen.docx")).tables
    assert tables and tables[0].cell(2, 1).text == "150 Euro Gebühr"


def test_keyboard_reaches_the_task_page_controls(qtbot, tmp_path: Path) -> None:
    window, _b, _i = make_window(qtbot, tmp_path)
    page, _c = open_task(qtbot, window, "zusammenfassen")
    visited = tab_round(window, window.focusWidget(), limit=60)
    wanted = [
        page.back_button,
        page.form.field_widget("dokument"),
        page.form.field_widget("text"),
        page.generate_button,
        page.result.editor,
        window.history_button,
    ]
    assert [w.accessibleName() for w in wanted if w not in visited] == []
