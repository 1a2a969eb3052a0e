"""Indexing for :class:`~llmoin_desktop.core.library.library.Library` (split out of
``library.py``): parse pending files, chunk and embed them, commit one file per transaction.

A mixin so that ``library.py`` stays readable; it uses the Library's store, vectors, server,
embedder, locks, writer lock (``_begin_write``) and the shared library's ``_push``. Chunking
and embedding run outside the lock, so searches go on while a folder is read.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import Job, JobContext
from llmoin_desktop.core.library import text as T
from llmoin_desktop.core.library.chunking import Chunk, chunk_document
from llmoin_desktop.core.library.folder_scan import is_real_path, link_message
from llmoin_desktop.core.library.library_check import storage_error
from llmoin_desktop.core.library.server import LibraryServerError
from llmoin_desktop.core.library.store import (
    INDEXED,
    REJECTED,
    DocumentRecord,
    embedding_text,
    law_field,
)
from llmoin_desktop.core.priority import run_in_background
from llmoin_desktop.core.storage.storage_causes import explain

log = logging.getLogger(__name__)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class _Prepared:
    chunks: list[Chunk]
    law: str
    title: str
    abbreviations: list[tuple[str, str]]
    vectors: Any  # np.ndarray | None


@dataclass
class FileOutcome:
    path: str
    status: str  # indexed | rejected | unchanged | cancelled
    message: str = ""
    seconds: float = 0.0
    chunks: int = 0


@dataclass
class IndexReport:
    outcomes: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0
    pages: int = 0  # PDF pages; other formats count 3,000 characters as a page
    cancelled: bool = False

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


class LibraryIndexingMixin:
    store: Any
    vectors: Any
    server: Any
    embedder: Any
    skipped: list[Any]
    _lock: Any
    _parser: Any

    # Indexing ------------------------------------------------------------------------------
    def _get_parser(self) -> Any:
        if self._parser is None:
            from llmoin_desktop.core.documents.sandbox import shared_parser

            self._parser = shared_parser(background=True)  # indexing yields (issue 24)
        return self._parser

    def index_pending(self, ctx: JobContext | None = None) -> IndexReport:
        """Index every pending document, one committed transaction per file; cancellable.

        Shared library: each file goes to the server before it is committed here; when the
        server cannot be reached the job stops with a :class:`LibraryServerError` and the
        remaining files stay pending.
        """
        self._begin_write(ctx)
        try:
            report = self._index_pending(ctx)
        finally:
            self._end_write()
        report.outcomes[:0] = self.skipped
        self.skipped = []
        return report

    def _index_pending(self, ctx: JobContext | None) -> IndexReport:
        report = IndexReport()
        started = time.perf_counter()
        todo = [d.path for d in self.pending()]
        for path in [p for p in todo if not is_real_path(p)]:  # swapped for a link since
            todo.remove(path)
            with self._lock:
                rec = self.store.document(path)
                if rec is not None:
                    old = self.store.reject(rec.id, None, link_message(path))
                    if self.vectors is not None:
                        self.vectors.delete(old)
            report.outcomes.append(FileOutcome(path, REJECTED, link_message(path)))
        if self.server is not None and todo:
            if self.embedder is None:
                raise LibraryServerError(
                    _(
                        "Ohne Modell für die Bedeutungssuche kann dieser Rechner nichts in die "
                        "gemeinsame Bibliothek einlesen."
                    )
                )
            self._connected_server()
        total = len(todo)
        if ctx is not None:
            ctx.progress(0, total, _("Dokumente werden gelesen …"))
        cancel = ctx.cancel if ctx is not None else None
        done = 0

        def page_progress(path: str, _step: int, _pages: int, text: str) -> None:
            # Pages inside a file ("bescheid.pdf: Texterkennung: Seite 3 von 12"): a long
            # scan or a 1,500-page PDF shows that it moves, not one frozen line per file.
            if ctx is not None:
                ctx.progress(done, total, f"{Path(path).name}: {text}")

        for outcome in self._get_parser().iter_parse(
            todo, cancel=cancel, on_progress=page_progress
        ):
            name = Path(outcome.path).name
            if outcome.status == "cancelled" or (cancel is not None and cancel.cancelled):
                report.outcomes.append(FileOutcome(outcome.path, "cancelled"))
                report.cancelled = True
                continue
            t0 = time.perf_counter()
            try:
                sha: str | None = file_sha256(Path(outcome.path))
            except OSError:
                sha = None
            # Chunking and embedding happen outside the lock: searches go on meanwhile.
            # On a fresh thread below normal priority: embedding is the CPU-heavy part.
            prepared = (
                run_in_background(self._prepare, outcome.path, outcome.document)
                if outcome.document
                else None
            )
            server_ids = None
            if self.server is not None:
                with self._lock:
                    rec = self.store.document(outcome.path)
                    shared_before = rec is not None and bool(self.store.server_ids_of(rec.id))
                if rec is None:
                    continue
                if prepared is not None and outcome.document is not None:
                    server_ids = self._push(rec, outcome.document, sha or "", prepared)
                elif shared_before:  # it changed into something unreadable: unshare the old one
                    self.server.delete_paths([rec.path])
            with self._lock:
                rec = self.store.document(outcome.path)
                if rec is None:  # removed while we were parsing
                    if server_ids:
                        self.server.delete_paths([outcome.path])  # type: ignore[union-attr]
                    continue
                if outcome.document is None or prepared is None:
                    old = self.store.reject(rec.id, sha, outcome.message)
                    if self.vectors is not None:
                        self.vectors.delete(old)
                    report.outcomes.append(
                        FileOutcome(outcome.path, REJECTED, outcome.message, outcome.seconds)
                    )
                else:
                    doc = outcome.document
                    try:
                        self._save(rec, doc, sha or "", prepared, server_ids)
                    except (sqlite3.Error, OSError) as exc:
                        # disk full, read-only …: the file stays pending, the job stops with
                        # the cause; what is indexed so far stays indexed.
                        raise storage_error(
                            exc,
                            tr("„{name}“ konnte nicht gespeichert werden.", name=name),
                        ) from exc
                    report.pages += doc.n_pages or -(-len(doc.text) // 3000)
                    report.outcomes.append(
                        FileOutcome(
                            outcome.path,
                            INDEXED,
                            "; ".join(doc.warnings),
                            outcome.seconds + time.perf_counter() - t0,
                            len(prepared.chunks),
                        )
                    )
            done += 1
            if ctx is not None:
                ctx.progress(done, total, tr("{name} verarbeitet", name=name))
        report.seconds = time.perf_counter() - started
        return report

    def _prepare(self, path: str, doc: Any) -> _Prepared:
        chunks = chunk_document(doc)
        first_heading = next((b.text for b in doc.blocks if b.kind == "heading"), "")
        law = law_field(doc.title, path, first_heading[:200])
        title = doc.title or Path(path).stem
        vectors = None
        if self.embedder is not None:
            vectors = self.embedder.embed_documents([embedding_text(title, c.text) for c in chunks])
        abbrs = T.abbreviation_definitions(law + "\n" + doc.text[:200_000])
        return _Prepared(chunks, law, title, abbrs, vectors)

    def _save(
        self,
        rec: DocumentRecord,
        doc: Any,
        sha: str,
        prep: _Prepared,
        server_ids: list[str] | None = None,
    ) -> None:
        old, new = self.store.save_document(
            rec.id,
            indexed=self.vectors is None,
            title=prep.title,
            fmt=doc.format,
            sha256=sha,
            n_pages=doc.n_pages,
            warnings=list(doc.warnings),
            law=prep.law,
            chunks=prep.chunks,
            abbreviations=prep.abbreviations,
            server_ids=server_ids,
        )
        if self.vectors is not None:
            # SQLite says "indexed" only once the vectors are stored: they never disagree.
            try:
                self.vectors.delete(old)
                if prep.vectors is not None:
                    self.vectors.add(new, [rec.id] * len(new), prep.vectors)
                else:
                    self._embed_chunks(new, None)
            except Exception as exc:
                try:
                    self.vectors.delete(new)
                except Exception:  # noqa: BLE001 - check() drops leftovers at the next open
                    log.debug("could not drop vectors of a failed save", exc_info=True)
                self.store.unindex(rec.id, explain(exc))
                raise
            self.store.set_status(rec.id, INDEXED)

    def index_job(self, paths: Iterable[str | Path] = ()) -> Job[IndexReport]:
        """A Job that registers ``paths`` and indexes everything pending (resumes, too)."""
        paths = list(paths)

        def run(ctx: JobContext) -> IndexReport:
            self._begin_write(ctx)  # waits (cancellable) while another process writes
            try:
                if paths:
                    self.add(paths)
                return self.index_pending(ctx)
            finally:
                self._end_write()

        return Job(run, name="index")
