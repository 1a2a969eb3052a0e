"""SQLite store: the source of truth for documents and chunks, plus the FTS5 keyword index.

Everything needed to rebuild the vector index lives here (chunk text and metadata), so a
damaged chromadb folder costs a re-embedding, never a re-parse or lost work. Each document
is written in one transaction (chunks, keyword index, status together): a SIGKILL leaves
either the old state or the new one. WAL + synchronous=FULL makes a commit durable.

Parts: ``store_schema.py`` (tables, states), ``store_mirror.py`` (the shared library's mirror).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from llmoin_desktop.core.library import text as T
from llmoin_desktop.core.library.chunking import Chunk
from llmoin_desktop.core.library.store_mirror import StoreMirrorMixin
from llmoin_desktop.core.library.store_schema import _FTS, _SCHEMA, SCHEMA_VERSION
from llmoin_desktop.core.library.store_schema import INDEXED as INDEXED
from llmoin_desktop.core.library.store_schema import MISSING as MISSING
from llmoin_desktop.core.library.store_schema import PENDING as PENDING
from llmoin_desktop.core.library.store_schema import REJECTED as REJECTED
from llmoin_desktop.core.storage.private_files import private_file


@dataclass
class DocumentRecord:
    id: int
    path: str
    title: str
    format: str
    sha256: str | None
    size: int | None
    mtime: float | None
    status: str
    message: str
    warnings: list[str]
    n_pages: int | None
    n_chunks: int


@dataclass
class ChunkRecord:
    id: int
    doc_id: int
    ord: int
    text: str
    section: str
    section_no: str
    pages: list[int]
    path: str
    title: str


def law_field(title: str, path: str, first_heading: str = "") -> str:
    """What names the document: title, first heading, file name (often the law's short form)."""
    stem = Path(path).stem.replace("_", " ")
    return " ".join(x for x in (title, first_heading, stem) if x)


class Store(StoreMirrorMixin):
    """One SQLite file per library; one connection per Store, used from one thread at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        private_file(Path(path))  # 0600 in a 0700 folder; WAL/SHM files follow (issue 18)
        self.conn.execute("PRAGMA secure_delete=ON")  # removed documents' text is zeroed
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        with self.tx():
            self.conn.executescript(_SCHEMA)
            self.conn.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES('schema', ?)", (SCHEMA_VERSION,)
            )
        if self.get_meta("schema") != SCHEMA_VERSION:
            cols = {r[1] for r in self.conn.execute("PRAGMA table_info(documents)")}
            if "law" not in cols:  # schema 1
                with self.tx():
                    self.conn.execute(
                        "ALTER TABLE documents ADD COLUMN law TEXT NOT NULL DEFAULT ''"
                    )
            self.rebuild_keyword_index()
        else:
            with self.tx():
                self.conn.executescript(_FTS)

    def rebuild_keyword_index(self) -> None:
        """Re-analyse every chunk (after an upgrade of the analysis); one transaction."""
        with self.tx():
            self.conn.execute("DROP TABLE IF EXISTS chunks_fts")
            self.conn.executescript(_FTS)
            rows = self.conn.execute(
                "SELECT c.id, c.text, c.section, c.context, d.law, d.title FROM chunks c"
                " JOIN documents d ON d.id = c.doc_id"
            ).fetchall()
            for r in rows:
                self._index_chunk(
                    r["id"], r["law"], r["title"], r["section"], r["context"], r["text"]
                )
            self.conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES('schema', ?)", (SCHEMA_VERSION,)
            )

    def _insert_chunk(self, doc_id: int, ord_: int, ch: Chunk, law: str, title: str) -> int:
        """One chunk row and its keyword-index row (inside the caller's transaction)."""
        cur = self.conn.execute(
            "INSERT INTO chunks(doc_id, ord, text, section, section_no, context, pages)"
            " VALUES(?, ?, ?, ?, ?, ?, ?)",
            (doc_id, ord_, ch.text, ch.section, ch.section_no, ch.context, json.dumps(ch.pages)),
        )
        cid = int(cur.lastrowid or 0)
        self._index_chunk(cid, law, title, ch.section, ch.context, ch.text)
        return cid

    def _index_chunk(
        self, cid: int, law: str, title: str, section: str, context: str, text: str
    ) -> None:
        self.conn.execute(
            "INSERT INTO chunks_fts(rowid, law, section, context, body, grams, title_grams)"
            " VALUES(?, ?, ?, ?, ?, ?, ?)",
            (
                cid,
                " ".join(T.analyze(law)),
                " ".join(T.analyze(section)),
                " ".join(T.analyze(context)),
                " ".join(T.analyze(text)),
                " ".join(T.grams(section + "\n" + text)),
                " ".join(T.grams(title + "\n" + section)),
            ),
        )

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work (commit on success, roll back on any error)."""
        with self.conn:
            yield self.conn

    def check(self) -> str:
        """SQLite's own consistency check; "ok" when fine."""
        row = self.conn.execute("PRAGMA quick_check").fetchone()
        return str(row[0])

    # meta --------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self.tx():
            self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", (key, value))

    # documents ---------------------------------------------------------------------------
    @staticmethod
    def _doc(row: sqlite3.Row) -> DocumentRecord:
        return DocumentRecord(
            id=row["id"],
            path=row["path"],
            title=row["title"],
            format=row["format"],
            sha256=row["sha256"],
            size=row["size"],
            mtime=row["mtime"],
            status=row["status"],
            message=row["message"],
            warnings=json.loads(row["warnings"] or "[]"),
            n_pages=row["n_pages"],
            n_chunks=row["n_chunks"],
        )

    def documents(self, status: str | None = None) -> list[DocumentRecord]:
        sql = "SELECT * FROM documents"
        args: tuple[str, ...] = ()
        if status:
            sql += " WHERE status=?"
            args = (status,)
        return [self._doc(r) for r in self.conn.execute(sql + " ORDER BY path", args)]

    def document(self, path: str) -> DocumentRecord | None:
        row = self.conn.execute("SELECT * FROM documents WHERE path=?", (path,)).fetchone()
        return None if row is None else self._doc(row)

    def document_by_id(self, doc_id: int) -> DocumentRecord | None:
        row = self.conn.execute("SELECT * FROM documents WHERE id=?", (doc_id,)).fetchone()
        return None if row is None else self._doc(row)

    def upsert_pending(self, path: str, size: int, mtime: float) -> None:
        with self.tx():
            self.conn.execute(
                "INSERT INTO documents(path, status, size, mtime, added_at) VALUES(?, ?, ?, ?, ?)"
                " ON CONFLICT(path) DO UPDATE SET status=excluded.status, size=excluded.size,"
                " mtime=excluded.mtime, message=''",
                (path, PENDING, size, mtime, time.time()),
            )

    def touch(self, doc_id: int, size: int, mtime: float) -> None:
        """Same content, new mtime (e.g. copied again): remember it to skip hashing next time."""
        with self.tx():
            self.conn.execute(
                "UPDATE documents SET size=?, mtime=? WHERE id=?", (size, mtime, doc_id)
            )

    def set_status(self, doc_id: int, status: str, message: str = "") -> None:
        with self.tx():
            self.conn.execute(
                "UPDATE documents SET status=?, message=? WHERE id=?", (status, message, doc_id)
            )

    def reject(self, doc_id: int, sha256: str | None, message: str) -> list[int]:
        """Rejected: its old chunks go (the file changed into something unreadable)."""
        with self.tx():
            old = self._delete_chunks(doc_id)
            self.conn.execute(
                "UPDATE documents SET status=?, message=?, sha256=?, n_chunks=0, indexed_at=?"
                " WHERE id=?",
                (REJECTED, message, sha256, time.time(), doc_id),
            )
        return old

    def _delete_chunks(self, doc_id: int) -> list[int]:
        ids = [r[0] for r in self.conn.execute("SELECT id FROM chunks WHERE doc_id=?", (doc_id,))]
        # explicit, not only by cascade: a repaired file must not fail on a foreign key
        self.conn.executemany("DELETE FROM server_chunks WHERE chunk_id=?", [(i,) for i in ids])
        self.conn.executemany("DELETE FROM chunks_fts WHERE rowid=?", [(i,) for i in ids])
        self.conn.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
        self.conn.execute("DELETE FROM abbreviations WHERE doc_id=?", (doc_id,))
        return ids

    def save_document(
        self,
        doc_id: int,
        *,
        title: str,
        fmt: str,
        sha256: str,
        n_pages: int | None,
        warnings: list[str],
        law: str,
        chunks: list[Chunk],
        abbreviations: Iterable[tuple[str, str]],
        server_ids: list[str] | None = None,
        indexed: bool = True,
    ) -> tuple[list[int], list[int]]:
        """Replace a document's chunks and mark it indexed, atomically.

        ``server_ids`` (shared library): the chunks' ids on the server, one per chunk.
        ``indexed=False``: the chunks are stored but the document stays ``pending`` until the
        caller has stored its vectors too (then :meth:`set_status`), so SQLite and the vector
        index never disagree about what is indexed.
        Returns (removed chunk ids, new chunk ids) so the caller can update the vectors.
        """
        with self.tx():
            old = self._delete_chunks(doc_id)
            new: list[int] = []
            for i, ch in enumerate(chunks):
                new.append(self._insert_chunk(doc_id, i, ch, law, title))
            if server_ids is not None:
                self.conn.executemany(
                    "INSERT OR REPLACE INTO server_chunks(sid, chunk_id) VALUES(?, ?)",
                    list(zip(server_ids, new, strict=True)),
                )
            self.conn.executemany(
                "INSERT INTO abbreviations(abbr, long_form, doc_id) VALUES(?, ?, ?)",
                [(a, long_form, doc_id) for a, long_form in set(abbreviations)],
            )
            self.conn.execute(
                "UPDATE documents SET status=?, message='', title=?, format=?, sha256=?,"
                " n_pages=?, warnings=?, n_chunks=?, indexed_at=?, law=? WHERE id=?",
                (
                    INDEXED if indexed else PENDING,
                    title,
                    fmt,
                    sha256,
                    n_pages,
                    json.dumps(warnings, ensure_ascii=False),
                    len(chunks),
                    time.time(),
                    law,
                    doc_id,
                ),
            )
        return old, new

    def unindex(self, doc_id: int, message: str) -> list[int]:
        """A save that could not be completed (vectors failed): chunks go, it stays pending."""
        with self.tx():
            old = self._delete_chunks(doc_id)
            self.conn.execute(
                "UPDATE documents SET status=?, message=?, n_chunks=0 WHERE id=?",
                (PENDING, message, doc_id),
            )
        return old

    def reserve_chunk_ids(self, at_least: int) -> None:
        """New chunk ids continue above ``at_least`` (ids the vector index still holds)."""
        row = self.conn.execute("SELECT seq FROM sqlite_sequence WHERE name='chunks'").fetchone()
        if row is not None and int(row[0]) >= at_least:
            return
        with self.tx():
            self.conn.execute("DELETE FROM sqlite_sequence WHERE name='chunks'")
            self.conn.execute(
                "INSERT INTO sqlite_sequence(name, seq) VALUES('chunks', ?)", (at_least,)
            )

    def remove_document(self, doc_id: int) -> list[int]:
        with self.tx():
            old = self._delete_chunks(doc_id)
            self.conn.execute("DELETE FROM documents WHERE id=?", (doc_id,))
        return old

    # chunks ------------------------------------------------------------------------------
    def chunk_ids(self) -> set[int]:
        return {r[0] for r in self.conn.execute("SELECT id FROM chunks")}

    def chunks(self, ids: Iterable[int]) -> list[ChunkRecord]:
        ids = list(ids)
        out: dict[int, ChunkRecord] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            for r in self.conn.execute(
                "SELECT c.*, d.path, d.title FROM chunks c JOIN documents d ON d.id=c.doc_id"
                f" WHERE c.id IN ({marks})",
                part,
            ):
                out[r["id"]] = ChunkRecord(
                    id=r["id"],
                    doc_id=r["doc_id"],
                    ord=r["ord"],
                    text=r["text"],
                    section=r["section"],
                    section_no=r["section_no"],
                    pages=json.loads(r["pages"]),
                    path=r["path"],
                    title=r["title"],
                )
        return [out[i] for i in ids if i in out]

    def embedding_texts(self, ids: Iterable[int]) -> list[tuple[int, int, str]]:
        """(chunk id, doc id, text to embed) — the same recipe at indexing and rebuild time."""
        return [(c.id, c.doc_id, embedding_text(c.title, c.text)) for c in self.chunks(ids)]

    def abbreviation_expansions(self, abbrs: Iterable[str]) -> list[str]:
        abbrs = list(set(abbrs))
        if not abbrs:
            return []
        marks = ",".join("?" * len(abbrs))
        rows = self.conn.execute(
            f"SELECT DISTINCT long_form FROM abbreviations WHERE abbr IN ({marks})", abbrs
        )
        return [r[0] for r in rows]


EMBED_CHARS = 500
EMBED_RECIPE = f"title+{EMBED_CHARS}"  # stored with the embedder name: a change re-embeds


def embedding_text(title: str, text: str) -> str:
    """Title and the start of the chunk (its heading and first paragraph).

    Measured: a sentence encoder does better on the first 500 characters than on the whole
    chunk (it averages; the start of a § says what it is about), and it is 3x faster.
    """
    return f"{title}\n{text[:EMBED_CHARS]}" if title else text[:EMBED_CHARS]
