"""Helpers for driving the real window without a display (screenshots, benchmarks)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer


def wait_until(predicate: Callable[[], bool], timeout_s: float = 30.0) -> bool:
    """Spin the event loop until ``predicate()`` is true; False on timeout."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            return False
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)
    return True


def wait_signal(signal, timeout_s: float = 30.0) -> list | None:  # noqa: ANN001 - a bound Qt signal
    """Block (spinning the loop) until ``signal`` fires; returns its arguments, None on timeout."""
    loop = QEventLoop()
    got: list = []

    def fire(*args: object) -> None:
        got.append(list(args))
        loop.quit()

    signal.connect(fire)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    with contextlib.suppress(RuntimeError, TypeError):
        signal.disconnect(fire)
    return got[0] if got else None
