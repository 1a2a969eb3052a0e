"""Run core :class:`Job` objects off the GUI thread and turn their callbacks into Qt signals.

Jobs report from a worker thread. Emitting one queued signal per token would flood the event
loop (a fast model streams hundreds of tokens per second), so tokens and progress are collected
under a lock and handed to the GUI thread by a timer every ``flush_ms``. The GUI thread never
waits on a job: it only reads what the worker already produced.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal

from llmoin_desktop.core.engine.reasoning import thinking_progress
from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.jobs import Job, JobContext, JobState, Progress

DEFAULT_FLUSH_MS = 40


class JobHandle(QObject):
    """GUI-thread face of one running job."""

    progress = Signal(object)  # Progress (latest only, throttled)
    tokens = Signal(str)  # batched streamed text
    reasoning = Signal(str)  # batched thinking of a reasoning model (shown collapsed)
    finished = Signal(object)  # the Job; see job.state / job.result / job.error
    _worker_done = Signal()

    def __init__(
        self, job: Job[Any], flush_ms: int = DEFAULT_FLUSH_MS, parent: QObject | None = None
    ):
        super().__init__(parent)
        self.job = job
        self._lock = threading.Lock()
        self._buffer: list[str] = []
        self._thinking: list[str] = []
        self._progress: Progress | None = None
        self._done = False
        self._runner_exited = threading.Event()
        self._timer = QTimer(self)
        self._timer.setInterval(flush_ms)
        self._timer.timeout.connect(self._flush)
        self._worker_done.connect(self._on_worker_done, Qt.ConnectionType.QueuedConnection)
        job.on_token(self._collect_token)
        job.on_reasoning(self._collect_reasoning)
        # While a reasoning model thinks, the progress line says so with a token count.
        job.on_reasoning(thinking_progress(self._collect_progress))
        job.on_progress(self._collect_progress)

    # Worker thread ------------------------------------------------------------------
    def _collect_token(self, text: str) -> None:
        with self._lock:
            self._buffer.append(text)

    def _collect_reasoning(self, text: str) -> None:
        with self._lock:
            self._thinking.append(text)

    def _collect_progress(self, progress: Progress) -> None:
        with self._lock:
            self._progress = progress

    # GUI thread ---------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self._done

    def cancel(self) -> None:
        self.job.cancel()

    def _flush(self) -> None:
        with self._lock:
            text = "".join(self._buffer)
            self._buffer.clear()
            thinking = "".join(self._thinking)
            self._thinking.clear()
            progress, self._progress = self._progress, None
        if progress is not None:
            self.progress.emit(progress)
        if thinking:
            self.reasoning.emit(thinking)
        if text:
            self.tokens.emit(text)

    def _on_worker_done(self) -> None:
        self._timer.stop()
        self._flush()
        self._done = True
        self.finished.emit(self.job)


class _JobRunnable(QRunnable):
    """Holds the only worker-side reference to the handle and drops it before it says "exited",
    so the handle (a QObject of the GUI thread) is never destroyed on the worker thread."""

    def __init__(self, handle: JobHandle) -> None:
        super().__init__()
        self._handle: JobHandle | None = handle
        self._job = handle.job
        self._exited = handle._runner_exited
        self.setAutoDelete(True)

    def run(self) -> None:
        handle, self._handle = self._handle, None
        try:
            self._job.run()  # never raises: the outcome is stored on the job
            if handle is not None:
                handle._worker_done.emit()
        except RuntimeError:
            pass  # the pool (and the handle) went away while the job ran
        finally:
            del handle
            self._exited.set()


class WorkerPool(QObject):
    """Owns the threads that run jobs; the model itself is serialised by the backend."""

    def __init__(self, max_threads: int = 4, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._active: list[JobHandle] = []
        self._finished: list[JobHandle] = []

    def submit(self, job: Job[Any], flush_ms: int = DEFAULT_FLUSH_MS) -> JobHandle:
        self._reap()
        handle = JobHandle(job, flush_ms=flush_ms, parent=self)
        self._active.append(handle)
        handle.finished.connect(self._forget)
        handle._timer.start()
        self._pool.start(_JobRunnable(handle))
        return handle

    def call(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[LLMoinError], None] | None = None,
        name: str = "",
    ) -> JobHandle:
        """Run a plain function in the background (disk scans, loads); results on the GUI thread."""

        def body(_ctx: JobContext) -> Any:
            return fn()

        handle = self.submit(Job(body, name=name or getattr(fn, "__name__", "call")))

        def done(job: Job[Any]) -> None:
            if job.state == JobState.DONE and on_success is not None:
                on_success(job.result)
            elif job.state == JobState.FAILED and on_error is not None and job.error is not None:
                on_error(job.error)

        handle.finished.connect(done)
        return handle

    def _forget(self, job: Job[Any]) -> None:
        for handle in [h for h in self._active if h.job is job]:
            self._active.remove(handle)
            self._finished.append(handle)

    def _reap(self) -> None:
        """Free finished handles whose worker has let go (deleteLater races pool teardown)."""
        for handle in [h for h in self._finished if h._runner_exited.is_set()]:
            self._finished.remove(handle)
            handle.setParent(None)  # back to Python ownership; freed here, on the GUI thread

    def active(self) -> list[JobHandle]:
        return list(self._active)

    def cancel_all(self) -> None:
        for handle in self._active:
            handle.cancel()

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Cancel everything and wait briefly (only at exit, when the window is already gone)."""
        self.cancel_all()
        return self._pool.waitForDone(timeout_ms)
