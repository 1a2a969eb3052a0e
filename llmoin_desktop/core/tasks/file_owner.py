"""Who saved a file, from the file system — not from what the file says about itself.

A department task's ``[meta] author`` is text anybody with write access can type ("Von
IT-Abteilung"). The file's owner is recorded by the OS (on a Windows share: the account that
created the file), so the task info shows it beside a claimed author that differs (issue 18).
"" when the OS cannot say (FAT, a share without owner information).
"""

from __future__ import annotations

import sys
from pathlib import Path


def _windows_owner(path: Path) -> str:
    import ctypes  # noqa: PLC0415 - Windows only
    from ctypes import wintypes  # noqa: PLC0415

    advapi32 = ctypes.windll.advapi32  # type: ignore[attr-defined]
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    pointer = ctypes.POINTER(ctypes.c_void_p)
    advapi32.GetNamedSecurityInfoW.argtypes = [
        wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, pointer, pointer, pointer, pointer, pointer
    ]  # fmt: skip
    advapi32.LookupAccountSidW.argtypes = [
        wintypes.LPCWSTR, ctypes.c_void_p, wintypes.LPWSTR, ctypes.POINTER(wintypes.DWORD),
        wintypes.LPWSTR, ctypes.POINTER(wintypes.DWORD), ctypes.POINTER(wintypes.DWORD),
    ]  # fmt: skip
    kernel32.LocalFree.argtypes = [ctypes.c_void_p]
    sid, descriptor = ctypes.c_void_p(), ctypes.c_void_p()
    file_object, owner_info = 1, 1  # SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION
    status = advapi32.GetNamedSecurityInfoW(
        str(path), file_object, owner_info, ctypes.byref(sid), None, None, None,
        ctypes.byref(descriptor),
    )  # fmt: skip
    if status != 0:
        return ""
    try:
        name = ctypes.create_unicode_buffer(256)
        domain = ctypes.create_unicode_buffer(256)
        n_name, n_domain, use = wintypes.DWORD(256), wintypes.DWORD(256), wintypes.DWORD()
        ok = advapi32.LookupAccountSidW(
            None, sid, name, ctypes.byref(n_name), domain, ctypes.byref(n_domain), ctypes.byref(use)
        )
        return name.value if ok else ""
    finally:
        kernel32.LocalFree(descriptor)


def file_owner(path: Path | str) -> str:
    """The login name of the file's owner, or ""."""
    try:
        if sys.platform == "win32":
            return _windows_owner(Path(path))
        import pwd  # noqa: PLC0415 - POSIX only

        return pwd.getpwuid(Path(path).stat().st_uid).pw_name
    except (ImportError, KeyError, OSError, AttributeError):
        return ""
