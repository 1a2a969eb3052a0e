"""One helper for the library's background jobs (vector repair, server sync): a core
:class:`~llmoin_desktop.core.jobs.Job` on its own daemon thread below normal priority.

Why shared: both jobs must behave alike for the clerk and at exit — low priority like indexing
(the clerk's programs go first), and a CLI command that ends stops them between two steps,
never in the middle of a write, so the next open resumes them. Each owner registers a
``stop_background(timeout)`` method that :func:`_stop_all` calls at exit.
"""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from typing import Any

from llmoin_desktop.core.jobs import Job, JobState
from llmoin_desktop.core.priority import lower_thread

log = logging.getLogger(__name__)

_owners: weakref.WeakSet[Any] = weakref.WeakSet()


def start_low(job: Job[Any], thread_name: str, owner: Any) -> threading.Thread:
    """Run ``job`` on a fresh daemon thread below normal priority; returns the started thread.
    ``owner`` (weakly kept) gets ``owner.stop_background(timeout=…)`` called at exit."""
    thread = threading.Thread(target=_run_low, args=(job,), name=thread_name, daemon=True)
    _owners.add(owner)
    thread.start()
    return thread


def stop_job(job: Job[Any] | None, thread: threading.Thread | None, timeout: float) -> None:
    """Cancel a job and wait (bounded) for its current step to finish."""
    if job is not None:
        job.cancel()
    if thread is not None and thread is not threading.current_thread():
        thread.join(timeout)
        if thread.is_alive():
            log.warning("%s did not stop within %.0f s", thread.name, timeout)


def _run_low(job: Job[Any]) -> None:
    """The job's thread: below normal priority (a fresh thread: the lowering dies with it)."""
    lower_thread()
    job.run()
    if job.state is JobState.FAILED and job.error is not None:
        log.warning("%s stopped: %s", job.name or "job", job.error.user_message)


@atexit.register
def _stop_all() -> None:
    """At exit (a CLI command ends): stop running jobs between two steps."""
    for owner in list(_owners):
        try:
            owner.stop_background(timeout=15.0)
        except Exception:  # noqa: BLE001 - exiting anyway
            log.debug("could not stop a background job", exc_info=True)
