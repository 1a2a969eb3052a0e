"""The shared library's sync in the background, so that opening never waits for the server.

Why: the first open of an empty PC pulled the whole department library inside
:meth:`Library.open` (371 s at 100× the corpus), and every later open asked the server for
all chunk ids first (1.6 s). Now :meth:`Library.open` (with ``background_sync``) returns with
the local mirror — search works at once on what is there — and this job syncs: it checks the
collection's change marker (``sync_marker.py``), pulls in pages (each page is searchable as
soon as it is in) and reports ``(n, m)`` progress with a plain-German line.

It runs like the vector repair (``background_job.py``): a core Job, below normal priority,
cancelled between two pages when the library closes or the process exits; what was pulled
stays, and the next sync pulls the rest. A server that is down, refuses the key or holds
another embedding model ends the job with the same clear message a synchronous sync gave,
as a notice; the mirror keeps answering.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from llmoin_desktop.core.i18n import _
from llmoin_desktop.core.jobs import Job, JobContext, JobState, Progress
from llmoin_desktop.core.library.background_job import start_low, stop_job
from llmoin_desktop.core.library.server import LibraryServerError, LibraryServerMismatch

log = logging.getLogger(__name__)

SYNC_STOP_WAIT_S = 30.0  # close() waits this long for the page being pulled


def offline_notice(exc: LibraryServerError) -> str:
    """The notice when the server cannot be used: its reason, then what still works."""
    if isinstance(exc, LibraryServerMismatch):
        return exc.user_message
    return (
        exc.user_message
        + " "
        + _(
            "Gesucht wird in der zuletzt abgeglichenen Kopie auf diesem Rechner; "
            "Einlesen und Entfernen gehen erst wieder, wenn der Server erreichbar ist."
        )
    )


class SyncJobMixin:
    """The background sync of :class:`~llmoin_desktop.core.library.library.Library`."""

    server: Any
    notices: list[str]
    sync: Any  # SharedLibraryMixin's

    def _init_sync(self, background: bool) -> None:
        self.background_sync = background  # Library.open starts the sync as a job
        self.sync_notice = ""  # the pull's progress line (or its failure) among the notices
        self.sync_error: LibraryServerError | None = None  # why the last background sync failed
        self._sync_job: Job[Any] | None = None
        self._sync_thread: threading.Thread | None = None
        self._sync_guard = threading.Lock()
        self._sync_serial = threading.Lock()  # one sync at a time in this process

    @property
    def syncing(self) -> bool:
        """A background sync of this process is running."""
        job = self._sync_job
        return job is not None and job.state in (JobState.PENDING, JobState.RUNNING)

    @property
    def sync_job(self) -> Job[Any] | None:
        """The last background sync (its progress listeners: the CLI prints every page)."""
        return self._sync_job

    def start_sync(self) -> Job[Any] | None:
        """Start the sync job (once at a time); ``None`` without a server."""
        with self._sync_guard:
            if self.server is None:
                return None
            if self.syncing:
                return self._sync_job
            job: Job[Any] = Job(self._sync_run, name="library-sync")
            job.on_progress(self._sync_progress)
            self._sync_job = job
            self._sync_thread = start_low(job, "llmoin-library-sync", self)
            return job

    def wait_sync(self, timeout: float | None = None) -> bool:
        """Wait for the background sync; True when it is over (done or failed)."""
        thread = self._sync_thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def stop_sync(self, timeout: float = SYNC_STOP_WAIT_S) -> None:
        """Cancel the sync between two pages (the next sync pulls the rest)."""
        stop_job(self._sync_job, self._sync_thread, timeout)

    def _sync_progress(self, progress: Progress) -> None:
        self._set_sync_notice(progress.text)

    def _set_sync_notice(self, text: str) -> None:
        """Replace the sync's line among the notices (read by the GUI and the CLI)."""
        old = self.sync_notice
        notices = [n for n in self.notices if n != old] if old else list(self.notices)
        self.notices = [*notices, text] if text else notices
        self.sync_notice = text

    def _sync_run(self, ctx: JobContext) -> Any:
        try:
            report = self.sync(ctx)
        except LibraryServerError as exc:
            log.warning("library sync failed: %s", exc.user_message)
            self.sync_error = exc
            self._set_sync_notice(offline_notice(exc))
            raise
        except BaseException:
            self._set_sync_notice("")  # cancelled (closing): nothing to tell
            raise
        self.sync_error = None
        self._set_sync_notice("")
        return report
