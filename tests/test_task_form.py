"""The task form: built from every task file, accessible names, conditional fields,
validation beside the field, values that the runner accepts, English labels."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from llmoin_desktop.core import i18n
from llmoin_desktop.core.settings.config import Settings
from llmoin_desktop.core.tasks.catalog import bundled_tasks_dir, load_catalog
from llmoin_desktop.core.tasks.spec import load_task_file
from llmoin_desktop.ui.a11y import missing_accessible_names
from llmoin_desktop.ui.task_form import TaskForm

TASK_FILES = sorted(p for p in bundled_tasks_dir().glob("*.toml") if not p.name.startswith("_"))


@pytest.mark.parametrize("path", TASK_FILES, ids=lambda p: p.stem)
def test_every_task_renders_an_accessible_form(qtbot, path: Path) -> None:
    spec = load_task_file(path)
    form = TaskForm(spec)
    qtbot.addWidget(form)
    form.show()
    assert missing_accessible_names(form) == []
    assert set(form.rows) == {f.name for f in spec.fields}
    assert form.values().keys() == {f.name for f in spec.fields}
    for f in spec.visible_fields(form.values()):
        assert form.is_field_shown(f.name)
        assert form.rows[f.name].label.text().startswith(f.label)


def test_draft_kind_shows_and_hides_fields(qtbot) -> None:
    spec = load_catalog(Settings()).get("entwurf")
    form = TaskForm(spec)
    qtbot.addWidget(form)
    form.show()
    assert form.is_field_shown("anschrift") and not form.is_field_shown("redner")
    combo = form.field_widget("art")
    with qtbot.waitSignal(form.valuesChanged):
        combo.setCurrentIndex(combo.findData("rede"))
    assert form.is_field_shown("redner") and not form.is_field_shown("anschrift")
    assert not form.is_field_shown("dokument")


def test_validation_marks_required_fields_then_submits(qtbot) -> None:
    spec = load_catalog(Settings()).get("entwurf")
    form = TaskForm(spec)
    qtbot.addWidget(form)
    form.show()
    received: list[dict] = []
    form.submitted.connect(received.append)
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    assert received == []
    assert not form.rows["betreff"].error.isHidden()
    assert "Pflichtfeld" in form.rows["betreff"].error.text()
    assert "Pflichtfeld" in form.field_widget("betreff").accessibleDescription()
    qtbot.keyClicks(form.field_widget("betreff"), "Ihr Antrag")
    assert form.rows["betreff"].error.isHidden()  # typing clears the message
    form.field_widget("kernpunkte").setPlainText("Antrag bewilligt")
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    assert len(received) == 1
    values = received[0]
    assert values["betreff"] == "Ihr Antrag" and values["art"] == "antwort"
    assert spec.validate(values) == {}


def test_multichoice_and_document_round_trip(qtbot, corpus_dir: Path) -> None:
    spec = load_catalog(Settings()).get("extrahieren")
    form = TaskForm(spec)
    qtbot.addWidget(form)
    pdf = str(corpus_dir / "gesetze" / "ifg.pdf")
    form.set_values({"arten": ["fristen", "betraege"], "dokument": pdf})
    values = form.values()
    assert values["arten"] == ["fristen", "betraege"] and values["dokument"] == pdf
    assert spec.validate(values) == {}
    form.rows["arten"].checkboxes[0].setChecked(False)
    form.rows["arten"].checkboxes[2].setChecked(False)
    assert "arten" in form.validate()


def test_form_in_english(qtbot) -> None:
    spec = load_catalog(Settings()).get("zusammenfassen")
    i18n.set_language("en")
    try:
        form = TaskForm(spec)
        qtbot.addWidget(form)
        assert form.title.text() == "Summarise"
        assert form.rows["laenge"].label.text() == "Length"
        assert form.field_widget("laenge").itemText(0) == "Short"
        assert form.submit_button.text() == "Start"
    finally:
        i18n.set_language("de")
