"""Local history of task results (SQLite in the user data folder). Nothing leaves the PC.

Only finished jobs are written (the job writes after its last cancellation check), and each
write is one transaction, so a cancelled or crashed job never leaves a half entry.

Damage: every open runs SQLite's ``quick_check``. A damaged (or 0-byte) file is never written
into and never deleted: the readable entries are salvaged row by row into a fresh file, the
damaged one is renamed to ``history.sqlite3.damaged-…`` beside it, and :attr:`HistoryStore.
notices` says how many entries were kept. A full disk or a read-only folder is *not* damage:
it raises :class:`HistoryError` with the cause and leaves the file alone.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.i18n import tr
from llmoin_desktop.core.paths import user_data_dir
from llmoin_desktop.core.storage import sqlite_salvage as SV
from llmoin_desktop.core.storage.private_files import private_dir, private_file
from llmoin_desktop.core.storage.storage_causes import DAMAGED, cause_of, explain

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    values_json TEXT NOT NULL DEFAULT '{}',
    sources_json TEXT NOT NULL DEFAULT '[]',
    result TEXT NOT NULL,
    output_kind TEXT NOT NULL DEFAULT 'prose',
    messages_json TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS history_created ON history(created_at DESC);
"""


class HistoryError(LLMoinError):
    """The history database cannot be read or written."""


@dataclass
class HistoryEntry:
    id: int
    task_id: str
    title: str
    values: dict[str, Any]
    sources: list[str]
    result: str
    output_kind: str
    messages: list[dict[str, str]]
    created_at: float
    updated_at: float


@dataclass
class _Outcome:
    rows: list[sqlite3.Row]
    rowcount: int
    lastrowid: int | None


def _history_settings() -> tuple[bool, int]:
    """(history_enabled, history_retention_days) from the settings, IT policy included."""
    try:
        from llmoin_desktop.core.settings.config import SettingsStore

        settings = SettingsStore().load()
        return bool(settings.history_enabled), int(settings.history_retention_days)
    except Exception:  # noqa: BLE001 - unreadable settings: the defaults (on, keep)
        return True, 0


