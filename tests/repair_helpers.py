"""Shared parts of the vector-repair tests: a real library of real laws, the library's real
embedder behind a gate (so a test can hold the background repair mid-way), and the ways a
vector index gets damaged."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import numpy as np

from llmoin_desktop.core.library import Library
from llmoin_desktop.core.library.embed import default_embedder
from llmoin_desktop.core.library.vectors import VectorIndex

LAWS = ["burlg.md", "vwzg_2005.md", "bukg_1990.md", "egovg.md", "tzbfg.docx"]
QUESTION = "Wie lange ist die Wartezeit für den vollen Urlaubsanspruch?"


class GatedEmbedder:
    """The library's real embedder (USE); each batch of documents waits for ``gate`` once
    ``free`` batches have passed. Counts what it embedded."""

    def __init__(self, gate: threading.Event | None = None, free: int = 0) -> None:
        self.real = default_embedder()
        assert self.real is not None
        self.real.embed_query("Aufwärmen")  # the model loads here, not in the timed open
        self.name, self.dim = self.real.name, self.real.dim
        self.gate = gate if gate is not None else threading.Event()
        self.free = free
        self.batches = 0
        self.embedded = 0
        self.waiting = threading.Event()  # a batch is held at the gate now

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.batches += 1
        if self.batches > self.free:
            self.waiting.set()
            assert self.gate.wait(120), "test never opened the gate"
        self.embedded += len(texts)
        return self.real.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.real.embed_query(text)


def build_library(folder: Path, corpus_dir: Path) -> Path:
    with Library.open(folder) as lib:
        lib.add([corpus_dir / "gesetze" / name for name in LAWS])
        report = lib.index_pending()
        assert report.count("indexed") == len(LAWS)
        assert lib.vectors is not None and lib.vectors.count() == len(lib.store.chunk_ids())
    return folder


def copy_library(built: Path, dest: Path) -> Path:
    shutil.copytree(built, dest)
    return dest


def meta(folder: Path, key: str) -> str | None:
    con = sqlite3.connect(folder / "library.sqlite3")
    try:
        row = con.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    finally:
        con.close()
    return None if row is None else str(row[0])


def chunk_count(folder: Path) -> int:
    con = sqlite3.connect(folder / "library.sqlite3")
    try:
        return int(con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
    finally:
        con.close()


def vectors_dir(folder: Path) -> Path:
    return folder / (meta(folder, "vectors_dir") or "vectors")


def damage(folder: Path, how: str) -> int:
    """Damage the vector index; returns how many chunks keep their vector."""
    vec_dir = vectors_dir(folder)
    if how == "deleted":  # the chroma folder is gone (deleted by hand, a cleaner tool …)
        shutil.rmtree(vec_dir)
        return 0
    if how == "dimension":  # vectors of another length (another model under the same name)
        shutil.rmtree(vec_dir)
        index = VectorIndex(vec_dir, 8)
        index.open()
        index.add([1, 2, 3], [1, 1, 1], np.ones((3, 8), dtype=np.float32))
        index.close()
        return 0
    if how == "lost":  # most vectors lost, the index itself sound
        index = VectorIndex(vec_dir, default_embedder().dim)  # type: ignore[union-attr]
        ids = sorted(index.open() or set())
        index.delete(ids[: len(ids) * 2 // 3])
        kept = index.count()
        index.close()
        return kept
    raise ValueError(how)
