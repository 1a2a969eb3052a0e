"""Waiting for a free place on a busy inference server (split out of ``remote.py``).

Several clerks, one server: a request may wait behind other clerks' answers (llama.cpp's
server with fewer slots than clerks, llama-cpp-python's server one at a time). Waiting is not
a dead server: while no token has come, :class:`QueueWatch` checks every ``QUEUE_TICK_S``
that the server lives; if it does, the clerk reads that it is busy and how long the request
has waited, up to ``QUEUE_MAX_S``; if it does not answer twice, the wait ends at once.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from typing import Any

from llmoin_desktop.core.errors import BackendError
from llmoin_desktop.core.i18n import tr
from llmoin_desktop.core.jobs import Progress

QUEUE_TICK_S = 10.0
QUEUE_MAX_S = 600.0
PROBE_TIMEOUT_S = 5.0


def server_alive(backend: Any, timeout: float) -> bool:
    """Does the server process answer HTTP at all? ``GET /health`` on its own connection: any
    status, even 404, counts (llama-cpp-python's server has no /health but answers at once)."""
    try:
        conn = backend._connect(timeout)  # noqa: SLF001 - the backend's own connection rules
    except BackendError:
        return False
    try:
        conn.request("GET", "/health", headers=backend._headers())  # noqa: SLF001
        conn.getresponse().read()
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


class QueueWatch:
    """While a chat request waits for its first token: is the server alive (then it is busy
    with other clerks' answers: say so, with the waiting time) or gone (then end the wait)?

    The probe is ``GET /health`` on its own connection with a short timeout: any HTTP answer,
    even 404, means the server process lives. It must not be ``/v1/models`` or a tokenizer:
    llama-cpp-python's server takes the model's lock for those (they would queue too, and
    with ``interrupt_requests`` they cut off the answer being generated)."""

    def __init__(
        self,
        backend: Any,
        abort: Callable[[], None],
        on_progress: Callable[[Progress], None] | None,
    ) -> None:
        self.backend = backend
        self.abort = abort
        self.on_progress = on_progress
        self.dead = False
        self.started = 0.0
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def waited(self) -> float:
        return time.monotonic() - self.started if self.started else 0.0

    def start(self) -> None:
        self.started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="queue-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._done.set()

    def _alive(self) -> bool:
        return server_alive(self.backend, PROBE_TIMEOUT_S)

    def _run(self) -> None:
        failures = 0
        while not self._done.wait(QUEUE_TICK_S):
            if self._alive():
                failures = 0
                if self.on_progress is not None:
                    self.on_progress(
                        Progress(
                            0,
                            None,
                            tr(
                                "Der KI-Server {host} ist ausgelastet: Ihre Anfrage wartet seit "
                                "{s} s auf einen freien Platz (höchstens {max} s) …",
                                host=self.backend._host_label(),  # noqa: SLF001
                                s=f"{self.waited:.0f}",
                                max=f"{QUEUE_MAX_S:.0f}",
                            ),
                        )
                    )
                continue
            failures += 1
            if failures >= 2 and not self._done.is_set():
                self.dead = True
                self.abort()
                return
