"""A broken policy never drops IT's locks (issue 14, items 6 and 13)."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from llmoin_desktop.core.errors import SettingLocked
from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.core.settings.policy_load import CACHE_FILE, LOCKDOWN

GOOD = 'free_chat = false\nbackend = "local"\n# Für die Abteilung Bürgerdienste\nmax_tokens = 512\n'


def write(dirs: dict[str, Path], data: bytes) -> None:
    (dirs["policy"] / "policy.toml").write_bytes(data)


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + GOOD.encode("utf-8"),
        GOOD.encode("cp1252"),
        GOOD.encode("utf-16"),
    ],
    ids=["utf8-bom", "cp1252", "utf16"],
)
def test_bom_and_windows_1252_are_simply_read(isolated_dirs: dict[str, Path], data: bytes) -> None:
    write(isolated_dirs, data)
    store = SettingsStore()
    assert store.problems == [] and store.policy_mode == "ok"
    assert store.settings.free_chat is False and store.settings.max_tokens == 512
    assert store.is_locked("free_chat")


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ('free_chat = false\nbackend = "remote\n', 2, "Syntaxfehler"),
        ("free_chat = false\nmax_tokens = viel\n", 2, "Syntaxfehler"),
        ("free_chat = vielleicht\n", 1, "Syntaxfehler"),
        ('free_chat = "vielleicht"\n', 1, "free_chat"),
        ("free_chats = false\n", 1, "Unbekannte Einstellung"),
        ("free_chat = false\ntemperature = 7\n", 2, "temperature"),
        ('free_chat = false\n[defaults]\nlanguage = "fr"\n', 3, "language"),
        ("free_chat = false\ndefaults = 3\n", 2, "defaults"),
    ],
)
def test_broken_policy_without_cache_locks_down(
    isolated_dirs: dict[str, Path], text: str, line: int, reason: str
) -> None:
    write(isolated_dirs, text.encode("utf-8"))
    store = SettingsStore()
    assert store.policy_mode == "lockdown"
    for key, value in LOCKDOWN.items():
        assert getattr(store.settings, key) == value and store.is_locked(key)
    message = store.problems[0]
    assert "policy.toml" in message and f"Zeile {line}" in message and reason in message
    assert "Sicherheitssperren" in message
    with pytest.raises(SettingLocked):
        store.set("free_chat", True)


def test_broken_policy_keeps_the_last_valid_one(isolated_dirs: dict[str, Path]) -> None:
    write(isolated_dirs, GOOD.encode("utf-8"))
    assert SettingsStore().policy_mode == "ok"
    assert (isolated_dirs["config"] / CACHE_FILE).exists()
    write(isolated_dirs, codecs.BOM_UTF8 + b"free_chat = false\n[defaults\n")
    store = SettingsStore()
    assert store.policy_mode == "cached"
    assert store.settings.max_tokens == 512 and store.is_locked("max_tokens")
    assert store.settings.free_chat is False
    assert "zuletzt gültige Richtlinie" in store.problems[0] and "Zeile 2" in store.problems[0]
    # the user's own settings still apply under the cached policy
    store.set("font_scale", 125)
    assert SettingsStore().settings.font_scale == 125


def test_tampered_cache_is_not_trusted(isolated_dirs: dict[str, Path]) -> None:
    write(isolated_dirs, GOOD.encode("utf-8"))
    SettingsStore()
    cache = isolated_dirs["config"] / CACHE_FILE
    data = json.loads(cache.read_text(encoding="utf-8"))
    data["locked"]["free_chat"] = "ja bitte"  # hand-edited into something invalid
    cache.write_text(json.dumps(data), encoding="utf-8")
    write(isolated_dirs, b"free_chat = \n")
    store = SettingsStore()
    assert store.policy_mode == "lockdown" and store.settings.free_chat is False


def test_unreadable_policy_fails_closed(
    isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmoin_desktop.core.settings import policy_load

    write(isolated_dirs, GOOD.encode("utf-8"))

    def denied(path: Path) -> tuple[str, str]:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(policy_load, "read_text_any", denied)
    store = SettingsStore()
    assert store.policy_mode == "lockdown" and store.settings.free_chat is False
    assert "nicht lesbar" in store.problems[0]


def test_registry_errors_fail_closed(isolated_dirs: dict[str, Path]) -> None:
    """The Windows path: wrong types in Group Policy values and an unreadable key."""
    from llmoin_desktop.core.settings.config import coerce
    from llmoin_desktop.core.settings.config_validation import check_rule
    from llmoin_desktop.core.settings.policy_load import load_policy

    policy = isolated_dirs["policy"] / "policy.toml"
    state = load_policy(
        policy, isolated_dirs["config"], coerce, check_rule, lambda: {"free_chat": b"\x00"}
    )
    assert state.mode == "lockdown" and "HKLM" in state.problems[0]

    def denied() -> dict:
        raise PermissionError(13, "Zugriff verweigert")

    state = load_policy(policy, isolated_dirs["config"], coerce, check_rule, denied)
    assert state.mode == "lockdown" and "Zugriff verweigert" in state.problems[0]
    good = load_policy(
        policy,
        isolated_dirs["config"],
        coerce,
        check_rule,
        lambda: {"free_chat": 0, "defaults": {"max_tokens": 300}},
    )
    assert good.mode == "ok" and good.locked == {"free_chat": False}
    assert good.defaults == {"max_tokens": 300}


def test_no_policy_means_no_locks(isolated_dirs: dict[str, Path]) -> None:
    store = SettingsStore()
    assert store.policy_mode == "none" and store.policy_locked == {} and store.problems == []


@pytest.mark.parametrize("data", [b"", b"  \n", codecs.BOM_UTF8])
def test_empty_policy_file_is_damage_not_freedom(
    isolated_dirs: dict[str, Path], data: bytes
) -> None:
    write(isolated_dirs, data)
    store = SettingsStore()
    assert store.policy_mode == "lockdown" and "leer" in store.problems[0]
    write(isolated_dirs, b"# keine Sperren\n")  # only comments: a deliberate empty policy
    assert SettingsStore().policy_mode == "ok"
