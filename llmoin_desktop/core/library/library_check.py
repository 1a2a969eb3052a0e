"""Keeping a library's vectors in step with SQLite, and the writer lock around every write.

A mixin of :class:`~llmoin_desktop.core.library.library.Library` (split out of ``library.py``).
Only the holder of the cross-process writer lock (``library_lock.py``) repairs: a process that
opens the library while another one writes is a reader (it searches, it changes nothing).
A vector index that cannot be opened is rebuilt only when it is really damaged; a full disk,
a read-only folder or missing rights leave it alone and say why (``core/storage/storage_causes.py``).
The rebuild itself never runs here: a damaged index (or many lost vectors) leaves a repair
mark, the open returns at once and ``library_vector_repair.py`` re-embeds in the background.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.i18n import _
from llmoin_desktop.core.jobs import JobContext
from llmoin_desktop.core.library.library_lock import busy_message
from llmoin_desktop.core.library.library_vector_repair import INLINE_MAX
from llmoin_desktop.core.library.vectors import VectorIndex, VectorIndexDamaged
from llmoin_desktop.core.storage.storage_causes import DAMAGED, UNKNOWN, cause_of, explain

log = logging.getLogger(__name__)

VECTORS_DIR = "vectors"
_EMBED_BATCH = 32
FULL_CHECK_EVERY_S = 7 * 86400.0  # a full id comparison at least weekly (see _in_step)


class LibraryError(LLMoinError):
    """The library folder cannot be opened or written."""


def storage_error(exc: BaseException, what: str = "") -> LibraryError:
    """A LibraryError that names the cause (disk full, read-only, rights, damaged)."""
    text = what or _("Die Bibliothek kann nicht geschrieben werden.")
    return LibraryError(f"{text} {explain(exc)}".strip(), detail=repr(exc))


class LibraryCheckMixin:
    folder: Any
    store: Any
    vectors: VectorIndex | None
    embedder: Any
    writer: Any
    notices: list[str]
    on_wait: Any
    _lock: Any
    _stamp: str | None
    _repair_notices: list[str]
    _embedder_key: Any
    _repair_needed: bool
    repairing: bool
    _read_mark: Any
    _need_repair: Any
    _mark_repair: Any
    _maybe_start_repair: Any

    # The writer lock ------------------------------------------------------------------------
    def _begin_write(
        self,
        ctx: JobContext | None = None,
        timeout: float | None = None,
        *,
        quiet: bool = False,
        while_waiting: Callable[[], None] | None = None,
    ) -> None:
        """Take the cross-process writer lock (waiting, cancellable); when another process
        wrote since we last looked, re-read the vectors before writing on top of them.

        ``quiet``: a background job waits without telling the clerk (the vector repair);
        ``while_waiting`` is called at every look at the lock while another process holds it."""

        def waiting(text: str) -> None:
            if quiet:
                return
            if ctx is not None:
                ctx.progress(0, None, text)
            self.on_wait(text)

        def cancelled() -> bool:
            if while_waiting is not None:
                while_waiting()
            return ctx is not None and ctx.cancel.cancelled

        self.writer.acquire(timeout, on_wait=waiting, cancelled=cancelled)
        if self.writer_depth() > 1:
            return
        try:
            stamp = self.store.get_meta("write_stamp")
            stale = stamp != self._stamp and self.vectors is not None
            if stale or (self.vectors is None and self.embedder is not None):
                # Another process wrote (our chromadb view is stale), or we opened as a
                # reader without vectors: open and repair them now that we may write.
                with self._lock:
                    if self.vectors is not None:
                        self.vectors.close()
                        self.vectors = None
                    self._check_locked(ctx)
            self._stamp = f"{os.getpid()}-{time.time_ns()}"
            self.store.set_meta("write_stamp", self._stamp)
        except (sqlite3.Error, OSError) as exc:  # a full disk, a read-only folder …
            self.writer.release()
            raise storage_error(exc) from exc
        except BaseException:
            self.writer.release()
            raise
        self._maybe_start_repair()  # the check may have found damage: repair in background

    def writer_depth(self) -> int:
        return self.writer._depth  # noqa: SLF001 - same package

    def _end_write(self) -> None:
        self.writer.release()

    # Checking and repairing ----------------------------------------------------------------
    def check(self, ctx: JobContext | None = None) -> list[str]:
        """Make the vector index agree with SQLite; rebuild it if it is damaged.

        Only the holder of the writer lock repairs. While another process writes, this one
        opens the vectors as they are (a reader: searching works, nothing is changed).
        """
        with self._lock:
            self.notices = list(self._repair_notices)
            self._repair_notices = []
            if self.repairing:  # our own repair job holds the vectors: nothing to compare now
                return self.notices
            if not self.writer.try_acquire():
                self._open_as_reader()
                return self.notices
            try:
                self._check_locked(ctx)
                self._stamp = self.store.get_meta("write_stamp")
            except (sqlite3.Error, OSError) as exc:
                # Tidying up needs to write; a full disk must not stop reading and searching.
                log.warning("library check could not write: %s", exc)
                self.notices.append(
                    _("Die Bibliothek konnte beim Öffnen nicht aufgeräumt werden.")
                    + " "
                    + explain(exc)
                )
            finally:
                self.writer.release()
            return self.notices

    def _open_as_reader(self) -> None:
        if self.embedder is None:
            return
        mark = self._read_mark()
        if mark is not None:  # another process repairs the vectors: keyword search till then
            self._need_repair(mark)
            return
        vec = VectorIndex(self.folder / self._vectors_dir(), self.embedder.dim)
        try:
            vec.open(list_ids=False)  # a reader compares nothing
            self.vectors = vec
        except VectorIndexDamaged:
            self.vectors = None
            self.notices.append(
                busy_message()
                + " "
                + _("Bis dahin wird nur nach Wörtern gesucht, nicht nach Bedeutung.")
            )

    def _check_locked(self, ctx: JobContext | None = None) -> list[str]:
        """Open the vectors and decide (cheaply) whether they agree with SQLite. A small gap
        is filled here; anything bigger, a damaged index or another embedding model leaves a
        repair mark and the re-embedding runs in the background (library_vector_repair.py)."""
        with self._lock:
            # SQLite's own check ran when the store was opened (library_repair.open_store).
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
                vec = self._fresh_vectors(vec)  # another model: its vectors never mix in
            try:
                vec.open(list_ids=False)
            except VectorIndexDamaged as exc:
                opened = self._after_failed_open(vec, exc)
                if opened is None:
                    return self.notices
                vec = opened
            self.vectors = vec
            self.store.set_meta("embedder", key)
            mark = self._read_mark()
            if mark is not None:  # a repair is due (or was interrupted): it resumes
                self._need_repair(mark)
                return self.notices
            self._repair_needed = False
            if self._in_step(vec):
                return self.notices
            chunks = int(self.store.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
            if chunks - vec.size > INLINE_MAX or (chunks and not vec.size):
                # Many vectors lost, or all (the folder deleted): not while the clerk waits.
                self._mark_repair(chunks, min(vec.size, chunks))
                return self.notices
            return self._reconcile(vec, vec.ids(), ctx)

    def _after_failed_open(self, vec: VectorIndex, exc: VectorIndexDamaged) -> VectorIndex | None:
        """The index did not open: the opened index to use (sound after all, or a fresh one
        to repair in the background), or ``None`` (keyword search, the notice says why)."""
        unavailable = _(
            "Die Bedeutungssuche ist gerade nicht verfügbar; es wird nur nach Wörtern gesucht."
        )
        cause = self._vector_failure_cause(exc)
        if cause not in (DAMAGED, UNKNOWN):
            # A full disk or missing rights is no damage: keep the index, say why.
            log.warning("vector index not opened (%s): %s", cause, exc)
            self.notices.append(unavailable + " " + explain(exc.__cause__ or exc))
            return None
        problem = vec.integrity_problem()
        if not problem:
            # It opens and answers when asked afresh: not damage (a passing lock, a bug, a
            # limit). Keep every vector: one more try, else keyword search until the next
            # open — never a silent re-embedding of everything.
            try:
                vec.open(list_ids=False)
                return vec
            except VectorIndexDamaged as again:
                log.warning("vector index not opened, but sound (kept): %s", again)
                self.notices.append(unavailable)
                return None
        log.warning("vector index damaged (%s), rebuilt in the background: %s", problem, exc)
        self.notices.append(_("Der Suchindex war beschädigt."))
        vec = self._fresh_vectors(vec)
        try:
            vec.open(list_ids=False)
        except VectorIndexDamaged as exc2:
            raise LibraryError(
                _("Der Suchindex kann nicht neu angelegt werden."), detail=str(exc2)
            ) from exc2
        return vec

    def _in_step(self, vec: VectorIndex) -> bool:
        """Cheap test that vectors and chunks agree, so that opening a large library does not
        list every vector id: the same number on both sides, no interrupted save (a pending
        document that has chunks), and a full comparison within the last week (crashes in
        other places could swap equal numbers of ids)."""
        row = self.store.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()
        if int(row[0]) != vec.size:
            return False
        interrupted = self.store.conn.execute(
            "SELECT 1 FROM documents d WHERE d.status='pending' AND EXISTS"
            " (SELECT 1 FROM chunks c WHERE c.doc_id=d.id) LIMIT 1"
        ).fetchone()
        if interrupted:
            return False
        try:
            last = float(self.store.get_meta("vectors_full_check") or 0)
        except ValueError:
            last = 0.0
        return time.time() - last < FULL_CHECK_EVERY_S

    def _reconcile(self, vec: VectorIndex, have: set[int], ctx: JobContext | None) -> list[str]:
        """Vectors of removed chunks go, a few missing ones are embedded (a set comparison);
        many missing ones are left to the background repair."""
        with self._lock:
            if have:
                self.store.reserve_chunk_ids(max(have))  # a vector never names a new chunk
            want = self.store.chunk_ids()
            extra = sorted(have - want)
            missing = sorted(want - have)
            vec.delete(extra)
            if len(missing) > INLINE_MAX:
                self._mark_repair(len(want), len(want) - len(missing))
                return self.notices
            self._embed_chunks(missing, ctx)
            self._drop_orphan_vector_folders()
            self.store.set_meta("vectors_full_check", str(time.time()))
            return self.notices

    def _vector_failure_cause(self, exc: VectorIndexDamaged) -> str:
        """Why chromadb failed; a nearly full disk counts as full (its errors are vague)."""
        import shutil

        cause = cause_of(exc.__cause__ or exc)
        try:
            if shutil.disk_usage(self.folder).free < 20 * 2**20:
                return "disk_full"
        except OSError:
            pass
        if not os.access(self.folder, os.W_OK):
            return "read_only"
        return cause

    def _drop_orphan_vector_folders(self) -> None:
        """Vector folders left by an interrupted rebuild (a cache, safe to delete)."""
        import shutil

        current = self._vectors_dir()
        for p in self.folder.glob(f"{VECTORS_DIR}*"):
            if p.is_dir() and p.name != current:
                log.info("removing orphan vector folder %s", p)
                shutil.rmtree(p, ignore_errors=True)

    def _vectors_dir(self) -> str:
        return self.store.get_meta("vectors_dir") or VECTORS_DIR

    def _fresh_vectors(self, old: VectorIndex) -> VectorIndex:
        """A new, empty index in a new folder; the old one is thrown away.

        A new folder name, because chromadb caches state per path inside the process and a
        damaged folder's cache would survive deleting the folder.
        """
        assert self.embedder is not None
        chunks = int(self.store.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
        self._mark_repair(chunks)  # first the mark: a crash from here on resumes the repair
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
