"""Logic of the "Dokumente fragen" page: check the question and scope, open the library if
needed, run the library task (streamed), show answer and sources, open a source in the
document viewer, copy, export to DOCX, reopen a history entry.

The job is the same task job the CLI runs (``run_library_task``), with the page's library
passed in, so the GUI and ``llmoin-desktop ask`` give the same answer for the same question.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QPushButton

from llmoin_desktop.core.engine.backend import Backend, GenerationParams
from llmoin_desktop.core.history import HistoryEntry
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import Job, JobContext, JobState
from llmoin_desktop.core.library import Library
from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.core.tasks.library_task import (
    DOCUMENTS_FIELD,
    QUESTION_FIELD,
    SCOPE_FIELD,
    SCOPE_SELECTED,
    run_library_task,
    split_paths,
)
from llmoin_desktop.core.tasks.runner import TaskResult, TaskRunner
from llmoin_desktop.ui.ask_page import AskPage
from llmoin_desktop.ui.controllers.library_controller import LibraryController
from llmoin_desktop.ui.controllers.page_job import (
    PageJobController,
    job_error_message,
    result_from_entry,
)
from llmoin_desktop.ui.document_viewer import DocumentViewer
from llmoin_desktop.ui.factcheck_source import fact_citation, show_in_viewer
from llmoin_desktop.ui.locale_format import date_time, number
from llmoin_desktop.ui.workers import WorkerPool


class AskController(PageJobController):
    viewer_opened = Signal(object)  # DocumentViewer
    # The passages are found (emitted in the worker, before the model writes; queued to the
    # GUI thread): the answer is checked against them while it streams.
    _sources_ready = Signal(object)

    def __init__(
        self,
        page: AskPage,
        backend: Backend,
        pool: WorkerPool,
        settings: SettingsStore,
        library: LibraryController,
        history: Any = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(page, backend, pool, settings, history, parent)
        self.page: AskPage = page
        self.library = library
        self.viewer: DocumentViewer | None = None
        self._waiting_for_library = False
        page.ask_requested.connect(self.ask)
        page.citation_requested.connect(self.open_citation)
        page.copy_requested.connect(self.copy)
        page.export_requested.connect(self.export)
        page.factcheck.opener = self.open_fact_source
        self.stream_check = page.stream_check
        self.stream_check.use_pool(pool)
        self._sources_ready.connect(self.stream_check.index_result)
        library.documents_changed.connect(page.set_documents)
        page.set_documents([])

    @property
    def busy(self) -> bool:
        return self.handle is not None or self._waiting_for_library

    def activate(self) -> None:
        self.library.activate()

    # Asking ---------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {QUESTION_FIELD: self.page.question_text()}
        if self.page.scope_selected.isChecked():
            values[SCOPE_FIELD] = SCOPE_SELECTED
            values[DOCUMENTS_FIELD] = "\n".join(self.page.chosen_documents())
        else:
            values[SCOPE_FIELD] = "bibliothek"
        return values

    def ask(self) -> bool:
        if self.busy:
            return False
        self.page.show_message("")
        values = self.values()
        if not values[QUESTION_FIELD]:
            self.page.show_message(_("Bitte eine Frage eingeben."))
            self.page.question.setFocus()
            return False
        if values.get(SCOPE_FIELD) == SCOPE_SELECTED and not values.get(DOCUMENTS_FIELD):
            self.page.show_message(
                _("Bitte mindestens ein Dokument auswählen oder „Ganze Bibliothek“ wählen.")
            )
            self.page.scope_list.setFocus()
            return False
        if not self.library.exists() and self.library.library is None:
            self.page.show_message(
                _(
                    "Die Bibliothek ist noch leer. Bitte zuerst über „Bibliothek verwalten …“ "
                    "Dokumente hinzufügen."
                )
            )
            return False
        self.page.begin_answer()
        self.page.set_has_result(False)
        self.page.set_busy(True)
        self.page.set_status(_("Bibliothek wird geöffnet …"))
        self._waiting_for_library = True
        self.library.with_library(lambda lib: self._start(lib, values))
        if self.library.library is None:
            self.library.failed.connect(self._library_failed)
        return True

    def _library_failed(self, message: str) -> None:
        self.library.failed.disconnect(self._library_failed)
        if self._waiting_for_library:
            self._waiting_for_library = False
            self.page.set_busy(False)
            self.page.show_message(message)

    def _start(self, lib: Library, values: dict[str, Any]) -> None:
        self._waiting_for_library = False
        runner = TaskRunner(
            self.backend, params=GenerationParams.from_settings(self.settings.settings)
        )
        spec, history, on_sources = self.spec, self.history, self._sources_ready.emit

        def run(ctx: JobContext) -> TaskResult:
            result = run_library_task(runner, spec, values, ctx, library=lib, on_sources=on_sources)
            ctx.check()
            from llmoin_desktop.core.factcheck.result_check import attach_check

            attach_check(result)  # figures of the answer against the cited passages
            if history is not None:
                result.history_id = history.add(result, title=spec.title)
            return result

        self.stream_check.start()  # the index follows once the passages are found
        self._submit(Job(run, name=spec.id), self.page.append_answer)

    def _on_finished(self, job: Job[Any]) -> None:
        self._job_ended()
        self.stream_check.stop()  # the check of the finished answer replaces the live one
        if job.state == JobState.DONE and isinstance(job.result, TaskResult):
            self._show_result(job.result)
            self.page.set_status(tr("Fertig ({s} s).", s=number(job.result.stats.wall_s, 1)))
            if job.result.history_id is not None:
                self.history_changed.emit()
            self.finished.emit(job.result)
            return
        self.page.set_has_result(self.result is not None)
        self.page.show_check(None)  # no provisional marks on a broken-off answer
        if job.state == JobState.CANCELLED:
            self.page.set_status(_("Angehalten. Es wurde nichts im Verlauf gespeichert."))
            self.stopped.emit()
            return
        message = job_error_message(job)
        self.page.set_status("")
        self.page.show_message(message)
        self.failed.emit(message)

    def _show_result(self, result: TaskResult) -> None:
        self.result = result
        self.page.set_answer(result.answer)
        self.page.reasoning.set_text(result.reasoning)
        self.page.set_sources(result.citations)
        self.page.show_check(result.factcheck)
        self.page.set_has_result(True)
        if not result.citations:
            self.page.show_result_message(
                _("Keine Quellen: Die Antwort stammt nicht aus Ihren Dokumenten."), "info"
            )

    # Sources --------------------------------------------------------------------------------
    def citation(self, n: int) -> Any:
        if self.result is None:
            return None
        return next((c for c in self.result.citations if c.n == n), None)

    def open_citation(self, n: int) -> DocumentViewer | None:
        citation = self.citation(n)
        if citation is None:
            return None
        self.viewer = show_in_viewer(citation, self.page, self._load_text, self.viewer)
        self.viewer_opened.emit(self.viewer)
        return self.viewer

    def open_fact_source(self, verdict: Any) -> bool:
        """A checked figure of the answer: the cited document at the page that has it."""
        citation = fact_citation(verdict, self.result.citations if self.result else [])
        if citation is None:
            return False
        self.viewer = show_in_viewer(citation, self.page, self._load_text, self.viewer)
        self.viewer_opened.emit(self.viewer)
        return True

    def _load_text(self, path: str, on_text: Any, on_error: Any) -> None:
        from llmoin_desktop.core.tasks.sources import load_document

        self.pool.call(
            lambda: load_document(path).text, on_text, lambda e: on_error(e.user_message)
        )

    # Copy and export ------------------------------------------------------------------------
    def full_text(self) -> str:
        if self.result is None:
            return ""
        return self.result.text

    def copy(self) -> None:
        if self.result is not None:
            QApplication.clipboard().setText(self.full_text())
            self.page.show_result_message(_("Antwort mit Quellen kopiert."), "info")

    def _export_button(self) -> QPushButton:
        return self.page.export_button

    def _show_result_message(self, text: str, kind: str) -> None:
        self.page.show_result_message(text, kind)

    def _export_text(self) -> str:
        return self.full_text()

    # History --------------------------------------------------------------------------------
    def open_entry(self, entry: HistoryEntry) -> bool:
        """A stored answer: question, scope and text come back; the sources are in the text."""
        if self._refused_while_busy():
            return False
        values = entry.values
        self.page.question.setPlainText(str(values.get(QUESTION_FIELD, "")))
        selected = values.get(SCOPE_FIELD) == SCOPE_SELECTED
        (self.page.scope_selected if selected else self.page.scope_all).setChecked(True)
        if selected:
            self.page.tick_documents(split_paths(values.get(DOCUMENTS_FIELD)))
        self.result = result_from_entry(entry, dict(values))
        self.page.begin_answer()
        self.page.set_answer(entry.result)
        self.page.set_has_result(True)
        when = date_time(entry.created_at)
        self.page.set_status(tr("Aus dem Verlauf geöffnet (vom {when}).", when=when))
        self.page.show_result_message(
            _("Aus dem Verlauf: Die Quellen stehen unter der Antwort im Text."), "info"
        )
        self.page.show_message("")
        return True
