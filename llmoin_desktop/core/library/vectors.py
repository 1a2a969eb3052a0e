"""The chromadb vector index: a rebuildable cache of chunk embeddings, never the truth.

chromadb is not process-safe and caches one system per path, so we keep exactly one
client per folder per process. Ids are SQLite chunk ids (never reused: AUTOINCREMENT),
which makes "is the index consistent with SQLite?" a set comparison.

Every chromadb call that names ids goes in pages (:data:`ID_PAGE` / :func:`max_batch`):
chromadb binds each id as one SQL variable, and SQLite refuses a statement with more than
32,766 of them. Reading all vectors in one call therefore failed at exactly 32,767 chunks,
and the library took that for damage and re-embedded everything on every start (issue 22).

Search goes through chromadb's own HNSW index (kept on disk by chromadb as vectors are
added), not through a matrix of every vector loaded at open: opening costs an id listing
and one probe query instead of reading 0.2 GB per 100,000 chunks, and a query costs
O(log n) instead of O(n). Measured figures and the decision: docs/retrieval.md.

"Damaged" is only said after :meth:`VectorIndex.integrity_problem` — SQLite's quick_check
of chromadb's database and a fresh open + probe query — finds a real problem; any other
failure keeps the index (the caller searches by keyword and says why).
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

COLLECTION = "chunks"
ID_PAGE = 5000  # ids per read/delete call: far below SQLite's 32,766 variables
BATCH_CAP = 5000
WHERE_IN_CAP = 5000  # a scope of more documents is filtered after the query instead
_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


class VectorIndexDamaged(Exception):
    """chromadb could not open or read the folder; the caller checks and maybe rebuilds."""


def _client(path: Path) -> Any:
    import chromadb
    from chromadb.config import Settings

    key = str(path.resolve())
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(
                path=key, settings=Settings(anonymized_telemetry=False, allow_reset=True)
            )
            _clients[key] = client
        return client


def _forget_client(path: Path) -> None:
    """Close our client for this folder so the next open reads the files afresh."""
    key = str(path.resolve())
    with _clients_lock:
        client = _clients.pop(key, None)
    if client is None:
        return
    try:
        client.close()  # chromadb >= 1.1: releases the shared system for this path
    except Exception:  # noqa: BLE001 - older chromadb: drop the whole cache instead
        try:
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient.clear_system_cache()
        except Exception:  # noqa: BLE001
            log.debug("could not release chromadb client", exc_info=True)


def max_batch(client: Any) -> int:
    """chromadb refuses a write of more ids than its SQLite can bind at once (5461 with the
    default limits); we stay below it. A 20 MB text has ~12,000 chunks."""
    try:
        return max(1, min(int(client.get_max_batch_size()), BATCH_CAP))
    except Exception:  # noqa: BLE001 - older/remote clients: a safe size
        return 1000


def all_ids(col: Any, page: int | None = None) -> list[str]:
    """Every id in a collection, read in pages (ids only: a few MB even at 10^5 chunks)."""
    page = page or ID_PAGE
    out: list[str] = []
    offset = 0
    while True:
        got = col.get(include=[], limit=page, offset=offset)
        out.extend(got["ids"])
        if len(got["ids"]) < page:
            return out
        offset += page


def get_paged(col: Any, ids: list[str], include: list[str], page: int | None = None) -> dict:
    """``col.get(ids=…)`` in pages; the parts' lists concatenated."""
    page = page or ID_PAGE
    out: dict[str, list[Any]] = {"ids": [], **{k: [] for k in include}}
    for start in range(0, len(ids), page):
        got = col.get(ids=ids[start : start + page], include=include)
        out["ids"].extend(got["ids"])
        for k in include:
            part = got.get(k)
            out[k].extend([] if part is None else list(part))
    return out


