"""settings.json survives what Windows editors and damaged disks do to it (issue 14, items 1, 6, 12)."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from llmoin_desktop.core.errors import SettingsError
from llmoin_desktop.core.settings.config import SCHEMA_VERSION, SettingsStore
from llmoin_desktop.core.settings.config_files import decode_text, move_aside
from llmoin_desktop.core.settings.config_validation import RULES


def user_file(dirs: dict[str, Path]) -> Path:
    return dirs["config"] / "settings.json"


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),  # Notepad, PowerShell 5.1 utf8
        lambda t: t.encode("utf-16"),  # PowerShell 5.1 default redirect (BOM + UTF-16-LE)
        lambda t: t.encode("utf-16-le"),  # no BOM
        lambda t: t.encode("cp1252"),  # an old editor
    ],
    ids=["utf8-bom", "utf16-bom", "utf16le", "cp1252"],
)
def test_foreign_encodings_are_read_not_destroyed(
    isolated_dirs: dict[str, Path],
    encode,  # noqa: ANN001
) -> None:
    text = json.dumps(
        {"schema_version": 1, "models_dir": "C:\\Modelle\\Grüße", "font_scale": 125},
        ensure_ascii=False,
    )
    user_file(isolated_dirs).write_bytes(encode(text))
    store = SettingsStore()
    assert store.problems == []
    assert store.settings.models_dir == "C:\\Modelle\\Grüße"
    assert store.settings.font_scale == 125
    store.set("max_tokens", 300)  # the next change keeps everything
    saved = json.loads(user_file(isolated_dirs).read_text(encoding="utf-8"))
    assert saved["models_dir"] == "C:\\Modelle\\Grüße" and saved["max_tokens"] == 300
    assert not list(isolated_dirs["config"].glob("*.broken-*"))


def test_broken_file_is_moved_aside_and_last_good_restored(isolated_dirs: dict[str, Path]) -> None:
    store = SettingsStore()
    store.set("font_scale", 150)
    assert (isolated_dirs["config"] / "settings.json.bak").exists()
    user_file(isolated_dirs).write_text('{"font_scale": 150,,, kaputt', encoding="utf-8")
    store = SettingsStore()
    broken = list(isolated_dirs["config"].glob("settings.json.broken-*"))
    assert len(broken) == 1 and "kaputt" in broken[0].read_text(encoding="utf-8")
    assert store.settings.font_scale == 150  # from the .bak copy
    assert any("aufbewahrt" in p and "wiederhergestellt" in p for p in store.problems)
    assert "Zeile 1" in store.problems[0]  # the JSON reason in German, not Python's English
    store.set("max_tokens", 99)  # writing again never touches the kept copy
    assert "kaputt" in broken[0].read_text(encoding="utf-8")
    assert SettingsStore().problems == []


def test_broken_file_without_backup_keeps_file_and_uses_defaults(
    isolated_dirs: dict[str, Path],
) -> None:
    user_file(isolated_dirs).write_bytes(b"\x00\x01 not json at all")
    store = SettingsStore()
    assert store.settings.font_scale == 100
    assert any("Standardwerte" in p for p in store.problems)
    store.set("font_scale", 110)
    kept = list(isolated_dirs["config"].glob("settings.json.broken-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == b"\x00\x01 not json at all"


def test_move_aside_never_overwrites(tmp_path: Path) -> None:
    folder = tmp_path / "aside"
    folder.mkdir()
    first = folder / "settings.json"
    names = set()
    for i in range(3):
        first.write_text(f"v{i}", encoding="utf-8")
        moved = move_aside(first)
        assert moved is not None and moved.name not in names
        names.add(moved.name)
    assert sorted(p.read_text() for p in folder.iterdir()) == ["v0", "v1", "v2"]


def test_non_numeric_schema_version_is_a_problem_not_a_crash(
    isolated_dirs: dict[str, Path],
) -> None:
    user_file(isolated_dirs).write_text(
        json.dumps({"schema_version": "zwei", "font_scale": 120}), encoding="utf-8"
    )
    store = SettingsStore()
    assert store.settings.font_scale == 120
    assert any("schema_version" in p for p in store.problems)
    store.set("max_tokens", 64)
    saved = json.loads(user_file(isolated_dirs).read_text(encoding="utf-8"))
    assert saved["schema_version"] == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("key", "bad"),
    [
        ("temperature", 50),
        ("temperature", -0.1),
        ("temperature", "nan"),
        ("n_threads", -3),
        ("max_tokens", 0),
        ("language", "fr"),
        ("backend", "cloud"),
        ("ask_search_terms", "maybe"),
        ("font_scale", 500),
        ("remote_url", "ftp://x"),
        ("n_ctx", 2.5),
        ("free_chat", [True]),
        ("models_dir", {"a": 1}),
    ],
)
def test_out_of_range_values_are_reported_and_replaced(
    isolated_dirs: dict[str, Path], key: str, bad: object
) -> None:
    user_file(isolated_dirs).write_text(
        json.dumps({"schema_version": 1, key: bad}), encoding="utf-8"
    )
    store = SettingsStore()
    default = SettingsStore(config_dir=isolated_dirs["data"]).settings
    assert getattr(store.settings, key) == getattr(default, key)
    assert len(store.problems) == 1 and key in store.problems[0]
    with pytest.raises(SettingsError):
        store.set(key, bad)
    # kept in the file until the user changes that key: nothing the user wrote is lost
    store.set("high_contrast", True)
    assert key in json.loads(user_file(isolated_dirs).read_text(encoding="utf-8"))


def test_rules_table_names_real_settings_only() -> None:
    from llmoin_desktop.core.settings.config import SETTING_KEYS

    assert set(RULES) <= set(SETTING_KEYS)


def test_key_without_rule_is_type_checked_only(isolated_dirs: dict[str, Path]) -> None:
    store = SettingsStore()
    store.set("idle_unload_minutes", 5)  # has a rule
    store.set("export_ai_note", "nein")  # no rule: the type decides
    assert store.settings.export_ai_note is False


def test_decode_text_order() -> None:
    assert decode_text("ä".encode())[1] == "utf-8"
    assert decode_text(codecs.BOM_UTF8 + b"{}") == ("{}", "utf-8-sig")
    assert decode_text("Grüße".encode("cp1252")) == ("Grüße", "cp1252")
    assert decode_text(b"\x81\x8d")[1] == "latin-1"  # undefined in cp1252, still no crash


def test_terms_acceptance_survives_bom_and_damage(isolated_dirs: dict[str, Path]) -> None:
    from llmoin_desktop.core import terms

    store = SettingsStore()
    path = terms.accept_current(store)
    data = path.read_bytes()
    path.write_bytes(codecs.BOM_UTF8 + data)
    assert not terms.needs_acceptance(store)
    path.write_text("{kaputt", encoding="utf-8")
    assert terms.needs_acceptance(store)
    terms.accept_current(store)
    assert list(path.parent.glob("terms_accepted.json.broken-*"))
    assert not terms.needs_acceptance(store)


def test_library_server_without_scheme_stays_valid(isolated_dirs: dict[str, Path]) -> None:
    (isolated_dirs["policy"] / "policy.toml").write_text(
        'library_server = "chroma.amt.intern:8000/recht"\n', encoding="utf-8"
    )
    store = SettingsStore()
    assert store.policy_mode == "ok" and store.settings.library_server.startswith("chroma")
    with pytest.raises(SettingsError):
        store.set("remote_url", "ki.amt.intern:8000")  # the remote backend needs the scheme
