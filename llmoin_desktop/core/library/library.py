"""The document library: add, re-scan, remove, index (resumable) and search.

Layout of a library folder::

    library.sqlite3   documents, chunks, FTS5 keyword index (the source of truth)
    vectors/          chromadb PersistentClient (a cache, rebuilt from SQLite when damaged)

Crash safety comes from the order of writes: a file is first registered as ``pending``;
its chunks, keyword index and status ``indexed`` are committed together in one SQLite
transaction; the vectors follow. A SIGKILL at any point leaves each file either indexed or
pending, and :meth:`Library.check` (run by :meth:`Library.open`) adds vectors that are
missing and drops those of removed chunks. The next indexing job resumes what is pending.
Many missing vectors or a damaged index are re-embedded by a background job
(``library_vector_repair.py``): open returns at once and search answers by keywords meanwhile.

Shared library (``library_server`` set): the department's library is one collection on a
Chroma server (see ``server.py``) and this folder is its local mirror. Indexing pushes a
file's chunks to the server *before* committing them here (a failed push leaves the file
pending, nothing half-shared); :meth:`Library.sync` pulls what other PCs added and drops
what they removed. When the server is down the mirror still answers searches.

Parts: ``library_indexing.py`` (indexing), ``library_search.py``, ``library_shared.py``,
``library_check.py`` (mixins of :class:`Library`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.library.embed import Embedder, default_embedder
from llmoin_desktop.core.library.folder_scan import (
    scan_folder,
)
from llmoin_desktop.core.library.folder_scan import wanted as folder_wanted
from llmoin_desktop.core.library.library_check import (
    VECTORS_DIR,
    LibraryCheckMixin,
    LibraryError,
    storage_error,
)
from llmoin_desktop.core.library.library_indexing import (
    FileOutcome,
    IndexReport,
    LibraryIndexingMixin,
)
from llmoin_desktop.core.library.library_indexing import file_sha256 as file_sha256
from llmoin_desktop.core.library.library_lock import LibraryBusy, LibraryLock
from llmoin_desktop.core.library.library_repair import open_store
from llmoin_desktop.core.library.library_search import LibrarySearchMixin
from llmoin_desktop.core.library.library_shared import SharedLibraryMixin, SyncReport
from llmoin_desktop.core.library.library_sync_job import SyncJobMixin, offline_notice
from llmoin_desktop.core.library.library_vector_repair import RepairState, VectorRepairMixin
from llmoin_desktop.core.library.server import (
    LibraryServer,
    LibraryServerError,
    LibraryServerMismatch,
    parse_server,
)
from llmoin_desktop.core.library.store import (
    EMBED_RECIPE,
    INDEXED,
    MISSING,
    PENDING,
    REJECTED,
    DocumentRecord,
)
from llmoin_desktop.core.library.vectors import VectorIndex
from llmoin_desktop.core.paths import user_data_dir
from llmoin_desktop.core.storage.storage_causes import explain

log = logging.getLogger(__name__)

DB_NAME = "library.sqlite3"
_DEFAULT = object()


__all__ = [
    "FileOutcome",
    "IndexReport",
    "Library",
    "LibraryBusy",
    "LibraryError",
    "RepairState",
    "SyncReport",
    "VECTORS_DIR",
    "default_library_dir",
    "storage_error",
]


def default_library_dir() -> Path:
    """LLMOIN_LIBRARY_DIR (scripts, tests) or the user's data folder."""
    env = os.environ.get("LLMOIN_LIBRARY_DIR")
    return Path(env) if env else user_data_dir() / "library"


def supported_extensions() -> frozenset[str]:
    from llmoin_desktop.core.documents import SUPPORTED_EXTENSIONS

    return frozenset(e if e.startswith(".") else f".{e}" for e in SUPPORTED_EXTENSIONS)


def _storable(path: Path) -> bool:
    """SQLite stores text as UTF-8; a name with a raw Latin-1 byte (old network shares) is
    undecodable and can be neither stored nor opened by name in every library we use."""
    try:
        str(path).encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def readable_name(path: Path) -> str:
    """The path for display, with an undecodable byte shown as "?"."""
    return os.fsencode(path).decode("utf-8", "replace").replace("\ufffd", "?")


def _bad_name_outcome(path: Path) -> FileOutcome:
    return FileOutcome(
        readable_name(path),
        "rejected",
        _(
            "Der Dateiname enthält Zeichen in einer alten Kodierung (z. B. Latin-1) und kann "
            "nicht gelesen werden. Bitte die Datei umbenennen; die übrigen Dateien werden "
            "eingelesen."
        ),
    )


