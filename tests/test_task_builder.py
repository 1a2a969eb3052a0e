"""Task builder core: draft → task file → the normal loader/CLI, chips, validation, undo."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.core.tasks import builder
from llmoin_desktop.core.tasks.builder import DraftField, TaskDraft
from llmoin_desktop.core.tasks.catalog import load_catalog, task_dirs
from llmoin_desktop.core.tasks.render import build_messages


def bauantrag() -> TaskDraft:
    return TaskDraft(
        title="Stellungnahme zum Bauantrag",
        description="Entwirft eine Stellungnahme des Bauamts.",
        icon="draft",
        category="Schreiben",
        fields=[
            DraftField("Art des Vorhabens", "choice", options=["Neubau", "Umbau"], required=True),
            DraftField(
                "Zahl der Geschosse",
                "number",
                default="2",
                show_if_field="Art des Vorhabens",
                show_if_values=["Neubau"],
            ),
            DraftField("Bauantrag", "document"),
            DraftField("Hinweise des Amts", "longtext", help="Stichpunkte genügen."),
        ],
        instructions=(
            "Schreibe eine kurze Stellungnahme zu einem «Art des Vorhabens» mit "
            "«Zahl der Geschosse» Geschossen. Beachte: «Hinweise des Amts». "
            'Beispiel {"a": 1} und {kein_feld}.\n«Bauantrag»'
        ),
        output="letter",
    )


def test_saved_task_loads_like_a_hand_written_one(tmp_path: Path) -> None:
    draft = bauantrag()
    path = builder.save(draft)
    assert (
        path.parent == builder.user_tasks_dir() and path.name == "stellungnahme_zum_bauantrag.toml"
    )
    catalog = load_catalog(dirs=task_dirs(SettingsStore().settings))
    spec = catalog.get("stellungnahme_zum_bauantrag")
    assert spec is not None and not catalog.problems
    assert [f.name for f in spec.fields] == [
        "art_des_vorhabens",
        "zahl_der_geschosse",
        "bauantrag",
        "hinweise_des_amts",
    ]
    assert spec.field("zahl_der_geschosse").show_if == {"art_des_vorhabens": ["neubau"]}
    assert "{art_des_vorhabens}" in spec.user and "{document}" in spec.user
    values = {**spec.defaults(), "art_des_vorhabens": "umbau", "hinweise_des_amts": "Abstand"}
    messages = build_messages(spec, values, document="Antragstext")
    user = messages[-1]["content"]
    assert "Umbau" in user and "Abstand" in user and "Antragstext" in user
    assert "Geschossen" in user and '{"a": 1}' in user
    assert "{\u200bkein_feld}" in user  # a brace the clerk typed stays text, not a placeholder
    # and back: placeholders become chips again
    again = builder.from_spec(spec, as_copy=False)
    assert again.instructions.startswith("Schreibe eine kurze Stellungnahme zu einem «Art des")
    assert (
        "«Bauantrag»" in again.instructions
        and "{" not in again.instructions.replace('{"a"', "")[:80]
    )
    assert again.version == 1 and again.author == builder.current_user()


def test_validation_messages_in_plain_german() -> None:
    draft = TaskDraft(
        fields=[DraftField("Name"), DraftField("Name"), DraftField("Art", "choice", options=["a"])],
        instructions="Schreibe an «Vorname».",
    )
    messages = [p.message for p in builder.validate(draft)]
    assert "Bitte geben Sie der Aufgabe einen Titel." in messages
    assert "Der Feldname „Name“ kommt doppelt vor." in messages
    assert "Die Anweisung nennt das Feld „Vorname“, das es nicht gibt." in messages
    assert "Feld „Art“: Bitte mindestens zwei Auswahlmöglichkeiten." in messages
    with pytest.raises(builder.BuilderError):
        builder.save(draft)
    assert not builder.user_tasks_dir().exists() or not list(builder.user_tasks_dir().glob("*"))


def test_every_bundled_task_can_serve_as_a_template() -> None:
    for spec in load_catalog().ordered():
        if spec.runner != "standard":
            continue
        draft = builder.from_spec(spec, as_copy=True)
        assert draft.id == "" and draft.title.endswith("(Kopie)")
        assert not builder.validate(draft), (spec.id, builder.validate(draft))
        copy = builder.to_spec(draft)
        # same fields and the same conditions, so the copy behaves like the original
        assert [f.name for f in copy.fields] == [f.name for f in spec.fields]
        assert [f.show_if for f in copy.fields] == [f.show_if for f in spec.fields]
        values = spec.defaults()
        assert copy.visible_fields(values) and len(copy.visible_fields(values)) == len(
            spec.visible_fields(values)
        )


def test_edit_bumps_version_delete_and_undo() -> None:
    path = builder.save(bauantrag())
    spec = load_catalog(dirs=[path.parent]).get(path.stem)
    draft = builder.from_spec(spec, as_copy=False)
    draft.description = "Neu"
    assert builder.save(draft) == path
    assert builder.read_meta(path)["version"] == 2
    copy = builder.duplicate(path)
    assert copy != path and copy.is_file()
    trashed = builder.delete(path)
    assert not path.exists() and trashed.is_file()
    assert path.stem not in load_catalog(dirs=[path.parent]).tasks  # the trash is not read
    assert builder.restore(trashed) == path and path.is_file()


def test_nothing_half_written_when_the_loader_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    draft = bauantrag()
    path = builder.save(draft)
    before = path.read_text(encoding="utf-8")
    draft.instructions = "Text «Hinweise des Amts» {#if hinweise_des_amts}offen"  # no {/if}
    with pytest.raises(builder.TaskSpecError):
        builder.save(draft)
    assert path.read_text(encoding="utf-8") == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_preview_works_before_title_and_instructions() -> None:
    spec = builder.to_spec(TaskDraft(fields=[DraftField("Anliegen", "longtext")]))
    assert spec.title == "Neue Aufgabe" and [f.name for f in spec.fields] == ["anliegen"]
