"""Settings layering: defaults < policy defaults < user < locked policy; broken files survive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmoin_desktop.core.errors import SettingLocked, SettingsError
from llmoin_desktop.core.settings.config import SCHEMA_VERSION, SettingsStore


def write_policy(policy_dir: Path, text: str) -> None:
    (policy_dir / "policy.toml").write_text(text, encoding="utf-8")


def test_defaults_without_files(isolated_dirs: dict[str, Path]) -> None:
    store = SettingsStore()
    assert store.settings.language == "de"
    assert store.settings.idle_unload_minutes == 10
    assert store.source("language") == "default"
    assert store.problems == []
    assert store.user_file.parent == isolated_dirs["config"]


def test_user_overrides_default_and_is_saved(isolated_dirs: dict[str, Path]) -> None:
    store = SettingsStore()
    store.set("idle_unload_minutes", "3")
    assert store.settings.idle_unload_minutes == 3
    data = json.loads(store.user_file.read_text(encoding="utf-8"))
    assert data == {"schema_version": SCHEMA_VERSION, "idle_unload_minutes": 3}
    assert SettingsStore().settings.idle_unload_minutes == 3


def test_policy_locks_keys_and_beats_user(isolated_dirs: dict[str, Path]) -> None:
    (isolated_dirs["config"] / "settings.json").write_text(
        json.dumps({"schema_version": 1, "free_chat": True, "language": "en", "max_tokens": 99}),
        encoding="utf-8",
    )
    write_policy(
        isolated_dirs["policy"],
        'free_chat = false\nmodels_dir = "/srv/models"\n[defaults]\nlanguage = "de"\nmax_tokens = 500\n',
    )
    store = SettingsStore()
    assert store.settings.free_chat is False  # locked policy beats the user
    assert store.is_locked("free_chat") and store.source("free_chat") == "policy"
    assert store.settings.language == "en"  # user beats a policy default
    assert not store.is_locked("language")
    assert store.settings.max_tokens == 99
    with pytest.raises(SettingLocked) as exc:
        store.set("free_chat", True)
    assert "Administrator" in exc.value.user_message
    assert Path("/srv/models") in store.models_dirs()


def test_policy_default_applies_when_user_silent(isolated_dirs: dict[str, Path]) -> None:
    write_policy(isolated_dirs["policy"], "[defaults]\nmax_tokens = 500\n")
    store = SettingsStore()
    assert store.settings.max_tokens == 500
    assert store.source("max_tokens") == "policy-default"
    store.set("max_tokens", 200)
    assert store.settings.max_tokens == 200


def test_broken_files_are_reported_not_fatal(isolated_dirs: dict[str, Path]) -> None:
    write_policy(isolated_dirs["policy"], "this is = = not toml\n")
    (isolated_dirs["config"] / "settings.json").write_text("{broken", encoding="utf-8")
    store = SettingsStore()
    assert store.settings.language == "de"
    assert len(store.problems) == 2
    assert any("Richtlinie" in p for p in store.problems)


def test_bad_values_are_rejected_with_message(isolated_dirs: dict[str, Path]) -> None:
    write_policy(isolated_dirs["policy"], 'idle_unload_minutes = "viel"\nunknown_key = 1\n')
    store = SettingsStore()
    assert store.settings.idle_unload_minutes == 10
    # one loud message naming both keys with their lines; the policy fails closed
    assert len(store.problems) == 1
    assert "Zeile 1" in store.problems[0] and "Zeile 2" in store.problems[0]
    assert "unknown_key" in store.problems[0] and store.policy_mode == "lockdown"
    with pytest.raises(SettingsError):
        store.set("max_tokens", "zehn")


def test_migration_from_unversioned_file(isolated_dirs: dict[str, Path]) -> None:
    (isolated_dirs["config"] / "settings.json").write_text(
        json.dumps({"unload_minutes": 7}), encoding="utf-8"
    )
    store = SettingsStore()
    assert store.settings.idle_unload_minutes == 7
    store.save()
    saved = json.loads(store.user_file.read_text(encoding="utf-8"))
    assert saved["schema_version"] == SCHEMA_VERSION and "unload_minutes" not in saved


def test_unwritable_config_gives_clear_error(
    isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x", encoding="utf-8")
    store = SettingsStore(config_dir=blocker / "sub")
    with pytest.raises(SettingsError) as exc:
        store.set("max_tokens", 10)
    assert "nicht gespeichert" in exc.value.user_message


def test_data_dir_setting_becomes_the_data_folder(
    isolated_dirs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmoin_desktop.core import paths
    from llmoin_desktop.core.settings.config import apply_data_dir

    target = tmp_path / "amt-daten"
    write_policy(isolated_dirs["policy"], f'data_dir = "{target}"\n')
    monkeypatch.delenv("LLMOIN_DATA_DIR")
    apply_data_dir(SettingsStore())
    assert paths.user_data_dir() == target
    # An explicit folder (trainer sandbox, tests) wins inside IT's locked folder, never
    # outside it: the variable is the clerk's to set, the lock is not (issue 18).
    monkeypatch.setenv("LLMOIN_DATA_DIR", str(target / "sandbox"))
    apply_data_dir(SettingsStore())
    assert paths.user_data_dir() == target / "sandbox"
    monkeypatch.setenv("LLMOIN_DATA_DIR", str(tmp_path / "elsewhere"))
    apply_data_dir(SettingsStore())
    assert paths.user_data_dir() == target
