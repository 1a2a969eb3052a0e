"""The chromadb vector index: a rebuildable cache of chunk embeddings, never the truth.

chromadb is not process-safe and caches one system per path, so we keep exactly one
client per folder per process. Ids are SQLite chunk ids (never reused: AUTOINCREMENT),
which makes "is the index consistent with SQLite?" a set comparison. Reported field
failures after SIGKILL ("Error loading hnsw index") are why :meth:`open` probes the index
and the library rebuilds it from SQLite when the probe fails.

Search does not go through chromadb's HNSW: :meth:`open` loads every vector into one
in-memory matrix (kept up to date by :meth:`add` / :meth:`delete`) and a query is one exact
matrix-vector product. For libraries of this size (10^3–10^5 chunks) that is both exact and
faster than chromadb's query path (measured: 10 ms → under 1 ms per query on 900 chunks,
most of chromadb's time being ``count()`` and the Rust binding round trip). Above
``MATRIX_MAX`` vectors we fall back to chromadb's approximate index to bound memory.
"""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path
from typing import Any

import numpy as np

from llmoin_desktop.core.library.embed import one_blas_thread

log = logging.getLogger(__name__)

COLLECTION = "chunks"
MATRIX_MAX = 250_000  # 512 float32 dims → 0.5 GB; beyond this chromadb's HNSW answers
_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


class VectorIndexDamaged(Exception):
    """chromadb could not open or read the folder; the caller rebuilds it."""


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


BATCH_CAP = 5000


class VectorIndex:
    def __init__(self, path: Path, dim: int) -> None:
        self.path = path
        self.dim = dim
        self.batch = 1000
        self._col: Any = None
        self._mat: _Matrix | None = None  # only when this process opened the index itself

    def open(self) -> set[int]:
        """Open and probe the index; returns the chunk ids it holds.

        Raises VectorIndexDamaged when anything about it cannot be read.
        """
        try:
            client = _client(self.path)
            self.batch = max_batch(client)
            self._col = client.get_or_create_collection(
                COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
            got = self._col.get(include=["embeddings", "metadatas"])
            ids = [int(i) for i in got["ids"]]
            if ids:  # touch the HNSW files too, not only chromadb's SQLite
                self._col.query(
                    query_embeddings=[np.ones(self.dim, dtype=np.float32).tolist()], n_results=1
                )
            self._mat = None
            if len(ids) <= MATRIX_MAX:
                vecs = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(ids), self.dim)
                docs = [int((m or {}).get("doc_id", -1)) for m in got["metadatas"]]
                self._mat = _Matrix(self.dim)
                self._mat.add(ids, docs, vecs)
            return set(ids)
        except Exception as exc:  # noqa: BLE001 - any failure here means "rebuild"
            self._col = None
            self._mat = None
            raise VectorIndexDamaged(repr(exc)) from exc

    def close(self) -> None:
        self._col = None
        self._mat = None
        _forget_client(self.path)

    def wipe(self) -> None:
        """Throw the folder away (damaged or built with another embedder)."""
        self._col = None
        self._mat = None
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
                embeddings=vecs[start:end].tolist(),
                metadatas=[{"doc_id": d} for d in doc_ids[start:end]],
            )
        if self._mat is not None:
            self._mat.add(ids, doc_ids, np.asarray(vectors, dtype=np.float32))
            if self._mat.size > MATRIX_MAX:
                self._mat = None

    def delete(self, ids: list[int]) -> None:
        if ids:
            for start in range(0, len(ids), self.batch):
                self._col.delete(ids=[str(i) for i in ids[start : start + self.batch]])
            if self._mat is not None:
                self._mat.delete(ids)

    def count(self) -> int:
        return int(self._col.count()) if self._col is not None else 0

    def query(self, vector: np.ndarray, n: int, doc_ids: list[int] | None = None) -> list[int]:
        """Chunk ids, nearest first."""
        if self._col is None:
            return []
        if self._mat is not None:
            return self._mat.top(np.asarray(vector, dtype=np.float32), n, doc_ids)
        total = self.count()
        if total == 0:
            return []
        where = None
        if doc_ids is not None:
            if not doc_ids:
                return []
            where = {"doc_id": {"$in": doc_ids}} if len(doc_ids) > 1 else {"doc_id": doc_ids[0]}
        res = self._col.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()],
            n_results=min(n, total),
            where=where,
            include=[],
        )
        return [int(i) for i in res["ids"][0]]

    def similarities(self, vector: np.ndarray, ids: list[int]) -> dict[int, float]:
        """Cosine of the query to each of these chunks (those that have a vector)."""
        if self._col is None or not ids:
            return {}
        q = np.asarray(vector, dtype=np.float32)
        q = q / max(float(np.linalg.norm(q)), 1e-12)
        if self._mat is not None:
            return self._mat.similarities(q, ids)
        res = self._col.get(ids=[str(i) for i in ids], include=["embeddings"])
        out: dict[int, float] = {}
        for sid, emb in zip(res["ids"], res["embeddings"], strict=False):
            v = np.asarray(emb, dtype=np.float32)
            out[int(sid)] = float(v @ q / max(float(np.linalg.norm(v)), 1e-12))
        return out


