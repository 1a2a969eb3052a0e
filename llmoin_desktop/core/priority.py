"""Lower CPU priority for background work (issue 24: a good neighbour on a busy office PC).

Why: while the library is indexed, a scan is OCR'd or a watched folder is checked, the clerk
goes on working in Word and Outlook. Those programs run at normal priority; our background
work runs below it, so the scheduler gives them the CPU first and our work takes what is left
(on an idle PC that is everything, so nothing gets slower when nobody else wants the CPU).
An interactive task the clerk is waiting for keeps normal priority.

How, per platform (every call fails soft: a PC that refuses just runs at normal priority):
- Linux: ``nice`` is per thread; ``setpriority(PRIO_PROCESS, native thread id, n)`` changes
  one thread, and threads and processes it starts later inherit the value. An unprivileged
  thread may lower its priority but usually not raise it again (RLIMIT_NICE), so background
  work runs on a *fresh* thread (:func:`run_in_background`) that dies with its low priority.
- macOS: ``setpriority(PRIO_DARWIN_THREAD, 0, PRIO_DARWIN_BG)`` puts the current thread in
  the background band (CPU and I/O) and ``0`` takes it out again; whole processes use nice.
- Windows: ``SetThreadPriority(BELOW_NORMAL)`` per thread and ``SetPriorityClass
  (BELOW_NORMAL_PRIORITY_CLASS)`` per process through ctypes; both can be undone.

Qt-free; the sandbox's parser workers, the OCR pool, the library's indexing and watch
threads and the model check call it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

# Linux/macOS nice value of background work: low enough that a normal program always wins,
# not 19 so that two kinds of our own background work still share fairly among themselves.
BACKGROUND_NICE = 10
# macOS: setpriority "which" for the current thread and its background value (sys/resource.h).
PRIO_DARWIN_THREAD = 3
PRIO_DARWIN_BG = 0x1000
# Windows (winbase.h).
THREAD_PRIORITY_NORMAL = 0
THREAD_PRIORITY_BELOW_NORMAL = -1
BELOW_NORMAL_PRIORITY_CLASS = 0x00004000
NORMAL_PRIORITY_CLASS = 0x00000020

_local = threading.local()
_process_lowered = False


def _kernel32() -> Any:
    """kernel32 with the prototypes declared: the pseudo handles (-1, -2) must reach Windows
    as full 64-bit HANDLEs, which ctypes' default ``int`` arguments do not guarantee."""
    import ctypes
    from ctypes import wintypes

    k32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    k32.GetCurrentThread.restype = wintypes.HANDLE
    k32.GetCurrentProcess.restype = wintypes.HANDLE
    k32.SetThreadPriority.argtypes = [wintypes.HANDLE, ctypes.c_int]
    k32.SetThreadPriority.restype = wintypes.BOOL
    k32.GetThreadPriority.argtypes = [wintypes.HANDLE]
    k32.GetThreadPriority.restype = ctypes.c_int
    k32.SetPriorityClass.argtypes = [wintypes.HANDLE, wintypes.DWORD]
    k32.SetPriorityClass.restype = wintypes.BOOL
    return k32


def thread_priority() -> int | None:
    """The current thread's priority as the OS reports it (nice value; Windows: -2…2).

    ``None`` where it cannot be read. Tests and ``doctor`` use it; nothing depends on it."""
    try:
        if sys.platform == "win32":
            k32 = _kernel32()
            value = int(k32.GetThreadPriority(k32.GetCurrentThread()))
            return None if value == 0x7FFFFFFF else value
        if sys.platform == "darwin":
            return os.getpriority(PRIO_DARWIN_THREAD, 0)
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    except (OSError, AttributeError, ValueError):
        return None


def is_background_thread() -> bool:
    """Whether this thread was lowered by :func:`lower_thread` (our own bookkeeping)."""
    return bool(getattr(_local, "lowered", False))


def is_background() -> bool:
    """This thread or the whole process runs background work (OCR sizes its pool by it)."""
    return _process_lowered or is_background_thread()


