"""Logic of one task page: validate the form, run the task job, stream, stop, refine, export,
reopen a history entry. All model and disk work goes through the WorkerPool.

Nothing the clerk typed or received is lost: a failed or stopped refinement puts the previous
text back; a failed document keeps the form as it was and says why beside the field.
"""

from __future__ import annotations

import datetime as _dt
import re
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtWidgets import QFileDialog

from llmoin_desktop.core.config import SettingsStore
from llmoin_desktop.core.documents.errors import DocumentError
from llmoin_desktop.core.engine.backend import Backend
from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.export import content_from_result, export_docx
from llmoin_desktop.core.history import HistoryEntry
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import Job, JobState
from llmoin_desktop.core.tasks.runner import TaskResult, TaskRunner, refine_job, task_job
from llmoin_desktop.ui.controllers.history_access import HistoryAccess
from llmoin_desktop.ui.locale_format import date_time, number
from llmoin_desktop.ui.task_page import TaskPage
from llmoin_desktop.ui.workers import JobHandle, WorkerPool


def _seconds(value: float) -> str:
    return number(value)  # 2,5 / 2.5 by the UI language


def default_export_name(title: str) -> str:
    safe = re.sub(r'[\\/:*?"<>|]+', " ", title).strip() or "Ergebnis"
    return f"{safe} {_dt.date.today():%Y-%m-%d}.docx"


