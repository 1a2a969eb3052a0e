"""Keep what is readable from a damaged SQLite file; move the damaged file aside.

Why row by row: a damaged page makes ``SELECT *`` stop at the first bad row, so a history of
200 entries with one broken page shows 0. A lookup by rowid descends the B-tree from the root
and only fails for rows on the damaged pages, so probing every rowid keeps everything else.
(SQLite's own ``.recover`` does the same at page level, but it is not reachable from Python's
sqlite3 and not shipped on Windows.) The damaged file is never deleted: it is renamed to
``NAME.damaged-YYYYmmdd-HHMMSS`` next to the original, so IT can still look at it.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmoin_desktop.core.storage.storage_causes import DAMAGED, cause_of

log = logging.getLogger(__name__)

_MISS_RUN = 5000  # rowids probed past the last known one before we stop


@dataclass
class Salvage:
    """What came out of a damaged file: rows per table and where the original went."""

    moved_to: Path | None = None
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    lost_tables: list[str] = field(default_factory=list)
    sequences: dict[str, int] = field(default_factory=dict)

    def count(self, table: str) -> int:
        return len(self.rows.get(table, []))


def quick_check(path: Path) -> str:
    """ "ok", or SQLite's complaint (also for files that are not a database at all)."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            rows = con.execute("PRAGMA quick_check").fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        if cause_of(exc) == DAMAGED:
            return str(exc)
        raise  # I/O, rights, a full disk, a folder in the way: not for a repair to fix
    text = "; ".join(str(r[0]) for r in rows[:5])
    return "ok" if text == "ok" else text


def is_empty_file(path: Path) -> bool:
    """A 0-byte database that is not simply a fresh WAL database (its data still in -wal)."""
    try:
        if path.stat().st_size != 0:
            return False
    except OSError:
        return False
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size == 0
    except OSError:
        return True


def _probe(con: sqlite3.Connection, sql: str) -> int:
    try:
        row = con.execute(sql).fetchone()
        return int(row[0] or 0) if row else 0
    except (sqlite3.DatabaseError, TypeError, ValueError):
        return 0


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    try:
        return [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
    except sqlite3.DatabaseError:
        return []


def _rows(con: sqlite3.Connection, table: str, cols: list[str], hi: int) -> Iterator[dict]:
    """Every readable row: a plain scan when it works, else one lookup per rowid."""
    select = ", ".join(f'"{c}"' for c in cols)
    try:
        got = con.execute(f'SELECT rowid, {select} FROM "{table}" ORDER BY rowid').fetchall()
        for r in got:
            yield dict(zip(["rowid", *cols], r, strict=True))
        return
    except sqlite3.DatabaseError:
        pass
    rowid, last_hit = 0, 0
    while rowid <= hi or rowid - last_hit < _MISS_RUN:
        rowid += 1
        try:
            r = con.execute(f'SELECT rowid, {select} FROM "{table}" WHERE rowid=?', (rowid,))
            row = r.fetchone()
        except sqlite3.DatabaseError:
            continue
        if row is not None:
            last_hit = rowid
            yield dict(zip(["rowid", *cols], row, strict=True))


def read_readable(path: Path, tables: list[str]) -> Salvage:
    """Read every readable row of ``tables`` from ``path`` (opened read-only)."""
    out = Salvage()
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    except sqlite3.DatabaseError:
        out.lost_tables = list(tables)
        return out
    try:
        for name, seq in _sequences(con).items():
            out.sequences[name] = seq
        for table in tables:
            cols = _columns(con, table)
            if not cols:
                out.lost_tables.append(table)
                continue
            hi = max(out.sequences.get(table, 0), _probe(con, f'SELECT max(rowid) FROM "{table}"'))
            out.rows[table] = list(_rows(con, table, cols, hi))
    finally:
        con.close()
    return out


def _sequences(con: sqlite3.Connection) -> dict[str, int]:
    try:
        return {str(n): int(s) for n, s in con.execute("SELECT name, seq FROM sqlite_sequence")}
    except sqlite3.DatabaseError:
        return {}


def move_aside(path: Path) -> Path:
    """Rename the damaged file (and its -wal/-shm) out of the way; returns the new name."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    path.rename(target)
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            try:
                side.rename(target.with_name(target.name + suffix))
            except OSError:
                log.warning("could not move %s aside", side, exc_info=True)
    return target


def insert_rows(
    con: sqlite3.Connection, table: str, rows: list[dict[str, Any]], keep_rowid: bool = True
) -> int:
    """Put salvaged rows into a fresh table (only the columns it has); returns rows written."""
    have = set(_columns(con, table))
    written = 0
    for row in rows:
        data = {k: v for k, v in row.items() if k in have}
        if keep_rowid and "rowid" in row and "rowid" not in data:
            data["rowid"] = row["rowid"]
        cols = ", ".join(f'"{c}"' for c in data)
        marks = ", ".join("?" * len(data))
        try:
            con.execute(
                f'INSERT OR IGNORE INTO "{table}"({cols}) VALUES({marks})', list(data.values())
            )
            written += 1
        except sqlite3.DatabaseError:
            log.warning("salvaged row of %s not kept", table, exc_info=True)
    return written


def reserve_sequence(con: sqlite3.Connection, table: str, at_least: int) -> None:
    """AUTOINCREMENT continues above ``at_least``: ids of lost rows are never reused (the
    vector index and exported references may still name them)."""
    cur = _probe(con, f"SELECT seq FROM sqlite_sequence WHERE name='{table}'")
    if cur >= at_least:
        return
    con.execute("DELETE FROM sqlite_sequence WHERE name=?", (table,))
    con.execute("INSERT INTO sqlite_sequence(name, seq) VALUES(?, ?)", (table, at_least))
