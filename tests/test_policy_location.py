"""IT's locks against a clerk without admin rights (issue 18, items 1, 2, 4, 5, 14).

IT's machine folder is simulated by pointing ``paths.machine_policy_dir`` at a temp folder
(what the code reads, not an environment variable); the attacks use what a clerk controls:
environment variables, her own files and command-line options.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import pytest

from llmoin_desktop.core import paths
from llmoin_desktop.core.errors import SettingLocked
from llmoin_desktop.core.settings.config import SettingsStore


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """IT's policy folder (what /etc/xdg/llmoin-desktop is on a real PC)."""
    folder = tmp_path / "machine"
    folder.mkdir()
    monkeypatch.setattr(paths, "machine_policy_dir", lambda: folder)
    return folder


def _it_policy(machine: Path, text: str = "free_chat = false\n") -> None:
    (machine / "policy.toml").write_text(text, encoding="utf-8")


def test_override_folder_cannot_remove_it_locks(
    machine: Path, isolated_dirs: dict[str, Path]
) -> None:
    _it_policy(machine, 'free_chat = false\nremote_url = ""\nexport_ai_note = true\n')
    # the clerk's own "policy" in the override folder (LLMOIN_POLICY_DIR, set by conftest)
    (isolated_dirs["policy"] / "policy.toml").write_text(
        'free_chat = true\nremote_url = "http://evil.example:8000"\nexport_ai_note = false\n',
        encoding="utf-8",
    )
    store = SettingsStore()
    assert store.policy_file == machine / "policy.toml"
    assert store.settings.free_chat is False and store.settings.export_ai_note is True
    assert store.settings.remote_url == ""
    # an empty override folder does not switch the locks off either
    (isolated_dirs["policy"] / "policy.toml").unlink()
    assert SettingsStore().settings.free_chat is False


