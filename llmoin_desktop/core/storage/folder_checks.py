"""Can the program write where it must? Checked by really writing, not by asking.

``os.access`` answers from the permission bits only: it says yes on a read-only mount, for
root, and on network shares with ACLs. So each folder gets a small temporary file that is
written, flushed and removed. A folder that does not exist yet is fine when it can be created
(its nearest existing parent is writable); it is not created here.
"""

from __future__ import annotations

import errno
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from llmoin_desktop.core.i18n import _, tr


@dataclass(frozen=True)
class FolderCheck:
    label: str
    path: Path
    problem: str  # "" when writable

    @property
    def ok(self) -> bool:
        return not self.problem


def os_error_cause(exc: OSError) -> str:
    """The cause of a failed file operation in plain German."""
    code = exc.errno
    if code in (errno.EACCES, errno.EPERM):
        return _("fehlende Zugriffsrechte")
    if code == errno.EROFS:
        return _("schreibgeschützt (nur lesbar eingebunden)")
    if code in (errno.ENOSPC, errno.EDQUOT):
        return _("Datenträger voll")
    if code == errno.ENOTDIR:
        return _("ein Teil des Pfads ist eine Datei, kein Ordner")
    if code == errno.ENOENT:
        return _("nicht vorhanden")
    return str(exc.strerror or exc)


def check_writable(label: str, path: Path) -> FolderCheck:
    target = Path(path).expanduser()
    probe_dir = target
    try:
        while not probe_dir.exists():
            if probe_dir.parent == probe_dir:
                return FolderCheck(label, target, _("nicht vorhanden"))
            probe_dir = probe_dir.parent
        if not probe_dir.is_dir():
            return FolderCheck(label, target, _("ein Teil des Pfads ist eine Datei, kein Ordner"))
        fd, name = tempfile.mkstemp(dir=probe_dir, prefix=".llmoin-write-check-")
        try:
            os.write(fd, b"ok")
            os.fsync(fd)
        finally:
            os.close(fd)
            Path(name).unlink(missing_ok=True)
    except OSError as exc:
        return FolderCheck(label, target, os_error_cause(exc))
    return FolderCheck(label, target, "")


def describe(check: FolderCheck) -> str:
    if check.ok:
        return tr("{label}: {path} – beschreibbar", label=check.label, path=check.path)
    return tr(
        "{label}: {path} ist nicht beschreibbar ({cause})",
        label=check.label,
        path=check.path,
        cause=check.problem,
    )