class VectorIndex:
    def __init__(self, path: Path, dim: int) -> None:
        self.path = path
        self.dim = dim
        self.batch = 1000
        self._col: Any = None
        self._count = 0  # kept in step by add/delete: no count() round trip per search
        # cosines of the last query's results: the fused hits mostly come from there
        self._last: tuple[bytes, dict[int, float]] = (b"", {})

    def open(self, list_ids: bool = True) -> set[int] | None:
        """Open and probe the index; returns the chunk ids it holds (``None`` with
        ``list_ids=False``: then only :attr:`size` is known — listing 90,000 ids costs 2 s).

        Raises VectorIndexDamaged when anything about it cannot be read.
        """
        try:
            client = _client(self.path)
            self.batch = max_batch(client)
            self._col = client.get_or_create_collection(
                COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
            ids = {int(i) for i in all_ids(self._col)} if list_ids else None
            self._count = len(ids) if ids is not None else int(self._col.count())
            if self._count:  # touch the HNSW files too (loads them), not only chromadb's SQLite
                self._col.query(
                    query_embeddings=[np.ones(self.dim, dtype=np.float32).tolist()],
                    n_results=1,
                    include=[],
                )
            return ids
        except Exception as exc:  # noqa: BLE001 - the caller decides after a real check
            self._col = None
            raise VectorIndexDamaged(repr(exc)) from exc

    def integrity_problem(self) -> str:
        """A real check after a failed open: "" when the index is sound, else what is wrong.

        SQLite's quick_check on chromadb's database, then a fresh client (our cached one may
        hold a stale state) that opens the collection, counts and runs one query.
        """
        db = self.path / "chroma.sqlite3"
        if db.exists():
            try:
                con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
                try:
                    result = str(con.execute("PRAGMA quick_check").fetchone()[0])
                finally:
                    con.close()
            except sqlite3.DatabaseError as exc:
                return f"chroma.sqlite3: {exc}"
            if result != "ok":
                return f"chroma.sqlite3: {result}"
        _forget_client(self.path)
        try:
            col = _client(self.path).get_or_create_collection(
                COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
            if col.count():
                col.query(
                    query_embeddings=[np.ones(self.dim, dtype=np.float32).tolist()],
                    n_results=1,
                    include=[],
                )
        except Exception as exc:  # noqa: BLE001 - whatever chromadb says: it is not usable
            return repr(exc)
        return ""

    def close(self) -> None:
        self._col = None
        _forget_client(self.path)

    def wipe(self) -> None:
        """Throw the folder away (damaged or built with another embedder)."""
        self._col = None
        _forget_client(self.path)
        shutil.rmtree(self.path, ignore_errors=True)

    def add(self, ids: list[int], doc_ids: list[int], vectors: np.ndarray) -> None:
        if not ids:
            return
        vecs = np.asarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
        for start in range(0, len(ids), self.batch):
            end = start + self.batch
            self._col.upsert(
                ids=[str(i) for i in ids[start:end]],
                embeddings=vecs[start:end],
                metadatas=[{"doc_id": int(d)} for d in doc_ids[start:end]],
            )
        self._count = self._fresh_count()
        self._last = (b"", {})

    def delete(self, ids: list[int]) -> None:
        if not ids:
            return
        for start in range(0, len(ids), self.batch):
            self._col.delete(ids=[str(i) for i in ids[start : start + self.batch]])
        self._count = self._fresh_count()
        self._last = (b"", {})

    def _fresh_count(self) -> int:
        try:
            return int(self._col.count())
        except Exception:  # noqa: BLE001 - only a bound for n_results
            return self._count

    def count(self) -> int:
        """Vectors held now (a round trip); also refreshes :attr:`size`, which bounds
        searches — another PC may have added to a shared collection since the last write."""
        if self._col is None:
            return 0
        self._count = int(self._col.count())
        return self._count

    @property
    def size(self) -> int:
        """Vectors held, as of the last open or write (no round trip)."""
        return self._count

    def ids(self) -> set[int]:
        return {int(i) for i in all_ids(self._col)}

    def id_pages(self, page: int | None = None) -> Iterator[list[int]]:
        """Every id, one page per step: the caller may let others in between the pages."""
        page = page or ID_PAGE
        offset = 0
        while True:
            got = self._col.get(include=[], limit=page, offset=offset)
            ids = [int(i) for i in got["ids"]]
            yield ids
            if len(ids) < page:
                return
            offset += page

    def query(self, vector: np.ndarray, n: int, doc_ids: list[int] | None = None) -> list[int]:
        """Chunk ids, nearest first (chromadb's HNSW, cosine space)."""
        if self._col is None or self._count == 0 or n <= 0:
            return []
        q = np.asarray(vector, dtype=np.float32)
        where = None
        keep: set[int] | None = None
        want = min(n, self._count)
        if doc_ids is not None:
            if not doc_ids:
                return []
            if len(doc_ids) > WHERE_IN_CAP:  # too many values for one filter: filter after
                keep = set(doc_ids)
                want = min(self._count, n * 4)
            elif len(doc_ids) > 1:
                where = {"doc_id": {"$in": [int(d) for d in doc_ids]}}
            else:
                where = {"doc_id": int(doc_ids[0])}
        include = ["distances", "metadatas"] if keep is not None else ["distances"]
        try:
            res = self._col.query(
                query_embeddings=[q], n_results=want, where=where, include=include
            )
        except Exception as exc:  # noqa: BLE001 - fewer matches than asked (small scope)
            if where is None:
                raise
            log.debug("scoped vector query retried: %r", exc)
            res = self._col.query(
                query_embeddings=[q],
                n_results=max(1, min(want, 100)),
                where=where,
                include=include,
            )
        ids = [int(i) for i in res["ids"][0]]
        dists = res["distances"][0] if res.get("distances") is not None else [1.0] * len(ids)
        if keep is not None:
            metas = res["metadatas"][0]
            pairs = [
                (i, d)
                for i, d, m in zip(ids, dists, metas, strict=False)
                if int((m or {}).get("doc_id", -1)) in keep
            ][:n]
            ids, dists = [p[0] for p in pairs], [p[1] for p in pairs]
        self._last = (q.tobytes(), {i: 1.0 - float(d) for i, d in zip(ids, dists, strict=False)})
        return ids

    def similarities(self, vector: np.ndarray, ids: list[int]) -> dict[int, float]:
        """Cosine of the query to each of these chunks (those that have a vector).

        The last query's distances answer most of them; the rest is one paged ``get``."""
        if self._col is None or not ids:
            return {}
        q = np.asarray(vector, dtype=np.float32)
        known = self._last[1] if self._last[0] == q.tobytes() else {}
        out = {i: known[i] for i in ids if i in known}
        rest = [str(i) for i in ids if i not in known]
        if not rest:
            return out
        qn = q / max(float(np.linalg.norm(q)), 1e-12)
        res = get_paged(self._col, rest, ["embeddings"])
        for sid, emb in zip(res["ids"], res["embeddings"], strict=False):
            v = np.asarray(emb, dtype=np.float32)
            out[int(sid)] = float(v @ qn / max(float(np.linalg.norm(v)), 1e-12))
        return out
