"""A damaged history keeps what is readable; a history problem never costs a result."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from llmoin_desktop.core.history import HistoryError, HistoryStore, TolerantHistory
from llmoin_desktop.core.tasks.runner import TaskResult

PAGE = 4096


def _result(text: str) -> TaskResult:
    return TaskResult(
        task_id="zusammenfassen",
        values={"laenge": "kurz"},
        answer=text,
        output_kind="prose",
        sources=[],
        coverage="",
        messages=[],
    )


def _fill(path: Path, n: int = 200) -> HistoryStore:
    store = HistoryStore(path)
    for i in range(n):
        # ~900 bytes per entry: a handful per page, so one bad page costs a few entries
        store.add(_result(f"ENTRY-{i:04d} " + "Verwaltungstext " * 55), title="Zusammenfassen")
    return store


def damage_page_with(path: Path, marker: bytes) -> int:
    """Overwrite the page that holds ``marker`` with garbage; returns the page number."""
    data = bytearray(path.read_bytes())
    at = data.index(marker)
    page = at // PAGE
    data[page * PAGE : (page + 1) * PAGE] = b"\xa5" * PAGE
    path.write_bytes(bytes(data))
    return page + 1


def test_page_damage_salvages_readable_entries_and_keeps_the_file(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    _fill(path)
    damage_page_with(path, b"ENTRY-0100")
    with pytest.raises(sqlite3.DatabaseError):  # the plain scan the GUI used gives up
        con = sqlite3.connect(path)
        con.execute("SELECT * FROM history").fetchall()
    store = HistoryStore(path)
    kept = store.count()
    assert 190 <= kept < 200, kept
    assert store.notices and f"{kept} Einträge wurden gerettet" in store.notices[0]
    assert store.moved_to is not None and store.moved_to.exists()  # never deleted
    assert store.moved_to.name.startswith("history.sqlite3.damaged-")
    texts = {e.result[:10] for e in store.list(limit=500)}
    assert "ENTRY-0000" in texts and "ENTRY-0199" in texts and "ENTRY-0100" not in texts
    # the fresh file works, new ids never reuse old ones
    new_id = store.add(_result("neu"))
    assert new_id > 200
    assert HistoryStore(path).notices == []  # healthy now: no second repair


def test_zero_byte_history_is_damage_not_silence(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"")
    store = HistoryStore(path)
    assert store.notices and "0 Einträge" in store.notices[0]
    assert store.moved_to is not None and store.moved_to.exists()


def test_not_a_database_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not sqlite" * 500)
    store = HistoryStore(path)
    assert store.count() == 0 and store.notices
    assert store.moved_to is not None and store.moved_to.read_bytes().startswith(b"this is not")


def test_unopenable_history_is_reported_with_cause_and_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.mkdir()  # a folder where the file should be: cannot be opened, is not "damage"
    with pytest.raises(HistoryError, match="Verlauf"):
        HistoryStore(path)
    assert path.is_dir()  # left alone
    tolerant = TolerantHistory(path)
    assert tolerant.add(_result("x")) is None
    assert any("nicht im Verlauf gespeichert" in m for m in tolerant.messages)


def test_damage_found_while_open_is_salvaged_then_used(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = _fill(path, 60)
    damage_page_with(path, b"ENTRY-0030")
    entries = store.list()  # same instance (the open GUI): the read finds the damage
    assert 50 <= len(entries) < 60
    assert store.moved_to is not None and store.moved_to.exists()
    assert store.add(_result("nach dem Schaden"))


def test_gui_history_shows_salvaged_entries_and_says_so(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from fakes import FakeBackend
    from PySide6.QtCore import Qt
    from ui_helpers import make_window

    from llmoin_desktop.core.paths import user_data_dir

    path = user_data_dir() / "history.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    _fill(path)
    damage_page_with(path, b"ENTRY-0100")
    window, _b, _infos = make_window(qtbot, tmp_path, FakeBackend(token_delay=0.001))
    with qtbot.waitSignal(window.tasks.history_controller.loaded, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    view = window.tasks.history_view
    assert 190 <= view.table.rowCount() < 200  # was 0 of 200
    assert "gerettet" in view.message.accessibleName()
