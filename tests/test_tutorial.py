"""Guided tour on the real main window: every step found, exercises detected, keyboard works."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import FakeBackend
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QWidget
from ui_helpers import load_model, make_window

from llmoin_desktop.core import i18n
from llmoin_desktop.core.paths import resources_dir
from llmoin_desktop.core.tutorials import (
    Target,
    TutorialEvents,
    load_tutorials,
    matches,
)
from llmoin_desktop.ui.a11y import missing_accessible_names
from llmoin_desktop.ui.tutorial.overlay import find_target

SAMPLE = resources_dir() / "samples" / "Satzung_Hundesteuer_Auszug.md"


def test_bundled_tutorials_load_with_english_text() -> None:
    tutorials, problems = load_tutorials([resources_dir() / "tutorials"])
    assert not problems
    grundkurs = next(t for t in tutorials if t.id == "grundkurs")
    assert len(grundkurs.steps) >= 10
    for step in grundkurs.steps:
        assert step.title.get("en") and step.text.get("en"), step.title
    conditions = grundkurs.exercises()
    for needed in ("task_opened", "document_loaded", "result_ready", "refined", "exported"):
        assert any(c.startswith(needed) for c in conditions), needed
    assert "library_asked" in conditions and "citation_opened" in conditions
    i18n.set_language("en")
    assert grundkurs.steps[1].title_text == "1. Choose a task"


def test_broken_tutorials_are_reported_in_german(tmp_path: Path) -> None:
    (tmp_path / "kaputt.toml").write_text("id = [", encoding="utf-8")
    (tmp_path / "bedingung.toml").write_text(
        'id = "b"\n[[steps]]\ntitle = "T"\ntext = "x"\nwait_for = "gezaubert"\n', "utf-8"
    )
    (tmp_path / "ohne_de.toml").write_text(
        'id = "c"\n[[steps]]\ntitle = { en = "Only English" }\ntext = "x"\n', "utf-8"
    )
    (tmp_path / "gut.toml").write_text('id = "d"\n[[steps]]\ntitle = "T"\ntext = "x"\n', "utf-8")
    tutorials, problems = load_tutorials([tmp_path])
    assert [t.id for t in tutorials] == ["d"]
    text = "\n".join(problems)
    assert "kaputt.toml: keine gültige TOML-Datei" in text
    assert "unbekannte Bedingung „gezaubert“" in text
    assert "deutscher Text" in text


def test_targets_and_conditions() -> None:
    assert Target.parse("taskTile[tileId=zusammenfassen]") == Target(
        "taskTile", "tileId", "zusammenfassen"
    )
    assert Target.parse("") is None
    with pytest.raises(ValueError):
        Target.parse("a b")
    assert matches("result_ready", "result_ready:zusammenfassen")
    assert not matches("result_ready:entwurf", "result_ready:zusammenfassen")
    assert not matches("refined", "result_ready:zusammenfassen")
    events = TutorialEvents()
    events.emit("exported:x")
    assert events.seen("exported") and not events.seen("exported", since=1)


def test_every_target_exists_in_the_real_window(qtbot, tmp_path: Path) -> None:
    """A renamed widget would silently break the tour: every target must be findable."""
    window, _b, _i = make_window(qtbot, tmp_path)
    tutorials, _p = load_tutorials([resources_dir() / "tutorials"])
    for tutorial in tutorials:
        for step in tutorial.steps:
            if step.target is None or (
                step.requires_page and step.requires_page not in window.pages
            ):
                continue
            found = [
                w
                for w in window.findChildren(QWidget, step.target.object_name)
                if not step.target.prop or str(w.property(step.target.prop)) == step.target.value
            ]
            assert found, f"{tutorial.id}: {step.target}"


def _click(qtbot, widget) -> None:  # noqa: ANN001
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def do_library_steps(qtbot, window, overlay) -> None:  # noqa: ANN001
    """Ask the library (built from the sample documents) and open a cited source."""
    callout = overlay.callout
    page = window.library.ask_pages["dokumente_fragen"]
    controller = window.library.ask_controllers["dokumente_fragen"]
    qtbot.waitUntil(
        lambda: overlay.target is window.gallery.tiles["dokumente_fragen"], timeout=2000
    )
    _click(qtbot, overlay.target)
    qtbot.waitUntil(callout.next_button.isEnabled, timeout=5000)
    _click(qtbot, callout.next_button)
    qtbot.waitUntil(lambda: overlay.target is page.question, timeout=2000)
    qtbot.waitUntil(lambda: page.scope_list.count() >= 3, timeout=10000)
    page.question.setPlainText("Bis wann muss die Hundesteuer bezahlt werden?")
    with qtbot.waitSignal(controller.finished, timeout=20000):
        _click(qtbot, page.ask_button)
    qtbot.waitUntil(callout.next_button.isEnabled, timeout=5000)
    assert "Geschafft!" in callout.status.text()
    _click(qtbot, callout.next_button)
    qtbot.waitUntil(lambda: overlay.target is page.sources, timeout=2000)
    assert page.sources.count() >= 1
    with qtbot.waitSignal(controller.viewer_opened, timeout=10000) as opened:
        rect = page.sources.visualItemRect(page.sources.item(0))
        qtbot.mouseClick(page.sources.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(callout.next_button.isEnabled, timeout=5000)
    opened.args[0].close()
    _click(qtbot, callout.next_button)


@pytest.fixture
def sample_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample documents as the library (keyword search only: fast, no vectors)."""
    from llmoin_desktop.core.tasks.library_task import close_all_libraries, open_library

    folder = tmp_path / "bibliothek"
    lib = open_library(folder, embedder=None)
    lib.add(sorted((resources_dir() / "samples").iterdir()))
    assert lib.index_pending().count("indexed") >= 3
    monkeypatch.setenv("LLMOIN_LIBRARY_DIR", str(folder))
    yield folder
    close_all_libraries()


