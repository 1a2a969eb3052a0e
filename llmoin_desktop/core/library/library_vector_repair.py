"""Rebuilding the vector index in the background while keyword search answers (issue 22).

Why: re-embedding every chunk of a 100× library takes about ten minutes on a 2-core office PC;
doing it inside :meth:`Library.open` made the clerk wait that long after every damage. Now the
open only decides (counts, chromadb's quick_check, one probe query: ``library_check.py``) and
writes a *mark* into SQLite's ``meta`` table; this job does the work:

- a core :class:`~llmoin_desktop.core.jobs.Job` (cancellable, with progress) on its own thread
  below normal priority (``core/priority.py``), like indexing: the clerk's programs go first;
- it holds the library's cross-process writer lock for the whole repair, so a second process
  never runs a second repair: it waits (cheaply, polling) and only takes over if the first one
  dies (the OS drops a dead process's lock), then finds the mark gone or resumes it;
- chunks are embedded in small batches; each batch goes to chromadb under the library's lock
  (ids are SQLite chunk ids and chromadb upserts by id: no duplicates, ever) and its progress
  into the mark. A kill -9 loses at most one batch: the next open finds the mark and the job
  embeds only the chunks that still have no vector;
- while the mark is set, search uses *no* vectors (a half-filled index would favour whatever
  chunks happen to be done); keyword, § and title lists answer. When the job ends the vectors
  are used again at once, without reopening.

The state for the clerk (:meth:`VectorRepairMixin.repair_state`) is kept in memory and read
without any lock, so the GUI thread can poll it every second.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from llmoin_desktop.core.errors import Cancelled
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import Job, JobContext, JobState
from llmoin_desktop.core.library.background_job import start_low, stop_job

log = logging.getLogger(__name__)

REPAIR_MARK = "vectors_repair"  # meta key: {"total": m, "done": n, "since": t}
REPAIR_BATCH = 64  # chunks per embedding step: ~0.5 s of work, the most a kill -9 loses
INLINE_MAX = 200  # a gap this small (a crash during indexing) is filled at open (~1.5 s)
STOP_WAIT_S = 60.0  # close() waits this long for the current batch to finish


@dataclass(frozen=True)
class RepairState:
    """Where the background repair stands: ``done`` of ``total`` chunks have a vector."""

    done: int
    total: int
    error: str = ""  # the last try failed (why); keyword search until the next open

    def message(self) -> str:
        """The line for the clerk (library page, ask page, CLI's stderr)."""
        if self.error:
            return tr(
                "Der Suchindex konnte nicht wiederhergestellt werden ({error}); es wird nur "
                "nach Wörtern gesucht. Beim nächsten Öffnen der Bibliothek wird es erneut "
                "versucht.",
                error=self.error,
            )
        return tr(
            "Der Suchindex wird im Hintergrund wiederhergestellt ({done} von {total} "
            "Abschnitten); bis dahin wird nur nach Wörtern gesucht.",
            done=min(self.done, self.total),
            total=self.total,
        )


class VectorRepairMixin:
    """The background repair of :class:`~llmoin_desktop.core.library.library.Library`."""

    store: Any
    vectors: Any
    embedder: Any
    writer: Any
    _lock: Any
    _begin_write: Any
    _end_write: Any
    _drop_orphan_vector_folders: Any

    def _init_repair(self, background: bool) -> None:
        self.background_repair = background  # start the job by itself when one is needed
        self._repair_needed = False  # the mark is set: search must not use the vectors
        self._repair_progress = (0, 0)
        self._repair_error = ""
        self._repair_job: Job[Any] | None = None
        self._repair_thread: threading.Thread | None = None
        self._repair_guard = threading.Lock()

    # State -------------------------------------------------------------------------------
    def _search_vectors(self) -> Any:
        """The vector index search may use: none while a repair is due or running."""
        return None if self._repair_needed else self.vectors

    def repair_state(self) -> RepairState | None:
        """``None`` when the vector index is complete (or there is none to repair)."""
        if not self._repair_needed:
            return None
        done, total = self._repair_progress
        return RepairState(done, total, self._repair_error)

    @property
    def repairing(self) -> bool:
        """A repair job of this process is waiting for its turn or running."""
        job = self._repair_job
        return job is not None and job.state in (JobState.PENDING, JobState.RUNNING)

    def _read_mark(self) -> dict[str, Any] | None:
        raw = self.store.get_meta(REPAIR_MARK)
        if not raw:
            return None
        try:
            mark = json.loads(raw)
        except ValueError:
            mark = {}
        return mark if isinstance(mark, dict) else {}

    def _mark_repair(self, total: int, done: int = 0) -> None:
        """Write the mark (before anything is thrown away) and switch search to keywords."""
        since = (self._read_mark() or {}).get("since") or time.time()
        mark = {"total": int(total), "done": int(done), "since": since}
        self.store.set_meta(REPAIR_MARK, json.dumps(mark))
        self._need_repair(mark)

    def _need_repair(self, mark: dict[str, Any]) -> None:
        self._repair_needed = True
        self._repair_error = ""
        total = int(mark.get("total") or 0)
        self._repair_progress = (min(int(mark.get("done") or 0), total), total)

    def _clear_mark(self) -> None:
        with self.store.tx():
            self.store.conn.execute("DELETE FROM meta WHERE key=?", (REPAIR_MARK,))
        self._repair_needed = False
        self._repair_error = ""

    # Running -----------------------------------------------------------------------------
    def _maybe_start_repair(self) -> None:
        if self._repair_needed and self.background_repair and self.embedder is not None:
            self.start_repair()

    def start_repair(self) -> Job[Any] | None:
        """Start the repair job on a background thread (once; ``None`` when nothing to do).

        The Job reports ``(done, total)`` progress and stops at the next batch when cancelled
        (:meth:`stop_repair`, :meth:`close`); what it embedded so far stays."""
        with self._repair_guard:
            if not self._repair_needed or self.embedder is None:
                return None
            if self.repairing:
                return self._repair_job
            job: Job[Any] = Job(self._repair_run, name="vector-repair")
            self._repair_job = job
            self._repair_thread = start_low(job, "llmoin-vector-repair", self)
            return job

    def wait_repair(self, timeout: float | None = None) -> bool:
        """Wait for this process's repair job; True when the vectors are complete."""
        thread = self._repair_thread
        if thread is not None:
            thread.join(timeout)
        return not self._repair_needed

    def stop_repair(self, timeout: float = STOP_WAIT_S) -> None:
        """Cancel the repair (it resumes at the next open) and wait for its current batch."""
        stop_job(self._repair_job, self._repair_thread, timeout)

    def _repair_run(self, ctx: JobContext) -> RepairState | None:
        """The job: wait for the writer lock, then embed every chunk without a vector."""
        last_look = [0.0]

        def waiting() -> None:  # another process holds the lock: show its progress
            if time.monotonic() - last_look[0] > 2.0:
                last_look[0] = time.monotonic()
                with self._lock:
                    mark = self._read_mark()
                if mark is not None:
                    self._need_repair(mark)

        self._begin_write(ctx, quiet=True, while_waiting=waiting)
        try:
            return self._repair_locked(ctx)
        except Cancelled:
            raise
        except Exception as exc:
            from llmoin_desktop.core.storage.storage_causes import explain

            log.warning("vector repair failed", exc_info=True)
            self._repair_error = explain(exc)
            raise
        finally:
            self._end_write()

    def _repair_locked(self, ctx: JobContext) -> RepairState | None:
        with self._lock:
            mark = self._read_mark()
            vec = self.vectors
            if mark is None:  # finished by another process (taking the lock re-read it)
                self._repair_needed = False
                return None
            if vec is None:  # no usable index now (the check's notice says why)
                self._repair_error = _("die Bedeutungssuche ist gerade nicht verfügbar")
                return self.repair_state()
        have: set[int] = set()
        pages = vec.id_pages()
        while True:  # listing 90,000 ids takes 2 s: searches go on between the pages
            with self._lock:
                page = next(pages, None)
            if page is None:
                break
            have.update(page)
        with self._lock:
            if have:
                self.store.reserve_chunk_ids(max(have))  # a vector never names a new chunk
            want = self.store.chunk_ids()
            vec.delete(sorted(have - want))
            missing = sorted(want - have)
            total = len(want)
            done = total - len(missing)
            self._mark_repair(total, done)
        log.info(
            "vector repair: %s of %s chunks have vectors, %s to embed", done, total, len(missing)
        )
        for start in range(0, len(missing), REPAIR_BATCH):
            ctx.check()
            ctx.progress(done, total, RepairState(done, total).message())
            batch = missing[start : start + REPAIR_BATCH]
            with self._lock:
                rows = self.store.embedding_texts(batch)
            vectors = self.embedder.embed_documents([t for _i, _d, t in rows]) if rows else None
            with self._lock:
                alive = _existing(self.store.conn, [r[0] for r in rows])
                keep = [i for i, r in enumerate(rows) if r[0] in alive]  # removed meanwhile
                if keep and vectors is not None:
                    vec.add([rows[i][0] for i in keep], [rows[i][1] for i in keep], vectors[keep])
                done += len(batch)
                self._mark_repair(total, done)
        with self._lock:
            self._finish(vec, ctx)
        ctx.progress(total, total, _("Der Suchindex ist wiederhergestellt."))
        return None

    def _finish(self, vec: Any, ctx: JobContext) -> None:
        """Last comparison (chunks indexed or removed meanwhile), then search uses vectors."""
        want = self.store.chunk_ids()
        if vec.count() != len(want):
            have = vec.ids()
            vec.delete(sorted(have - want))
            missing = sorted(want - have)
            for start in range(0, len(missing), REPAIR_BATCH):
                rows = self.store.embedding_texts(missing[start : start + REPAIR_BATCH])
                vectors = self.embedder.embed_documents([t for _i, _d, t in rows])
                vec.add([r[0] for r in rows], [r[1] for r in rows], vectors)
        self.store.set_meta("vectors_full_check", str(time.time()))
        self._clear_mark()
        self._drop_orphan_vector_folders()
        log.info("vector repair finished: %s vectors", vec.size)


def _existing(conn: Any, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    return {int(r[0]) for r in conn.execute(f"SELECT id FROM chunks WHERE id IN ({marks})", ids)}
