"""Jobs report progress and streamed text, honour cancel, and turn every failure into a message."""

from __future__ import annotations

import threading

from llmoin_desktop.core.errors import ContextOverflow
from llmoin_desktop.core.jobs import CancelToken, Job, JobContext, JobRunner, JobState, Progress


def test_progress_tokens_and_result() -> None:
    progress: list[Progress] = []
    tokens: list[str] = []
    done: list[JobState] = []

    def work(ctx: JobContext) -> str:
        for i in range(3):
            ctx.progress(i + 1, 3, f"Teil {i + 1} von 3")
            ctx.token(str(i))
        return "fertig"

    job = Job(work).on_progress(progress.append).on_token(tokens.append)
    job.on_done(lambda j: done.append(j.state))
    assert job.run() == "fertig"
    assert job.state is JobState.DONE and done == [JobState.DONE]
    assert [p.text for p in progress] == ["Teil 1 von 3", "Teil 2 von 3", "Teil 3 von 3"]
    assert progress[-1].fraction == 1.0
    assert tokens == ["0", "1", "2"]


def test_cancel_stops_job_and_records_state() -> None:
    gate = threading.Event()

    def work(ctx: JobContext) -> int:
        n = 0
        while True:
            gate.set()
            ctx.check()
            n += 1
            ctx.cancel.wait(0.01)

    job = Job(work)
    runner = JobRunner()
    fut = runner.submit(job)
    assert gate.wait(5)
    job.cancel()
    fut.result(timeout=5)
    assert job.state is JobState.CANCELLED
    assert job.result is None
    runner.shutdown()


def test_typed_and_unexpected_errors_become_messages() -> None:
    def overflow(ctx: JobContext) -> None:
        raise ContextOverflow("zu lang", n_prompt=10, n_ctx=5)

    job = Job(overflow)
    job.run()
    assert job.state is JobState.FAILED and isinstance(job.error, ContextOverflow)

    def crash(ctx: JobContext) -> None:
        raise KeyError("kaputt")

    job2 = Job(crash)
    job2.run()
    assert job2.state is JobState.FAILED
    assert "Unerwarteter Fehler" in job2.error.user_message  # type: ignore[union-attr]
    assert "KeyError" in job2.error.detail  # type: ignore[union-attr]

    def disk_full(ctx: JobContext) -> None:
        raise OSError(28, "No space left on device")

    job3 = Job(disk_full)
    job3.run()
    assert "No space left" in job3.error.user_message  # type: ignore[union-attr]


def test_cancel_callbacks_run_once_even_if_registered_late() -> None:
    token = CancelToken()
    calls: list[str] = []
    token.on_cancel(lambda: calls.append("early"))
    token.cancel()
    token.cancel()
    token.on_cancel(lambda: calls.append("late"))
    assert calls == ["early", "late"]
    assert token.cancelled_at is not None


def test_ctrl_c_cancels_a_job_run_by_the_cli() -> None:
    """Ctrl+C (a KeyboardInterrupt in the main thread) cancels the job; nothing is killed."""
    import _thread
    import threading as th
    import time as tm

    from llmoin_desktop.core.jobs import Job, JobState, run_interruptible

    def work(ctx: JobContext) -> str:
        while True:
            ctx.check()
            tm.sleep(0.01)

    job: Job[str] = Job(work, "endless")
    th.Timer(0.3, _thread.interrupt_main).start()
    t0 = tm.perf_counter()
    run_interruptible(job, grace_s=5)
    assert job.state is JobState.CANCELLED
    assert tm.perf_counter() - t0 < 3
