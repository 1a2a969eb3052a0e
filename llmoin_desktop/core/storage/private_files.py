"""The app's data is readable by the clerk's account only (issue 18, item 12).

History, library databases, the OCR cache and the settings hold what clerks wrote and read.
On a shared PC another account must not read them, so on POSIX every data folder is 0700 and
every data file 0600:

* at start the app sets the umask to 077, so every file and folder it (or a library such as
  chromadb or SQLite) creates afterwards is private, including journals and caches;
* the databases are created 0600 explicitly and existing ones (from older versions, created
  0644) are tightened when opened, and the app's top folders are set to 0700 at start, which
  also covers every file below them whatever its own mode.

Files the clerk saves somewhere (a Word export) keep the umask too; they go where the clerk
chose and only the clerk's account needs them.

Windows: the profile folders (%APPDATA%, %LOCALAPPDATA%) already grant access to the user,
SYSTEM and Administrators only, and files inherit that; nothing to do there.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def posix() -> bool:
    return sys.platform != "win32"


def restrict_umask() -> None:
    """Every file and folder created from now on by this process is private (POSIX)."""
    if posix():
        os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) and make the folder itself 0700."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    make_private(path)
    return path


def make_private(path: Path) -> None:
    """0700 for a folder, 0600 for a file (POSIX; errors ignored: not the owner, gone)."""
    if not posix():
        return
    with contextlib.suppress(OSError):
        st = os.stat(path)
        mode = DIR_MODE if stat.S_ISDIR(st.st_mode) else FILE_MODE
        if stat.S_IMODE(st.st_mode) != mode:
            os.chmod(path, mode)


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 if missing (SQLite then gives its journal and WAL
    files the same mode), or tighten an existing one; its folder becomes 0700."""
    path = Path(path)
    private_dir(path.parent)
    if posix():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
        make_private(path)
        for suffix in ("-wal", "-shm", "-journal"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                make_private(side)
    return path


def secure_app_folders(folders: list[Path]) -> None:
    """At start: the umask, and 0700 on the app's own top folders that already exist."""
    restrict_umask()
    for folder in folders:
        if Path(folder).is_dir():
            make_private(folder)


def app_folders() -> list[Path]:
    """The app's own top folders: data, settings, cache (the OCR cache lives below it)."""
    import platformdirs

    from llmoin_desktop.core import paths

    cache = os.environ.get("LLMOIN_CACHE_DIR") or platformdirs.user_cache_dir(
        paths.APP_NAME, paths.APP_AUTHOR
    )
    return [paths.user_data_dir(), paths.user_config_dir(), Path(cache)]
