"""A memory cap for the parser worker on Windows: a Job Object with a process memory limit.

Why: POSIX workers cap their address space with ``RLIMIT_AS`` (``worker.py``). Windows has no
rlimits, so a 737-byte .odt that expands to gigabytes of text, or a zip bomb, could take all
the PC's memory there. A Job Object with ``JOB_OBJECT_LIMIT_PROCESS_MEMORY`` makes every
allocation beyond the limit fail inside the worker (Python raises ``MemoryError``, which the
worker reports as "zu viel Arbeitsspeicher"), exactly like the rlimit does on Linux.

The worker puts *itself* into a new job (allowed since Windows 8, also when the app already
runs inside a job, as nested jobs). The structures are built with portable ctypes types, so
the call construction is unit-tested on Linux with a recording stand-in for ``kernel32``.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS = 9  # JobObjectExtendedLimitInformation
JOB_OBJECT_LIMIT_PROCESS_MEMORY = 0x00000100
JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION = 0x00000400  # no crash dialog for a C crash
JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x00002000  # the job ends with the worker


class BasicLimitInformation(ctypes.Structure):
    """JOBOBJECT_BASIC_LIMIT_INFORMATION (LARGE_INTEGER, DWORD, SIZE_T, ULONG_PTR fields)."""

    _fields_ = [
        ("PerProcessUserTimeLimit", ctypes.c_int64),
        ("PerJobUserTimeLimit", ctypes.c_int64),
        ("LimitFlags", ctypes.c_uint32),
        ("MinimumWorkingSetSize", ctypes.c_size_t),
        ("MaximumWorkingSetSize", ctypes.c_size_t),
        ("ActiveProcessLimit", ctypes.c_uint32),
        ("Affinity", ctypes.c_size_t),
        ("PriorityClass", ctypes.c_uint32),
        ("SchedulingClass", ctypes.c_uint32),
    ]


class IoCounters(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_uint64)
        for name in (
            "ReadOperationCount",
            "WriteOperationCount",
            "OtherOperationCount",
            "ReadTransferCount",
            "WriteTransferCount",
            "OtherTransferCount",
        )
    ]


class ExtendedLimitInformation(ctypes.Structure):
    """JOBOBJECT_EXTENDED_LIMIT_INFORMATION (144 bytes on 64-bit Windows)."""

    _fields_ = [
        ("BasicLimitInformation", BasicLimitInformation),
        ("IoInfo", IoCounters),
        ("ProcessMemoryLimit", ctypes.c_size_t),
        ("JobMemoryLimit", ctypes.c_size_t),
        ("PeakProcessMemoryUsed", ctypes.c_size_t),
        ("PeakJobMemoryUsed", ctypes.c_size_t),
    ]


_job_handle: Any = None  # kept open for the worker's lifetime: closing it would end the job


def limit_info(memory_mb: int) -> ExtendedLimitInformation:
    """The limits the worker's job gets: ``memory_mb`` of committed memory, nothing else."""
    info = ExtendedLimitInformation()
    info.BasicLimitInformation.LimitFlags = (
        JOB_OBJECT_LIMIT_PROCESS_MEMORY
        | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION
        | JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
    )
    info.ProcessMemoryLimit = memory_mb * 1024 * 1024
    return info


def _kernel32() -> Any:
    from ctypes import wintypes

    k = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    k.CreateJobObjectW.argtypes = [ctypes.c_void_p, wintypes.LPCWSTR]
    k.CreateJobObjectW.restype = wintypes.HANDLE
    k.SetInformationJobObject.argtypes = [
        wintypes.HANDLE,
        ctypes.c_int,
        ctypes.c_void_p,
        wintypes.DWORD,
    ]
    k.SetInformationJobObject.restype = wintypes.BOOL
    k.GetCurrentProcess.restype = wintypes.HANDLE
    k.AssignProcessToJobObject.argtypes = [wintypes.HANDLE, wintypes.HANDLE]
    k.AssignProcessToJobObject.restype = wintypes.BOOL
    k.CloseHandle.argtypes = [wintypes.HANDLE]
    return k


def limit_windows_memory(memory_mb: int, kernel32: Any = None) -> bool:
    """Put this process into a job capped at ``memory_mb``; False when Windows refused.

    ``kernel32`` is the DLL (default: the real one); tests pass a recording stand-in.
    """
    global _job_handle
    if memory_mb <= 0:
        return False
    k = kernel32 if kernel32 is not None else _kernel32()
    job = k.CreateJobObjectW(None, None)
    if not job:
        return False
    info = limit_info(memory_mb)
    ok = k.SetInformationJobObject(
        job,
        JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS,
        ctypes.byref(info),
        ctypes.sizeof(info),
    )
    if ok and k.AssignProcessToJobObject(job, k.GetCurrentProcess()):
        _job_handle = job
        return True
    k.CloseHandle(job)
    return False


def limit_memory(memory_mb: int) -> bool:
    """The platform's cap for this worker: RLIMIT_AS on POSIX, a Job Object on Windows."""
    if memory_mb <= 0:
        return False
    if sys.platform == "win32":
        return limit_windows_memory(memory_mb)
    import resource

    limit = memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return True
