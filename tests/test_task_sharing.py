"""Sharing own tasks: one-file export/import between two PCs, refusals naming file and line,
the department folder with versions and the publishing policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_task_builder import bauantrag

from llmoin_desktop.core.settings.config import Settings, SettingsStore
from llmoin_desktop.core.tasks import builder, sharing
from llmoin_desktop.core.tasks.catalog import load_catalog, task_dirs
from llmoin_desktop.core.tasks.sharing import SharingError


def other_pc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> Path:
    """Switch to another user's config folder (a colleague's PC)."""
    config = tmp_path / name
    config.mkdir()
    monkeypatch.setenv("LLMOIN_CONFIG_DIR", str(config))
    return config


def test_export_and_import_on_a_second_pc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = builder.save(bauantrag())
    spec = load_catalog(dirs=[path.parent]).get(path.stem)
    exported = sharing.export_task(spec, tmp_path / "Bauantrag")
    assert exported.name == "Bauantrag.llmoin-task"
    other_pc(monkeypatch, tmp_path, "pc2")
    bundled = set(load_catalog().tasks)
    preview = sharing.inspect_import(exported, other_ids=bundled)
    summary = preview.summary()
    assert "Stellungnahme zum Bauantrag" in summary and "«Art des Vorhabens»" in summary
    assert "Felder: Art des Vorhabens, Zahl der Geschosse, Bauantrag" in summary
    assert preview.replaces is None and not preview.renamed_from
    installed = sharing.install_import(preview)
    assert installed.parent == builder.user_tasks_dir()
    catalog = load_catalog(dirs=task_dirs(SettingsStore().settings))
    assert catalog.get(spec.id) is not None and not catalog.problems


def test_import_refuses_broken_and_malicious_files(tmp_path: Path) -> None:
    broken = tmp_path / "kaputt.llmoin-task"
    broken.write_text(
        'id = "x"\ntitle = "X"\n[[fields]]\nname = "a"\nkind = "zauber"\nlabel = "A"\n'
    )
    with pytest.raises(SharingError, match=r"kaputt.llmoin-task, Zeile 5"):
        sharing.inspect_import(broken, other_ids=set())
    binary = tmp_path / "bild.llmoin-task"
    binary.write_bytes(b'id = "x"\n\x00\x01')
    with pytest.raises(SharingError, match=r"bild.llmoin-task, Zeile 2.*Steuerzeichen"):
        sharing.inspect_import(binary, other_ids=set())
    big = tmp_path / "gross.toml"
    big.write_text("#" * (sharing.MAX_BYTES + 1))
    with pytest.raises(SharingError, match="zu groß"):
        sharing.inspect_import(big, other_ids=set())
    exe = tmp_path / "virus.exe"
    exe.write_text("x")
    with pytest.raises(SharingError, match="virus.exe"):
        sharing.inspect_import(exe, other_ids=set())
    # a special runner (library access) does not travel by e-mail
    library = Path(load_catalog().get("dokumente_fragen").path).read_text(encoding="utf-8")
    sneaky = tmp_path / "fragen.llmoin-task"
    sneaky.write_text(library.replace('id = "dokumente_fragen"', 'id = "fragen2"'))
    with pytest.raises(SharingError, match=r"fragen.llmoin-task, Zeile \d+.*IT"):
        sharing.inspect_import(sneaky, other_ids=set())
    # an icon that is a path (a network share) and odd metadata
    ok = builder.to_toml(TaskDraftWithId(bauantrag()))
    icon = tmp_path / "symbol.llmoin-task"
    icon.write_text(ok.replace('icon = "draft"', 'icon = "//server/share/x.svg"'), encoding="utf-8")
    with pytest.raises(SharingError, match=r"symbol.llmoin-task, Zeile 6.*Symbol"):
        sharing.inspect_import(icon, other_ids=set())
    odd = tmp_path / "seltsam.llmoin-task"
    odd.write_text(
        ok.replace("version = 0", 'version = "zwei"').replace("reasons = []", "reasons = 7"),
        encoding="utf-8",
    )
    assert sharing.inspect_import(odd, other_ids=set()).meta["version"] == "zwei"
    # a blocked use is refused outright
    draft = bauantrag()
    draft.title = "Wohngeld entscheiden"
    draft.instructions += " Entscheide, ob Wohngeld bewilligt wird."
    text = builder.to_toml(TaskDraftWithId(draft))
    bad = tmp_path / "wohngeld.llmoin-task"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(SharingError, match="nicht zulässig"):
        sharing.inspect_import(bad, other_ids=set())


def TaskDraftWithId(draft: builder.TaskDraft) -> builder.TaskDraft:  # noqa: N802
    draft.id = "wohngeld"
    return draft


def test_import_never_replaces_a_bundled_task(tmp_path: Path) -> None:
    source = Path(load_catalog().get("zusammenfassen").path)
    fake = tmp_path / "zusammenfassen.llmoin-task"
    fake.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    preview = sharing.inspect_import(fake, other_ids=set(load_catalog().tasks))
    assert preview.renamed_from == "zusammenfassen"
    assert preview.spec.id == "zusammenfassen_importiert"
    sharing.install_import(preview)
    catalog = load_catalog(dirs=task_dirs(SettingsStore().settings))
    assert catalog.get("zusammenfassen").path == source  # the original still counts


def _policy(dept: Path, **extra: object) -> Settings:
    return Settings(department_tasks_dir=str(dept), **extra)


def test_department_folder_newer_version_replaces_old_copy_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dept = tmp_path / "abteilung"
    dept.mkdir()
    settings = _policy(dept, task_publishing="alle")
    # "mmuster" publishes: on her PC she is the files' owner (the test itself runs as one user)
    from llmoin_desktop.core.tasks import file_owner

    monkeypatch.setattr(file_owner, "file_owner", lambda path: "mmuster")
    own = builder.save(bauantrag())
    spec = load_catalog(dirs=[own.parent]).get(own.stem)
    first = sharing.publish(spec, settings, user="mmuster", today="2026-11-01")
    assert first.name == "abt_stellungnahme_zum_bauantrag.toml"
    # a colleague sees it in the department section, makes her own copy
    other_pc(monkeypatch, tmp_path, "pc2")
    catalog = load_catalog(dirs=task_dirs(settings))
    shared = catalog.get("abt_stellungnahme_zum_bauantrag")
    assert sharing.section_of(shared, settings) == "abteilung"
    assert sharing.byline(shared) == "Von mmuster · Version 1 · 2026-11-01"
    mine = builder.from_spec(shared, as_copy=True)
    mine.description = "Meine Fassung"
    my_path = builder.save(mine, taken=set(catalog.tasks))
    # the author publishes version 2 (edited); IT also left an old file with the same id
    monkeypatch.setenv("LLMOIN_CONFIG_DIR", str(own.parent.parent))
    draft = builder.from_spec(spec, as_copy=False)
    draft.description = "Zweite Fassung"
    builder.save(draft)
    spec2 = load_catalog(dirs=[own.parent]).get(own.stem)
    sharing.publish(spec2, settings, user="mmuster", today="2026-11-20")
    (dept / "alt_kopie.toml").write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    (dept / "alt_kopie.toml").write_text(
        (dept / "alt_kopie.toml").read_text(encoding="utf-8").replace("version = 2", "version = 1")
    )
    monkeypatch.setenv("LLMOIN_CONFIG_DIR", str(my_path.parent.parent))
    catalog = load_catalog(dirs=task_dirs(settings))
    shared = catalog.get("abt_stellungnahme_zum_bauantrag")
    assert shared.description == "Zweite Fassung"
    assert sharing.byline(shared) == "Von mmuster · Version 2 · 2026-11-20"
    assert catalog.get(my_path.stem).description == "Meine Fassung"  # her copy stays hers
    assert sharing.section_of(catalog.get(my_path.stem), settings) == "eigene"


def test_publishing_policy(tmp_path: Path) -> None:
    dept = tmp_path / "abteilung"
    dept.mkdir()
    own = builder.save(bauantrag())
    spec = load_catalog(dirs=[own.parent]).get(own.stem)
    with pytest.raises(SharingError, match="nur die IT"):
        sharing.publish(spec, _policy(dept), user="mmuster")
    editors = _policy(dept, task_publishing="ausgewaehlte", task_editors=["MMuster"])
    assert sharing.may_publish(editors, "mmuster")[0]
    with pytest.raises(SharingError, match="benannte Personen"):
        sharing.publish(spec, editors, user="eschmidt")
    with pytest.raises(SharingError, match="kein Abteilungsordner"):
        sharing.publish(spec, Settings(task_publishing="alle"), user="x")


def test_warning_blocks_publishing_only_when_policy_says_so(tmp_path: Path) -> None:
    dept = tmp_path / "abteilung"
    dept.mkdir()
    draft = bauantrag()
    draft.title = "Arbeitszeugnis entwerfen"
    draft.instructions += " Beurteile die Leistung der Mitarbeiterin."
    own = builder.save(draft)
    spec = load_catalog(dirs=[own.parent]).get(own.stem)
    with pytest.raises(SharingError, match="Hochrisiko"):
        sharing.publish(spec, _policy(dept, task_publishing="alle"), user="a")
    settings = _policy(dept, task_publishing="alle", governance_warning_blocks_publishing=False)
    published = sharing.publish(spec, settings, user="a")
    assert builder.read_meta(published)["governance"]["level"] == "warnung"


def test_a_double_clicked_task_file_opens_the_gui(monkeypatch: pytest.MonkeyPatch) -> None:
    """File association: ``llmoin-desktop Bauantrag.llmoin-task`` starts the window (which shows
    the task and imports it on "Ja"), not the command line."""
    import llmoin_desktop.__main__ as entry
    from llmoin_desktop.ui import app

    seen: list[list[str]] = []
    monkeypatch.setattr(app, "run_gui", lambda argv: seen.append(list(argv)) or 0)
    assert entry.main(["/tmp/Bauantrag.llmoin-task"]) == 0
    assert seen == [["/tmp/Bauantrag.llmoin-task"]]


def test_a_shared_file_never_gets_a_path_as_its_tile_icon(tmp_path: Path) -> None:
    from llmoin_desktop.ui.controllers.tiles import spec_tile

    dept = tmp_path / "abteilung"
    dept.mkdir()
    text = builder.to_toml(TaskDraftWithId(bauantrag())).replace(
        'icon = "draft"', 'icon = "//server/share/x.svg"'
    )
    (dept / "wohngeld.toml").write_text(text, encoding="utf-8")
    settings = _policy(dept)
    spec = load_catalog(dirs=task_dirs(settings)).get("wohngeld")
    assert spec_tile(spec, settings).icon == "" and spec_tile(spec, settings).section == "abteilung"
