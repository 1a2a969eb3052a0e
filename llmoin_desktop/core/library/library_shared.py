"""The shared library's side of :class:`~llmoin_desktop.core.library.library.Library`:
sync the local mirror with the department's Chroma server and push indexed documents to it.

A mixin so that ``library.py`` stays readable; it uses the Library's store, vectors, server,
embedder, locks and ``_embed_chunks``. Writes to the mirror only happen while this process
holds the library's writer lock (see ``library_lock.py``).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from llmoin_desktop.core.i18n import _
from llmoin_desktop.core.jobs import JobContext
from llmoin_desktop.core.library.chunking import Chunk
from llmoin_desktop.core.library.server import (
    LibraryServer,
    LibraryServerError,
    ServerChunk,
    chunk_id,
    chunk_metadata,
    doc_key,
)
from llmoin_desktop.core.library.store import DocumentRecord

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    """What :meth:`Library.sync` changed in the local mirror."""

    added: int = 0  # chunks pulled from the server
    removed: int = 0  # chunks the server no longer has
    documents: int = 0  # documents that got new chunks
    seconds: float = 0.0


class SharedLibraryMixin:
    server: LibraryServer | None
    server_online: bool
    store: Any
    vectors: Any
    embedder: Any
    writer: Any
    _lock: Any
    _embed_chunks: Any  # Library's

    # Shared library ------------------------------------------------------------------------
    def sync(self, ctx: JobContext | None = None) -> SyncReport:
        """Make the local mirror equal the server's collection: pull chunks other PCs added,
        drop those they removed. Cheap when nothing changed (one listing of ids).

        Network calls run outside the lock, so searches go on meanwhile. Raises
        :class:`LibraryServerError` when the server cannot be used; the mirror stays as it was.
        """
        report = SyncReport()
        if self.server is None:
            return report
        if not self.writer.try_acquire():
            return report  # another process writes the mirror now; the next sync catches up
        try:
            return self._sync(report, ctx)
        finally:
            self.writer.release()

    def _sync(self, report: SyncReport, ctx: JobContext | None) -> SyncReport:
        started = time.perf_counter()
        if ctx is not None:
            ctx.progress(0, None, _("Gemeinsame Bibliothek wird abgeglichen …"))
        with self._lock:
            # Read before listing the server: whatever we hold was pushed before the listing.
            mine = self.store.server_chunk_map()
        try:
            theirs = self.server.ids()
            new = sorted(theirs - mine.keys())
            fetched = self.server.fetch(new) if new else []
        except LibraryServerError:
            self.server_online = False
            raise
        self.server_online = True
        with self._lock:
            removed = self.store.drop_server_chunks(s for s in mine if s not in theirs)
            if self.vectors is not None:
                self.vectors.delete(removed)
            known = self.store.server_chunk_map()  # a push during the fetch is no news
            report.added, report.documents = self._mirror([c for c in fetched if c.id not in known])
        report.removed = len(removed)
        report.seconds = time.perf_counter() - started
        if report.added or report.removed:
            log.info("library sync: %s", report)
        return report

    def _mirror(self, fetched: list[ServerChunk]) -> tuple[int, int]:
        """Write pulled chunks into the local store and vectors; returns (chunks, documents)."""
        by_path: dict[str, dict[str, list[ServerChunk]]] = {}
        for c in fetched:
            path = str(c.meta.get("path") or "")
            if path:
                by_path.setdefault(path, {}).setdefault(str(c.meta.get("doc_key")), []).append(c)
        added = 0
        for path, versions in by_path.items():
            # Two versions of one file: another PC is replacing it right now; take the newer.
            items = max(
                versions.values(), key=lambda v: max(float(c.meta.get("indexed_at", 0)) for c in v)
            )
            items.sort(key=lambda c: int(c.meta.get("ord", 0)))
            m = items[0].meta
            abbrs = [
                (str(a), str(b))
                for c in items
                for a, b in json.loads(c.meta.get("abbreviations") or "[]")
            ]
            n_pages = int(m.get("n_pages", -1))
            doc_id, old, new = self.store.mirror_document(
                path=path,
                sha256=str(m.get("sha256", "")),
                title=str(m.get("title", "")),
                fmt=str(m.get("format", "")),
                n_pages=None if n_pages < 0 else n_pages,
                warnings=json.loads(m.get("warnings") or "[]"),
                law=str(m.get("law", "")),
                size=int(m.get("size", 0)),
                mtime=float(m.get("mtime", 0.0)),
                chunks=[
                    (
                        c.id,
                        int(c.meta.get("ord", 0)),
                        Chunk(
                            text=c.text,
                            section=str(c.meta.get("section", "")),
                            pages=[int(p) for p in json.loads(c.meta.get("pages") or "[]")],
                            context=str(c.meta.get("context", "")),
                            section_no=str(c.meta.get("section_no", "")),
                        ),
                    )
                    for c in items
                ],
                abbreviations=abbrs,
            )
            added += len(new)
            if self.vectors is None or self.embedder is None:
                continue
            self.vectors.delete(old)
            dim = self.embedder.dim
            if all(c.embedding is not None and c.embedding.size == dim for c in items):
                self.vectors.add(new, [doc_id] * len(new), np.stack([c.embedding for c in items]))
            else:  # not expected (the collection records the model), but never leave gaps
                self._embed_chunks(new, None)
        return added, len(by_path)

    def _connected_server(self) -> LibraryServer:
        """The server, connected, before anything is changed (else a typed error)."""
        assert self.server is not None
        try:
            if not self.server.connected:
                self.server.connect()
        except LibraryServerError:
            self.server_online = False
            raise
        self.server_online = True
        return self.server

    def _push(self, rec: DocumentRecord, doc: Any, sha: str, prep: Any) -> list[str]:
        """Send a document's chunks (text, fields, embeddings) to the server; their ids."""
        assert self.server is not None and prep.vectors is not None
        key = doc_key(rec.path, sha)
        now = time.time()
        rows = [
            ServerChunk(
                chunk_id(key, i),
                ch.text,
                chunk_metadata(
                    path=rec.path,
                    sha256=sha,
                    title=prep.title,
                    fmt=doc.format,
                    law=prep.law,
                    n_pages=doc.n_pages,
                    n_chunks=len(prep.chunks),
                    warnings=list(doc.warnings),
                    size=rec.size,
                    mtime=rec.mtime,
                    indexed_at=now,
                    ord_=i,
                    section=ch.section,
                    section_no=ch.section_no,
                    context=ch.context,
                    pages=list(ch.pages),
                    abbreviations=prep.abbreviations if i == 0 else None,
                ),
                prep.vectors[i],
            )
            for i, ch in enumerate(prep.chunks)
        ]
        self.server.replace_document(rec.path, rows)
        return [r.id for r in rows]