def test_unreadable_machine_folder_counts_as_present(
    machine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_stat = os.stat

    def denied(path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if str(path).startswith(str(machine)):
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", denied)
    assert paths.machine_policy_present()
    assert paths.site_config_dir() == machine


def test_override_is_honoured_only_without_machine_policy(machine: Path) -> None:
    """Tests and CI keep working: no IT policy, so the override can only add locks."""
    assert paths.site_config_dir() == Path(os.environ["LLMOIN_POLICY_DIR"])
    _it_policy(machine)
    assert paths.site_config_dir() == machine


def test_installed_build_ignores_the_override(
    machine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert paths.site_config_dir() == machine


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG paths")
def test_xdg_config_dirs_does_not_move_the_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LLMOIN_POLICY_DIR")
    (tmp_path / "llmoin-desktop").mkdir()
    (tmp_path / "llmoin-desktop" / "policy.toml").write_text("free_chat = true\n")
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path))
    assert paths.site_config_dir() == Path("/etc/xdg/llmoin-desktop")


def test_resources_override_cannot_replace_tasks_or_rules_under_a_policy(
    machine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LLMOIN_RESOURCES would swap the trusted bundled tasks and the high-risk rules."""
    monkeypatch.setenv("LLMOIN_RESOURCES", str(tmp_path / "meine-ressourcen"))
    assert paths.resources_dir() == tmp_path / "meine-ressourcen"  # dev/test: no IT policy
    _it_policy(machine)
    assert paths.resources_dir() != tmp_path / "meine-ressourcen"
    assert (paths.resources_dir() / "governance" / "hochrisiko.toml").is_file()


def test_cache_of_another_policy_source_is_not_used(
    machine: Path, isolated_dirs: dict[str, Path]
) -> None:
    """A 'last valid policy' written while the override was in use never stands in for IT's."""
    (isolated_dirs["policy"] / "policy.toml").write_text("max_tokens = 512\n", encoding="utf-8")
    assert SettingsStore().policy_mode == "ok"  # cached from the override folder
    _it_policy(machine, "free_chat = \n")  # IT's file, broken
    store = SettingsStore()
    assert store.policy_mode == "lockdown" and store.settings.free_chat is False


def test_doctor_warns_when_the_policy_is_writable(
    machine: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from llmoin_desktop.cli.doctor_checks import config_section
    from llmoin_desktop.core.settings import policy_location

    _it_policy(machine)
    monkeypatch.setattr(policy_location, "is_admin", lambda: False)
    found = policy_location.writable_policy_paths()
    assert machine / "policy.toml" in found
    assert config_section(SettingsStore()) is False
    assert "nicht geschützt" in capsys.readouterr().out
    machine.chmod(0o555)
    (machine / "policy.toml").chmod(0o444)
    try:
        if os.geteuid() != 0:  # root ignores permission bits; the admin case is tested above
            assert policy_location.writable_policy_paths() == [machine.parent]  # rename it away
    finally:
        machine.chmod(0o755)
    # missing folder: the nearest existing folder above decides (could she create it?)
    monkeypatch.setattr(paths, "machine_policy_dir", lambda: machine / "fehlt" / "auch")
    assert policy_location.writable_policy_paths() == [machine]


def test_installer_creates_the_policy_folder_admin_only() -> None:
    iss = (paths.resources_dir().parent / "installers/windows/llmoin-desktop.iss").read_text(
        encoding="utf-8"
    )
    assert "[Dirs]" in iss and "users-readexec" in iss
    assert "/inheritance:r" in iss and "*S-1-5-32-545:(OI)(CI)RX" in iss


def test_user_file_cannot_grant_publishing_rights(isolated_dirs: dict[str, Path]) -> None:
    (isolated_dirs["config"] / "settings.json").write_text(
        json.dumps(
            {
                "task_publishing": "alle",
                "task_editors": ["mmuster"],
                "governance_rules_file": "/tmp/meine-regeln.toml",
                "own_tasks": True,
                "allowed_models": [],
            }
        ),
        encoding="utf-8",
    )
    store = SettingsStore()
    assert store.settings.task_publishing == "niemand"
    assert store.settings.task_editors == [] and store.settings.governance_rules_file == ""
    with pytest.raises(SettingLocked, match="nur die IT"):
        store.set("task_publishing", "alle")


def test_publishing_identity_comes_from_the_os_account(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import pwd

    from llmoin_desktop.core.settings.config import Settings
    from llmoin_desktop.core.tasks import builder, sharing

    for var in ("LOGNAME", "USER", "USERNAME", "LNAME"):
        monkeypatch.setenv(var, "mmuster")
    real = pwd.getpwuid(os.geteuid()).pw_name
    assert builder.current_user() == real != "mmuster"
    settings = Settings(
        department_tasks_dir=str(tmp_path), task_publishing="ausgewaehlte", task_editors=["mmuster"]
    )
    assert sharing.may_publish(settings)[0] is False


def _args(**kwargs: object) -> argparse.Namespace:
    return argparse.Namespace(lang=None, **kwargs)


def test_library_server_option_cannot_beat_a_locked_empty_server(machine: Path) -> None:
    from llmoin_desktop.cli.base import load_store, main

    _it_policy(machine, 'library_server = ""\n')
    with pytest.raises(SettingLocked):
        load_store(_args(library_server="http://evil.example:8000", library=None))
    assert main(["library", "--library-server", "http://evil.example:8000"]) == 1


def test_library_folder_must_stay_in_a_locked_data_dir(
    machine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmoin_desktop.cli.base import load_store, main

    target = tmp_path / "amt-daten"
    _it_policy(machine, f'data_dir = "{target.as_posix()}"\n')
    with pytest.raises(SettingLocked, match="Datenordner"):
        load_store(_args(library=str(tmp_path / "privat"), library_server=None))
    assert main(["index", "--library", str(tmp_path / "privat"), str(tmp_path)]) == 1
    assert not (tmp_path / "privat").exists()
    monkeypatch.setenv("LLMOIN_LIBRARY_DIR", str(tmp_path / "privat"))
    load_store(_args(library=None, library_server=None))  # the variable is dropped (GUI too)
    from llmoin_desktop.core.library.library import default_library_dir

    assert default_library_dir() == target / "library"
    # a locked data_dir also beats LLMOIN_DATA_DIR pointing elsewhere
    monkeypatch.delenv("LLMOIN_LIBRARY_DIR", raising=False)
    load_store(_args(library=str(target / "lib"), library_server=None))
    assert paths.user_data_dir() == target


def test_cli_asks_for_it_terms_of_use(machine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from llmoin_desktop.cli.base import main

    _it_policy(machine, "usage_terms_text = '''Nur dienstlich nutzen.'''\n")
    assert main(["chat", "Hallo"]) == 1  # stdin is no terminal: no model is loaded
    assert "terms --accept" in capsys.readouterr().err
    assert main(["terms", "--accept"]) == 0
    from llmoin_desktop.cli.terms import terms_required

    assert not terms_required(SettingsStore())


def test_allowed_models_hold_for_every_door(
    machine: Path, demo_model_path: Path, tmp_path: Path
) -> None:
    from llmoin_desktop.cli.base import main, pick_model
    from llmoin_desktop.core.engine.local import LocalBackend
    from llmoin_desktop.core.errors import LLMoinError

    _it_policy(machine, 'allowed_models = ["freigegeben.gguf"]\n')
    store = SettingsStore()
    backend = LocalBackend(store)
    try:
        with pytest.raises(SettingLocked, match="allowed_models"):
            backend.load(demo_model_path)
        assert backend.status().state != "ready"
    finally:
        backend.close()
    assert main(["chat", "Hallo", "--model", str(demo_model_path)]) == 1
    with pytest.raises(LLMoinError):
        pick_model(store, None)  # the demo model is not on IT's list
    from llmoin_desktop.core.settings.model_policy import model_allowed, sha256_of

    digest = sha256_of(demo_model_path)
    _it_policy(machine, f'allowed_models = ["{digest}"]\n')
    assert model_allowed(SettingsStore().settings, demo_model_path)
    renamed = tmp_path / "freigegeben.gguf"
    renamed.write_bytes(b"GGUF-nicht-das-Modell")
    assert not model_allowed(SettingsStore().settings, renamed)


def test_default_model_as_a_bare_file_name_in_it_models_dir(
    machine: Path, demo_model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmoin_desktop.cli.base import pick_model

    models = tmp_path / "modelle"
    models.mkdir()
    (models / "amtsmodell.gguf").symlink_to(demo_model_path)
    _it_policy(machine, f'models_dir = "{models.as_posix()}"\ndefault_model = "amtsmodell.gguf"\n')
    elsewhere = tmp_path / "anderswo"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    info = pick_model(SettingsStore(), None)
    assert info.path.name == "amtsmodell.gguf"
