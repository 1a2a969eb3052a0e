"""The shared library's mirror in the SQLite store (split out of ``store.py``): which local
chunks came from (or went to) the department's server, taking documents from it and dropping
what the server no longer has. A mixin of :class:`~llmoin_desktop.core.library.store.Store`;
every write is one transaction (``tx``), like the Store's own.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from typing import Any

from llmoin_desktop.core.library.chunking import Chunk
from llmoin_desktop.core.library.store_schema import INDEXED


class StoreMirrorMixin:
    conn: sqlite3.Connection
    tx: Any  # Store's: () -> AbstractContextManager[sqlite3.Connection]
    _insert_chunk: Any
    _delete_chunks: Any

    # shared library mirror ---------------------------------------------------------------
    def server_chunk_map(self) -> dict[str, int]:
        """Server chunk id → local chunk id, for every chunk mirrored from (or pushed to) it."""
        return {r[0]: r[1] for r in self.conn.execute("SELECT sid, chunk_id FROM server_chunks")}

    def server_ids_of(self, doc_id: int) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT s.sid FROM server_chunks s JOIN chunks c ON c.id=s.chunk_id"
                " WHERE c.doc_id=?",
                (doc_id,),
            )
        ]

    def drop_server_chunks(self, sids: Iterable[str]) -> list[int]:
        """Remove mirrored chunks the server no longer has; a document left without chunks
        goes too. Returns the local chunk ids removed (for the vectors)."""
        sids = list(sids)
        removed: list[int] = []
        with self.tx():
            for start in range(0, len(sids), 500):
                part = sids[start : start + 500]
                marks = ",".join("?" * len(part))
                removed += [
                    r[0]
                    for r in self.conn.execute(
                        f"SELECT chunk_id FROM server_chunks WHERE sid IN ({marks})", part
                    )
                ]
            docs = self._chunk_docs(removed)
            self.conn.executemany("DELETE FROM chunks_fts WHERE rowid=?", [(i,) for i in removed])
            self.conn.executemany("DELETE FROM chunks WHERE id=?", [(i,) for i in removed])
            for doc_id in docs:
                left = self.conn.execute(
                    "SELECT COUNT(*) FROM chunks WHERE doc_id=?", (doc_id,)
                ).fetchone()[0]
                if left:
                    self.conn.execute("UPDATE documents SET n_chunks=? WHERE id=?", (left, doc_id))
                else:
                    self.conn.execute("DELETE FROM abbreviations WHERE doc_id=?", (doc_id,))
                    self.conn.execute("DELETE FROM documents WHERE id=?", (doc_id,))
        return removed

    def _chunk_docs(self, chunk_ids: list[int]) -> set[int]:
        docs: set[int] = set()
        for start in range(0, len(chunk_ids), 500):
            part = chunk_ids[start : start + 500]
            marks = ",".join("?" * len(part))
            docs.update(
                r[0]
                for r in self.conn.execute(
                    f"SELECT DISTINCT doc_id FROM chunks WHERE id IN ({marks})", part
                )
            )
        return docs

    def mirror_document(
        self,
        *,
        path: str,
        sha256: str,
        title: str,
        fmt: str,
        n_pages: int | None,
        warnings: list[str],
        law: str,
        size: int,
        mtime: float,
        chunks: list[tuple[str, int, Chunk]],
        abbreviations: Iterable[tuple[str, str]],
    ) -> tuple[int, list[int], list[int]]:
        """Take a document (or more of its chunks) from the shared library's server.

        ``chunks`` are (server id, position in the document, chunk). The local row is
        replaced when it holds another version of the file (other hash), a non-indexed
        status, or chunks that did not come from the server.
        Returns (doc id, removed local chunk ids, new local chunk ids), atomically.
        """
        with self.tx():
            row = self.conn.execute(
                "SELECT id, sha256, status FROM documents WHERE path=?", (path,)
            ).fetchone()
            old: list[int] = []
            if row is None:
                cur = self.conn.execute(
                    "INSERT INTO documents(path, status, size, mtime, added_at) VALUES(?,?,?,?,?)",
                    (path, INDEXED, size, mtime, time.time()),
                )
                doc_id = int(cur.lastrowid or 0)
            else:
                doc_id = int(row["id"])
                unmapped = self.conn.execute(
                    "SELECT COUNT(*) FROM chunks c LEFT JOIN server_chunks s ON s.chunk_id=c.id"
                    " WHERE c.doc_id=? AND s.sid IS NULL",
                    (doc_id,),
                ).fetchone()[0]
                if row["sha256"] != sha256 or row["status"] != INDEXED or unmapped:
                    old = self._delete_chunks(doc_id)
            self.conn.execute(
                "UPDATE documents SET status=?, message='', title=?, format=?, sha256=?,"
                " n_pages=?, warnings=?, law=?, size=?, mtime=?, indexed_at=? WHERE id=?",
                (
                    INDEXED,
                    title,
                    fmt,
                    sha256,
                    n_pages,
                    json.dumps(warnings, ensure_ascii=False),
                    law,
                    size,
                    mtime,
                    time.time(),
                    doc_id,
                ),
            )
            new: list[int] = []
            for sid, ord_, ch in chunks:
                cid = self._insert_chunk(doc_id, ord_, ch, law, title)
                new.append(cid)
                self.conn.execute(
                    "INSERT OR REPLACE INTO server_chunks(sid, chunk_id) VALUES(?, ?)", (sid, cid)
                )
            abbrs = set(abbreviations)
            if abbrs:
                self.conn.execute("DELETE FROM abbreviations WHERE doc_id=?", (doc_id,))
                self.conn.executemany(
                    "INSERT INTO abbreviations(abbr, long_form, doc_id) VALUES(?, ?, ?)",
                    [(a, long_form, doc_id) for a, long_form in abbrs],
                )
            self.conn.execute(
                "UPDATE documents SET n_chunks=(SELECT COUNT(*) FROM chunks WHERE doc_id=?)"
                " WHERE id=?",
                (doc_id, doc_id),
            )
        return doc_id, old, new
