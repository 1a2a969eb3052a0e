"""Issue 18, item 12: data at rest. Files 0600 / folders 0700, secure_delete, the history's
retention period and off switch, no API key in plain text in the policy cache."""

from __future__ import annotations

import sqlite3
import stat
import sys
import time
from pathlib import Path

import pytest

from llmoin_desktop.core.history import HistoryStore
from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.core.settings.policy_load import CACHE_FILE
from llmoin_desktop.core.tasks.runner import TaskResult

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


def _result(text: str) -> TaskResult:
    return TaskResult(task_id="zusammenfassen", values={}, answer=text, output_kind="prose")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
def test_history_file_and_folder_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "daten"
    store = HistoryStore(folder / "history.sqlite3")
    store.add(_result("Bescheid an Frau Muster"))
    assert _mode(folder) == 0o700
    assert _mode(store.path) == 0o600
    for side in folder.glob("history.sqlite3-*"):
        assert _mode(side) == 0o600


@posix_only
def test_an_old_world_readable_history_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "alt" / "history.sqlite3"
    HistoryStore(path).add(_result("alt"))
    path.chmod(0o644)
    path.parent.chmod(0o755)
    HistoryStore(path)
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700


@pytest.fixture
def sqlite_without_secure_delete(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite as Python's Windows build ships it: secure_delete off unless a connection asks
    (this Linux build has it on by default, which would hide a missing PRAGMA)."""
    real = sqlite3.connect

    def connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        con = real(*args, **kwargs)  # type: ignore[arg-type]
        con.execute("PRAGMA secure_delete=OFF")
        return con

    monkeypatch.setattr(sqlite3, "connect", connect)


@pytest.mark.usefixtures("sqlite_without_secure_delete")
def test_deleted_history_text_is_overwritten_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = HistoryStore(path)
    marker = "GEHEIMER-BESCHEID-" + "x" * 2000
    entry = store.add(_result(marker))
    store.add(_result("bleibt"))
    assert marker.encode() in path.read_bytes()
    assert store.delete(entry)
    assert marker[:40].encode() not in path.read_bytes()  # secure_delete: zeroed, not freed


def test_retention_deletes_older_entries_at_open(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = HistoryStore(path, retention_days=0)
    old = store.add(_result("vor 40 Tagen"))
    new = store.add(_result("gestern"))
    con = sqlite3.connect(path)
    with con:
        con.execute(
            "UPDATE history SET created_at=?, updated_at=? WHERE id=?",
            (time.time() - 40 * 86400, time.time() - 40 * 86400, old),
        )
    con.close()
    again = HistoryStore(path, retention_days=30)
    assert again.expired == 1
    assert [e.id for e in again.list()] == [new]


def test_retention_and_off_switch_come_from_it_policy(isolated_dirs: dict[str, Path]) -> None:
    (isolated_dirs["policy"] / "policy.toml").write_text(
        "history_enabled = false\nhistory_retention_days = 7\n", encoding="utf-8"
    )
    store = HistoryStore()
    assert store.enabled is False and store.retention_days == 7
    assert store.add(_result("darf nicht gespeichert werden")) is None
    assert store.list() == [] and store.count() == 0
    assert not store.path.exists()  # no history file at all


def test_history_off_stores_nothing_in_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    HistoryStore(path, enabled=True, retention_days=0).add(_result("früher"))
    off = HistoryStore(path, enabled=False, retention_days=0)
    assert off.add(_result("jetzt")) is None
    assert [e.result for e in off.list()] == ["früher"]


def test_policy_cache_keeps_no_api_key_in_plain_text(isolated_dirs: dict[str, Path]) -> None:
    policy = isolated_dirs["policy"] / "policy.toml"
    policy.write_text(
        'backend = "remote"\nremote_url = "http://127.0.0.1:9"\n'
        'remote_api_key = "sk-geheim-4711"\nfree_chat = false\n',
        encoding="utf-8",
    )
    store = SettingsStore()
    assert store.settings.remote_api_key == "sk-geheim-4711"
    cache = (isolated_dirs["config"] / CACHE_FILE).read_text(encoding="utf-8")
    assert "sk-geheim-4711" not in cache
    assert "sha256:" in cache
    # IT's file breaks: the cached policy still locks the key, without knowing it
    policy.write_text("free_chat = ", encoding="utf-8")
    broken = SettingsStore()
    assert broken.policy_mode == "cached"
    assert broken.settings.free_chat is False
    assert broken.policy_locked.get("remote_api_key") == ""
    # a changed key is noticed (the hash changes) and the cache rewritten
    policy.write_text(
        'backend = "remote"\nremote_url = "http://127.0.0.1:9"\nremote_api_key = "neu"\n',
        encoding="utf-8",
    )
    SettingsStore()
    assert cache != (isolated_dirs["config"] / CACHE_FILE).read_text(encoding="utf-8")


@posix_only
@pytest.mark.usefixtures("sqlite_without_secure_delete")
def test_library_database_is_private_and_securely_deleted(tmp_path: Path) -> None:
    from llmoin_desktop.core.library.store import Store

    (tmp_path / "bibliothek").mkdir(mode=0o755)
    store = Store(tmp_path / "bibliothek" / "library.sqlite3")
    assert _mode(store.path) == 0o600 and _mode(store.path.parent) == 0o700
    assert store.conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    store.conn.close()


@posix_only
def test_the_app_creates_its_files_private(tmp_path: Path) -> None:
    """A real start of the app (CLI): what it writes into a new data folder is 0600/0700,
    whatever the umask of the session that started it."""
    import os
    import subprocess

    data, config = tmp_path / "neu" / "daten", tmp_path / "neu" / "config"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMOIN_")}
    env.update(LLMOIN_DATA_DIR=str(data), LLMOIN_CONFIG_DIR=str(config))
    env["LLMOIN_POLICY_DIR"] = str(tmp_path / "policy")
    code = "import os, sys; os.umask(0o022); from llmoin_desktop.__main__ import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", code, "terms", "--accept"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    written = [p for p in data.rglob("*")]
    assert written
    for path in [data, *written]:
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_ocr_cache_is_removed_with_its_document(corpus_dir: Path, tmp_path: Path) -> None:
    """The text recognised from a scan does not outlive the document in the cache, even when
    the file itself was deleted first."""
    from llmoin_desktop.core.documents.scan_text import cache_dir, file_hash
    from llmoin_desktop.core.jobs import Job
    from llmoin_desktop.core.library.library import Library

    scan = tmp_path / "beschwerde.jpg"
    scan.write_bytes((corpus_dir / "scans" / "beschwerde-laerm-foto.jpg").read_bytes())
    sha = file_hash(scan)
    lib = Library.open(tmp_path / "lib", embedder=None)
    lib.add([scan])
    report = Job(lib.index_pending).run()
    assert report is not None and report.outcomes[0].status == "indexed"
    cached = list(cache_dir().rglob(f"{sha}-*.json"))
    assert cached, "the scan's text was cached"
    assert list((cache_dir() / "pages").glob("*.json"))
    scan.unlink()
    assert lib.remove(scan)
    assert not list(cache_dir().rglob(f"{sha}-*.json"))
    assert not list((cache_dir() / "pages").glob("*.json"))
