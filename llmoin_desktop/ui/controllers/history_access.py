"""Shared access to the local history for task pages and the history view.

The SQLite file is opened on first use, on whichever worker thread needs it first, so the
GUI thread never touches the disk. A failure to *store* a result is recorded, not raised:
the clerk keeps her result on screen and gets a message, instead of losing it to a job error.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from llmoin_desktop.core.history import HistoryError, HistoryStore


class HistoryAccess:
    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._store: HistoryStore | None = None
        self._lock = threading.Lock()
        self.last_error = ""

    def store(self) -> HistoryStore:
        """The store (opened now if needed); raises HistoryError with a German message."""
        with self._lock:
            if self._store is None:
                self._store = HistoryStore(self._path)
            return self._store

    def open_in_background(self) -> None:
        """Open the store now, off the GUI thread: opening applies IT's retention period
        (history_retention_days), which must happen at start-up, not at first use."""

        def run() -> None:
            try:
                self.store()
            except HistoryError as exc:
                self.last_error = exc.user_message

        threading.Thread(target=run, daemon=True, name="history-open").start()

    def pop_notices(self) -> list[str]:
        """What opening the store repaired (a salvaged history), shown once."""
        with self._lock:
            store = self._store
        if store is None or not store.notices:
            return []
        notices, store.notices = store.notices, []
        return notices

    # The interface task_job/refine_job expect ------------------------------------------
    def add(self, result: Any, *, title: str = "") -> int | None:
        try:
            entry_id = self.store().add(result, title=title)
        except HistoryError as exc:
            self.last_error = exc.user_message
            return None
        self.last_error = ""
        return entry_id

    def update_result(self, entry_id: int, text: str) -> None:
        try:
            self.store().update_result(entry_id, text)
        except HistoryError as exc:
            self.last_error = exc.user_message
        else:
            self.last_error = ""
