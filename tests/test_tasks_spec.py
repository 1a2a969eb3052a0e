"""Task files: every bundled task loads, renders prompts, has English texts; broken ones are
reported with file and line and skipped; IT's folder and the allow/hide settings work."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmoin_desktop.core import i18n
from llmoin_desktop.core.settings.config import Settings
from llmoin_desktop.core.tasks import render, template
from llmoin_desktop.core.tasks.catalog import bundled_tasks_dir, load_catalog
from llmoin_desktop.core.tasks.spec import TaskInputError, TaskSpecError, load_task_file

TASK_FILES = sorted(p for p in bundled_tasks_dir().glob("*.toml") if not p.name.startswith("_"))
EXPECTED = {"zusammenfassen", "entwurf", "einfache_sprache", "extrahieren"}

MINIMAL = """id = "{id}"
title = "Test"
[[fields]]
name = "text"
kind = "longtext"
label = "Text"
source = true
[prompt]
system = "Sei hilfreich."
user = "Mach: {{document}}"
"""


def test_bundled_catalogue_is_complete() -> None:
    catalog = load_catalog(Settings())
    assert catalog.problems == []
    assert set(catalog.tasks) >= EXPECTED


@pytest.mark.parametrize("path", TASK_FILES, ids=lambda p: p.stem)
def test_every_task_file_loads_and_renders(path: Path) -> None:
    spec = load_task_file(path)
    values = spec.defaults()
    for f in spec.fields:
        if f.kind in ("text", "longtext") and not values.get(f.name):
            values[f.name] = "Beispielinhalt"
    system = render.render_system(spec, values)
    assert system and "{" not in system
    if spec.runner == "library":  # "Dokumente fragen": passages come as {quellen}, no document
        from llmoin_desktop.core.tasks.library_task import user_template_for

        filled = user_template_for(spec, values).format(quellen="QUELLEN", frage="FRAGE")
        assert "QUELLEN" in filled and "FRAGE" in filled
        return
    user = render.render_user(spec, values, document="DOKUMENTTEXT")
    assert "DOKUMENTTEXT" in user
    assert not any(tok in user for tok in ("{#if", "{/if}", "{#else}"))
    mapped = render.render_map(
        spec, values, text_part="TEIL", part=2, parts=5, range_label="Seiten 3–4"
    )
    assert "TEIL" in mapped


@pytest.mark.parametrize("path", TASK_FILES, ids=lambda p: p.stem)
def test_every_task_has_english_texts(path: Path) -> None:
    spec = load_task_file(path)
    i18n.set_language("en")
    try:
        missing = [s for s in spec.ui_strings() if spec.t(s) == s and not s.isascii()]
        untranslated = [
            s
            for s in spec.ui_strings()
            if s not in spec.translations.get("en", {}) and i18n._(s) == s
        ]
    finally:
        i18n.set_language("de")
    assert missing == []
    # ASCII-only German words ("Text", "E-Mail") may legitimately stay; everything else must differ.
    assert all(s.isascii() for s in untranslated), untranslated


def test_system_preamble_is_the_same_for_all_tasks() -> None:
    """One shared preamble: a task switch still reuses the KV cache prefix."""
    specs = load_catalog(Settings()).tasks.values()
    systems = {render.render_system(s, s.defaults()) for s in specs if s.runner == "standard"}
    assert len(systems) == 1
    preamble = systems.pop()
    for s in specs:  # other kinds (library) add their rules after the same preamble
        assert render.render_system(s, s.defaults()).startswith(preamble), s.id


def test_template_sections_and_conditions() -> None:
    src = 'A{#if x}[{x}]{#else}-{/if}{#if k=b}B{/if}{#if k!=b}N{/if}{#if m=2}M{/if} {"json": 1}'
    assert template.render(src, {"x": "1", "k": "b", "m": ["1", "2"]}) == 'A[1]BM {"json": 1}'
    assert template.render(src, {"x": "", "k": "c", "m": []}) == 'A-N {"json": 1}'
    for bad in ("{#if a}x", "x{/if}", "{#else}", "{#if a b c!}x{/if}"):
        with pytest.raises(template.TemplateSyntaxError):
            template.names_used(bad)


def test_conditional_fields_follow_the_draft_kind() -> None:
    spec = load_catalog(Settings()).get("entwurf")
    assert spec is not None
    values = spec.defaults()
    visible = {f.name for f in spec.visible_fields(values)}
    assert {"anschrift", "ihr_zeichen", "dokument"} <= visible and "redner" not in visible
    assert spec.output_kind(values) == "letter"
    values["art"] = "rede"
    visible = {f.name for f in spec.visible_fields(values)}
    assert "redner" in visible and "anschrift" not in visible and "dokument" not in visible
    assert spec.output_kind(values) == "prose"
    # Hidden fields never reach the prompt.
    values["anschrift"] = "Geheimstraße 1"
    user = render.render_user(spec, {**values, "betreff": "Fest", "kernpunkte": "Dank"})
    assert "Geheimstraße" not in user and "Rede" in user


def test_validation_and_cli_values() -> None:
    spec = load_catalog(Settings()).get("entwurf")
    assert spec is not None
    problems = spec.validate(spec.defaults())
    assert set(problems) == {"betreff", "kernpunkte"}
    assert "Pflichtfeld" in problems["betreff"]
    assert spec.parse_value("ton", "Förmlich") == "foermlich"
    assert spec.parse_value("ton", "freundlich") == "freundlich"
    with pytest.raises(TaskInputError, match="Möglich: foermlich"):
        spec.parse_value("ton", "laut")
    with pytest.raises(TaskInputError, match="kein Feld"):
        spec.parse_value("farbe", "rot")
    extract = load_catalog(Settings()).get("extrahieren")
    assert extract is not None
    assert extract.parse_value("arten", "fristen, Beträge") == ["fristen", "betraege"]
    assert "dokument" in extract.validate(extract.defaults())  # one of document/text needed


BROKEN = {
    "syntax.toml": ('id = "kaputt"\ntitle = "x\n', "syntax.toml, Zeile 2"),
    "kind.toml": (
        MINIMAL.replace('kind = "longtext"', 'kind = "farbe"').format(id="kind"),
        "Zeile 5",
    ),
    "unknown_var.toml": (
        MINIMAL.replace("{{document}}", "{{gibtsnicht}}").format(id="unk"),
        "gibtsnicht",
    ),
    "unclosed.toml": (
        MINIMAL.replace("{{document}}", "{{#if text}}x").format(id="uncl"),
        "ohne {/if}",
    ),
    "noprompt.toml": ('id = "np"\ntitle = "T"\n', "[prompt]"),
}


def test_broken_task_files_are_reported_and_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "it_tasks"
    folder.mkdir()
    for name, (text, _hint) in BROKEN.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "gut.toml").write_text(MINIMAL.format(id="gut"), encoding="utf-8")
    catalog = load_catalog(Settings(extra_tasks_dir=str(folder)))
    assert "gut" in catalog.tasks and set(catalog.tasks) >= EXPECTED
    assert len(catalog.problems) == len(BROKEN)
    for name, (_text, hint) in BROKEN.items():
        msg = next(p for p in catalog.problems if name in p)
        assert hint in msg, msg
    with pytest.raises(TaskSpecError, match=r"kind\.toml, Zeile 5"):
        load_task_file(folder / "kind.toml")


def test_allowed_and_hidden_tasks_and_override(tmp_path: Path) -> None:
    folder = tmp_path / "it"
    folder.mkdir()
    (folder / "zusammenfassen.toml").write_text(
        MINIMAL.format(id="zusammenfassen").replace('title = "Test"', 'title = "IT-Fassung"'),
        encoding="utf-8",
    )
    catalog = load_catalog(Settings(extra_tasks_dir=str(folder), hidden_tasks=["entwurf"]))
    assert catalog.get("zusammenfassen").title == "IT-Fassung"
    assert "entwurf" not in catalog.tasks
    only = load_catalog(Settings(allowed_tasks=["extrahieren"]))
    assert list(only.tasks) == ["extrahieren"]
    missing = load_catalog(Settings(extra_tasks_dir=str(tmp_path / "nope")))
    assert any("nicht gefunden" in p for p in missing.problems)
