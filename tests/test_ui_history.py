"""The history view on the real main window and a real SQLite file: finished runs appear,
reopen into their task page with form values and result, delete one, delete all (asked)."""

from __future__ import annotations

from pathlib import Path

from fakes import FakeBackend
from PySide6.QtCore import Qt
from ui_helpers import load_model, make_window

from llmoin_desktop.core.history import HistoryStore
from llmoin_desktop.ui.a11y import missing_accessible_names


def run_summary(qtbot, window, text: str, **values) -> object:
    qtbot.mouseClick(window.gallery.tiles["zusammenfassen"], Qt.MouseButton.LeftButton)
    page = window.tasks.pages["zusammenfassen"]
    controller = window.tasks.controllers["zusammenfassen"]
    page.form.set_values({"text": text, **values})
    with qtbot.waitSignal(controller.finished, timeout=10_000) as blocker:
        qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def open_history(qtbot, window):
    with qtbot.waitSignal(window.tasks.history_controller.loaded, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.tasks.history_view
    return window.tasks.history_view


def test_finished_runs_are_listed_and_reopen_with_values_and_result(
    qtbot, tmp_path: Path, corpus_dir: Path
) -> None:
    window, _b, infos = make_window(qtbot, tmp_path, FakeBackend(token_delay=0.001))
    load_model(qtbot, window, infos[0])
    law = corpus_dir / "gesetze" / "vwzg_2005.md"
    run_summary(qtbot, window, "Erster Text über Fristen.", laenge="kurz")
    page = window.tasks.pages["zusammenfassen"]
    page.form.set_values({"text": "", "dokument": str(law), "laenge": "ausfuehrlich"})
    with qtbot.waitSignal(window.tasks.controllers["zusammenfassen"].finished, timeout=30_000):
        qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    view = open_history(qtbot, window)
    assert missing_accessible_names(view) == []
    assert view.table.rowCount() == 2
    newest = [view.table.item(0, c).text() for c in range(3)]
    assert newest[0] == "Zusammenfassen" and newest[2] == "vwzg_2005.md"
    assert view.table.item(1, 2).text() == "eingefügter Text"
    assert window.focusWidget() is view.table

    # open the older entry with the keyboard: its values and result come back
    view.table.selectRow(1)
    page.form.set_values({"text": "etwas anderes", "laenge": "mittel"})
    page.result.editor.setPlainText("")
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is page
    values = page.form.values()
    assert values["text"] == "Erster Text über Fristen." and values["laenge"] == "kurz"
    assert values["dokument"] == ""
    assert "Wohngeld" in page.result.text()
    assert "Aus dem Verlauf geöffnet" in page.status_label.text()
    assert page.result.refine_buttons["kuerzer"].isEnabled()
    # a refinement of a reopened entry updates that entry
    controller = window.tasks.controllers["zusammenfassen"]
    with qtbot.waitSignal(controller.finished, timeout=10_000) as blocker:
        qtbot.mouseClick(page.result.refine_buttons["kuerzer"], Qt.MouseButton.LeftButton)
    entry_id = view.entries[1].id
    assert blocker.args[0].history_id == entry_id
    assert HistoryStore().count() == 2


def test_delete_one_and_delete_all_after_asking(qtbot, tmp_path: Path) -> None:
    window, _b, infos = make_window(qtbot, tmp_path, FakeBackend(token_delay=0.001))
    load_model(qtbot, window, infos[0])
    for text in ("Eins.", "Zwei.", "Drei."):
        run_summary(qtbot, window, text)
    view = open_history(qtbot, window)
    assert view.table.rowCount() == 3
    view.table.selectRow(0)
    doomed = view.current_id()
    with qtbot.waitSignal(window.tasks.history_controller.loaded, timeout=5000):
        qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert view.table.rowCount() == 2 and doomed not in [e.id for e in view.entries]
    assert HistoryStore().get(doomed) is None

    asked: list[str] = []
    window.tasks.history_controller.confirm = lambda q: asked.append(q) or False
    qtbot.mouseClick(view.clear_button, Qt.MouseButton.LeftButton)
    assert "2 Einträge" in asked[0] and HistoryStore().count() == 2  # "no" keeps everything

    window.tasks.history_controller.confirm = lambda q: True
    with qtbot.waitSignal(window.tasks.history_controller.loaded, timeout=5000):
        qtbot.mouseClick(view.clear_button, Qt.MouseButton.LeftButton)
    assert HistoryStore().count() == 0 and view.table.rowCount() == 0
    assert view.empty_label.isVisible() and not view.clear_button.isEnabled()
    assert not view.open_button.isEnabled()


def test_a_stopped_run_leaves_no_history_entry(qtbot, tmp_path: Path) -> None:
    window, backend, infos = make_window(qtbot, tmp_path, FakeBackend(token_delay=0.05))
    load_model(qtbot, window, infos[0])
    qtbot.mouseClick(window.gallery.tiles["zusammenfassen"], Qt.MouseButton.LeftButton)
    page = window.tasks.pages["zusammenfassen"]
    controller = window.tasks.controllers["zusammenfassen"]
    page.form.set_values({"text": "Ein Text, der nie fertig wird."})
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(page.result.text()), timeout=5000)
    with qtbot.waitSignal(controller.stopped, timeout=2000):
        qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    assert page.result.text()  # the partial text stays on screen
    view = open_history(qtbot, window)
    assert view.table.rowCount() == 0 and HistoryStore().count() == 0
    assert view.empty_label.isVisible()


def test_history_entry_of_a_hidden_task_is_not_reopened(
    qtbot, tmp_path: Path, isolated_dirs
) -> None:
    from llmoin_desktop.core.tasks.runner import TaskResult

    HistoryStore().add(
        TaskResult("entwurf", {"art": "email"}, answer="Sehr geehrte Frau …", output_kind="prose"),
        title="Entwurf schreiben",
    )
    (isolated_dirs["policy"] / "policy.toml").write_text(
        'hidden_tasks = ["entwurf"]\n', encoding="utf-8"
    )
    window, _b, _i = make_window(qtbot, tmp_path)
    view = open_history(qtbot, window)
    assert view.table.rowCount() == 1
    assert "Sehr geehrte Frau" in view.preview.toPlainText()  # still readable
    qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is view
    assert "nicht mehr verfügbar" in view.message.accessibleName()
