"""Logic of one task page: validate the form, run the task job, stream, stop, refine, export,
reopen a history entry. All model and disk work goes through the WorkerPool.

Nothing the clerk typed or received is lost: a failed or stopped refinement puts the previous
text back; a failed document keeps the form as it was and says why beside the field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPushButton

from llmoin_desktop.core.documents.errors import DocumentError
from llmoin_desktop.core.engine.backend import Backend
from llmoin_desktop.core.history import HistoryEntry
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import Job, JobState
from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.core.tasks.runner import TaskResult, TaskRunner, refine_job, task_job
from llmoin_desktop.ui.controllers.email_prefill import EmailPrefill
from llmoin_desktop.ui.controllers.eta_controller import EtaController
from llmoin_desktop.ui.controllers.history_access import HistoryAccess
from llmoin_desktop.ui.controllers.page_job import (
    PageJobController,
    job_error_message,
    result_from_entry,
)
from llmoin_desktop.ui.document_viewer import DocumentViewer
from llmoin_desktop.ui.factcheck_source import fact_citation, show_in_viewer
from llmoin_desktop.ui.locale_format import date_time, number
from llmoin_desktop.ui.task_page import TaskPage
from llmoin_desktop.ui.workers import WorkerPool


def _seconds(value: float) -> str:
    return number(value)  # 2,5 / 2.5 by the UI language


class TaskController(PageJobController):
    busy_changed = Signal(bool)
    # The run's documents are read (emitted in the worker; queued to the GUI thread).
    _sources_ready = Signal(object)

    def __init__(
        self,
        page: TaskPage,
        backend: Backend,
        pool: WorkerPool,
        settings: SettingsStore,
        history: HistoryAccess,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(page, backend, pool, settings, history, parent)
        self.page: TaskPage = page
        self.history: HistoryAccess = history
        self._mode = ""  # "run" or "refine"
        self._before = ""  # editor text before a refinement, restored if it does not finish
        page.generate_requested.connect(self.generate)
        page.file_dropped.connect(self.set_document)
        page.result.regenerate_requested.connect(self.generate)
        page.result.refine_requested.connect(self.refine)
        page.result.export_requested.connect(self.export)
        page.result.confirm_copy = self.unsupported_ok  # factcheck_confirm_export
        self.email_prefill = EmailPrefill(page, pool, self)  # reply fields from an e-mail
        self.eta = EtaController(page, backend, pool, settings, self)
        self.viewer: DocumentViewer | None = None
        self.stream_check = page.result.stream_check
        self.stream_check.use_pool(pool)
        self._sources_ready.connect(self.stream_check.index_result)
        page.result.factcheck.opener = self.open_fact_source

    def runner(self) -> TaskRunner:
        return TaskRunner.from_settings(
            self.backend, self.settings.settings, **self.eta.runner_kwargs()
        )

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
        doc = self._drop_target(doc)
        self.page.form.set_values({doc.name: path})
        self.page.form.rows[doc.name].show_error("")
        self.page.show_message(self.page.describe_file(path), "info")
        return True

    def _drop_target(self, first: Any) -> Any:
        """The first empty document field shown (a second file dropped on "Fassungen
        vergleichen" becomes the new version), else the first document field."""
        values = self.page.form.values()
        for f in self.spec.fields:
            shown = f.kind == "document" and self.page.form.is_field_shown(f.name)
            if shown and not str(values.get(f.name) or "").strip():
                return f
        return first

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
        self.stream_check.start()  # the index follows once the job has read the document
        self._start(
            task_job(
                self.runner(),
                self.spec,
                values,
                history=self.history,
                on_sources=self._sources_ready.emit,
            ),
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
        previous = self.result.factcheck
        self.stream_check.start(previous.index if previous is not None else None)
        self._start(
            refine_job(self.runner(), self.result, refinement, answer=answer, history=self.history),
            "refine",
            tr("„{label}“ wird umgesetzt …", label=self.spec.t(refinement.label)),
        )
        return True

    def _start(self, job: Job[Any], mode: str, status: str) -> None:
        self._mode = mode
        self._submit(job, self.page.result.append)
        if mode == "run":
            self.eta.job_started(self.handle)
        self.page.set_status(status)
        self.busy_changed.emit(True)

    def _on_finished(self, job: Job[Any]) -> None:
        self._job_ended()
        self.eta.job_ended(job)
        self.page.result.end_stream()
        self.busy_changed.emit(False)
        if job.state == JobState.DONE and isinstance(job.result, TaskResult):
            self._on_done(job.result)
            return
        if self._mode == "refine":
            self.page.result.set_text(self._before)  # the text before the refinement, unchanged
            self.page.result.show_check(self.result.factcheck if self.result else None)
        else:
            self.page.result.show_check(None)  # no provisional marks on a broken-off text
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
        message = job_error_message(job)
        if isinstance(job.error, DocumentError) and self.spec.document_field is not None:
            self.page.form.rows[self.spec.document_field.name].show_error(message)
        self.page.set_status("")
        self.page.show_message(message, "error")
        self.page.result.set_has_result(self.result is not None)
        self.failed.emit(message)

    def _on_done(self, result: TaskResult) -> None:
        self.result = result
        self.page.result.set_text(result.text)
        # Marks figures not in the source; the coverage note is the app's, not checked.
        self.page.result.show_check(result.factcheck, result.coverage)
        self.page.result.reasoning.set_text(result.reasoning)
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

    # Fact check: while streaming, and the source page of a figure ---------------------------
    def open_fact_source(self, verdict: Any) -> bool:
        """The result's document at the page of a checked figure (False: pasted text or a
        form field, nothing to open; the bar then quotes the passage)."""
        documents = getattr(self.result, "documents", None) or []
        citation = fact_citation(verdict, documents)
        if citation is None:
            return False
        self.viewer = show_in_viewer(citation, self.page, self._load_text, self.viewer)
        return True

    def _load_text(self, path: str, on_text: Any, on_error: Any) -> None:
        from llmoin_desktop.core.tasks.sources import load_document

        self.pool.call(
            lambda: load_document(path).text, on_text, lambda e: on_error(e.user_message)
        )

    # Export ------------------------------------------------------------------------------
    def _export_button(self) -> QPushButton:
        return self.page.result.export_button

    def _show_result_message(self, text: str, kind: str) -> None:
        self.page.result.show_message(text, kind)

    def _export_text(self) -> str:
        return self.page.result.text()  # as edited by the clerk

    def _after_export(self, text: str) -> Callable[[], None] | None:
        """The clerk's edit is what she exported: the history keeps that text."""
        assert self.result is not None
        history_id, history = self.result.history_id, self.history
        if text == self.result.text or history_id is None:
            return None
        return lambda: history.update_result(history_id, text)

    def _export_enabled(self) -> bool:
        return self.result is not None and not self.busy

    # History -----------------------------------------------------------------------------
    def open_entry(self, entry: HistoryEntry) -> bool:
        """Put a stored run back on the page: form values, result, refinements possible."""
        if self._refused_while_busy():
            return False
        values = {**self.spec.defaults(), **entry.values}
        self.page.form.set_values(values)
        for row in self.page.form.rows.values():
            row.show_error("")
        self.result = result_from_entry(entry, values)
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