class _Matrix:
    """All vectors as rows of one array; deleted rows are tombstoned and compacted later."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.vecs = np.zeros((0, dim), dtype=np.float32)
        self.ids = np.zeros(0, dtype=np.int64)
        self.docs = np.zeros(0, dtype=np.int64)
        self.alive = np.zeros(0, dtype=bool)
        self.n = 0  # rows in use (alive or tombstoned)
        self.row: dict[int, int] = {}

    @property
    def size(self) -> int:
        return len(self.row)

    def _grow(self, need: int) -> None:
        if need <= len(self.ids):
            return
        cap = max(need, 2 * len(self.ids), 256)
        for name in ("vecs", "ids", "docs", "alive"):
            old = getattr(self, name)
            new = np.zeros((cap, *old.shape[1:]), dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def add(self, ids: list[int], doc_ids: list[int], vecs: np.ndarray) -> None:
        self.delete(ids)  # upsert
        k = len(ids)
        self._grow(self.n + k)
        sl = slice(self.n, self.n + k)
        v = vecs.reshape(k, self.dim)
        norms = np.linalg.norm(v, axis=1, keepdims=True)
        self.vecs[sl] = v / np.maximum(norms, 1e-12)
        self.ids[sl] = ids
        self.docs[sl] = doc_ids
        self.alive[sl] = True
        for j, i in enumerate(ids):
            self.row[int(i)] = self.n + j
        self.n += k

    def delete(self, ids: list[int]) -> None:
        for i in ids:
            r = self.row.pop(int(i), None)
            if r is not None:
                self.alive[r] = False
        if self.n > 1024 and len(self.row) < self.n // 2:
            self._compact()

    def _compact(self) -> None:
        keep = np.flatnonzero(self.alive[: self.n])
        self.vecs = self.vecs[keep].copy()
        self.ids = self.ids[keep].copy()
        self.docs = self.docs[keep].copy()
        self.alive = np.ones(len(keep), dtype=bool)
        self.n = len(keep)
        self.row = {int(i): r for r, i in enumerate(self.ids)}

    def similarities(self, q: np.ndarray, ids: list[int]) -> dict[int, float]:
        rows = [(i, self.row[i]) for i in ids if i in self.row]
        return {i: float(self.vecs[r] @ q) for i, r in rows}

    def top(self, q: np.ndarray, n: int, doc_ids: list[int] | None) -> list[int]:
        """Exact cosine top-n (rows are unit length), nearest first."""
        if self.n == 0 or n <= 0:
            return []
        with one_blas_thread():
            scores = self.vecs[: self.n] @ q
        ok = self.alive[: self.n]
        if doc_ids is not None:
            ok = ok & np.isin(self.docs[: self.n], np.asarray(doc_ids, dtype=np.int64))
        scores = np.where(ok, scores, -np.inf)
        n = min(n, int(ok.sum()))
        if n == 0:
            return []
        part = np.argpartition(-scores, n - 1)[:n]
        part = part[np.argsort(-scores[part], kind="stable")]
        return [int(self.ids[r]) for r in part]
