"""Opening ``library.sqlite3`` safely: damage is salvaged, other failures name their cause.

What counts as damage: SQLite's ``quick_check`` fails, the file is not a database, or it has
0 bytes (SQLite would silently treat that as a new, empty library — the clerk's documents
would vanish without a word). On damage, under the library's writer lock:

1. every readable row of documents, chunks, abbreviations, shared-library ids and meta is
   read row by row (``core/storage/sqlite_salvage.py``);
2. the damaged file is renamed to ``library.sqlite3.damaged-…`` (never deleted);
3. a fresh database gets the rows; a document whose chunks did not all survive goes back to
   ``pending`` (so the next ``index`` really reads it again instead of answering
   "unverändert"), the keyword index is rebuilt from the chunks, and chunk ids continue above
   the old ones so the vector index can never confuse a new chunk with a lost one;
4. the library's notice says what was kept and what will be read again.

A full disk, a read-only folder or missing rights are *not* damage: they raise
:class:`~llmoin_desktop.core.library.library.LibraryError` with the cause and touch nothing.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from pathlib import Path

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.library.library_lock import LibraryLock
from llmoin_desktop.core.library.store import INDEXED, PENDING, Store
from llmoin_desktop.core.storage import sqlite_salvage as SV
from llmoin_desktop.core.storage.storage_causes import DAMAGED, cause_of

log = logging.getLogger(__name__)

TABLES = ["meta", "documents", "chunks", "abbreviations", "server_chunks"]
REPAIR_WAIT_S = 120.0


# A full quick_check reads the whole file: 1.2 s for a 100× library (860 MB) at every start.
# Above this size it runs in the background after opening; a problem it finds leaves a mark
# file, and the next start checks (and salvages) before opening, as for small files.
BACKGROUND_CHECK_BYTES = 64 * 2**20
CHECK_MARK = ".check-needed"


def damage_of(db: Path, *, full: bool = True) -> str:
    """Why the existing database is unusable ("" when fine or not there yet). ``full=False``:
    only what is cheap to see (0 bytes, not a database, an unreadable schema)."""
    if not db.exists():
        return ""
    if SV.is_empty_file(db):
        return "0 bytes"
    if not full:
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
            try:
                con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            finally:
                con.close()
        except sqlite3.DatabaseError as exc:
            if cause_of(exc) == DAMAGED:
                return str(exc)
            raise
        return ""
    try:
        result = SV.quick_check(db)
    except sqlite3.DatabaseError as exc:
        if cause_of(exc) == DAMAGED:
            return str(exc)
        raise
    return "" if result == "ok" else result


def open_store(db: Path, lock: LibraryLock) -> tuple[Store, list[str]]:
    """The store for ``db`` (salvaged first if damaged) and notices for the clerk."""
    notices: list[str] = []
    mark = db.with_name(db.name + CHECK_MARK)
    big = db.exists() and db.stat().st_size > BACKGROUND_CHECK_BYTES and not mark.exists()
    if damage_of(db, full=not big):
        # Another process may be repairing the same file right now: wait for it, look again.
        lock.acquire(REPAIR_WAIT_S)
        try:
            problem = damage_of(db)
            if problem:
                notices.append(salvage(db, problem))
        finally:
            lock.release()
    mark.unlink(missing_ok=True)
    store = Store(db)
    if big:
        threading.Thread(target=_check_later, args=(db, mark), daemon=True).start()
    return store, notices


def _check_later(db: Path, mark: Path) -> None:
    """The full quick_check of a large library, off the opening path (own connection)."""
    try:
        problem = damage_of(db)
    except (sqlite3.Error, OSError):
        return  # busy, gone: the next start checks again
    if problem:
        log.warning("library database damaged (%s): checked and salvaged at next start", problem)
        with contextlib.suppress(OSError):
            mark.write_text(problem[:500], "utf-8")


def salvage(db: Path, problem: str) -> str:
    """Rebuild ``db`` from its readable rows; returns the notice. Caller holds the lock."""
    saved = SV.read_readable(db, TABLES)
    moved = SV.move_aside(db)
    store = Store(db)
    try:
        con = store.conn
        docs = saved.rows.get("documents", [])
        chunks = saved.rows.get("chunks", [])
        with store.tx():
            for key in ("embedder", "vectors_dir"):
                for row in saved.rows.get("meta", []):
                    if row.get("key") == key:
                        con.execute(
                            "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)",
                            (key, row.get("value")),
                        )
            SV.insert_rows(con, "documents", docs)
            doc_ids = {int(d["id"]) for d in docs}
            SV.insert_rows(con, "chunks", [c for c in chunks if int(c["doc_id"]) in doc_ids])
            SV.insert_rows(
                con,
                "abbreviations",
                [a for a in saved.rows.get("abbreviations", []) if int(a["doc_id"]) in doc_ids],
                keep_rowid=False,
            )
            SV.insert_rows(con, "server_chunks", saved.rows.get("server_chunks", []), False)
            con.execute("DELETE FROM server_chunks WHERE chunk_id NOT IN (SELECT id FROM chunks)")
            redo = _incomplete_documents(con)
            for doc_id in redo:
                con.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
                con.execute("DELETE FROM abbreviations WHERE doc_id=?", (doc_id,))
                con.execute(
                    "UPDATE documents SET status=?, n_chunks=0, message=? WHERE id=?",
                    (PENDING, _("Nach einer Beschädigung neu einzulesen."), doc_id),
                )
            for table, rows in (("documents", docs), ("chunks", chunks)):
                top = max([saved.sequences.get(table, 0), *(int(r["rowid"]) for r in rows)])
                SV.reserve_sequence(con, table, top + 1000)  # ids of unread rows stay unused
        store.rebuild_keyword_index()
        kept = len(docs) - len(redo)
    finally:
        store.close()
    log.warning(
        "library database salvaged (%s): %s documents, %s to redo", problem, kept, len(redo)
    )
    if not docs:
        return tr(
            "Die Bibliotheksdatenbank war beschädigt ({problem}); es ließ sich nichts daraus "
            "retten. Die beschädigte Datei wurde nach „{moved}“ verschoben, nicht gelöscht. "
            "Bitte die Ordner erneut mit „Hinzufügen“ bzw. `index` aufnehmen.",
            problem=_short(problem),
            moved=moved.name,
        )
    return tr(
        "Die Bibliotheksdatenbank war beschädigt ({problem}) und wurde wiederhergestellt: "
        "{kept} Dokumente blieben erhalten, {redo} werden beim nächsten Einlesen neu gelesen. "
        "Die beschädigte Datei wurde nach „{moved}“ verschoben, nicht gelöscht.",
        problem=_short(problem),
        kept=kept,
        redo=len(redo),
        moved=moved.name,
    )


def _short(problem: str) -> str:
    if problem == "0 bytes":
        return _("leere Datei, 0 Byte")
    return problem.splitlines()[0][:120]


def _incomplete_documents(con: sqlite3.Connection) -> list[int]:
    """Indexed documents that lost chunks (or whose chunk count is unknown)."""
    rows = con.execute(
        "SELECT d.id, d.n_chunks, (SELECT COUNT(*) FROM chunks c WHERE c.doc_id=d.id) AS have"
        " FROM documents d WHERE d.status=?",
        (INDEXED,),
    ).fetchall()
    return [int(r[0]) for r in rows if int(r[1] or 0) != int(r[2])]
