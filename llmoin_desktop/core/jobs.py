"""Jobs: long-running work (generation, indexing, export) that reports and can be stopped.

A job is a plain function ``fn(ctx) -> result`` wrapped in :class:`Job`. The function reports
progress and streamed text through its :class:`JobContext` and checks ``ctx.cancel`` at safe
points; the engine also hands the token to llama.cpp's abort callback so a long prompt
evaluation stops too. Listeners are plain callables: the CLI prints, ``ui/workers.py`` turns
them into Qt signals. This module has no Qt and no threads of its own, so tests and the CLI
run jobs synchronously.
"""

from __future__ import annotations

import enum
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from llmoin_desktop.core.errors import Cancelled, LLMoinError
from llmoin_desktop.core.i18n import _, tr

T = TypeVar("T")


@dataclass(frozen=True)
class Progress:
    """``total`` is ``None`` while unknown (indeterminate progress bar)."""

    step: int
    total: int | None
    text: str

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return max(0.0, min(1.0, self.step / self.total))


class CancelToken:
    """Thread-safe "please stop" flag; cheap to poll from a C callback."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self.cancelled_at: float | None = None

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        with self._lock:
            if self._event.is_set():
                return
            self.cancelled_at = time.perf_counter()
            self._event.set()
            callbacks = list(self._callbacks)
        for cb in callbacks:
            cb()

    def on_cancel(self, cb: Callable[[], None]) -> None:
        """Run ``cb`` when cancelled (at once if that already happened)."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(cb)
                return
        cb()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled(_("Abgebrochen."))

    def wait(self, timeout: float) -> bool:
        return self._event.wait(timeout)


class JobState(enum.Enum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class JobContext:
    """What a job function sees: its cancel token and two ways to report."""

    def __init__(self, job: Job[Any]) -> None:
        self._job = job
        self.cancel = job.cancel_token

    def progress(self, step: int, total: int | None, text: str = "") -> None:
        self._job._emit_progress(Progress(step, total, text))

    def token(self, text: str) -> None:
        """Stream a piece of the result (shown as it arrives)."""
        self._job._emit_token(text)

    def reasoning(self, text: str) -> None:
        """Stream a piece of a reasoning model's thinking (shown apart, never in the result)."""
        self._job._emit_reasoning(text)

    def check(self) -> None:
        self.cancel.raise_if_cancelled()


class Job(Generic[T]):
    """One unit of work with listeners for progress, streamed text and the end."""

    def __init__(self, fn: Callable[[JobContext], T], name: str = "") -> None:
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "job")
        self.cancel_token = CancelToken()
        self.state = JobState.PENDING
        self.result: T | None = None
        self.error: LLMoinError | None = None
        self.last_progress: Progress | None = None
        self._progress_listeners: list[Callable[[Progress], None]] = []
        self._token_listeners: list[Callable[[str], None]] = []
        self._reasoning_listeners: list[Callable[[str], None]] = []
        self._done_listeners: list[Callable[[Job[T]], None]] = []

    # Listeners ----------------------------------------------------------------------
    def on_progress(self, cb: Callable[[Progress], None]) -> Job[T]:
        self._progress_listeners.append(cb)
        return self

    def on_token(self, cb: Callable[[str], None]) -> Job[T]:
        self._token_listeners.append(cb)
        return self

    def on_reasoning(self, cb: Callable[[str], None]) -> Job[T]:
        self._reasoning_listeners.append(cb)
        return self

    def on_done(self, cb: Callable[[Job[T]], None]) -> Job[T]:
        self._done_listeners.append(cb)
        return self

    def _emit_progress(self, progress: Progress) -> None:
        self.last_progress = progress
        for cb in self._progress_listeners:
            cb(progress)

    def _emit_token(self, text: str) -> None:
        for cb in self._token_listeners:
            cb(text)

    def _emit_reasoning(self, text: str) -> None:
        for cb in self._reasoning_listeners:
            cb(text)

    # Running ------------------------------------------------------------------------
    def cancel(self) -> None:
        self.cancel_token.cancel()

    def run(self) -> T | None:
        """Run in the calling thread; never raises: the outcome is in state/result/error."""
        self.state = JobState.RUNNING
        try:
            self.result = self.fn(JobContext(self))
            self.state = JobState.CANCELLED if self.cancel_token.cancelled else JobState.DONE
        except Cancelled as exc:
            self.error = exc
            self.state = JobState.CANCELLED
        except LLMoinError as exc:
            self.error = exc
            self.state = JobState.FAILED
        except MemoryError as exc:
            self.error = LLMoinError(
                _("Nicht genug Arbeitsspeicher für diesen Auftrag."), detail=repr(exc)
            )
            self.state = JobState.FAILED
        except OSError as exc:
            self.error = LLMoinError(
                tr(
                    "Datei- oder Datenträgerfehler: {error}",
                    error=exc.strerror or exc,
                ),
                detail=traceback.format_exc(),
            )
            self.state = JobState.FAILED
        except Exception as exc:  # noqa: BLE001 - a job must never take the app down
            self.error = LLMoinError(
                tr("Unerwarteter Fehler: {error}", error=exc), detail=traceback.format_exc()
            )
            self.state = JobState.FAILED
        for cb in self._done_listeners:
            cb(self)
        return self.result


class JobRunner:
    """Qt-free background runner (CLI, tests); the GUI uses ``ui.workers`` instead."""

    def __init__(self, max_workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="llmoin-job")

    def submit(self, job: Job[T]) -> Future[T | None]:
        return self._pool.submit(job.run)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def run_interruptible(job: Job[Any], grace_s: float = 10.0) -> None:
    """Run ``job`` on a worker thread and wait; Ctrl+C cancels it instead of killing it.

    Why: a KeyboardInterrupt only reaches the main thread. Waiting in short steps keeps the
    main thread responsive to it, and the job then stops at its next cancel check (a library
    write finishes its transaction, a generation returns what it had). We wait on our own
    event, not ``Thread.join``: a join interrupted by Ctrl+C can report a running thread as
    finished (CPython before 3.13), and the CLI would exit under the job's feet.
    """
    done = threading.Event()

    def body() -> None:
        try:
            job.run()
        finally:
            done.set()

    threading.Thread(target=body, name=f"llmoin-{job.name}", daemon=True).start()
    try:
        while not done.wait(0.2):
            pass
    except KeyboardInterrupt:
        job.cancel()
        done.wait(grace_s)
