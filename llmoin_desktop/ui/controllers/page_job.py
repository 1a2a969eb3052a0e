"""What the task and ask controllers share: one job at a time with Stop, progress, DOCX export
of the result in the background, and a result reopened from the history.

Each page shows its result differently; the subclass says where the export button and the
result message are (:meth:`PageJobController._export_button`, ``_show_result_message``).
"""

from __future__ import annotations

import datetime as _dt
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtWidgets import QFileDialog, QPushButton

from llmoin_desktop.core.engine.backend import Backend
from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.export import content_from_result, export_docx
from llmoin_desktop.core.history import HistoryEntry
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import Job
from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.core.tasks.runner import TaskResult
from llmoin_desktop.ui.workers import JobHandle, WorkerPool


def default_export_name(title: str) -> str:
    safe = re.sub(r'[\\/:*?"<>|]+', " ", title).strip() or "Ergebnis"
    return f"{safe} {_dt.date.today():%Y-%m-%d}.docx"


def job_error_message(job: Job[Any]) -> str:
    return job.error.user_message if job.error else _("Unbekannter Fehler.")


def result_from_entry(entry: HistoryEntry, values: dict[str, Any]) -> TaskResult:
    """A stored run as a result again, so refine and export work on it as on a fresh one."""
    return TaskResult(
        task_id=entry.task_id,
        values=values,
        answer=entry.result,
        output_kind=entry.output_kind,
        sources=list(entry.sources),
        messages=list(entry.messages),
        history_id=entry.id,
    )


class PageJobController(QObject):
    finished = Signal(object)  # TaskResult of a completed run
    stopped = Signal()
    failed = Signal(str)
    exported = Signal(str)  # path of the written file
    export_failed = Signal(str)
    history_changed = Signal()

    def __init__(
        self,
        page: Any,
        backend: Backend,
        pool: WorkerPool,
        settings: SettingsStore,
        history: Any,
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
        self.stop_pressed_at: float | None = None
        self.last_stop_latency_s: float | None = None
        # factcheck_confirm_export (IT): asked before copying/exporting figures the fact
        # check did not find in the source; tests replace it.
        self.confirm_unsupported: Callable[[int], bool] = lambda n: _ask_unsupported(self.page, n)
        page.stop_requested.connect(self.stop)

    @property
    def busy(self) -> bool:
        return self.handle is not None

    # Running -------------------------------------------------------------------------------
    def _submit(self, job: Job[Any], on_tokens: Callable[[str], None]) -> None:
        self.stop_pressed_at = None
        self.handle = self.pool.submit(job)
        self.handle.tokens.connect(on_tokens)
        reasoning = getattr(self.page, "reasoning", None) or getattr(
            getattr(self.page, "result", None), "reasoning", None
        )
        if reasoning is not None:  # a reasoning model's thinking, shown collapsed
            self.handle.reasoning.connect(reasoning.append)
        self.handle.progress.connect(self._on_progress)
        self.handle.finished.connect(self._on_finished)
        self.page.set_busy(True)

    def stop(self) -> None:
        if self.handle is None:
            return
        self.stop_pressed_at = time.perf_counter()
        self.page.begin_stop()  # Stop greys out; focus returns to the run button afterwards
        self.page.set_status(_("Wird angehalten …"))
        self.handle.cancel()

    def _on_progress(self, progress: Any) -> None:
        if self.stop_pressed_at is None and progress.text:
            self.page.show_progress(progress.fraction, progress.text)

    def _on_finished(self, job: Job[Any]) -> None:
        raise NotImplementedError

    def _job_ended(self) -> None:
        """The first thing on every end of a job: free the page, measure how long Stop took."""
        self.handle = None
        if self.stop_pressed_at is not None:
            self.last_stop_latency_s = time.perf_counter() - self.stop_pressed_at
        self.page.set_busy(False)

    def _refused_while_busy(self) -> bool:
        if self.busy:
            self.page.show_message(
                _(
                    "Bitte warten Sie, bis die laufende Erzeugung fertig ist, oder halten Sie sie an."
                ),
                "error",
            )
            return True
        return False

    # Export --------------------------------------------------------------------------------
    def _export_button(self) -> QPushButton:
        raise NotImplementedError

    def _show_result_message(self, text: str, kind: str) -> None:
        raise NotImplementedError

    def _export_text(self) -> str:
        """The text that goes into the file."""
        raise NotImplementedError

    def _after_export(self, text: str) -> Callable[[], None] | None:
        """Work to do in the background once the file is written (none by default)."""
        return None

    def _export_enabled(self) -> bool:
        return self.result is not None

    def ask_export_path(self) -> str:
        """The file dialog (tests replace this method)."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        start = str(Path(folder or Path.home()) / default_export_name(self.spec.t(self.spec.title)))
        path, _sel = QFileDialog.getSaveFileName(
            self.page, _("Als Word-Datei speichern"), start, _("Word-Dokument (*.docx)")
        )
        return path

    def unsupported_ok(self) -> bool:
        """True unless IT wants a confirmation and the text holds figures not found in the
        source and the clerk says no."""
        if self.result is None or not self.settings.settings.factcheck_confirm_export:
            return True
        from llmoin_desktop.core.factcheck.docx_marks import comments_for_text

        flagged = comments_for_text(
            getattr(self.result, "factcheck", None),
            self._export_text(),
            getattr(self.result, "coverage", ""),
        )
        return not flagged or self.confirm_unsupported(len(flagged))

    def export(self) -> bool:
        if self.result is None or self.export_handle is not None:
            return False
        if not self.unsupported_ok():
            return False
        path = self.ask_export_path()
        return self.export_to(path) if path else False

    def export_to(self, path: str | Path) -> bool:
        """Write the result as DOCX in the background."""
        if self.result is None or self.export_handle is not None:
            return False
        out = Path(path)
        if out.suffix.lower() != ".docx":
            out = out.with_name(out.name + ".docx")
        text = self._export_text()
        content = content_from_result(self.spec, self.result, text)
        settings = self.settings.settings
        after = self._after_export(text)

        def work() -> Path:
            written = export_docx(content, out, settings=settings)
            if after is not None:
                after()
            return written

        self._export_button().setEnabled(False)
        self._show_result_message(tr("Wird gespeichert: {name} …", name=out.name), "info")
        self.export_handle = self.pool.call(work, self._on_exported, self._on_export_failed)
        return True

    def _on_exported(self, path: Path) -> None:
        self.export_handle = None
        self._export_button().setEnabled(self._export_enabled())
        self._show_result_message(tr("Gespeichert als {path}", path=str(path)), "info")
        self.exported.emit(str(path))

    def _on_export_failed(self, error: LLMoinError) -> None:
        self.export_handle = None
        self._export_button().setEnabled(self._export_enabled())
        self._show_result_message(error.user_message, "error")
        self.export_failed.emit(error.user_message)


def _ask_unsupported(parent: Any, count: int) -> bool:
    from PySide6.QtWidgets import QMessageBox

    question = tr("{n} Angaben wurden nicht in der Quelle gefunden. Trotzdem fortfahren?", n=count)
    box = QMessageBox(
        QMessageBox.Icon.Question, _("Nicht belegte Angaben"), question, parent=parent
    )
    yes = box.addButton(_("Trotzdem fortfahren"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_("Abbrechen"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is yes