class TaskController(QObject):
    finished = Signal(object)  # TaskResult of a completed run or refinement
    stopped = Signal()
    failed = Signal(str)
    exported = Signal(str)  # path of the written file
    export_failed = Signal(str)
    history_changed = Signal()
    busy_changed = Signal(bool)

    def __init__(
        self,
        page: TaskPage,
        backend: Backend,
        pool: WorkerPool,
        settings: SettingsStore,
        history: HistoryAccess,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.page = page
        self.spec = page.spec
        self.backend = backend
        self.pool = pool
        self.settings = settings
        self.history = history
        self.result: TaskResult | None = None
        self.handle: JobHandle | None = None
        self.export_handle: JobHandle | None = None
        self._mode = ""  # "run" or "refine"
        self._before = ""  # editor text before a refinement, restored if it does not finish
        self.stop_pressed_at: float | None = None
        self.last_stop_latency_s: float | None = None
        page.generate_requested.connect(self.generate)
        page.stop_requested.connect(self.stop)
        page.file_dropped.connect(self.set_document)
        page.result.regenerate_requested.connect(self.generate)
        page.result.refine_requested.connect(self.refine)
        page.result.export_requested.connect(self.export)

    @property
    def busy(self) -> bool:
        return self.handle is not None

    def runner(self) -> TaskRunner:
        return TaskRunner.from_settings(self.backend, self.settings.settings)

    # Inputs ------------------------------------------------------------------------------
    def set_document(self, path: str) -> bool:
        """A dropped (or otherwise chosen) file goes into the task's document field."""
        doc = self.spec.document_field
        if self.busy:
            return False
        if doc is None:
            self.page.show_message(_("Diese Aufgabe verarbeitet keine Dateien."), "error")
            return False
        if not self.page.form.is_field_shown(doc.name):
            self.page.show_message(
                _(
                    "Bei der gewählten Art ist kein Dokument vorgesehen. Bitte zuerst die Art ändern."
                ),
                "error",
            )
            return False
        self.page.form.set_values({doc.name: path})
        self.page.form.rows[doc.name].show_error("")
        self.page.show_message(self.page.describe_file(path), "info")
        return True

    # Running -----------------------------------------------------------------------------
    def generate(self) -> bool:
        if self.busy:
            return False
        self.page.show_message("")
        if self.page.form.validate():
            self.page.show_message(_("Bitte prüfen Sie die markierten Angaben."), "error")
            return False
        values = self.page.form.values()
        self.page.result.begin_stream()
        src = self.spec.source_field
        if src is not None:
            self.page.result.set_original(str(values.get(src.name) or ""))
        self._start(
            task_job(self.runner(), self.spec, values, history=self.history),
            "run",
            _("Wird vorbereitet …"),
        )
        return True

    def refine(self, refinement_id: str) -> bool:
        if self.busy or self.result is None:
            return False
        refinement = next((r for r in self.spec.refinements if r.id == refinement_id), None)
        if refinement is None:
            return False
        text = self.page.result.text()
        self._before = text
        coverage = self.result.coverage
        if coverage and text.rstrip().endswith(coverage):
            text = text.rstrip()[: -len(coverage)].rstrip()
        answer = text if text.strip() != self.result.answer.strip() else None
        self.page.show_message("")
        self.page.result.begin_stream()
        self._start(
            refine_job(self.runner(), self.result, refinement, answer=answer, history=self.history),
            "refine",
            tr("„{label}“ wird umgesetzt …", label=self.spec.t(refinement.label)),
        )
        return True

    def _start(self, job: Job[Any], mode: str, status: str) -> None:
        self._mode = mode
        self.stop_pressed_at = None
        self.handle = self.pool.submit(job)
        self.handle.tokens.connect(self.page.result.append)
        self.handle.progress.connect(self._on_progress)
        self.handle.finished.connect(self._on_finished)
        self.page.set_busy(True)
        self.page.set_status(status)
        self.busy_changed.emit(True)

    def stop(self) -> None:
        if self.handle is None:
            return
        self.stop_pressed_at = time.perf_counter()
        self.page.stop_button.setEnabled(False)
        self.page.set_status(_("Wird angehalten …"))
        self.handle.cancel()

    def _on_progress(self, progress: Any) -> None:
        if self.stop_pressed_at is None and progress.text:
            self.page.show_progress(progress.fraction, progress.text)

    def _on_finished(self, job: Job[Any]) -> None:
        self.handle = None
        if self.stop_pressed_at is not None:
            self.last_stop_latency_s = time.perf_counter() - self.stop_pressed_at
        self.page.set_busy(False)
        self.page.result.end_stream()
        self.busy_changed.emit(False)
        if job.state == JobState.DONE and isinstance(job.result, TaskResult):
            self._on_done(job.result)
            return
        if self._mode == "refine":
            self.page.result.set_text(self._before)  # the text before the refinement, unchanged
        if job.state == JobState.CANCELLED:
            self.page.set_status(
                _("Angehalten. Es wurde nichts im Verlauf gespeichert.")
                if self._mode == "run"
                else _("Angehalten. Der vorherige Text ist wiederhergestellt.")
            )
            if self._mode == "run":
                self.result = None
            self.page.result.set_has_result(self.result is not None)
            self.stopped.emit()
            return
        message = job.error.user_message if job.error else _("Unbekannter Fehler.")
        if isinstance(job.error, DocumentError) and self.spec.document_field is not None:
            self.page.form.rows[self.spec.document_field.name].show_error(message)
        self.page.set_status("")
        self.page.show_message(message, "error")
        self.page.result.set_has_result(self.result is not None)
        self.failed.emit(message)

    def _on_done(self, result: TaskResult) -> None:
        self.result = result
        self.page.result.set_text(result.text)
        if result.original:
            self.page.result.set_original(result.original)
        self.page.result.set_has_result(True)
        status = tr("Fertig ({s} s).", s=_seconds(result.stats.wall_s))
        if result.history_id is not None and not self.history.last_error:
            status += " " + _("Im Verlauf gespeichert.")
            self.history_changed.emit()
        elif self.history.last_error:
            self.page.show_message(
                tr(
                    "Das Ergebnis konnte nicht im Verlauf gespeichert werden: {error}",
                    error=self.history.last_error,
                ),
                "error",
            )
        self.page.set_status(status)
        self.finished.emit(result)

    # Export ------------------------------------------------------------------------------
    def ask_export_path(self) -> str:
        """The file dialog (tests replace this method)."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        start = str(Path(folder or Path.home()) / default_export_name(self.spec.t(self.spec.title)))
        path, _sel = QFileDialog.getSaveFileName(
            self.page, _("Als Word-Datei speichern"), start, _("Word-Dokument (*.docx)")
        )
        return path

    def export(self) -> bool:
        if self.result is None or self.export_handle is not None:
            return False
        path = self.ask_export_path()
        return self.export_to(path) if path else False

    def export_to(self, path: str | Path) -> bool:
        """Write the (possibly edited) result as DOCX in the background."""
        if self.result is None or self.export_handle is not None:
            return False
        out = Path(path)
        if out.suffix.lower() != ".docx":
            out = out.with_name(out.name + ".docx")
        text = self.page.result.text()
        content = content_from_result(self.spec, self.result, text)
        settings = self.settings.settings
        history_id = self.result.history_id
        history = self.history
        changed = text != self.result.text

        def work() -> Path:
            written = export_docx(content, out, settings=settings)
            if changed and history_id is not None:
                history.update_result(history_id, text)  # the clerk's edit is what she exported
            return written

        self.page.result.export_button.setEnabled(False)
        self.page.result.show_message(tr("Wird gespeichert: {name} …", name=out.name))
        self.export_handle = self.pool.call(work, self._on_exported, self._on_export_failed)
        return True

    def _on_exported(self, path: Path) -> None:
        self.export_handle = None
        self.page.result.export_button.setEnabled(self.result is not None and not self.busy)
        self.page.result.show_message(tr("Gespeichert als {path}", path=str(path)))
        self.exported.emit(str(path))

    def _on_export_failed(self, error: LLMoinError) -> None:
        self.export_handle = None
        self.page.result.export_button.setEnabled(self.result is not None and not self.busy)
        self.page.result.show_message(error.user_message, "error")
        self.export_failed.emit(error.user_message)

    # History -----------------------------------------------------------------------------
    def open_entry(self, entry: HistoryEntry) -> bool:
        """Put a stored run back on the page: form values, result, refinements possible."""
        if self.busy:
            self.page.show_message(
                _(
                    "Bitte warten Sie, bis die laufende Erzeugung fertig ist, oder halten Sie sie an."
                ),
                "error",
            )
            return False
        values = {**self.spec.defaults(), **entry.values}
        self.page.form.set_values(values)
        for row in self.page.form.rows.values():
            row.show_error("")
        self.result = TaskResult(
            task_id=entry.task_id,
            values=values,
            answer=entry.result,
            output_kind=entry.output_kind,
            sources=list(entry.sources),
            messages=list(entry.messages),
            history_id=entry.id,
        )
        self.page.result.clear()
        self.page.result.set_text(entry.result)
        self.page.result.set_has_result(True)
        src = self.spec.source_field
        self.page.result.set_original(str(values.get(src.name) or "") if src else "")
        if self.page.result.original_box.isVisibleTo(self.page.result):
            self._load_original(values)
        when = date_time(entry.created_at)
        self.page.set_status(tr("Aus dem Verlauf geöffnet (vom {when}).", when=when))
        self.page.show_message("")
        return True

    def _load_original(self, values: dict[str, Any]) -> None:
        """The original beside a rewrite comes from the document again (not kept in history)."""
        doc = self.spec.document_field
        if doc is None or not str(values.get(doc.name) or "").strip():
            return
        runner = self.runner()
        spec = self.spec

        def load() -> str:
            document = runner.source_document(spec, values)
            return document.text if document is not None else ""

        self.pool.call(load, self.page.result.set_original, lambda _e: None)
