"""Background priority (issue 24): the calls reach the OS, fail soft, and stay on their thread.

Real threads and real child processes; the OS's own getters check the result. No timings."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from llmoin_desktop.core import priority

posix = pytest.mark.skipif(sys.platform == "win32", reason="nice values are POSIX")


def _in_thread(fn):  # noqa: ANN001, ANN202
    """Run ``fn`` on a fresh thread (priority changes must not leak into the test runner)."""
    box: dict = {}

    def body() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001
            box["error"] = exc

    t = threading.Thread(target=body)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux")
def test_lower_thread_changes_only_that_thread() -> None:
    before = priority.thread_priority()

    def work() -> tuple[bool, int | None, bool]:
        ok = priority.lower_thread()
        return ok, priority.thread_priority(), priority.is_background_thread()

    ok, inside, flagged = _in_thread(work)
    assert ok and flagged
    assert inside is not None and inside >= priority.BACKGROUND_NICE
    assert priority.thread_priority() == before  # the caller's thread is untouched
    assert not priority.is_background_thread()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux")
def test_lower_thread_never_raises_a_lower_thread() -> None:
    def work() -> int | None:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 15)
        priority.lower_thread(priority.BACKGROUND_NICE)
        return priority.thread_priority()

    assert _in_thread(work) == 15


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux")
def test_run_in_background_returns_and_raises_and_children_inherit() -> None:
    caller = priority.thread_priority()

    def nice_of_a_child() -> tuple[int | None, str]:
        out = subprocess.run(
            [sys.executable, "-c", "import os; print(os.nice(0))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return priority.thread_priority(), out

    inside, child = priority.run_in_background(nice_of_a_child)
    assert inside is not None and inside >= priority.BACKGROUND_NICE
    assert int(child) >= priority.BACKGROUND_NICE  # a worker process inherits it
    assert priority.thread_priority() == caller

    with pytest.raises(ValueError, match="kaputt"):
        priority.run_in_background(lambda: (_ for _ in ()).throw(ValueError("kaputt")))


def test_run_in_background_inside_background_runs_inline() -> None:
    def outer() -> bool:
        priority.lower_thread()
        me = threading.get_ident()
        return priority.run_in_background(lambda: threading.get_ident() == me)

    assert _in_thread(outer) is True


def test_background_thread_context_restores_where_allowed() -> None:
    def work() -> tuple[bool, bool]:
        with priority.background_thread() as lowered:
            inside = priority.is_background_thread()
        return lowered and inside, priority.is_background_thread()

    lowered_inside, after = _in_thread(work)
    assert lowered_inside
    # Restoring may be refused (Linux without RLIMIT_NICE); our bookkeeping says which.
    assert after in (False, True)


@posix
def test_lower_process_in_a_child() -> None:
    code = (
        "import os, threading\n"
        "from llmoin_desktop.core import priority\n"
        "ok = priority.lower_process()\n"
        "t = threading.Thread(target=lambda: print(os.getpriority(os.PRIO_PROCESS, "
        "threading.get_native_id())))\n"
        "t.start(); t.join()\n"
        "print(ok, os.getpriority(os.PRIO_PROCESS, 0), priority.is_background())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    thread_nice, ok, process_nice, flagged = int(out[0]), out[1], int(out[2]), out[3]
    assert ok == "True" and flagged == "True"
    assert process_nice >= priority.BACKGROUND_NICE
    assert thread_nice >= priority.BACKGROUND_NICE  # threads started later inherit it


def test_failures_are_soft(monkeypatch: pytest.MonkeyPatch) -> None:
    """An OS that refuses (a locked-down PC, a sandbox) means normal priority, no error."""

    def refuse(*_a: object) -> None:
        raise PermissionError("not allowed")

    monkeypatch.setattr(os, "setpriority", refuse, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(priority, "_process_lowered", False)

    def work() -> tuple[bool, bool, bool]:
        return priority.lower_thread(), priority.restore_thread(), priority.is_background_thread()

    lowered, restored, flagged = _in_thread(work)
    assert lowered is False and restored is False and flagged is False
    assert priority.lower_process() is False
    assert not priority.is_background()


def test_windows_kwargs_only_on_windows() -> None:
    kwargs = priority.background_popen_kwargs()
    if sys.platform == "win32":
        assert kwargs["creationflags"] & priority.BELOW_NORMAL_PRIORITY_CLASS
    else:
        assert kwargs == {}


@posix
def test_background_parser_worker_runs_niced(tmp_path) -> None:  # noqa: ANN001
    """The library's parser pool starts its workers with ``--background``: they run below
    normal priority (the worker reports its own nice value through a custom loader)."""
    from llmoin_desktop.core.documents.sandbox import DocumentParser

    sample = tmp_path / "a.txt"
    sample.write_text("Hallo", encoding="utf-8")
    with DocumentParser(workers=1, background=True) as parser:
        doc = parser.parse(sample, loader="tests.test_priority:_nice_loader")
    assert int(doc.title) >= priority.BACKGROUND_NICE
    with DocumentParser(workers=1) as parser:
        doc = parser.parse(sample, loader="tests.test_priority:_nice_loader")
    assert int(doc.title) < priority.BACKGROUND_NICE


def _nice_loader(path: str):  # noqa: ANN202
    from llmoin_desktop.core.documents.model import Document

    return Document(path=path, title=str(os.getpriority(os.PRIO_PROCESS, 0)), format="txt")