def lower_thread(nice: int = BACKGROUND_NICE) -> bool:
    """Run the *current thread* (and what it starts from now on) below normal priority.

    Returns whether the OS accepted it. Meant for threads that only do background work (the
    watch thread, OCR pool threads, a fresh thread from :func:`run_in_background`)."""
    ok = False
    try:
        if sys.platform == "win32":
            k32 = _kernel32()
            ok = bool(k32.SetThreadPriority(k32.GetCurrentThread(), THREAD_PRIORITY_BELOW_NORMAL))
        elif sys.platform == "darwin":
            os.setpriority(PRIO_DARWIN_THREAD, 0, PRIO_DARWIN_BG)
            ok = True
        else:
            tid = threading.get_native_id()
            current = os.getpriority(os.PRIO_PROCESS, tid)
            if current < nice:  # never *raise* a thread someone lowered further (nice 19)
                os.setpriority(os.PRIO_PROCESS, tid, nice)
            ok = True
    except (OSError, AttributeError, ValueError):
        ok = False
    if ok:
        _local.lowered = True
    return ok


def restore_thread() -> bool:
    """Back to normal priority; ``False`` where the OS does not allow it (Linux without
    RLIMIT_NICE). Callers that need normal priority afterwards use a fresh thread instead."""
    try:
        if sys.platform == "win32":
            k32 = _kernel32()
            ok = bool(k32.SetThreadPriority(k32.GetCurrentThread(), THREAD_PRIORITY_NORMAL))
        elif sys.platform == "darwin":
            os.setpriority(PRIO_DARWIN_THREAD, 0, 0)
            ok = True
        else:
            os.setpriority(
                os.PRIO_PROCESS,
                threading.get_native_id(),
                os.getpriority(os.PRIO_PROCESS, os.getpid()),
            )
            ok = True
    except (OSError, AttributeError, ValueError):
        ok = False
    if ok:
        _local.lowered = False
    return ok


def lower_process(nice: int = BACKGROUND_NICE) -> bool:
    """The whole *process* below normal priority (a worker process that only does background
    work lowers itself at start; its children inherit it)."""
    global _process_lowered
    try:
        if sys.platform == "win32":
            k32 = _kernel32()
            ok = bool(k32.SetPriorityClass(k32.GetCurrentProcess(), BELOW_NORMAL_PRIORITY_CLASS))
            _process_lowered = ok
            return ok
        current = os.getpriority(os.PRIO_PROCESS, 0)
        if current < nice:
            os.setpriority(os.PRIO_PROCESS, 0, nice)
        if sys.platform.startswith("linux"):
            # PRIO_PROCESS 0 is the calling *thread* on Linux; the process's other threads
            # (none yet at worker start, but be thorough) get the same value.
            with contextlib.suppress(OSError, FileNotFoundError):
                for tid in os.listdir("/proc/self/task"):
                    with contextlib.suppress(OSError, ValueError):
                        if os.getpriority(os.PRIO_PROCESS, int(tid)) < nice:
                            os.setpriority(os.PRIO_PROCESS, int(tid), nice)
        _process_lowered = True
        return True
    except (OSError, AttributeError, ValueError):
        return False


@contextlib.contextmanager
def background_thread() -> Iterator[bool]:
    """Lower the current thread for a block and restore it after, where the OS allows.

    Yields whether it was lowered. On Linux without the right to raise priority again the
    thread stays low: use it only on threads that do background work anyway, otherwise use
    :func:`run_in_background`."""
    if is_background_thread():
        yield True
        return
    lowered = lower_thread()
    try:
        yield lowered
    finally:
        if lowered:
            restore_thread()


def run_in_background(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call ``fn`` on a fresh thread at background priority and wait for it.

    The caller's thread keeps its priority (a job-pool thread may run an interactive task
    next), the fresh thread's low priority dies with it, and everything ``fn`` starts
    (llama.cpp's embedding threads, an OCR pool, a child process) inherits the low priority.
    Exceptions are re-raised here; a caller that is itself background work runs ``fn``
    directly."""
    if is_background_thread():
        return fn(*args, **kwargs)
    box: dict[str, Any] = {}

    def body() -> None:
        lower_thread()
        try:
            box["result"] = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread
            box["error"] = exc

    name = f"{threading.current_thread().name}-bg"
    worker = threading.Thread(target=body, name=name, daemon=True)
    worker.start()
    worker.join()
    if "error" in box:
        raise box["error"]
    return box["result"]  # type: ignore[no-any-return]


def background_popen_kwargs() -> dict[str, Any]:
    """``subprocess.Popen`` arguments that start a child below normal priority.

    Windows: the priority class flag. POSIX: nothing here; a child inherits the starting
    thread's nice value, and our workers also lower themselves (``--background``)."""
    if sys.platform == "win32":
        return {"creationflags": BELOW_NORMAL_PRIORITY_CLASS}
    return {}
