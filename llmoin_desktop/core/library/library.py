"""The document library: add, re-scan, remove, index (resumable) and search.

Layout of a library folder::

    library.sqlite3   documents, chunks, FTS5 keyword index (the source of truth)
    vectors/          chromadb PersistentClient (a cache, rebuilt from SQLite when damaged)

Crash safety comes from the order of writes: a file is first registered as ``pending``;
its chunks, keyword index and status ``indexed`` are committed together in one SQLite
transaction; the vectors follow. A SIGKILL at any point leaves each file either indexed or
pending, and :meth:`Library.check` (run by :meth:`Library.open`) adds vectors that are
missing and drops those of removed chunks. The next indexing job resumes what is pending.

Shared library (``library_server`` set): the department's library is one collection on a
Chroma server (see ``server.py``) and this folder is its local mirror. Indexing pushes a
file's chunks to the server *before* committing them here (a failed push leaves the file
pending, nothing half-shared); :meth:`Library.sync` pulls what other PCs added and drops
what they removed. When the server is down the mirror still answers searches.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import Job, JobContext
from llmoin_desktop.core.library import search as S
from llmoin_desktop.core.library import text as T
from llmoin_desktop.core.library.chunking import Chunk, chunk_document
from llmoin_desktop.core.library.embed import Embedder, default_embedder
from llmoin_desktop.core.library.server import (
    LibraryServer,
    LibraryServerError,
    LibraryServerMismatch,
    ServerChunk,
    chunk_id,
    chunk_metadata,
    doc_key,
    parse_server,
)
from llmoin_desktop.core.library.store import (
    EMBED_RECIPE,
    INDEXED,
    MISSING,
    PENDING,
    REJECTED,
    DocumentRecord,
    Store,
    embedding_text,
    law_field,
)
from llmoin_desktop.core.library.vectors import VectorIndex, VectorIndexDamaged
from llmoin_desktop.core.paths import user_data_dir

log = logging.getLogger(__name__)

DB_NAME = "library.sqlite3"
VECTORS_DIR = "vectors"
_EMBED_BATCH = 32
_DEFAULT = object()


class LibraryError(LLMoinError):
    """The library folder cannot be opened or written."""


def default_library_dir() -> Path:
    """LLMOIN_LIBRARY_DIR (scripts, tests) or the user's data folder."""
    env = os.environ.get("LLMOIN_LIBRARY_DIR")
    return Path(env) if env else user_data_dir() / "library"


def supported_extensions() -> frozenset[str]:
    from llmoin_desktop.core.documents import SUPPORTED_EXTENSIONS

    return frozenset(e if e.startswith(".") else f".{e}" for e in SUPPORTED_EXTENSIONS)


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
class SyncReport:
    """What :meth:`Library.sync` changed in the local mirror."""

    added: int = 0  # chunks pulled from the server
    removed: int = 0  # chunks the server no longer has
    documents: int = 0  # documents that got new chunks
    seconds: float = 0.0


@dataclass
class IndexReport:
    outcomes: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0
    pages: int = 0  # PDF pages; other formats count 3,000 characters as a page
    cancelled: bool = False

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


