"""The chromadb vector index: a rebuildable cache of chunk embeddings, never the truth.

chromadb is not process-safe and caches one system per path, so we keep exactly one
client per folder per process. Ids are SQLite chunk ids (never reused: AUTOINCREMENT),
which makes "is the index consistent with SQLite?" a set comparison. Reported field
failures after SIGKILL ("Error loading hnsw index") are why :meth:`open` probes the index
and the library rebuilds it from SQLite when the probe fails.
"""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

COLLECTION = "chunks"
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


class VectorIndex:
    def __init__(self, path: Path, dim: int) -> None:
        self.path = path
        self.dim = dim
        self._col: Any = None

    def open(self) -> set[int]:
        """Open and probe the index; returns the chunk ids it holds.

        Raises VectorIndexDamaged when anything about it cannot be read.
        """
        try:
            client = _client(self.path)
            self._col = client.get_or_create_collection(
                COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
            ids = {int(i) for i in self._col.get(include=[])["ids"]}
            if ids:  # touch the HNSW files too, not only chromadb's SQLite
                self._col.query(
                    query_embeddings=[np.ones(self.dim, dtype=np.float32).tolist()], n_results=1
                )
            return ids
        except Exception as exc:  # noqa: BLE001 - any failure here means "rebuild"
            self._col = None
            raise VectorIndexDamaged(repr(exc)) from exc

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
        self._col.upsert(
            ids=[str(i) for i in ids],
            embeddings=np.asarray(vectors, dtype=np.float32).tolist(),
            metadatas=[{"doc_id": d} for d in doc_ids],
        )

    def delete(self, ids: list[int]) -> None:
        if ids:
            self._col.delete(ids=[str(i) for i in ids])

    def count(self) -> int:
        return int(self._col.count()) if self._col is not None else 0

    def query(self, vector: np.ndarray, n: int, doc_ids: list[int] | None = None) -> list[int]:
        """Chunk ids, nearest first."""
        if self._col is None:
            return []
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
