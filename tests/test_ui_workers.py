"""Workers: jobs run off the GUI thread; tokens arrive batched; cancel and errors are signals."""

from __future__ import annotations

import threading
import time

from llmoin_desktop.core.errors import ModelError
from llmoin_desktop.core.jobs import Job, JobContext, JobState
from llmoin_desktop.ui.workers import WorkerPool


def test_tokens_batched_and_complete_off_gui_thread(qtbot) -> None:
    pool = WorkerPool()
    gui_thread = threading.get_ident()
    seen: dict[str, int] = {}

    def body(ctx: JobContext) -> str:
        seen["thread"] = threading.get_ident()
        for i in range(2000):
            ctx.token(f"{i} ")
            if i % 200 == 0:
                ctx.progress(i, 2000, "läuft")
                time.sleep(0.005)
        return "ok"

    chunks: list[str] = []
    handle = pool.submit(Job(body))
    handle.tokens.connect(chunks.append)
    with qtbot.waitSignal(handle.finished, timeout=5000) as blocker:
        pass
    assert blocker.args[0].state == JobState.DONE
    assert seen["thread"] != gui_thread
    assert "".join(chunks) == "".join(f"{i} " for i in range(2000))
    assert len(chunks) < 100  # batched, not one signal per token
    pool.shutdown()


def test_cancel_and_error_become_states(qtbot) -> None:
    pool = WorkerPool()

    def endless(ctx: JobContext) -> None:
        while True:
            ctx.check()
            time.sleep(0.005)

    handle = pool.submit(Job(endless))
    handle.cancel()
    with qtbot.waitSignal(handle.finished, timeout=2000) as blocker:
        pass
    assert blocker.args[0].state == JobState.CANCELLED

    def broken() -> None:
        raise ModelError("Die Modelldatei ist beschädigt.")

    errors: list[str] = []
    with qtbot.waitSignal(
        pool.call(broken, on_error=lambda e: errors.append(e.user_message)).finished, timeout=2000
    ):
        pass
    assert errors == ["Die Modelldatei ist beschädigt."]
    pool.shutdown()
