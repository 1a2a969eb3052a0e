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

from llmoin_desktop.core.i18n import tr
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
from llmoin_desktop.core.library.sync_marker import must_list

log = logging.getLogger(__name__)


LISTING_META = "server_listing"  # meta: the last complete listing (marker, count, when)
PULL_PAGE = 2000  # chunks fetched and mirrored per step (one progress step, one transaction)


def pull_message(done: int, total: int) -> str:
    """The clerk's line while chunks are pulled from the server."""
    return tr(
        "Die gemeinsame Bibliothek wird vom Server geladen ({done} von {total} Abschnitten); "
        "bis dahin wird in dem gesucht, was schon da ist.",
        done=min(done, total),
        total=total,
    )


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
    _sync_serial: Any  # SyncJobMixin's

    # Shared library ------------------------------------------------------------------------
    def sync(self, ctx: JobContext | None = None) -> SyncReport:
        """Make the local mirror equal the server's collection: pull chunks other PCs added,
        drop those they removed. Cheap when nothing changed: two small requests (the
        collection's change marker and count, ``sync_marker.py``), no listing of ids.

        Network calls run outside the lock, so searches go on meanwhile. Raises
        :class:`LibraryServerError` when the server cannot be used; the mirror stays as it was.
        """
        report = SyncReport()
        if self.server is None:
            return report
        if not self.writer.try_acquire():
            return report  # another process writes the mirror now; the next sync catches up
        try:
            with self._sync_serial:  # the background sync and a rescan: one after the other
                return self._sync(report, ctx)
        finally:
            self.writer.release()

    def _sync(self, report: SyncReport, ctx: JobContext | None) -> SyncReport:
        started = time.perf_counter()
        with self._lock:
            # Read before listing the server: whatever we hold was pushed before the listing.
            mine = self.store.server_chunk_map()
            last = self._last_listing()
        try:
            marker, count = self.server.state()  # read before the listing (sync_marker.py)
            if not must_list(last, marker, count, time.time()):
                self.server_online = True
                report.seconds = time.perf_counter() - started
                return report  # nothing changed: no id listing
            theirs = self.server.ids()
        except LibraryServerError:
            self.server_online = False
            raise
        self.server_online = True
        with self._lock:
            removed = self.store.drop_server_chunks(s for s in mine if s not in theirs)
            if self.vectors is not None:
                self.vectors.delete(removed)
        report.removed = len(removed)
        # Pulled in pages (ids sort by document): search finds each page as soon as it is in.
        new = sorted(theirs - mine.keys())
        for start in range(0, len(new), PULL_PAGE):
            if ctx is not None:
                ctx.check()
                ctx.progress(report.added, len(new), pull_message(start, len(new)))
            try:
                fetched = self.server.fetch(new[start : start + PULL_PAGE])
            except LibraryServerError:
                self.server_online = False
                raise
            with self._lock:
                known = self.store.server_chunk_map()  # a push during the fetch is no news
                added, docs = self._mirror([c for c in fetched if c.id not in known])
            report.added += added
            report.documents += docs
        with self._lock:  # only a finished listing and pull count as "seen"
            self.store.set_meta(
                LISTING_META,
                json.dumps(
                    {
                        "server": self.server.address.label,
                        "generation": marker,
                        "count": count,
                        "listed_at": time.time(),
                    }
                ),
            )
        report.seconds = time.perf_counter() - started
        if report.added or report.removed:
            log.info("library sync: %s", report)
        return report

    def _last_listing(self) -> dict[str, Any] | None:
        """What the last complete listing saw (for this server only), or ``None``."""
        try:
            last = json.loads(self.store.get_meta(LISTING_META) or "null")
        except ValueError:
            return None
        assert self.server is not None
        if not isinstance(last, dict) or last.get("server") != self.server.address.label:
            return None
        return last

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
