"""One writer per library folder across processes (and PCs on a network share).

chromadb is not process-safe: two processes writing one vector folder damage it. Every write
(indexing, removing, re-scanning, repairing) therefore holds an OS lock on ``library.lock`` in
the library folder — ``fcntl.flock`` on Linux/macOS (NFS and SMB mounts pass it on to the
server), ``msvcrt.locking`` on Windows. The OS drops the lock when the process dies, even by
kill -9, so a stale lock cannot block anyone; the pid, host and time written into the file only
tell the waiting clerk who is busy. The file itself is never deleted (deleting a lock file
while someone waits on it is the classic race).

Within one process the lock is re-entrant across threads: the Library's own RLock already
serialises the writes of the GUI thread and a job thread.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.i18n import _, tr

log = logging.getLogger(__name__)

LOCK_NAME = "library.lock"
POLL_S = 0.2


class LibraryBusy(LLMoinError):
    """Another process is writing this library and did not finish in time."""


def busy_message(holder: str = "") -> str:
    base = _("Die Bibliothek wird gerade von einem anderen Programm aktualisiert.")
    return f"{base} ({holder})" if holder else base


def _try_lock(fh: IO[bytes]) -> bool:
    try:
        if os.name == "nt":
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EDEADLK):
            return False
        if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
            # A file system without locks (some old shares): work on, but say so in the log.
            log.warning("library lock not supported on this file system: %s", exc)
            return True
        raise


def _unlock(fh: IO[bytes]) -> None:
    try:
        if os.name == "nt":
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    except OSError:
        log.debug("unlock failed", exc_info=True)


class LibraryLock:
    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / LOCK_NAME
        self._fh: IO[bytes] | None = None
        self._depth = 0
        self._guard = threading.Lock()

    @property
    def held(self) -> bool:
        return self._depth > 0

    def holder(self) -> str:
        """ "PC NAME, Prozess 123, seit 10:41" from the lock file (best effort)."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return ""
        parts = dict(p.split("=", 1) for p in text.split() if "=" in p)
        if not parts.get("pid"):
            return ""
        since = ""
        with contextlib.suppress(ValueError):
            since = time.strftime("%H:%M", time.localtime(float(parts.get("since", ""))))
        return tr(
            "PC {host}, Prozess {pid}, seit {since}",
            host=parts.get("host", "?"),
            pid=parts.get("pid", "?"),
            since=since or "?",
        )

    def try_acquire(self) -> bool:
        """Take the lock if nobody else holds it; re-entrant within this process."""
        with self._guard:
            if self._depth:
                self._depth += 1
                return True
            fh = self.path.open("a+b")
            try:
                if not _try_lock(fh):
                    fh.close()
                    return False
            except BaseException:
                fh.close()
                raise
            self._fh = fh
            self._depth = 1
            self._write_owner(fh)
            return True

    def _write_owner(self, fh: IO[bytes]) -> None:
        # Windows locks byte 0 only; the owner line starts after it so reading it works there.
        line = f" pid={os.getpid()} host={socket.gethostname()} since={time.time():.0f}\n"
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(line.encode("utf-8"))
            fh.flush()
        except OSError:
            log.debug("could not write lock owner", exc_info=True)

    def acquire(
        self,
        timeout: float | None = None,
        *,
        on_wait: Callable[[str], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> None:
        """Wait for the lock (``timeout`` None: as long as it takes).

        ``on_wait`` hears once that (and by whom) the library is busy; ``cancelled`` lets a
        job's Stop button end the wait. Raises :class:`LibraryBusy` after ``timeout``.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        told = False
        while not self.try_acquire():
            if not told:
                told = True
                if on_wait is not None:
                    on_wait(busy_message(self.holder()) + " " + _("Es wird gewartet …"))
            if cancelled is not None and cancelled():
                from llmoin_desktop.core.errors import Cancelled

                raise Cancelled(_("Abgebrochen."))
            if deadline is not None and time.monotonic() >= deadline:
                raise LibraryBusy(busy_message(self.holder()), detail=str(self.path))
            time.sleep(POLL_S)

    def release(self) -> None:
        with self._guard:
            if self._depth == 0:
                return
            self._depth -= 1
            if self._depth:
                return
            fh, self._fh = self._fh, None
        if fh is not None:
            _unlock(fh)
            fh.close()

    @contextlib.contextmanager
    def hold(self, timeout: float | None = None, **kwargs: Any) -> Iterator[None]:
        self.acquire(timeout, **kwargs)
        try:
            yield
        finally:
            self.release()