class Library(
    LibraryCheckMixin,
    VectorRepairMixin,
    SyncJobMixin,
    SharedLibraryMixin,
    LibrarySearchMixin,
    LibraryIndexingMixin,
):
    """One library folder. Not process-safe (chromadb is not): one Library per folder per
    process; methods are serialised with a lock so the UI and a job may share it.
    """

    def __init__(
        self,
        folder: Path,
        *,
        embedder: Embedder | None | Any = _DEFAULT,
        parser: Any = None,
        server: str = "",
        server_from_policy: bool = False,
        server_token: str = "",
        background_repair: bool = True,
        background_sync: bool = False,
    ) -> None:
        """``server``: the shared library's address (setting ``library_server``); a server
        outside this PC is only accepted when IT set it (``server_from_policy``).
        ``server_token``: Chroma's token auth (policy ``library_server_token``).
        ``background_repair``: a damaged vector index is re-embedded by a background job
        that starts by itself (False: only when :meth:`start_repair` is called).
        ``background_sync``: :meth:`open` does not wait for the server: the sync runs as a
        background job (``library_sync_job.py``; the app and the CLI use this)."""
        self.folder = Path(folder)
        self._init_repair(background_repair)
        self._init_sync(background_sync)
        self.writer = LibraryLock(self.folder)  # one writer per folder across processes
        # Called once when a write has to wait for another process (the CLI prints it).
        self.on_wait: Any = lambda text: log.info("%s", text)
        self._stamp: str | None = None  # the last writer's stamp we have seen
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.store, self._repair_notices = open_store(self.folder / DB_NAME, self.writer)
        except LibraryBusy:
            raise
        except (OSError, Exception) as exc:  # sqlite3.DatabaseError: not a database …
            raise LibraryError(
                tr("Die Bibliothek in „{folder}“ kann nicht geöffnet werden.", folder=str(folder))
                + " "
                + explain(exc),
                detail=repr(exc),
            ) from exc
        self.embedder: Embedder | None = default_embedder() if embedder is _DEFAULT else embedder
        self._parser = parser
        self._lock = threading.RLock()
        self.vectors: VectorIndex | None = None
        self.notices: list[str] = []  # messages for the clerk from the last check
        self.repair_notice = ""  # the repair line among the notices (the GUI updates it)
        self.skipped: list[FileOutcome] = []  # files add() could not take (odd names)
        self.server: LibraryServer | None = None
        self.server_online = False  # the last server call worked
        if server.strip():
            try:
                address = parse_server(server, from_policy=server_from_policy)
            except LibraryServerError:
                self.store.close()
                raise
            dim = self.embedder.dim if self.embedder is not None else None
            self.server = LibraryServer(address, self._embedder_key(), dim, server_token)

    @classmethod
    def open(cls, folder: Path | None = None, **kwargs: Any) -> Library:
        """Open (or create) a library and check it; see :attr:`notices` for what was repaired.

        With a server: also syncs the mirror — in the background with ``background_sync``
        (open returns at once; progress and failures become notices), else before returning.
        An unreachable server is a notice (the mirror still answers); a server built with
        another embedding model is an error (a notice in the background).
        """
        lib = cls(folder or default_library_dir(), **kwargs)
        try:
            lib.check()
            state = lib.repair_state()
            if state is not None:  # keyword search until the background repair is done
                lib.repair_notice = state.message()
                lib.notices.append(lib.repair_notice)
                lib._maybe_start_repair()
            if lib.server is not None and lib.background_sync:
                lib.start_sync()  # the mirror answers now; the job says what it pulls
            elif lib.server is not None:
                try:
                    lib.sync()
                except LibraryServerMismatch:
                    raise
                except LibraryServerError as exc:
                    lib.notices.append(offline_notice(exc))
        except BaseException:
            lib.close()
            raise
        return lib

    @property
    def server_label(self) -> str:
        """The shared library's address for the clerk ("" for a library on this PC only)."""
        return self.server.address.label if self.server is not None else ""

    def _embedder_key(self) -> str | None:
        return f"{self.embedder.name}/{EMBED_RECIPE}" if self.embedder is not None else None

    def stop_background(self, timeout: float = 15.0) -> None:
        """Stop the background jobs between two steps (at exit; they resume next time)."""
        self.stop_sync(timeout)
        self.stop_repair(timeout)

    def close(self) -> None:
        self.stop_sync()  # between two pages; the next sync pulls the rest
        self.stop_repair()  # between two batches; the next open resumes it
        with self._lock:
            if self.server is not None:
                self.server.close()
            if self.vectors is not None:
                self.vectors.close()
                self.vectors = None
            self.store.close()
            while self.writer.held:
                self.writer.release()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Adding, re-scanning, removing ---------------------------------------------------------
    def _files_under(self, path: Path) -> list[Path]:
        """Every file of a folder except those a visible rule skips (folder_scan.py: hidden,
        temporary, links leaving the folder); the skipped ones become outcomes."""
        if path.is_dir():
            scan = scan_folder(path)
            for status, items in (("skipped", scan.skipped), (REJECTED, scan.unreadable)):
                for p, reason in items:
                    self._skip(FileOutcome(readable_name(Path(p)), status, reason))
            return scan.files
        return [path]

    def _skip(self, outcome: FileOutcome) -> None:
        if all(o.path != outcome.path for o in self.skipped):
            self.skipped.append(outcome)

    def add(self, paths: Iterable[str | Path], *, within: str | Path | None = None) -> list[str]:
        """Register files and folders; new or changed files become ``pending``.

        Returns the paths that need indexing. A file whose content hash is unchanged is
        not indexed again (only its size/mtime are remembered). ``within``: the watched
        folder a changed path belongs to; a link in it is not followed (issue 18).
        """
        todo: list[str] = []
        self._begin_write()
        try:
            with self._lock:
                for raw in paths:
                    root = Path(raw).expanduser().resolve()
                    if within is not None and not folder_wanted(Path(raw), within):
                        continue  # a link, a hidden or temporary file: not read
                    for f in self._files_under(root):
                        if not _storable(f):
                            self.skipped.append(_bad_name_outcome(f))
                            continue
                        if self._needs_indexing(f):
                            todo.append(str(f))
        except sqlite3.Error as exc:
            raise storage_error(exc) from exc
        finally:
            self._end_write()
        return todo

    def _needs_indexing(self, f: Path) -> bool:
        try:
            st = f.stat()
        except OSError:
            st = None
        rec = self.store.document(str(f))
        if rec is not None and st is not None and rec.status in (INDEXED, REJECTED):
            if rec.size == st.st_size and rec.mtime == st.st_mtime:
                return False
            try:
                same = rec.sha256 == file_sha256(f)
            except OSError:
                same = False
            if same:
                self.store.touch(rec.id, st.st_size, st.st_mtime)
                return False
        self.store.upsert_pending(str(f), st.st_size if st else 0, st.st_mtime if st else 0.0)
        return True

    def rescan(self, folders: Iterable[str | Path] | None = None) -> list[str]:
        """Re-check known files (and new files in the given folders); returns what is pending.

        Files that disappeared are marked ``missing`` and leave the search. With a server the
        mirror is synced first, and shared documents stay (only "Entfernen" removes them).
        """
        self._begin_write()
        try:
            return self._rescan(folders)
        finally:
            self._end_write()

    def _rescan(self, folders: Iterable[str | Path] | None) -> list[str]:
        try:
            return self._rescan_locked(folders)
        except (sqlite3.Error, OSError) as exc:
            raise storage_error(exc) from exc

    def _rescan_locked(self, folders: Iterable[str | Path] | None) -> list[str]:
        if self.server is not None:
            self.sync()
        with self._lock:
            roots = [Path(f).expanduser().resolve() for f in folders] if folders else []
            for rec in self.store.documents():
                p = Path(rec.path)
                if roots and not any(p == r or r in p.parents for r in roots):
                    continue
                if not p.exists() and self.server is not None and self.store.server_ids_of(rec.id):
                    continue  # shared: a file this PC cannot see is not gone for the others
                if not p.exists():
                    old = self.store.reject(rec.id, rec.sha256, _("Datei nicht mehr vorhanden."))
                    self.store.set_status(rec.id, MISSING, _("Datei nicht mehr vorhanden."))
                    if self.vectors is not None:
                        self.vectors.delete(old)
                else:
                    self._needs_indexing(p)
            if roots:
                self.add(roots)
            return [d.path for d in self.store.documents(PENDING)]

    def remove(self, path: str | Path) -> bool:
        """Remove a document (or every document under a folder) from the library.

        Shared library: from the server first; if it is unreachable nothing is removed.
        """
        self._begin_write()
        try:
            return self._remove(path)
        finally:
            self._end_write()

    def _remove(self, path: str | Path) -> bool:
        try:
            return self._remove_locked(path)
        except sqlite3.Error as exc:
            raise storage_error(exc, _("Das Dokument konnte nicht entfernt werden.")) from exc

    def _remove_locked(self, path: str | Path) -> bool:
        from llmoin_desktop.core.documents.scan_text import forget_document as forget_ocr

        with self._lock:
            target = Path(path).expanduser().resolve()
            removed = False
            docs = [
                rec
                for rec in self.store.documents()
                if Path(rec.path) == target or target in Path(rec.path).parents
            ]
            if self.server is not None and docs:
                self._connected_server().delete_paths(rec.path for rec in docs)
            for rec in docs:
                old = self.store.remove_document(rec.id)
                if self.vectors is not None:
                    self.vectors.delete(old)
                forget_ocr(rec.path)  # its recognised text goes with it (issue 18)
                removed = True
            return removed

    def documents(self) -> list[DocumentRecord]:
        return self.store.documents()

    def pending(self) -> list[DocumentRecord]:
        return self.store.documents(PENDING)
