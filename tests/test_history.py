"""Local history: add, list, get, delete one, delete all; a broken database gives a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmoin_desktop.core.history import HistoryError, HistoryStore
from llmoin_desktop.core.paths import user_data_dir
from llmoin_desktop.core.tasks.runner import TaskResult


def _result(text: str) -> TaskResult:
    return TaskResult(
        task_id="zusammenfassen",
        values={"laenge": "kurz", "fokus": "", "arten": ["fristen"]},
        answer=text,
        output_kind="prose",
        sources=["vwvfg.pdf"],
        coverage="Grundlage: vwvfg.pdf",
        messages=[{"role": "user", "content": "x"}],
    )


def test_history_round_trip_and_deletion() -> None:
    store = HistoryStore()
    assert store.path.parent == user_data_dir()
    first = store.add(_result("Erste Ümlaut-Zusammenfassung"), title="Zusammenfassen")
    second = store.add(_result("Zweite"), title="Zusammenfassen")
    again = HistoryStore()  # a new instance reads the same file
    entries = again.list()
    assert [e.id for e in entries] == [second, first]
    entry = again.get(first)
    assert entry is not None
    assert entry.result == "Erste Ümlaut-Zusammenfassung\n\nGrundlage: vwvfg.pdf"
    assert entry.values == {"laenge": "kurz", "arten": ["fristen"]}  # empty fields not stored
    assert entry.sources == ["vwvfg.pdf"] and entry.messages[0]["content"] == "x"
    again.update_result(first, "bearbeitet")
    assert again.get(first).result == "bearbeitet"
    assert again.delete(first) is True and again.delete(first) is False
    assert again.get(first) is None and again.count() == 1
    assert again.list(task_id="andere") == []
    assert again.clear() == 1 and again.count() == 0


def test_broken_database_is_moved_aside_with_a_notice(tmp_path: Path) -> None:
    # Was: an error. Now (issue 14) the damaged file is kept aside and a fresh history opens;
    # tests/test_history_salvage.py covers the salvage in detail.
    bad = tmp_path / "history.sqlite3"
    bad.write_bytes(b"this is not sqlite" * 100)
    store = HistoryStore(bad)
    assert store.notices and "Verlauf war beschädigt" in store.notices[0]
    assert store.moved_to is not None and store.moved_to.exists()


def test_unopenable_history_gives_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "history.sqlite3"
    bad.mkdir()
    with pytest.raises(HistoryError, match="Verlauf"):
        HistoryStore(bad)
