"""The task editor through the UI (pytest-qt): a clerk builds a task with fields, a conditional
field and an instruction with field chips, saves it, finds it in the gallery, edits, copies,
deletes; imports by drag and drop; the high-risk check refuses a forbidden task."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import FakeBackend
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from ui_helpers import load_model, make_window

from llmoin_desktop.core.tasks import builder
from llmoin_desktop.ui import task_builder_area
from llmoin_desktop.ui.task_builder import STEPS


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every yes/no question is answered "Ja"; the texts are kept for the assertions."""
    asked: list[str] = []

    def ask(_parent, _title: str, text: str) -> bool:  # noqa: ANN001
        asked.append(text)
        return True

    monkeypatch.setattr(task_builder_area, "ask", ask)
    return asked


def build_through_ui(qtbot, window) -> None:  # noqa: ANN001
    qtbot.mouseClick(window.gallery.new_task_button, Qt.MouseButton.LeftButton)
    page = window.builder.page
    assert window.stack.currentWidget() is page
    qtbot.keyClicks(page.title_edit, "Antwort auf Akteneinsicht")
    qtbot.keyClicks(page.description_edit, "Beantwortet einen Antrag nach dem IFG.")
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    fields = page.fields_step
    assert page.stack.currentIndex() == STEPS.index("felder")
    # the new task starts with one long text field: rename it
    fields.list.setCurrentRow(0)
    fields.label_edit.clear()
    qtbot.keyClicks(fields.label_edit, "Anfrage")
    qtbot.mouseClick(fields.add_button, Qt.MouseButton.LeftButton)
    fields.label_edit.clear()
    qtbot.keyClicks(fields.label_edit, "Ergebnis")
    fields.kind.setCurrentIndex(fields.kind.findData("choice"))
    fields.options.setPlainText("Zugang gewährt\nZugang abgelehnt")
    qtbot.mouseClick(fields.add_button, Qt.MouseButton.LeftButton)
    fields.label_edit.clear()
    qtbot.keyClicks(fields.label_edit, "Ablehnungsgrund")
    fields.show_if.setCurrentIndex(fields.show_if.findData("Ergebnis"))
    fields.show_values.item(1).setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(page.instructions, "Schreibe eine Antwort auf ")
    chips = {b.text(): b for b in page.chips.findChildren(type(page.save_button))}
    assert set(chips) == {"«Anfrage»", "«Ergebnis»", "«Ablehnungsgrund»", "«Heutiges Datum»"}
    qtbot.mouseClick(chips["«Anfrage»"], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(page.instructions, ". Ergebnis: ")
    qtbot.mouseClick(chips["«Ergebnis»"], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(page.instructions, ". Grund: ")
    qtbot.mouseClick(chips["«Ablehnungsgrund»"], Qt.MouseButton.LeftButton)
    assert page.draft.instructions == (
        "Schreibe eine Antwort auf «Anfrage». Ergebnis: «Ergebnis». Grund: «Ablehnungsgrund»"
    )
    page.show_step(STEPS.index("ergebnis"))
    page.output.setCurrentIndex(page.output.findData("letter"))
    # live preview: the form as the clerk sees it, with the conditional field
    page.refresh_preview()
    form = page.preview
    assert form is not None, page.preview_note.text()
    assert set(form.rows) == {"anfrage", "ergebnis", "ablehnungsgrund"}
    assert not form.is_field_shown("ablehnungsgrund")
    form.set_values({"ergebnis": "zugang_abgelehnt"})
    assert form.is_field_shown("ablehnungsgrund")


def test_build_save_edit_copy_delete_through_the_ui(qtbot, tmp_path: Path, answers) -> None:  # noqa: ANN001
    window, _backend, _infos = make_window(qtbot, tmp_path)
    build_through_ui(qtbot, window)
    page = window.builder.page
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    path = builder.user_tasks_dir() / "antwort_auf_akteneinsicht.toml"
    assert path.is_file(), page.message.text()
    assert window.stack.currentWidget() is window.pages["antwort_auf_akteneinsicht"]
    tile = window.gallery.tiles["antwort_auf_akteneinsicht"]
    assert tile.tile.section == "eigene"
    assert builder.read_meta(path)["governance"]["level"] == "ok"
    # edit: the title changes, the file and id stay, the version goes up
    task_page = window.pages["antwort_auf_akteneinsicht"]
    window.builder.edit(task_page.spec)
    assert page.title.text() == "Aufgabe bearbeiten"
    assert page.draft.instructions.endswith("Grund: «Ablehnungsgrund»")
    page.title_edit.setText("Antwort auf Akteneinsicht (IFG)")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert builder.read_meta(path)["version"] == 2
    assert window.gallery.tiles["antwort_auf_akteneinsicht"].tile.title.endswith("(IFG)")
    # as template: a new task from a bundled one
    window.builder.use_as_template(window.pages["entwurf"].spec)
    assert page.draft.title == "Entwurf schreiben (Kopie)" and not page.draft.id
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "entwurf_schreiben_kopie" in window.gallery.tiles
    # delete (confirmed), then undo
    spec = window.pages["antwort_auf_akteneinsicht"].spec
    window.builder.delete(spec)
    assert not path.exists() and "antwort_auf_akteneinsicht" not in window.gallery.tiles
    assert "löschen" in answers[-1]
    assert window.gallery.undo_button.isVisible()
    qtbot.mouseClick(window.gallery.undo_button, Qt.MouseButton.LeftButton)
    assert not window.gallery.undo_button.isVisible()
    assert path.exists() and "antwort_auf_akteneinsicht" in window.gallery.tiles


def test_validation_shows_the_step_and_saves_nothing(qtbot, tmp_path: Path, answers) -> None:  # noqa: ANN001
    window, _b, _i = make_window(qtbot, tmp_path)
    window.builder.new_task()
    page = window.builder.page
    page.instructions.setPlainText("Fasse «Vorlage» zusammen.")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentIndex() == STEPS.index("grunddaten")
    assert "Bitte geben Sie der Aufgabe einen Titel." in page.message.text()
    assert "„Vorlage“, das es nicht gibt" in page.message.text()
    assert not builder.user_tasks_dir().exists() or not list(builder.user_tasks_dir().iterdir())


def test_forbidden_task_is_blocked_by_the_rules(qtbot, tmp_path: Path, answers) -> None:  # noqa: ANN001
    window, _b, _i = make_window(qtbot, tmp_path)
    window.builder.new_task()
    page = window.builder.page
    page.title_edit.setText("Wohngeld entscheiden")
    page.instructions.setPlainText("Entscheide, ob der Antrag «Text» auf Wohngeld bewilligt wird.")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentIndex() == STEPS.index("pruefen")
    assert "nicht zulässig" in page.message.text()
    assert "Sozialleistungen" in page.verdict.text()
    assert not builder.user_tasks_dir().exists() or not list(
        builder.user_tasks_dir().glob("*.toml")
    )


def test_model_assessment_is_stored_with_the_task(qtbot, tmp_path: Path, answers) -> None:  # noqa: ANN001
    backend = FakeBackend(
        token_delay=0,
        tokens=["Einstufung: hohes Risiko\n", "Begründung: Auswahl von Personal."],
    )
    window, backend, infos = make_window(qtbot, tmp_path, backend=backend)
    load_model(qtbot, window, infos[0])
    backend._publish(n_params=7_000_000_000)  # a capable model: the editor asks it
    window.builder.new_task()
    page = window.builder.page
    page.title_edit.setText("Teamvorschlag")
    page.instructions.setPlainText("Schlage aus «Text» vor, wer ins Projektteam kommt.")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    path = builder.user_tasks_dir() / "teamvorschlag.toml"
    qtbot.waitUntil(path.is_file, timeout=5000)
    gov = builder.read_meta(path)["governance"]
    assert gov["level"] == "warnung" and "Auswahl von Personal." in gov["reasons"][-1]
    info = window.builder.info_text(window.pages["teamvorschlag"].spec)
    assert "Warnung" in info and "Auswahl von Personal." in info


def test_drop_a_task_file_on_the_gallery_imports_it_after_showing_it(
    qtbot,
    tmp_path: Path,
    answers,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    path = builder.save(builder.from_spec(_entwurf(), as_copy=True))
    exported = tmp_path / "Entwurf.llmoin-task"
    exported.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    path.unlink()
    window, _b, _i = make_window(qtbot, tmp_path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(exported))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.gallery.dropEvent(event)  # what Qt calls for a drop on the gallery's viewport
    assert answers, window.banner.text()
    assert "Entwurf schreiben (Kopie)" in answers[-1] and "Anweisung an das Modell" in answers[-1]
    assert "entwurf_schreiben_kopie" in window.gallery.tiles
    broken = tmp_path / "kaputt.llmoin-task"
    broken.write_text('id = "x"\ntitle = 3\n', encoding="utf-8")
    assert window.builder.import_file(str(broken)) is None
    assert "kaputt.llmoin-task" in window.banner.text()


def _entwurf():  # noqa: ANN202
    from llmoin_desktop.core.tasks.catalog import load_catalog

    return load_catalog().get("entwurf")


def test_gallery_search_and_categories_once_there_are_many_tasks(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    for n in range(8):
        draft = builder.from_spec(_entwurf(), as_copy=True)
        draft.title = f"Eigene Aufgabe {n}"
        draft.category = "Bauamt" if n % 2 else "Presse"
        builder.save(draft)
    window, _b, _i = make_window(qtbot, tmp_path)
    gallery = window.gallery
    assert gallery.search_row.isVisible()
    assert gallery.findChild(type(gallery.empty_label), "galleryHeading") is not None
    qtbot.keyClicks(gallery.search, "Aufgabe 3")
    shown = [t for t, w in gallery.tiles.items() if w.isVisible()]
    assert shown == ["eigene_aufgabe_3"]
    gallery.search.clear()
    gallery.category.setCurrentIndex(gallery.category.findData("Bauamt"))
    shown = [t for t, w in gallery.tiles.items() if w.isVisible()]
    assert len(shown) == 4 and all(gallery.tiles[t].tile.category == "Bauamt" for t in shown)


def test_try_out_streams_and_shows_the_prompt_on_request(qtbot, tmp_path: Path, answers) -> None:  # noqa: ANN001
    window, _backend, infos = make_window(qtbot, tmp_path, backend=FakeBackend(token_delay=0))
    page = window.builder.page
    window.builder.new_task()
    page.title_edit.setText("Kurzantwort")
    page.instructions.setPlainText("Beantworte kurz: «Text»")
    page.refresh_preview()
    assert not window.builder.try_out()  # an empty required field in the preview
    assert "Formular in der Vorschau" in page.message.text()
    page.preview.set_values({"text": "Wann ist das Bürgerbüro geöffnet?"})
    assert not window.builder.try_out()  # no model loaded yet
    assert "Modell" in page.message.text()
    load_model(qtbot, window, infos[0])
    page.show_prompt.setChecked(True)
    assert window.builder.try_out()
    qtbot.waitUntil(lambda: window.builder.try_handle is None, timeout=10_000)
    output = page.try_output.toPlainText()
    assert output.startswith("Guten Tag!")
    assert "Gefragt wurde:" in output and "Wann ist das Bürgerbüro geöffnet?" in output


def test_editor_steps_are_named_and_reachable_by_keyboard(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    """Every step of the editor (not only the first, which the page walk sees) has accessible
    names that contain the visible label, and Tab reaches its controls."""
    from PySide6.QtWidgets import QAbstractButton
    from ui_helpers import tab_round

    from llmoin_desktop.ui.a11y import missing_accessible_names

    window, _b, _i = make_window(qtbot, tmp_path)
    window.builder.use_as_template(window.pages["entwurf"].spec)
    page = window.builder.page
    for index in range(len(STEPS)):
        page.show_step(index)
        qtbot.wait(10)
        missing = [w for w in missing_accessible_names(page) if w.isVisible()]
        assert not missing, (index, [w.objectName() for w in missing])
        for button in page.findChildren(QAbstractButton):
            if button.isVisible() and button.text() and button.accessibleName():
                visible = button.text().replace("&", "").strip("←→ ").lower()
                assert visible in button.accessibleName().lower(), button.text()
        visited = tab_round(window, window.home_button)
        assert page.next_button in visited or index == len(STEPS) - 1
        assert page.save_button in visited
    page.show_step(STEPS.index("anweisung"))
    chip = page.chips.findChildren(QAbstractButton)[0]
    assert chip in tab_round(window, window.home_button)


def test_publish_for_the_department_from_the_task_page(
    qtbot,
    tmp_path: Path,
    answers,
    isolated_dirs,  # noqa: ANN001
) -> None:
    dept = tmp_path / "abteilung"
    dept.mkdir()
    (isolated_dirs["policy"] / "policy.toml").write_text(
        f'department_tasks_dir = "{dept.as_posix()}"\ntask_publishing = "alle"\n',
        encoding="utf-8",
    )
    builder.save(builder.from_spec(_entwurf(), as_copy=True))
    window, _b, _i = make_window(qtbot, tmp_path)
    spec = window.pages["entwurf_schreiben_kopie"].spec
    assert window.builder.publish(spec) is not None
    assert "Abteilung" in answers[-1]
    tile = window.gallery.tiles["abt_entwurf_schreiben_kopie"].tile
    assert tile.section == "abteilung" and "Version 1" in tile.byline
    assert window.gallery.tiles["entwurf_schreiben_kopie"].tile.section == "eigene"
    # the department task offers "Als Vorlage verwenden", not editing
    page = window.pages["abt_entwurf_schreiben_kopie"]
    menu = page.findChild(type(window.gallery.new_task_button), "taskActionsButton").menu()
    assert [a.text() for a in menu.actions()] == ["Weitergeben (Datei) …", "Informationen"]
    assert "Version 1" in window.builder.info_text(page.spec)