def test_tour_runs_start_to_finish_with_exercises(qtbot, tmp_path: Path, sample_library) -> None:
    answer = ["Die ", "Steuer ", "ist ", "vierteljährlich ", "fällig ", "[1]."]
    window, _backend, infos = make_window(qtbot, tmp_path, backend=FakeBackend(tokens=answer))
    load_model(qtbot, window, infos[0])
    overlay = window.help.start_tutorial("grundkurs")
    runner, callout = overlay.runner, overlay.callout
    qtbot.waitUntil(callout.isVisible, timeout=2000)
    assert not missing_accessible_names(callout)
    controller = window.tasks.controllers["zusammenfassen"]
    page = window.tasks.pages["zusammenfassen"]
    controller.ask_export_path = lambda: str(tmp_path / "Zusammenfassung.docx")
    seen_titles = []
    exercises_done = []
    runner.exercise_done.connect(exercises_done.append)

    def step_is(object_name: str) -> None:
        seen_titles.append(runner.step.title_text)
        qtbot.waitUntil(lambda: overlay.target is not None, timeout=2000)
        assert overlay.target.objectName() == object_name
        if runner.step.wait_for:  # an exercise: no skipping ahead
            assert not callout.next_button.isEnabled()
            assert "Übung" in callout.status.text()

    def finish_exercise() -> None:
        qtbot.waitUntil(callout.next_button.isEnabled, timeout=10000)
        assert "Geschafft!" in callout.status.text()
        qtbot.waitUntil(callout.next_button.hasFocus, timeout=2000)  # Enter/Space goes on
        _click(qtbot, callout.next_button)

    assert callout.next_button.hasFocus()  # welcome: no target, Weiter focused
    _click(qtbot, callout.next_button)

    step_is("taskTile")
    tile = window.gallery.tiles["zusammenfassen"]
    assert overlay.target is tile
    # the shade lets clicks through to the real tile
    centre = tile.mapTo(window, tile.rect().center())
    hit = window.childAt(centre)
    assert hit is tile or tile.isAncestorOf(hit)
    assert not callout.geometry().intersects(overlay.dim.hole)
    assert tile.hasFocus()  # keyboard users can act at once
    qtbot.keyClick(tile, Qt.Key.Key_Space)
    finish_exercise()

    step_is("field_dokument")
    row = page.form.rows["dokument"]
    row.path_edit.setText(str(SAMPLE))
    finish_exercise()

    step_is("generateButton")
    with qtbot.waitSignal(controller.finished, timeout=10000):
        _click(qtbot, page.generate_button)
    finish_exercise()

    step_is("resultEditor")
    assert callout.next_button.isEnabled()  # reading step, no exercise
    _click(qtbot, callout.next_button)

    step_is("refine_kuerzer")
    with qtbot.waitSignal(controller.finished, timeout=10000):
        _click(qtbot, page.result.refine_buttons["kuerzer"])
    finish_exercise()

    step_is("exportButton")
    with qtbot.waitSignal(controller.exported, timeout=10000):
        _click(qtbot, page.result.export_button)
    assert (tmp_path / "Zusammenfassung.docx").is_file()
    finish_exercise()

    step_is("backButton")
    _click(qtbot, page.back_button)
    finish_exercise()

    assert "dokumente_fragen" in window.pages
    do_library_steps(qtbot, window, overlay)
    assert runner.step.title_text == "Fertig!"
    with qtbot.waitSignal(runner.finished, timeout=2000) as finished:
        qtbot.keyClick(callout.next_button, Qt.Key.Key_Space)
    assert finished.args == [True]
    assert not callout.isVisible()
    assert window.help.overlay is None
    assert "Einführung abgeschlossen" in window.banner.text()
    assert exercises_done  # the runner noticed the exercises itself
    assert len(seen_titles) >= 7


