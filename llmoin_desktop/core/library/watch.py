"""Watched folders: the library keeps itself current while the app runs and after it was closed.

Why: clerks file documents into department folders all day; "Neu einlesen" by hand means
answers from yesterday's state. So every folder added to the library is watched:

- while the app runs, an OS file watcher (watchdog: inotify, ReadDirectoryChangesW, FSEvents)
  reports new, changed, renamed and deleted files; events are debounced (a save is often
  several writes, or a temp file renamed over the original) and then applied in one
  background thread;
- at start-up a quick scan compares each folder with the library (size and time first, the
  content hash only when those differ), so what changed while the app was closed is found;
- nothing is indexed again whose content did not change: a renamed or moved file keeps its
  chunks (the record only gets the new path), a file saved without changes is only touched;
- a folder that disappears (a network share that is not mounted, a VPN that is down) is
  *offline*: its documents stay in the library and searchable, no deletion is applied, and
  when it comes back it gets the start-up scan.

Per folder the clerk can switch watching off (library page); folders named by IT's policy key
``watched_folders`` are watched on every PC and cannot be switched off. The list lives in
``watched.json`` beside the library database so the app can decide at start-up whether to
open the library at all without loading it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmoin_desktop.core.library.library import Library
from llmoin_desktop.core.library.store import INDEXED, PENDING
from llmoin_desktop.core.library.watch_folders import (
    ADDED_FOLDERS_KEY,
    WATCH_FILE,
    WatchedFolder,
    _normal,
    _under,
    _wanted,
    add_folders,
    folder_online,
    forget_folder,
    migrate_added_folders,
    reconcile,
    remove_gone,
    rename_document,
    rescan_folders,
    set_watch,
    watched_folders,
)

log = logging.getLogger(__name__)

DEBOUNCE_S = 1.0
POLL_S = 5.0  # how often a folder's presence (network share online?) is checked


# The watcher ------------------------------------------------------------------------------
@dataclass
class _Event:
    kind: str  # changed | deleted | moved
    due: float
    dest: str = ""
    size: int = -1


@dataclass
class WatchStats:
    """What the watcher did (tests and the bench read it)."""

    changed: int = 0
    deleted: int = 0
    renamed: int = 0
    indexed: int = 0
    last_indexed_at: float = 0.0
    indexed_paths: list[str] = field(default_factory=list)


class FolderWatcher:
    """Watches the library's folders and applies what changes, in one background thread.

    ``on_pending()`` is called (from the watcher thread) when files wait for indexing; the
    default indexes them right there. The UI passes its own, which starts its normal index
    job so progress and Stop work as for files added by hand. ``on_change(kind)`` tells the
    UI to refresh ("documents" or "folders" when a folder went offline/online).
    """

    def __init__(
        self,
        lib: Library,
        *,
        policy_folders: Iterable[str] = (),
        on_pending: Callable[[], None] | None = None,
        on_change: Callable[[str], None] | None = None,
        debounce_s: float = DEBOUNCE_S,
        poll_s: float = POLL_S,
    ) -> None:
        self.lib = lib
        self.policy_folders = [str(p) for p in policy_folders]
        self.on_pending = on_pending
        self.on_change = on_change
        self.debounce_s = debounce_s
        self.poll_s = poll_s
        self.stats = WatchStats()
        self._events: dict[str, _Event] = {}
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._observer: Any = None
        self._handles: dict[str, Any] = {}  # folder → watchdog watch
        self._online: dict[str, bool] = {}
        self._thread: threading.Thread | None = None
        self._rescan: set[str] = set()  # folders that need the start-up scan

    # Folder list ----------------------------------------------------------------------
    def folders(self) -> list[WatchedFolder]:
        return watched_folders(self.lib.folder, self.policy_folders)

    def start(self, scan: bool = True) -> None:
        """Start watching; the start-up scan of every watched folder runs first (background)
        unless ``scan`` is False (the caller indexes the folders itself)."""
        from watchdog.observers import Observer

        if self._thread is not None:
            return
        self._observer = Observer()
        self._observer.daemon = True
        self._observer.start()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="library-watch")
        self.refresh_folders(scan=scan)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._observer is not None:
            try:
                self._observer.stop()
                self._observer.join(timeout=3)
            except Exception:  # noqa: BLE001 - stopping must never fail the app's exit
                log.debug("observer stop failed", exc_info=True)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=3)  # daemon thread: never hold up closing the app
        self._thread = None

    def refresh_folders(self, scan: bool = True) -> None:
        """Re-read the folder list (a folder added, switched on/off); new ones get scanned."""
        wanted = {f.path for f in self.folders() if f.watch}
        for path in list(self._handles):
            if path not in wanted:
                self._unschedule(path)
                self._online.pop(path, None)
        for path in wanted:
            if path not in self._handles:
                online = folder_online(path)
                self._online[path] = online
                if online:
                    self._schedule(path)
                    if scan:
                        self._rescan.add(path)
        with self._cond:
            self._cond.notify_all()

    def is_online(self, folder: str) -> bool:
        return self._online.get(_normal(folder), folder_online(folder))

    def _schedule(self, path: str) -> None:
        try:
            self._handles[path] = self._observer.schedule(_Handler(self), path, recursive=True)
        except OSError:
            log.info("cannot watch %s", path, exc_info=True)
            self._online[path] = False

    def _unschedule(self, path: str) -> None:
        handle = self._handles.pop(path, None)
        if handle is not None:
            try:
                self._observer.unschedule(handle)
            except Exception:  # noqa: BLE001 - the emitter may already be gone with the folder
                log.debug("unschedule failed", exc_info=True)

    # Events (watchdog threads) --------------------------------------------------------
    def event(self, kind: str, path: str, dest: str = "") -> None:
        now = time.monotonic()
        try:
            size = os.path.getsize(dest or path) if kind != "deleted" else -1
        except OSError:
            size = -1
        with self._cond:
            prev = self._events.get(path)
            if prev is not None and prev.kind == "moved" and kind == "changed":
                kind, dest = "moved", prev.dest
            self._events[path] = _Event(kind, now + self.debounce_s, dest, size)
            self._cond.notify_all()

    # Background loop ------------------------------------------------------------------
    def _loop(self) -> None:
        # Scans and the indexing they start are background work (issue 24): below normal
        # priority, so the clerk's programs stay responsive.
        from llmoin_desktop.core import priority

        priority.lower_thread()
        next_poll = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() >= next_poll:
                    self._poll_online()
                    next_poll = time.monotonic() + self.poll_s
                if self._rescan:
                    self._scan_pending_folders()
                due = self._take_due()
                if due:
                    self._apply(due)
                with self._cond:
                    if self._stop.is_set():
                        break
                    wait = next_poll - time.monotonic()
                    if self._events:
                        wait = min(
                            wait, min(e.due for e in self._events.values()) - time.monotonic()
                        )
                    if self._rescan:
                        wait = 0
                    if wait > 0:
                        self._cond.wait(wait)
            except Exception:  # noqa: BLE001 - the watcher must survive any one bad event
                log.exception("library watcher")
                time.sleep(1.0)

    def _poll_online(self) -> None:
        changed = False
        for path, was in list(self._online.items()):
            now = folder_online(path)
            if now == was:
                continue
            changed = True
            self._online[path] = now
            if now:
                self._schedule(path)
                self._rescan.add(path)
            else:
                self._unschedule(path)
                with self._cond:  # events from the vanishing share are not deletions
                    for p in [p for p in self._events if _under(p, path)]:
                        del self._events[p]
        if changed:
            self._notify("folders")

    def _scan_pending_folders(self) -> None:
        for path in sorted(self._rescan):
            self._rescan.discard(path)
            if self._online.get(path) and not self._stop.is_set():
                reconcile(self.lib, path)
        self._after_changes()

    def _take_due(self) -> list[tuple[str, _Event]]:
        now = time.monotonic()
        out: list[tuple[str, _Event]] = []
        with self._cond:
            for path, ev in list(self._events.items()):
                if ev.due > now:
                    continue
                if ev.kind != "deleted":
                    try:
                        size = os.path.getsize(ev.dest or path)
                    except OSError:
                        size = -1
                    if size != ev.size:  # still being written: wait a little more
                        ev.size, ev.due = size, now + self.debounce_s
                        continue
                out.append((path, self._events.pop(path)))
        return out

    def _root_of(self, path: str) -> str | None:
        for root in self._online:
            if _under(path, root):
                return root
        return None

    def _apply(self, events: list[tuple[str, _Event]]) -> None:
        lib = self.lib
        for path, ev in events:
            root = self._root_of(path)
            if root is None or not folder_online(root):
                continue  # offline: never treat a vanished share as deleted files
            if ev.kind == "moved":
                self._moved(path, ev.dest)
            elif ev.kind == "deleted" or not os.path.exists(path):
                if not os.path.exists(path):
                    self.stats.deleted += remove_gone(lib, path, root)
            elif os.path.isdir(path):
                lib.add([path], within=root)
            elif _wanted(Path(path), root) and lib.add([path], within=root):
                self.stats.changed += 1
        self._after_changes()

    def _moved(self, src: str, dest: str) -> None:
        lib = self.lib
        with lib._lock:
            records = [r for r in lib.store.documents() if _under(r.path, src)]
        dest_root = self._root_of(dest)
        for rec in records:
            target = dest + rec.path[len(src) :]
            if (
                dest_root
                and _wanted(Path(target), dest_root)
                and rename_document(lib, rec.path, target)
            ):
                self.stats.renamed += 1
                continue
            if not os.path.exists(rec.path):
                remove_gone(lib, rec.path, self._root_of(rec.path))
        if (
            dest_root
            and os.path.exists(dest)
            and (os.path.isdir(dest) or _wanted(Path(dest), dest_root))
        ):
            lib.add([dest], within=dest_root)

    def _after_changes(self) -> None:
        with self.lib._lock:
            pending = bool(self.lib.store.documents(PENDING))
        self._notify("documents")
        if not pending:
            return
        if self.on_pending is not None:
            self.on_pending()
            return
        report = self.lib.index_pending()
        done = [o.path for o in report.outcomes if o.status in (INDEXED, "rejected")]
        self.stats.indexed += len(done)
        self.stats.indexed_paths.extend(done)
        self.stats.last_indexed_at = time.monotonic()
        self._notify("documents")

    def _notify(self, kind: str) -> None:
        if self.on_change is None:
            return
        try:
            self.on_change(kind)
        except Exception:  # noqa: BLE001 - a closed window must not stop the watcher
            log.debug("on_change failed", exc_info=True)


def _handler_base() -> type:
    from watchdog.events import FileSystemEventHandler

    return FileSystemEventHandler


class _Handler(_handler_base()):  # type: ignore[misc]
    """watchdog → FolderWatcher.event (runs in watchdog's thread)."""

    def __init__(self, watcher: FolderWatcher) -> None:
        super().__init__()
        self.watcher = watcher

    def on_any_event(self, event: Any) -> None:
        kind = event.event_type
        src = os.fsdecode(event.src_path)
        if kind in ("created", "modified", "closed"):
            if not event.is_directory or kind == "created":
                self.watcher.event("changed", src)
        elif kind == "deleted":
            self.watcher.event("deleted", src)
        elif kind == "moved":
            self.watcher.event("moved", src, os.fsdecode(event.dest_path))


__all__ = [
    "ADDED_FOLDERS_KEY",
    "DEBOUNCE_S",
    "POLL_S",
    "WATCH_FILE",
    "FolderWatcher",
    "WatchedFolder",
    "add_folders",
    "folder_online",
    "forget_folder",
    "migrate_added_folders",
    "reconcile",
    "rename_document",
    "rescan_folders",
    "set_watch",
    "watched_folders",
]
