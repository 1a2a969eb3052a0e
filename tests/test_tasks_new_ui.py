"""The four new tasks in the real main window (FakeBackend for speed, real files, real DOCX):
tiles and forms from the task files, the proofreading diff with accept/reject per change,
and the synopsis table drawn from the result."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from fakes import FakeBackend
from PySide6.QtCore import Qt
from test_ui_tasks import generate, open_task, task_window
from ui_helpers import make_window

from llmoin_desktop.ui.a11y import missing_accessible_names
from llmoin_desktop.ui.result_diff import DiffView
from llmoin_desktop.ui.result_synopsis import SynopsisView

NEW_TASKS = ["uebersetzen", "korrekturlesen", "protokoll", "synopse"]
ORIGINAL = (
    "Der Antrag wurde nicht fristgerecht eingereicht weil die Unterlagen fehlen.\n\n- Ausweis"
)
CORRECTED = (
    "Der Antrag wurde nicht fristgerecht eingereicht, weil die Unterlagen fehlten.\n\n- Ausweis"
)


@pytest.mark.parametrize("task_id", NEW_TASKS)
def test_new_task_tiles_open_pages_with_their_forms(qtbot, tmp_path: Path, task_id: str) -> None:
    window, _b, _i = make_window(qtbot, tmp_path)
    page, _c = open_task(qtbot, window, task_id)
    spec = window.tasks.catalog.get(task_id)
    assert set(page.form.rows) == {f.name for f in spec.fields}
    assert missing_accessible_names(page) == []
    if task_id == "synopse":
        assert isinstance(page.result_view, SynopsisView)
        assert page.form.rows["alt"].browse is not None and page.form.rows["neu"].browse is not None
    elif task_id == "korrekturlesen":
        assert isinstance(page.result_view, DiffView)
    else:
        assert page.result_view is None


def test_proofreading_changes_accepted_and_rejected_one_by_one(qtbot, tmp_path: Path) -> None:
    backend = FakeBackend(token_delay=0.0, tokens=[CORRECTED])
    window, _b = task_window(qtbot, tmp_path, backend)
    page, controller = open_task(qtbot, window, "korrekturlesen")
    page.form.set_values({"text": ORIGINAL})
    generate(qtbot, page, controller)
    view: DiffView = page.result_view
    qtbot.waitUntil(lambda: view.table.rowCount() == 2, timeout=3000)
    assert page.result.tabs.currentWidget() is view
    assert view.table.item(0, 0).text() == "eingefügt: „,“"
    assert view.table.item(1, 0).text() == "„fehlen“ → „fehlten“"
    assert page.result.text() == CORRECTED
    view.set_accepted(1, False)  # keep "fehlen"
    expected = CORRECTED.replace("fehlten", "fehlen")
    assert page.result.text() == expected and view.resulting.toPlainText() == expected
    assert view.summary.text() == "2 Änderungen vorgeschlagen, 1 übernommen."
    view.reject_all.click()
    assert page.result.text() == ORIGINAL
    view.accept_all.click()
    assert page.result.text() == CORRECTED
    view.set_accepted(0, False)
    # Keyboard: Space on the current change toggles it back.
    view.table.setFocus()
    view.table.setCurrentCell(0, 0)
    qtbot.keyClick(view.table, Qt.Key.Key_Space)
    assert page.result.text() == CORRECTED
    view.set_accepted(1, False)
    out = tmp_path / "korrektur.docx"
    with qtbot.waitSignal(controller.exported, timeout=10_000):
        controller.export_to(out)
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "eingereicht, weil die Unterlagen fehlen." in text


def test_synopsis_page_two_documents_table_and_docx(
    qtbot, tmp_path: Path, corpus_dir: Path
) -> None:
    old = corpus_dir / "gesetze" / "burlg.md"
    new = tmp_path / "burlg_neu.md"
    new.write_text(
        old.read_text(encoding="utf-8").replace("mindestens 24 Werktage", "mindestens 30 Werktage"),
        encoding="utf-8",
    )
    window, backend = task_window(qtbot, tmp_path, FakeBackend(token_delay=0.0))
    page, controller = open_task(qtbot, window, "synopse")
    page.form.set_values({"alt": str(old), "neu": str(new), "erlaeuterung": "nein"})
    result = generate(qtbot, page, controller, timeout=30_000)
    assert backend.calls == []  # the comparison itself needs no model
    view: SynopsisView = page.result_view
    assert page.result.tabs.currentWidget() is view
    html = view.browser.toHtml()
    assert "24" in html and "30" in html and "line-through" in html
    assert "Geändert: 1" in result.answer
    out = tmp_path / "synopse.docx"
    with qtbot.waitSignal(controller.exported, timeout=10_000):
        controller.export_to(out)
    table = docx.Document(str(out)).tables[0]
    assert len(table.columns) == 2 and len(table.rows) == 2
    assert "~~" not in table.rows[1].cells[0].text
    assert any(r.font.strike for p in table.rows[1].cells[0].paragraphs for r in p.runs)


def test_synopsis_reopened_from_the_history_shows_its_table(qtbot, tmp_path: Path) -> None:
    from llmoin_desktop.core.history import HistoryStore

    window, _backend = task_window(qtbot, tmp_path, FakeBackend(token_delay=0.0))
    page, controller = open_task(qtbot, window, "synopse")
    page.form.set_values(
        {
            "alt_text": "§ 1 Frist\n\nDie Frist beträgt zwei Wochen.",
            "neu_text": "§ 1 Frist\n\nDie Frist beträgt vier Wochen.",
            "erlaeuterung": "nein",
        }
    )
    generate(qtbot, page, controller)
    page.result.clear()
    assert page.result.tabs.currentWidget() is page.result.editor
    (entry,) = HistoryStore().list(task_id="synopse")
    assert window.tasks.open_entry(entry)
    assert page.result.tabs.currentWidget() is page.result_view
    assert "line-through" in page.result_view.browser.toHtml()


def test_translation_page_shows_the_machine_translation_note(qtbot, tmp_path: Path) -> None:
    backend = FakeBackend(token_delay=0.0, tokens=["The ", "deadline ", "ends."])
    window, _b = task_window(qtbot, tmp_path, backend)
    page, controller = open_task(qtbot, window, "uebersetzen")
    page.form.set_values({"text": "Die Frist endet.", "sprache": "uk"})
    result = generate(qtbot, page, controller)
    assert "Ukrainisch (українська)" in backend.calls[0][-1]["content"]
    assert page.result.text().startswith("The deadline ends.")
    assert "Maschinelle Übersetzung (Deutsch → Ukrainisch)" in page.result.text()
    assert result.coverage in page.result.text()


def test_two_files_dropped_on_the_synopsis_page_fill_old_then_new(
    qtbot, tmp_path: Path, corpus_dir: Path
) -> None:
    window, _b, _i = make_window(qtbot, tmp_path)
    page, controller = open_task(qtbot, window, "synopse")
    first, second = corpus_dir / "gesetze" / "burlg.md", corpus_dir / "gesetze" / "egovg.md"
    assert controller.set_document(str(first)) and controller.set_document(str(second))
    values = page.form.values()
    assert (values["alt"], values["neu"]) == (str(first), str(second))
    assert controller.set_document(str(second))  # both filled: the first field again
    assert page.form.values()["alt"] == str(second)
