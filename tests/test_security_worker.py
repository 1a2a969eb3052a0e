"""Issue 18, item 9: the parser worker's memory cap on Windows (a Job Object, built with
ctypes; its call construction is checked here on any OS) and the cap on the text a worker
may hand back."""

from __future__ import annotations

import ctypes
from pathlib import Path
from typing import Any

import pytest

from llmoin_desktop.core.documents import DocumentParser, TooLarge
from llmoin_desktop.core.documents import job_limits as J
from llmoin_desktop.core.i18n import set_language


class RecordingKernel32:
    """Stands in for kernel32: records each call and what the limit structure held."""

    def __init__(self, *, assign_ok: bool = True) -> None:
        self.calls: list[str] = []
        self.info: dict[str, Any] = {}
        self.assign_ok = assign_ok

    def CreateJobObjectW(self, attrs: Any, name: Any) -> int:  # noqa: N802 - Win32 names
        self.calls.append("CreateJobObjectW")
        return 4242

    def SetInformationJobObject(self, job: int, cls: int, ref: Any, size: int) -> int:  # noqa: N802
        self.calls.append("SetInformationJobObject")
        info = ctypes.cast(ref, ctypes.POINTER(J.ExtendedLimitInformation)).contents
        self.info = {
            "job": job,
            "class": cls,
            "size": size,
            "flags": info.BasicLimitInformation.LimitFlags,
            "limit": info.ProcessMemoryLimit,
        }
        return 1

    def GetCurrentProcess(self) -> int:  # noqa: N802
        return -1

    def AssignProcessToJobObject(self, job: int, process: int) -> int:  # noqa: N802
        self.calls.append(f"AssignProcessToJobObject({job},{process})")
        return 1 if self.assign_ok else 0

    def CloseHandle(self, handle: int) -> int:  # noqa: N802
        self.calls.append(f"CloseHandle({handle})")
        return 1


def test_job_object_caps_the_process_memory() -> None:
    k = RecordingKernel32()
    assert J.limit_windows_memory(1536, kernel32=k)
    assert k.calls == [
        "CreateJobObjectW",
        "SetInformationJobObject",
        "AssignProcessToJobObject(4242,-1)",
    ]
    assert k.info["class"] == 9  # JobObjectExtendedLimitInformation
    assert k.info["flags"] & J.JOB_OBJECT_LIMIT_PROCESS_MEMORY
    assert k.info["limit"] == 1536 * 1024 * 1024
    assert k.info["size"] == ctypes.sizeof(J.ExtendedLimitInformation)


@pytest.mark.skipif(ctypes.sizeof(ctypes.c_void_p) != 8, reason="layout checked for 64-bit")
def test_limit_structure_has_the_windows_layout() -> None:
    assert ctypes.sizeof(J.BasicLimitInformation) == 64
    assert ctypes.sizeof(J.ExtendedLimitInformation) == 144
    assert J.ExtendedLimitInformation.ProcessMemoryLimit.offset == 112


def test_refused_job_is_closed_and_reported() -> None:
    k = RecordingKernel32(assign_ok=False)
    assert not J.limit_windows_memory(512, kernel32=k)
    assert k.calls[-1] == "CloseHandle(4242)"
    assert not J.limit_windows_memory(0, kernel32=k)


def test_the_worker_uses_the_platform_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    from llmoin_desktop.core.documents import worker

    seen: list[int] = []
    monkeypatch.setattr(J.sys, "platform", "win32")
    monkeypatch.setattr(J, "limit_windows_memory", lambda mb: seen.append(mb) or True)
    worker._limit_memory(700)
    assert seen == [700]


def test_worker_hands_back_no_more_than_the_text_cap(tmp_path: Path) -> None:
    set_language("de")
    path = tmp_path / "bombe.txt"
    path.write_text("klein", encoding="utf-8")
    with DocumentParser(workers=1) as parser:
        with pytest.raises(TooLarge) as info:
            parser.parse(path, loader="llmoin_desktop.core.documents.probes:huge_text")
        assert "Millionen Zeichen" in info.value.user_message
        assert "bombe.txt" in info.value.user_message
        assert parser.parse(path).text == "klein"  # a fresh worker reads the next file


def test_memory_cap_hidden_behind_damaged_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bombe.docx"
    path.write_bytes(b"PK")
    with DocumentParser(workers=1) as parser, pytest.raises(TooLarge) as info:
        parser.parse(path, loader="llmoin_desktop.core.documents.probes:memory_as_damaged")
    assert "zu viel Arbeitsspeicher" in info.value.user_message
