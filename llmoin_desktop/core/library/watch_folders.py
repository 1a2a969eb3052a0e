"""The list of watched library folders and the changes the watcher applies to the library.

Split from ``watch.py`` (the OS watcher and its background loop): these functions are also
used without a running watcher — the library page lists folders and their state, "Neu
einlesen" rescans only the folders that are online, the start-up scan reconciles a folder.
See ``watch.py`` for why the library watches folders at all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmoin_desktop.core.library.folder_scan import scan_folder, wanted
from llmoin_desktop.core.library.library import Library, file_sha256
from llmoin_desktop.core.library.store import INDEXED, PENDING

WATCH_FILE = "watched.json"
ADDED_FOLDERS_KEY = "ui_added_folders"  # the library page's list of added folders (meta)


@dataclass
class WatchedFolder:
    """One folder of the library and its state as the library page shows it."""

    path: str
    watch: bool = True
    policy: bool = False  # named by IT: watched on every PC, cannot be switched off
    online: bool = True


# The folder list -------------------------------------------------------------------------
def _normal(folder: str | Path) -> str:
    """The form the library stores paths in (``Library.add`` resolves them)."""
    return os.path.realpath(os.path.expanduser(str(folder)))


def folder_online(folder: str | Path) -> bool:
    """True when the folder can be listed now (a share that is not mounted cannot)."""
    try:
        return Path(folder).is_dir() and os.access(folder, os.R_OK | os.X_OK)
    except OSError:
        return False


def _read_config(library_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((Path(library_dir) / WATCH_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_config(library_dir: Path, data: dict[str, Any]) -> None:
    target = Path(library_dir) / WATCH_FILE
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, target)


def watched_folders(library_dir: str | Path, policy: Iterable[str] = ()) -> list[WatchedFolder]:
    """Policy folders first, then the clerk's own, each with ``watch`` and ``online``."""
    config = _read_config(Path(library_dir)).get("folders", {})
    out: list[WatchedFolder] = []
    seen: set[str] = set()
    for raw in policy:
        if not str(raw).strip():
            continue
        path = _normal(raw)
        if path not in seen:
            seen.add(path)
            out.append(WatchedFolder(path, True, True, folder_online(path)))
    for path, entry in sorted(config.items()):
        if path not in seen:
            seen.add(path)
            watch = bool(entry.get("watch", True)) if isinstance(entry, dict) else True
            out.append(WatchedFolder(path, watch, False, folder_online(path)))
    return out


def add_folders(library_dir: str | Path, folders: Iterable[str | Path]) -> None:
    """Remember folders the clerk added to the library (watched from now on)."""
    data = _read_config(Path(library_dir))
    known = data.setdefault("folders", {})
    for folder in folders:
        known.setdefault(_normal(folder), {"watch": True})
    _write_config(Path(library_dir), data)


def set_watch(library_dir: str | Path, folder: str | Path, watch: bool) -> None:
    data = _read_config(Path(library_dir))
    data.setdefault("folders", {}).setdefault(_normal(folder), {})["watch"] = bool(watch)
    _write_config(Path(library_dir), data)


def forget_folder(library_dir: str | Path, folder: str | Path) -> None:
    data = _read_config(Path(library_dir))
    data.get("folders", {}).pop(_normal(folder), None)
    _write_config(Path(library_dir), data)


def migrate_added_folders(lib: Library) -> None:
    """Folders added before watching existed (library meta) become watched folders."""
    try:
        added = json.loads(lib.store.get_meta(ADDED_FOLDERS_KEY) or "[]")
    except ValueError:
        added = []
    known = _read_config(lib.folder).get("folders", {})
    new = [f for f in added if _normal(f) not in known]
    if new:
        add_folders(lib.folder, new)


# Applying changes to the library ----------------------------------------------------------
def _wanted(path: Path, root: str | Path | None = None) -> bool:
    """Read this changed file? Every file except those a rule skips (hidden, temporary,
    links leaving the watched folder: folder_scan.py); the parser names what it cannot read."""
    return wanted(path, root)


def rename_document(lib: Library, old: str | Path, new: str | Path) -> bool:
    """Give a known document its new path without reading it again (True when done).

    Only when the file at ``new`` has the content the record was indexed from; a shared
    library (server) keeps its documents keyed by path, so there it is remove + add.
    """
    old_p, new_p = _normal(old), _normal(new)
    if lib.server is not None:
        return False
    with lib._lock:
        rec = lib.store.document(old_p)
        if rec is None or rec.status != INDEXED or lib.store.document(new_p) is not None:
            return False
        try:
            st = Path(new_p).stat()
            if rec.size != st.st_size or rec.sha256 != file_sha256(Path(new_p)):
                return False
        except OSError:
            return False
        with lib.store.tx() as conn:
            conn.execute(
                "UPDATE documents SET path=?, size=?, mtime=? WHERE id=?",
                (new_p, st.st_size, st.st_mtime, rec.id),
            )
        return True


def remove_gone(lib: Library, path: str, root: str | None = None) -> int:
    """Drop the documents at/under ``path`` whose files are gone; returns how many.

    Shared library: a document other PCs share stays (as ``Library.rescan`` does); a clerk
    deleting their local copy must not delete it from the department's server.
    """
    with lib._lock:
        records = [r for r in lib.store.documents() if _under(r.path, path)]
    removed = 0
    for rec in records:
        if os.path.exists(rec.path) or (root is not None and not folder_online(root)):
            continue  # still there, or the whole folder vanished (offline, not deleted)
        if lib.server is not None and lib.store.server_ids_of(rec.id):
            continue
        lib.remove(rec.path)
        removed += 1
    return removed


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def reconcile(lib: Library, folder: str | Path) -> list[str]:
    """The start-up scan of one online folder; returns the paths now pending.

    Files that vanished while a file with the same content appeared are renames (kept);
    the rest is :meth:`Library.rescan` (size/time, then hash; missing files leave).
    """
    root = _normal(folder)
    with lib._lock:
        records = [r for r in lib.store.documents() if _under(r.path, root)]
    by_path = {r.path for r in records}
    if not folder_online(root):
        return []  # went offline meanwhile (share unmounted during the scan): change nothing
    gone = [r for r in records if not os.path.exists(r.path) and r.status != PENDING]
    if gone:
        new_files = [str(p) for p in scan_folder(root).files if str(p) not in by_path]
        by_size: dict[int, list[str]] = {}
        for f in new_files:
            try:
                by_size.setdefault(os.path.getsize(f), []).append(f)
            except OSError:
                continue
        for rec in gone:
            for candidate in by_size.get(rec.size or -1, []):
                if rename_document(lib, rec.path, candidate):
                    by_size[rec.size or -1].remove(candidate)
                    break
            else:  # deleted while the app was closed: gone, as when the watcher sees it
                remove_gone(lib, rec.path, root)
    if not folder_online(root):
        return []
    lib.rescan([root])
    return [d.path for d in lib.store.documents(PENDING) if _under(d.path, root)]


def rescan_folders(lib: Library, folders: Iterable[WatchedFolder | str]) -> list[str]:
    """ "Neu einlesen" for the library page: online folders only; offline ones stay as they
    are (a share that is not mounted must not empty the library)."""
    paths = [f.path if isinstance(f, WatchedFolder) else _normal(f) for f in folders]
    online = [p for p in paths if folder_online(p)]
    pending: list[str] = []
    for p in online:
        pending.extend(reconcile(lib, p))
    if not paths:
        pending = lib.rescan(None)
    return pending