class HistoryStore:
    """The history file. IT's ``history_enabled = false`` stores nothing new (and creates no
    file); ``history_retention_days = N`` deletes entries last changed more than N days ago
    each time the store is opened (the app opens it at start-up). ``enabled`` and
    ``retention_days`` default to the settings."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        enabled: bool | None = None,
        retention_days: int | None = None,
    ) -> None:
        self.path = Path(path) if path else user_data_dir() / "history.sqlite3"
        self.notices: list[str] = []  # what a repair at open did, for the clerk
        self.salvaged: int | None = None
        self.moved_to: Path | None = None
        if enabled is None or retention_days is None:
            on, days = _history_settings()
            enabled = on if enabled is None else enabled
            retention_days = days if retention_days is None else retention_days
        self.enabled = enabled
        self.retention_days = max(0, int(retention_days))
        self.expired = 0  # entries deleted by the retention period at this open
        try:
            private_dir(self.path.parent)
            if not self.enabled and not self.path.exists():
                return  # nothing stored, nothing to open: no file is created
            problem = self._damage()
            if problem:
                self._salvage(problem)
            self._create()
            if self.retention_days:
                self.expired = self.expire(self.retention_days)
        except HistoryError:
            raise
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(
                tr("Der Verlauf kann nicht geöffnet werden: {cause}", cause=explain(exc)),
                detail=f"{self.path}: {exc!r}",
            ) from exc

    def _create(self) -> None:
        con = self._connect()
        try:
            con.executescript(_SCHEMA)
        finally:
            con.close()
        private_file(self.path)  # 0600 (an older version created it 0644)

    def expire(self, days: int) -> int:
        """Delete entries last changed more than ``days`` days ago (DSGVO storage limit)."""
        cutoff = time.time() - days * 86400
        return self._run("DELETE FROM history WHERE updated_at < ?", (cutoff,)).rowcount

    def _damage(self) -> str:
        """Why the existing file is unusable ("" when it is fine or does not exist yet)."""
        if not self.path.exists():
            return ""
        if SV.is_empty_file(self.path):
            return "0 bytes"
        try:
            result = SV.quick_check(self.path)
        except sqlite3.DatabaseError as exc:
            if cause_of(exc) == DAMAGED:
                return str(exc)
            raise
        return "" if result == "ok" else result

    def _salvage(self, problem: str) -> None:
        """Readable rows into a fresh file; the damaged one is kept beside it."""
        saved = SV.read_readable(self.path, ["history"])
        rows = saved.rows.get("history", [])
        moved = SV.move_aside(self.path)
        self._create()
        con = self._connect()
        try:
            with con:
                kept = SV.insert_rows(con, "history", rows)
                top = max([saved.sequences.get("history", 0), *(r["rowid"] for r in rows)])
                SV.reserve_sequence(con, "history", top)
        finally:
            con.close()
        self.notices.append(
            tr(
                "Der Verlauf war beschädigt. {kept} Einträge wurden gerettet; die beschädigte "
                "Datei wurde nicht gelöscht, sondern nach „{moved}“ verschoben.",
                kept=kept,
                moved=moved.name,
            )
        )
        self.salvaged, self.moved_to = kept, moved
        log.warning("history salvaged (%s): %s rows kept", problem, kept)

    def _connect(self) -> sqlite3.Connection:
        # One short-lived connection per call: safe from any job thread.
        con = sqlite3.connect(self.path, timeout=10)
        con.row_factory = sqlite3.Row
        # Deleted entries are overwritten with zeros, not left readable in free pages.
        con.execute("PRAGMA secure_delete=ON")
        return con

    def _run(self, sql: str, args: tuple[Any, ...] = (), *, retry: bool = True) -> _Outcome:
        if not self.path.exists() and not self.enabled:
            return _Outcome([], 0, None)  # history off and never stored: an empty history
        try:
            con = self._connect()
            try:
                with con:  # one transaction: committed entirely or not at all
                    cur = con.execute(sql, args)
                    return _Outcome(cur.fetchall(), cur.rowcount, cur.lastrowid)
            finally:
                con.close()
        except sqlite3.Error as exc:
            if retry and cause_of(exc) == DAMAGED:
                # Damaged since we opened it: salvage, never keep writing into it.
                try:
                    self._salvage(str(exc))
                except (OSError, sqlite3.Error):
                    pass
                else:
                    return self._run(sql, args, retry=False)
            raise HistoryError(
                tr("Fehler im Verlauf: {cause}", cause=explain(exc)), detail=f"{sql}: {exc!r}"
            ) from exc

    def add(self, result: Any, *, title: str = "") -> int | None:
        """Store a finished :class:`TaskResult`; returns the new entry's id (None when the
        history is switched off: then nothing is written)."""
        if not self.enabled:
            return None
        now = time.time()
        values = {k: v for k, v in result.values.items() if v not in (None, "", [])}
        cur = self._run(
            "INSERT INTO history (task_id, title, values_json, sources_json, result, output_kind,"
            " messages_json, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                result.task_id,
                title,
                json.dumps(values, ensure_ascii=False, default=str),
                json.dumps(list(result.sources), ensure_ascii=False),
                result.text,
                result.output_kind,
                json.dumps(result.messages, ensure_ascii=False),
                now,
                now,
            ),
        )
        return int(cur.lastrowid or 0)

    def update_result(self, entry_id: int, text: str) -> None:
        """A refinement or the clerk's edit replaces the stored result."""
        self._run(
            "UPDATE history SET result=?, updated_at=? WHERE id=?", (text, time.time(), entry_id)
        )

    @staticmethod
    def _entry(row: sqlite3.Row) -> HistoryEntry:
        return HistoryEntry(
            id=row["id"],
            task_id=row["task_id"],
            title=row["title"],
            values=json.loads(row["values_json"]),
            sources=json.loads(row["sources_json"]),
            result=row["result"],
            output_kind=row["output_kind"],
            messages=json.loads(row["messages_json"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    def list(self, limit: int = 200, task_id: str | None = None) -> list[HistoryEntry]:
        if task_id:
            rows = self._run(
                "SELECT * FROM history WHERE task_id=? ORDER BY created_at DESC, id DESC LIMIT ?",
                (task_id, limit),
            ).rows
        else:
            rows = self._run(
                "SELECT * FROM history ORDER BY created_at DESC, id DESC LIMIT ?", (limit,)
            ).rows
        return [self._entry(r) for r in rows]

    def get(self, entry_id: int) -> HistoryEntry | None:
        rows = self._run("SELECT * FROM history WHERE id=?", (entry_id,)).rows
        return self._entry(rows[0]) if rows else None

    def delete(self, entry_id: int) -> bool:
        return self._run("DELETE FROM history WHERE id=?", (entry_id,)).rowcount > 0

    def clear(self) -> int:
        """Delete everything, and vacuum so the text is really gone from the file."""
        count = self._run("DELETE FROM history").rowcount
        try:
            con = self._connect()
            con.execute("VACUUM")
            con.close()
        except sqlite3.Error:
            pass
        return count

    def count(self) -> int:
        rows = self._run("SELECT COUNT(*) FROM history").rows
        return int(rows[0][0]) if rows else 0


class TolerantHistory:
    """The history as a task job's ``history=``: a failure to open or write it is recorded,
    never raised, so the result (and the ``--export`` DOCX) is not lost to a history problem.

    The CLI prints :attr:`messages` after the job (notices of a repair, or why nothing was
    stored); the GUI has the same contract in ``ui/controllers/history_access.py``.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.messages: list[str] = []
        self.store: HistoryStore | None = None
        try:
            self.store = HistoryStore(path)
            self.messages.extend(self.store.notices)
        except HistoryError as exc:
            self.messages.append(exc.user_message)

    def add(self, result: Any, *, title: str = "") -> int | None:
        if self.store is None:
            self.messages.append(tr("Das Ergebnis wurde nicht im Verlauf gespeichert."))
            return None
        try:
            return self.store.add(result, title=title)
        except HistoryError as exc:
            self.messages.append(
                tr("Das Ergebnis wurde nicht im Verlauf gespeichert: {error}", error=exc)
            )
            return None

    def update_result(self, entry_id: int, text: str) -> None:
        if self.store is None:
            return
        try:
            self.store.update_result(entry_id, text)
        except HistoryError as exc:
            self.messages.append(exc.user_message)
