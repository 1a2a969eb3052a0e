"""Is IT's policy safe from the clerk? ``doctor`` asks here (issue 18).

A lock is only as strong as the file it is written in: when the current (non-admin) user can
write ``policy.toml`` or its folder — or rename the folder away — every lock is hers to
remove. The installers create the folder admin-only (installers/windows/llmoin-desktop.iss);
this check finds machines where that went wrong (folder made by hand, ACL inherited from
ProgramData, which lets every user create files there).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path

from llmoin_desktop.core import paths
from llmoin_desktop.core.i18n import tr


def is_admin() -> bool:
    """root / an elevated Windows token: may write the policy anyway, no warning then."""
    if sys.platform == "win32":
        try:
            import ctypes  # noqa: PLC0415 - Windows only

            return bool(ctypes.windll.shell32.IsUserAnAdmin())  # type: ignore[attr-defined]
        except (AttributeError, OSError):
            return False
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _folder_writable(folder: Path) -> bool:
    if sys.platform != "win32":
        return os.access(folder, os.W_OK)
    # Windows: os.access only looks at the read-only attribute; try what a user would do.
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".llmoin-acl-test-")
    except OSError:
        return False
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)
    return True


def _file_writable(path: Path) -> bool:
    if sys.platform != "win32":
        return os.access(path, os.W_OK)
    try:
        with path.open("r+b"):  # opened for writing, nothing written
            return True
    except OSError:
        return False


def writable_policy_paths(policy_dir: Path | None = None) -> list[Path]:
    """The policy file, its folder and the folder's parents that this user could change."""
    folder = policy_dir or paths.machine_policy_dir()
    if is_admin():
        return []
    found: list[Path] = []
    file = folder / paths.POLICY_FILE_NAME
    if file.is_file() and _file_writable(file):
        found.append(file)
    # The folder, or where it is missing the nearest existing folder above it (she could
    # create it, as in %ProgramData%, whose ACL lets users create sub-folders). On POSIX a
    # writable parent without the sticky bit also lets her rename IT's folder away.
    existing = next((c for c in [folder, *folder.parents] if c.is_dir()), None)
    if existing is not None and _folder_writable(existing):
        found.append(existing)
    elif existing == folder and sys.platform != "win32":
        parent = folder.parent
        try:
            sticky = bool(parent.stat().st_mode & stat.S_ISVTX)
        except OSError:
            sticky = True
        if not sticky and os.access(parent, os.W_OK):
            found.append(parent)
    return found


def policy_location_problems() -> list[str]:
    """German lines for doctor: each part of the machine policy this user could change."""
    return [
        tr(
            "Die Richtlinie der IT ist nicht geschützt: {path} kann von diesem Benutzer "
            "geändert werden. Nur Administratoren dürfen dort schreiben (Installer "
            "erneut ausführen oder Rechte setzen, siehe docs/config_safety.md).",
            path=path,
        )
        for path in writable_policy_paths()
    ]


def override_note() -> str:
    """One line about LLMOIN_POLICY_DIR: in use (tests only) or set and ignored."""
    if paths.policy_override_dir() is not None:
        return tr(
            "Richtlinie aus {var} ({path}) – nur für Tests; es gibt keine Richtlinie der IT.",
            var=paths.POLICY_OVERRIDE_ENV,
            path=paths.policy_override_dir(),
        )
    if os.environ.get(paths.POLICY_OVERRIDE_ENV):
        return tr(
            "{var} ist gesetzt und wird nicht beachtet (Richtlinie der IT vorhanden oder "
            "installierte Version).",
            var=paths.POLICY_OVERRIDE_ENV,
        )
    return ""