def test_overlay_follows_its_target_and_keyboard_controls(qtbot, tmp_path: Path) -> None:
    window, _b, _i = make_window(qtbot, tmp_path)
    overlay = window.help.start_tutorial("grundkurs")
    runner, callout = overlay.runner, overlay.callout
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)  # Alt+W = Weiter
    qtbot.waitUntil(lambda: runner.index == 1, timeout=2000)  # mnemonics click animated
    tile = window.gallery.tiles["zusammenfassen"]
    qtbot.waitUntil(lambda: overlay.target is tile, timeout=2000)
    before = QRect(overlay.dim.hole)
    window.resize(window.width() + 300, window.height() + 100)  # the tiles grow
    qtbot.waitUntil(lambda: overlay.dim.hole != before, timeout=2000)
    assert overlay.dim.hole.contains(tile.mapTo(window, tile.rect().center()))
    assert overlay.dim.geometry() == window.rect()
    # a target that is not on screen (another page): callout centred, no frame
    window.show_page("chat")
    qtbot.waitUntil(lambda: overlay.target is None, timeout=2000)
    assert overlay.dim.hole.isNull()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.AltModifier)  # Alt+Z = Zurück
    qtbot.waitUntil(lambda: runner.index == 0, timeout=2000)
    with qtbot.waitSignal(runner.finished, timeout=2000) as finished:
        qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)  # Alt+B = Beenden
    assert finished.args == [False]
    assert not callout.isVisible()


def test_exercise_done_ahead_of_the_step_counts(qtbot, tmp_path: Path) -> None:
    window, _b, _i = make_window(qtbot, tmp_path)
    overlay = window.help.start_tutorial("grundkurs")
    window.activate_tile("zusammenfassen")  # the clerk runs ahead
    overlay.runner.next()
    assert overlay.runner.index == 1 and overlay.callout.next_button.isEnabled()
    assert find_target(window, Target("taskTile", "tileId", "zusammenfassen")) is None
    overlay.runner.stop()


def test_user_tutorial_folder_adds_a_tour(qtbot, tmp_path: Path, isolated_dirs) -> None:
    own = isolated_dirs["config"] / "tutorials"
    own.mkdir()
    (own / "eigene.toml").write_text(
        'id = "eigene"\ntitle = "Unsere Aufgabe"\n[[steps]]\ntarget = "historyButton"\n'
        'title = "Verlauf"\ntext = "Hier finden Sie Ihre Ergebnisse."\n',
        encoding="utf-8",
    )
    window, _b, _i = make_window(qtbot, tmp_path)
    overlay = window.help.start_tutorial("eigene")
    qtbot.waitUntil(lambda: overlay.target is window.history_button, timeout=2000)
    overlay.runner.stop()
