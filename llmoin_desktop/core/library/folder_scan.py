"""Which files of an added or watched folder are read, and why the others are not.

Every file in a folder a clerk adds gets an outcome (issue 20): it is read, refused by the
parser with the reason (old .xls, a .zip, a damaged PDF …), or skipped here by a rule the
clerk sees in the result table. So the walk no longer filters by file ending: everything that
is not skipped goes to the sandboxed parser, which knows the formats (and reads a PDF saved
without ending) and names the reason for the rest.

Rules (decision, docs/formats.md "Ordner"):

- hidden files and folders (name starting with "."; on Windows the hidden/system attribute)
  and system files (Thumbs.db, desktop.ini): one line per hidden folder, not per file in it;
- temporary files of Office and downloads (``~$Bericht.docx``, ``~WRL0001.tmp``, ``*.tmp``,
  ``*.crdownload``, ``*.part``, LibreOffice's ``.~lock.…#``);
- Windows shortcuts (``.lnk``, ``.url``) and **links** (symbolic links, junctions) whose
  target is outside the added folder are never followed (issue 18 item 10): a link
  ``share/protokoll.txt → ~/privat/notizen.txt`` must not put a private file into the
  library or onto the shared library server. A link that stays inside the folder is not
  followed either — its target is read at its own place, once.
- devices, pipes and sockets are not files.

A file the clerk names on its own (the file dialog, ``index datei.txt``) is read even when it
is a link: the clerk chose it. The library keeps only real paths; a path that later turns into
a link is caught before parsing (:func:`is_real_path`).
"""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from llmoin_desktop.core.i18n import _, tr

# Office's owner files, Word's temp files, browser downloads in progress, LibreOffice locks.
TEMP_PATTERNS = (
    "~$*",
    "~*.tmp",
    "*.tmp",
    "*.temp",
    "*.crdownload",
    "*.part",
    "*.partial",
    "*.download",
    ".~lock.*#",
)
SYSTEM_FILES = ("thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store", "icon\r")
SHORTCUTS = (".lnk", ".url")
_HIDDEN_ATTRS = getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 2) | getattr(
    stat, "FILE_ATTRIBUTE_SYSTEM", 4
)
_REPARSE_MOUNT_POINT = getattr(stat, "IO_REPARSE_TAG_MOUNT_POINT", 0xA0000003)


@dataclass
class FolderScan:
    """Files for the parser (real paths inside the folder) and ``(path, reason)`` skips."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)


def _under(path: str, root: str) -> bool:
    path, root = os.path.normcase(path), os.path.normcase(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def is_real_path(path: str | Path) -> bool:
    """True when no part of ``path`` is a link: the library stores only such paths, so a
    stored path that turned into a link since (swapped on a share) is not read."""
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError):
        return False
    return os.path.normcase(real) == os.path.normcase(os.path.abspath(path))


def _attributes(entry: os.DirEntry[str]) -> int:
    try:
        return int(getattr(entry.stat(follow_symlinks=False), "st_file_attributes", 0))
    except OSError:
        return 0


def _is_link(entry: os.DirEntry[str]) -> bool:
    if entry.is_symlink():
        return True
    junction = getattr(entry, "is_junction", None)  # Python 3.12+
    if junction is not None and junction():
        return True
    try:
        tag = getattr(entry.stat(follow_symlinks=False), "st_reparse_tag", 0)
    except OSError:
        return False
    return tag == _REPARSE_MOUNT_POINT


def skip_reason(name: str, attributes: int = 0, *, is_dir: bool = False) -> str:
    """The rule that skips a file or folder by its name ("" when it is not skipped)."""
    lower = name.lower()
    if lower in SYSTEM_FILES:
        return _("Systemdatei, wird übersprungen")
    if name.startswith(".~lock.") or (not is_dir and name.startswith("~$")):
        return _("temporäre Datei (Sperrdatei von Office), wird übersprungen")
    if name.startswith(".") or attributes & _HIDDEN_ATTRS:
        if is_dir:
            return _("versteckter Ordner, wird übersprungen")
        return _("versteckte Datei, wird übersprungen")
    if is_dir:
        return ""
    if any(fnmatch.fnmatch(lower, pattern) for pattern in TEMP_PATTERNS):
        return _("temporäre Datei, wird übersprungen")
    if lower.endswith(SHORTCUTS):
        return _("Verknüpfung (wird nicht verfolgt)")
    return ""


def _link_reason(entry: os.DirEntry[str], root: str) -> str:
    try:
        target = os.path.realpath(entry.path)
    except (OSError, ValueError):
        target = ""
    is_dir = os.path.isdir(target) if target else False
    if target and _under(target, root):
        if is_dir:
            return _("Verknüpfung auf einen Ordner in diesem Ordner; er wird dort gelesen")
        return _("Verknüpfung auf eine Datei in diesem Ordner; sie wird dort gelesen")
    if is_dir:
        return _(
            "Verknüpfung auf einen Ordner außerhalb des hinzugefügten Ordners; wird nicht "
            "verfolgt. Fügen Sie den Ordner selbst hinzu, wenn er gelesen werden soll."
        )
    return _(
        "Verknüpfung auf eine Datei außerhalb des hinzugefügten Ordners; wird nicht gelesen. "
        "Fügen Sie die Datei selbst hinzu, wenn sie gelesen werden soll."
    )


def scan_folder(folder: str | Path) -> FolderScan:
    """Walk ``folder`` (links not followed); sorted files for the parser and the skips."""
    root = os.path.realpath(os.path.expanduser(str(folder)))
    result = FolderScan()
    stack = [root]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            result.unreadable.append(
                (
                    current,
                    _(
                        "Ordner kann nicht gelesen werden (keine Berechtigung oder nicht erreichbar)."
                    ),
                )
            )
            continue
        subfolders: list[str] = []
        for entry in entries:
            if _is_link(entry):
                result.skipped.append((entry.path, _link_reason(entry, root)))
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file(follow_symlinks=False)
            except OSError:
                is_dir = is_file = False
            reason = skip_reason(entry.name, _attributes(entry), is_dir=is_dir)
            if reason:
                result.skipped.append((entry.path, reason))
            elif is_dir:
                subfolders.append(entry.path)
            elif is_file:
                result.files.append(Path(entry.path))
            else:
                result.skipped.append((entry.path, _("keine gewöhnliche Datei (Gerät, Pipe)")))
        stack.extend(reversed(subfolders))
    result.files.sort()
    return result


def wanted(path: str | Path, root: str | Path | None = None) -> bool:
    """A single changed file (watcher event): read it? Same rules as :func:`scan_folder`;
    with ``root`` a link leaving the folder (or any link) is not wanted."""
    p = Path(path)
    if skip_reason(p.name):
        return False
    return root is None or _inside_real(p, Path(root))


def _inside_real(path: Path, root: Path) -> bool:
    """``path`` is no link, and it and its folders are inside ``root`` (not hidden)."""
    if not is_real_path(path):
        return False
    real_root = os.path.realpath(root)
    if not _under(str(path), real_root):
        return False
    rel = Path(os.path.relpath(path, real_root))
    return not any(part.startswith(".") for part in rel.parts[:-1])


def link_message(path: str | Path) -> str:
    """Why a stored path that is now a link is not read (the library's last check)."""
    return tr(
        "„{name}“ ist jetzt eine Verknüpfung auf eine andere Datei und wird nicht gelesen.",
        name=Path(path).name,
    )
