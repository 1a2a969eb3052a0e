"""Logic of the library page: open the shared library off the GUI thread, index what the clerk
adds (files, folders, drops), Stop, re-scan, remove, and keep the table current.

The library is opened only when it is needed (page shown with an existing library, or files
added): opening loads the embedding model and checks the vector index, which takes seconds.
Every library call runs in the WorkerPool; the GUI thread only shows results.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QStandardPaths, QTimer, Signal
from PySide6.QtWidgets import QFileDialog

from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import Job, JobContext, JobState
from llmoin_desktop.core.library import IndexReport, Library
from llmoin_desktop.core.library import watch as W
from llmoin_desktop.core.library.library import DB_NAME
from llmoin_desktop.core.tasks.library_task import library_key, open_library, opened_library
from llmoin_desktop.ui.file_filters import document_filter
from llmoin_desktop.ui.library_page import LibraryPage
from llmoin_desktop.ui.workers import JobHandle, WorkerPool


def read_documents(lib: Library) -> list[Any]:
    """The document list, read between two committed files of a running index job."""
    lock = getattr(lib, "_lock", None)
    if lock is None:
        return lib.documents()
    with lock:
        return lib.documents()


ROOTS_KEY = "ui_added_folders"


def added_folders(lib: Library) -> list[str]:
    """Folders the clerk added: "Neu einlesen" also finds new files in them."""
    try:
        return [f for f in json.loads(lib.store.get_meta(ROOTS_KEY) or "[]") if Path(f).is_dir()]
    except ValueError:
        return []


def remember_folders(lib: Library, folders: list[str]) -> None:
    known = added_folders(lib)
    lib.store.set_meta(ROOTS_KEY, json.dumps(sorted(set(known) | set(folders))))


def report_text(report: IndexReport) -> str:
    indexed = report.count("indexed")
    rejected = report.count("rejected")
    if not report.outcomes:
        return _("Keine neuen oder geänderten Dateien gefunden.")
    text = tr("{n} Dateien eingelesen", n=indexed)
    if rejected:
        text += ", " + tr("{n} abgelehnt (Grund in der Tabelle)", n=rejected)
    skipped = report.count("skipped")
    if skipped:
        text += ", " + tr(
            "{n} übersprungen (versteckte und temporäre Dateien, Verknüpfungen)", n=skipped
        )
    return text + "."


# A shared library is compared with its server this often while the app runs, so documents
# a colleague added (or removed) show up without "Neu einlesen". A sync that finds nothing
# new costs one listing of ids (~10 ms on a LAN).
SYNC_INTERVAL_MS = 5 * 60 * 1000
REPAIR_POLL_MS = 1000  # the search index's repair progress is read this often


class LibraryController(QObject):
    opened = Signal(object)  # Library
    documents_changed = Signal(list)  # list[DocumentRecord]
    index_finished = Signal(object)  # IndexReport, or None when stopped/failed
    failed = Signal(str)
    # From the folder watcher's thread (queued to the GUI thread): files wait for indexing,
    # or documents/folders changed ("documents" | "folders").
    watch_pending = Signal()
    watch_changed = Signal(str)
    # The background repair of the search index: its line for the clerk, "" once done.
    repair_changed = Signal(str)

    def __init__(
        self,
        page: LibraryPage,
        pool: WorkerPool,
        folder: str | Path | None = None,
        parent: QObject | None = None,
        **library_kwargs: Any,
    ) -> None:
        super().__init__(parent)
        self.page = page
        self.pool = pool
        self.folder = library_key(folder)
        self.library_kwargs = library_kwargs
        self.library: Library | None = opened_library(self.folder)
        self.documents: list[Any] = []
        self.handle: JobHandle | None = None
        self._opening: JobHandle | None = None
        self._waiting: list[Callable[[Library], None]] = []
        self._stopping = False
        self._refresh_seq = 0
        self._syncing: JobHandle | None = None
        self._sync_seen: tuple[bool, str] = (False, "")  # the background sync, last shown
        self.sync_timer = QTimer(self)
        self.sync_timer.setInterval(SYNC_INTERVAL_MS)
        self.sync_timer.timeout.connect(self.sync_now)
        self.repair_text = ""
        self.repair_timer = QTimer(self)  # reads the repair's progress (memory, no lock)
        self.repair_timer.setInterval(REPAIR_POLL_MS)
        self.repair_timer.timeout.connect(self.show_repair)
        page.add_files_requested.connect(self.choose_files)
        page.add_folder_requested.connect(self.choose_folder)
        page.paths_dropped.connect(self.add_paths)
        page.stop_requested.connect(self.stop)
        page.rescan_requested.connect(self.rescan)
        page.remove_requested.connect(self.remove)
        page.set_documents([])
        self.watcher: W.FolderWatcher | None = None
        self.policy_folders: list[str] = []
        self._watch_wanted = False
        self._watch_again = False
        self.watch_pending.connect(self._on_watch_pending)
        self.watch_changed.connect(self._on_watch_changed)
        page.folders_box.watch_toggled.connect(self.set_watch)

    @property
    def busy(self) -> bool:
        return self.handle is not None

    # Opening -----------------------------------------------------------------------------
    def exists(self) -> bool:
        return (self.folder / DB_NAME).is_file()

    def activate(self) -> None:
        """The page (or the ask page) was shown: show what the library holds."""
        if self.library is not None:
            self.refresh()
            self.show_repair()
        elif self.exists():
            self.with_library(lambda _lib: None)

    def with_library(self, action: Callable[[Library], None]) -> None:
        """Run ``action`` on the GUI thread once the library is open (opening it if needed)."""
        if self.library is not None:
            action(self.library)
            return
        self._waiting.append(action)
        if self._opening is not None:
            return
        folder, kwargs = self.folder, self.library_kwargs
        self.page.set_status(_("Bibliothek wird geöffnet …"))
        self._opening = self.pool.call(
            # background_sync: opening never waits for the shared library's server
            lambda: open_library(folder, **{"background_sync": True, **kwargs}),
            self._on_opened,
            self._on_open_failed,
        )

    def _on_opened(self, lib: Library) -> None:
        self._opening = None
        self.library = lib
        self.page.set_status("")
        self.page.set_notices(list(lib.notices))
        self.opened.emit(lib)
        self.show_repair()
        W.migrate_added_folders(lib)
        self.show_folders()
        if self._watch_wanted:
            self._start_watcher(lib)
        waiting, self._waiting = self._waiting, []
        for action in waiting:
            action(lib)
        self.refresh()

    def show_repair(self) -> None:
        """The search index is rebuilt in the background (core/library/library_vector_repair.py):
        show "n von m Abschnitten" among the notices while it runs, say when it is done."""
        lib = self.library
        state = lib.repair_state() if lib is not None else None
        text = state.message() if state is not None else ""
        syncing = self.show_sync()
        if (state is not None or syncing) and not self.repair_timer.isActive():
            self.repair_timer.start()
        if text == self.repair_text:
            if state is None and not syncing:
                self.repair_timer.stop()
            return
        was_repairing, self.repair_text = bool(self.repair_text), text
        notices = [n for n in lib.notices if n != lib.repair_notice] if lib is not None else []
        self.page.set_notices([*notices, text] if text else notices)
        self.repair_changed.emit(text)
        if state is None:
            if not syncing:
                self.repair_timer.stop()
            if was_repairing and self.handle is None:
                self.page.set_status(_("Der Suchindex ist wiederhergestellt."))

    # Shared library ------------------------------------------------------------------------
    def show_sync(self) -> bool:
        """The background sync after opening (core/library/library_sync_job.py): its line
        ("n von m Abschnitten") among the notices while it pulls, the list once it is done.
        True while it runs (the repair timer keeps polling)."""
        lib = self.library
        running = bool(getattr(lib, "syncing", False))
        seen = (running, getattr(lib, "sync_notice", ""))
        if lib is None or seen == self._sync_seen:
            return running
        was_running, self._sync_seen = self._sync_seen[0], seen
        notices = [n for n in lib.notices if n != lib.repair_notice]
        self.page.set_notices([*notices, self.repair_text] if self.repair_text else notices)
        if was_running and not running:
            self.refresh()  # what the sync pulled (and the server line)
        return running

    def sync_now(self) -> bool:
        """Compare a shared library with its server in the background (never while indexing,
        which syncs itself). A server that is down only changes the server line: the clerk
        keeps working on the last state, no message box every five minutes."""
        lib = self.library
        if lib is None or not lib.server_label or self.handle is not None or self._syncing:
            return False
        if getattr(lib, "syncing", False):  # the background sync after opening is still on
            return False

        def done(report: Any) -> None:
            self._syncing = None
            if report.added or report.removed:
                self.refresh()
            else:
                self.page.set_server(lib.server_label, True)

        def failed(_error: LLMoinError) -> None:
            self._syncing = None
            self.page.set_server(lib.server_label, False)

        self._syncing = self.pool.call(lib.sync, done, failed)
        return True

    def _on_open_failed(self, error: LLMoinError) -> None:
        self._opening = None
        self._waiting.clear()
        if self.handle is None:
            self.page.set_busy(False)
        self.page.set_status("")
        self.page.show_message(error.user_message, "error")
        self.failed.emit(error.user_message)

    # Reading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        lib = self.library
        if lib is None:
            return
        self._refresh_seq += 1
        seq = self._refresh_seq

        def show(docs: list[Any]) -> None:
            if seq == self._refresh_seq:  # an older read finishing late must not win
                self._show_documents(docs)

        self.pool.call(lambda: read_documents(lib), show, self._on_error)

    def _show_documents(self, docs: list[Any]) -> None:
        self.documents = docs
        lib = self.library  # shared library: its server, and whether the last sync reached it
        server = getattr(lib, "server_label", "")
        self.page.set_server(server, getattr(lib, "server_online", True))
        if server and not self.sync_timer.isActive():
            self.sync_timer.start()
        self.page.set_documents(docs)
        self.documents_changed.emit(docs)

    def _on_error(self, error: LLMoinError) -> None:
        self.page.show_message(error.user_message, "error")
        self.failed.emit(error.user_message)

    # Adding and indexing -----------------------------------------------------------------
    def ask_files(self) -> list[str]:
        """The file dialog (tests replace this method)."""
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        paths, _sel = QFileDialog.getOpenFileNames(
            self.page,
            _("Dateien hinzufügen"),
            start,
            document_filter(),
        )
        return paths

    def ask_folder(self) -> str:
        """The folder dialog (tests replace this method)."""
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return QFileDialog.getExistingDirectory(self.page, _("Ordner hinzufügen"), start)

    def choose_files(self) -> bool:
        paths = self.ask_files()
        return self.add_paths(paths) if paths else False

    def choose_folder(self) -> bool:
        folder = self.ask_folder()
        return self.add_paths([folder]) if folder else False

    def add_paths(self, paths: list[str]) -> bool:
        """Register files/folders and index what is new or changed (resumes pending ones too)."""
        if self.busy or not paths:
            return False
        self.page.show_message("")
        self.page.set_busy(True)
        self.page.set_status(_("Dateien werden geprüft …"))
        folders = [str(Path(p).resolve()) for p in paths if Path(p).is_dir()]

        def start(lib: Library) -> None:
            job = lib.index_job(paths)
            if folders:
                remember_folders(lib, folders)
                W.add_folders(lib.folder, folders)  # watched from now on
                self.show_folders()
                self._watch_wanted = True
                if self.watcher is None:
                    self._start_watcher(lib, scan=False)
                else:
                    self.watcher.refresh_folders(scan=False)  # the job reads them now
            self._start(job)

        self.with_library(start)
        return True

    def rescan(self) -> bool:
        if self.busy:
            return False
        self.page.show_message("")
        self.page.set_busy(True)
        self.page.set_status(_("Dateien werden auf Änderungen geprüft …"))

        def start(lib: Library) -> None:
            folders = W.watched_folders(lib.folder, self.policy_folders)

            def run(ctx: JobContext) -> IndexReport:
                W.rescan_folders(lib, folders)  # offline folders are left as they are
                ctx.check()
                return lib.index_pending(ctx)

            self._start(Job(run, name="rescan"))

        self.with_library(start)
        return True

    def _start(self, job: Job[IndexReport]) -> None:
        self._stopping = False
        self.handle = self.pool.submit(job)
        self.handle.progress.connect(self._on_progress)
        self.handle.finished.connect(self._on_finished)
        self.page.set_busy(True)

    def _on_progress(self, progress: Any) -> None:
        if not self._stopping:
            self.page.show_progress(progress.step, progress.total, progress.text)
        self.refresh()  # one progress step = one more file committed

    def stop(self) -> None:
        if self.handle is None:
            return
        self._stopping = True
        self.page.stop_button.setEnabled(False)
        self.page.set_status(_("Wird angehalten … (die aktuelle Datei wird noch fertig gelesen)"))
        self.handle.cancel()

    def _on_finished(self, job: Job[IndexReport]) -> None:
        self.handle = None
        self.page.set_busy(False)
        report = job.result if job.state == JobState.DONE else None
        if job.state == JobState.FAILED:
            message = job.error.user_message if job.error else _("Unbekannter Fehler.")
            self.page.set_status("")
            self.page.show_message(message, "error")
            self.failed.emit(message)
        elif job.state == JobState.CANCELLED or (report is not None and report.cancelled):
            self.page.set_status(
                _("Angehalten. Bereits eingelesene Dateien bleiben; der Rest wartet.")
            )
        elif report is not None:
            self.page.set_status(report_text(report))
        self.refresh()
        self.index_finished.emit(report)
        if self._watch_again:  # the watcher found more while this job ran
            self._watch_again = False
            self._on_watch_pending()

    # Removing ----------------------------------------------------------------------------
    def remove(self, path: str) -> bool:
        lib = self.library
        if lib is None or self.busy or not path:
            return False

        def done(_removed: object) -> None:
            self.page.set_status(tr("Entfernt: {name}", name=Path(path).name))
            self.refresh()

        self.pool.call(lambda: lib.remove(path), done, self._on_error)
        return True

    # Watched folders (core/library/watch.py) ------------------------------------------------
    def start_watching(self, policy_folders: list[str] | None = None) -> bool:
        """Watch the library's folders (and IT's ``watched_folders``) while the app runs.

        Opens the library in the background only when there is a folder to watch; the
        start-up scan then finds what changed while the app was closed."""
        self.policy_folders = [str(p) for p in (policy_folders or []) if str(p).strip()]
        self._watch_wanted = True
        if not any(f.watch for f in W.watched_folders(self.folder, self.policy_folders)):
            return False
        self.with_library(self._start_watcher)
        return True

    def _start_watcher(self, lib: Library, scan: bool = True) -> None:
        if self.watcher is not None:
            return
        self.watcher = W.FolderWatcher(
            lib,
            policy_folders=self.policy_folders,
            on_pending=self.watch_pending.emit,
            on_change=self.watch_changed.emit,
        )
        try:
            self.watcher.start(scan=scan)
        except Exception as exc:  # noqa: BLE001 - no watcher (e.g. inotify limit): still usable
            self.watcher = None
            self.page.set_notices([tr("Ordner werden nicht überwacht: {error}", error=str(exc))])
            return
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop_watching)
        watcher = self.watcher
        self.page.destroyed.connect(lambda *_a: watcher.stop())  # window closed (and tests)
        self.show_folders()

    def stop_watching(self) -> None:
        watcher, self.watcher = self.watcher, None
        if watcher is not None:
            watcher.stop()

    def show_folders(self) -> None:
        self.page.folders_box.set_folders(W.watched_folders(self.folder, self.policy_folders))

    def set_watch(self, folder: str, on: bool) -> None:
        W.set_watch(self.folder, folder, on)
        if self.watcher is not None:
            self.watcher.refresh_folders(scan=on)
        elif on and self.library is not None:
            self._start_watcher(self.library)
        self.show_folders()

    def _on_watch_pending(self) -> None:
        """The watcher found new or changed files: index them like files added by hand."""
        lib = self.library
        if lib is None:
            return
        if self.handle is not None:
            self._watch_again = True
            return
        self.page.set_status(_("Geänderte Dateien in überwachten Ordnern werden eingelesen …"))

        def run(ctx: JobContext) -> IndexReport:
            return lib.index_pending(ctx)

        self._start(Job(run, name="watch"))

    def _on_watch_changed(self, kind: str) -> None:
        if kind == "folders":
            self.show_folders()
        if self.handle is None:
            self.refresh()