class Library:
    """One library folder. Not process-safe (chromadb is not): one Library per folder per
    process; methods are serialised with a lock so the UI and a job may share it.
    """

    def __init__(
        self,
        folder: Path,
        *,
        embedder: Embedder | None | Any = _DEFAULT,
        parser: Any = None,
        server: str = "",
        server_from_policy: bool = False,
    ) -> None:
        """``server``: the shared library's address (setting ``library_server``); a server
        outside this PC is only accepted when IT set it (``server_from_policy``)."""
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.store = Store(self.folder / DB_NAME)
        except (OSError, Exception) as exc:  # sqlite3.DatabaseError: not a database …
            raise LibraryError(
                tr("Die Bibliothek in „{folder}“ kann nicht geöffnet werden.", folder=str(folder)),
                detail=repr(exc),
            ) from exc
        self.embedder: Embedder | None = default_embedder() if embedder is _DEFAULT else embedder
        self._parser = parser
        self._lock = threading.RLock()
        self.vectors: VectorIndex | None = None
        self.notices: list[str] = []  # messages for the clerk from the last check
        self.server: LibraryServer | None = None
        self.server_online = False  # the last server call worked
        if server.strip():
            try:
                address = parse_server(server, from_policy=server_from_policy)
            except LibraryServerError:
                self.store.close()
                raise
            dim = self.embedder.dim if self.embedder is not None else None
            self.server = LibraryServer(address, self._embedder_key(), dim)

    @classmethod
    def open(cls, folder: Path | None = None, **kwargs: Any) -> Library:
        """Open (or create) a library and check it; see :attr:`notices` for what was repaired.

        With a server: also syncs the mirror. An unreachable server is a notice (the mirror
        still answers); a server built with another embedding model is an error.
        """
        lib = cls(folder or default_library_dir(), **kwargs)
        try:
            lib.check()
            if lib.server is not None:
                try:
                    lib.sync()
                except LibraryServerMismatch:
                    raise
                except LibraryServerError as exc:
                    lib.notices.append(
                        exc.user_message
                        + " "
                        + _(
                            "Gesucht wird in der zuletzt abgeglichenen Kopie auf diesem Rechner; "
                            "Einlesen und Entfernen gehen erst wieder, wenn der Server "
                            "erreichbar ist."
                        )
                    )
        except BaseException:
            lib.close()
            raise
        return lib

    @property
    def server_label(self) -> str:
        """The shared library's address for the clerk ("" for a library on this PC only)."""
        return self.server.address.label if self.server is not None else ""

    def _embedder_key(self) -> str | None:
        return f"{self.embedder.name}/{EMBED_RECIPE}" if self.embedder is not None else None

    def close(self) -> None:
        with self._lock:
            if self.server is not None:
                self.server.close()
            if self.vectors is not None:
                self.vectors.close()
                self.vectors = None
            self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Checking and repairing ----------------------------------------------------------------
    def check(self, ctx: JobContext | None = None) -> list[str]:
        """Make the vector index agree with SQLite; rebuild it if it is damaged."""
        with self._lock:
            self.notices = []
            if self.store.check() != "ok":
                self.notices.append(
                    _("Die Bibliotheksdatenbank meldet Fehler; bitte Dokumente neu hinzufügen.")
                )
            if self.embedder is None:
                self.notices.append(
                    _(
                        "Kein Modell für die Bedeutungssuche verfügbar; es wird nur nach Wörtern gesucht."
                    )
                )
                return self.notices
            vec = VectorIndex(self.folder / self._vectors_dir(), self.embedder.dim)
            key = self._embedder_key()
            stored_name = self.store.get_meta("embedder")
            if stored_name not in (None, key):
                vec = self._fresh_vectors(vec)
            try:
                have = vec.open()
            except VectorIndexDamaged as exc:
                log.warning("vector index damaged, rebuilding: %s", exc)
                self.notices.append(
                    _("Der Suchindex war beschädigt und wird aus der Bibliothek neu aufgebaut.")
                )
                vec = self._fresh_vectors(vec)
                try:
                    have = vec.open()
                except VectorIndexDamaged as exc2:
                    raise LibraryError(
                        _("Der Suchindex kann nicht neu angelegt werden."), detail=str(exc2)
                    ) from exc2
            self.vectors = vec
            self.store.set_meta("embedder", key)
            want = self.store.chunk_ids()
            extra = sorted(have - want)
            missing = sorted(want - have)
            vec.delete(extra)
            self._embed_chunks(missing, ctx)
            return self.notices

    def _vectors_dir(self) -> str:
        return self.store.get_meta("vectors_dir") or VECTORS_DIR

    def _fresh_vectors(self, old: VectorIndex) -> VectorIndex:
        """A new, empty index in a new folder; the old one is thrown away.

        A new folder name, because chromadb caches state per path inside the process and a
        damaged folder's cache would survive deleting the folder.
        """
        assert self.embedder is not None
        old.wipe()
        name = f"{VECTORS_DIR}-{time.time_ns()}"
        self.store.set_meta("vectors_dir", name)
        return VectorIndex(self.folder / name, self.embedder.dim)

    def _embed_chunks(self, ids: list[int], ctx: JobContext | None) -> None:
        if not ids or self.embedder is None or self.vectors is None:
            return
        for start in range(0, len(ids), _EMBED_BATCH * 4):
            if ctx is not None:
                ctx.check()
                ctx.progress(start, len(ids), _("Suchindex wird aufgebaut …"))
            rows = self.store.embedding_texts(ids[start : start + _EMBED_BATCH * 4])
            vectors = self.embedder.embed_documents([t for _, _, t in rows])
            self.vectors.add([r[0] for r in rows], [r[1] for r in rows], vectors)

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

    def _push(self, rec: DocumentRecord, doc: Any, sha: str, prep: _Prepared) -> list[str]:
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

    # Adding, re-scanning, removing ---------------------------------------------------------
    def _files_under(self, path: Path) -> list[Path]:
        exts = supported_extensions()
        if path.is_dir():
            return sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in exts and not p.name.startswith((".", "~$"))
            )
        return [path]

    def add(self, paths: Iterable[str | Path]) -> list[str]:
        """Register files and folders; new or changed files become ``pending``.

        Returns the paths that need indexing. A file whose content hash is unchanged is
        not indexed again (only its size/mtime are remembered).
        """
        todo: list[str] = []
        with self._lock:
            for raw in paths:
                root = Path(raw).expanduser().resolve()
                for f in self._files_under(root):
                    if self._needs_indexing(f):
                        todo.append(str(f))
        return todo

    def _needs_indexing(self, f: Path) -> bool:
        try:
            st = f.stat()
        except OSError:
            st = None
        rec = self.store.document(str(f))
        if rec is not None and st is not None and rec.status in (INDEXED, REJECTED):
            if rec.size == st.st_size and rec.mtime == st.st_mtime:
                return False
            try:
                same = rec.sha256 == file_sha256(f)
            except OSError:
                same = False
            if same:
                self.store.touch(rec.id, st.st_size, st.st_mtime)
                return False
        self.store.upsert_pending(str(f), st.st_size if st else 0, st.st_mtime if st else 0.0)
        return True

    def rescan(self, folders: Iterable[str | Path] | None = None) -> list[str]:
        """Re-check known files (and new files in the given folders); returns what is pending.

        Files that disappeared are marked ``missing`` and leave the search. With a server the
        mirror is synced first, and shared documents stay (only "Entfernen" removes them).
        """
        if self.server is not None:
            self.sync()
        with self._lock:
            roots = [Path(f).expanduser().resolve() for f in folders] if folders else []
            for rec in self.store.documents():
                p = Path(rec.path)
                if roots and not any(p == r or r in p.parents for r in roots):
                    continue
                if not p.exists() and self.server is not None and self.store.server_ids_of(rec.id):
                    continue  # shared: a file this PC cannot see is not gone for the others
                if not p.exists():
                    old = self.store.reject(rec.id, rec.sha256, _("Datei nicht mehr vorhanden."))
                    self.store.set_status(rec.id, MISSING, _("Datei nicht mehr vorhanden."))
                    if self.vectors is not None:
                        self.vectors.delete(old)
                else:
                    self._needs_indexing(p)
            if roots:
                self.add(roots)
            return [d.path for d in self.store.documents(PENDING)]

    def remove(self, path: str | Path) -> bool:
        """Remove a document (or every document under a folder) from the library.

        Shared library: from the server first; if it is unreachable nothing is removed.
        """
        with self._lock:
            target = Path(path).expanduser().resolve()
            removed = False
            docs = [
                rec
                for rec in self.store.documents()
                if Path(rec.path) == target or target in Path(rec.path).parents
            ]
            if self.server is not None and docs:
                self._connected_server().delete_paths(rec.path for rec in docs)
            for rec in docs:
                old = self.store.remove_document(rec.id)
                if self.vectors is not None:
                    self.vectors.delete(old)
                removed = True
            return removed

    def documents(self) -> list[DocumentRecord]:
        return self.store.documents()

    def pending(self) -> list[DocumentRecord]:
        return self.store.documents(PENDING)

    # Indexing ------------------------------------------------------------------------------
    def _get_parser(self) -> Any:
        if self._parser is None:
            from llmoin_desktop.core.documents.sandbox import shared_parser

            self._parser = shared_parser()
        return self._parser

    def index_pending(self, ctx: JobContext | None = None) -> IndexReport:
        """Index every pending document, one committed transaction per file; cancellable.

        Shared library: each file goes to the server before it is committed here; when the
        server cannot be reached the job stops with a :class:`LibraryServerError` and the
        remaining files stay pending.
        """
        report = IndexReport()
        started = time.perf_counter()
        todo = [d.path for d in self.pending()]
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
        for outcome in self._get_parser().iter_parse(todo, cancel=cancel):
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
            prepared = self._prepare(outcome.path, outcome.document) if outcome.document else None
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
                    self._save(rec, doc, sha or "", prepared, server_ids)
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
            self.vectors.delete(old)
            if prep.vectors is not None:
                self.vectors.add(new, [rec.id] * len(new), prep.vectors)
            else:
                self._embed_chunks(new, None)

    def index_job(self, paths: Iterable[str | Path] = ()) -> Job[IndexReport]:
        """A Job that registers ``paths`` and indexes everything pending (resumes, too)."""
        paths = list(paths)

        def run(ctx: JobContext) -> IndexReport:
            if paths:
                self.add(paths)
            return self.index_pending(ctx)

        return Job(run, name="index")

    # Search --------------------------------------------------------------------------------
    def _scope_ids(self, scope: Iterable[str | Path | int] | None) -> list[int] | None:
        if scope is None:
            return None
        ids: set[int] = set()
        docs = self.store.documents(INDEXED)
        for item in scope:
            if isinstance(item, int):
                ids.add(item)
                continue
            target = Path(item).expanduser().resolve()
            ids.update(
                d.id for d in docs if Path(d.path) == target or target in Path(d.path).parents
            )
        return sorted(ids)

    def _lists(
        self, query: str, doc_ids: list[int] | None, qv_out: list[np.ndarray] | None = None
    ) -> dict[str, list[int]]:
        """Every retriever's ranked chunk ids for a query (fused by :meth:`search`); the query
        vector is appended to ``qv_out`` when there is one."""
        conn = self.store.conn
        abbr_long = self.store.abbreviation_expansions(T.fold(w) for w in T.words(query))
        lists: dict[str, list[int]] = {
            "para": S.paragraph_list(conn, query, doc_ids),
            "title": S.title_list(conn, query, doc_ids),
            "stem": S.bm25_list(
                conn,
                S.stem_query(conn, query, abbr_long),
                "{law section context body}",
                S.BM25_WEIGHTS,
                doc_ids,
            ),
            "gram": S.bm25_list(
                conn, S._quote(T.grams(query)), "{grams title_grams}", S.GRAM_WEIGHTS, doc_ids
            ),
        }
        if self.embedder is not None and self.vectors is not None:
            try:
                # Sentence encoders are case-sensitive; all-caps input reads as noise.
                qv = self.embedder.embed_query(query.lower() if query.isupper() else query)
                lists["dense"] = self.vectors.query(qv, S.CANDIDATES, doc_ids)
                if qv_out is not None:
                    qv_out.append(qv)
            except Exception:  # noqa: BLE001 - keyword search still answers
                log.warning("vector search failed", exc_info=True)
        return lists

    def search(
        self,
        query: str,
        k: int = 5,
        scope: Iterable[str | Path | int] | None = None,
        also: str = "",
    ) -> list[S.Hit]:
        """Best ``k`` chunks for a question, fused from keyword, § and vector search.

        ``also``: more words to search for (the model's legal terms for the question); their
        lists are fused with the question's at half weight (``search.EXTRA_WEIGHT``)."""
        query = query.strip()
        if not query:
            return []
        with self._lock:
            doc_ids = self._scope_ids(scope)
            if doc_ids is not None and not doc_ids:
                return []
            qv: list[np.ndarray] = []
            lists = self._lists(query, doc_ids, qv)
            if also.strip():
                extra = self._lists(also.strip(), doc_ids)
                lists.update({name + S.EXTRA: ids for name, ids in extra.items()})
            fused = S.fuse(lists)[:k]
            records = {c.id: c for c in self.store.chunks([c for c, _, _ in fused])}
            sims: dict[int, float] = {}
            if qv and self.vectors is not None:
                try:
                    sims = self.vectors.similarities(qv[0], [c for c, _, _ in fused])
                except Exception:  # noqa: BLE001 - only a relevance hint
                    log.warning("similarities failed", exc_info=True)
            cosines = getattr(self.embedder, "cosines", None)
            hits = []
            for cid, score, ranks in fused:
                c = records.get(cid)
                if c is None:
                    continue
                hit = S.Hit(
                    cid, c.doc_id, c.text, c.path, c.title, c.section, c.pages, score, ranks
                )
                hit.similarity, hit.cosines = sims.get(cid), cosines
                hits.append(hit)
            return hits
