"""„Modell prüfen“: the model check (core/modelcheck) for the loaded model, from the settings.

The check runs as a job on the app's engine (the model the clerks would use, loaded as the app
loads it); the dialog shows progress, then the table, and saves the HTML report (with the
key=value facts beside it) where IT chooses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import Job, JobState
from llmoin_desktop.core.modelcheck.report import mark, metric_lines, write_report
from llmoin_desktop.core.modelcheck.run import ModelCheckReport, run_model_check
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.plain_text import PlainLabel


class ModelCheckDialog(QDialog):
    def __init__(self, backend: Any, pool: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.pool = pool
        self.handle: Any = None
        self.report: ModelCheckReport | None = None
        self.setWindowTitle(_("Modell prüfen"))
        self.setMinimumSize(760, 520)
        name(self, _("Modell prüfen"))
        layout = QVBoxLayout(self)
        intro = PlainLabel(
            _(
                "Die Prüfung lässt das geladene Modell jede Aufgabe mit Beispieldateien ausführen "
                "und prüft, was sich ohne Urteil über die Formulierung prüfen lässt. Sie dauert "
                "je nach Modell einige Minuten."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.status = PlainLabel("")
        self.status.setObjectName("modelCheckStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.progress = QProgressBar()
        self.progress.setObjectName("modelCheckProgress")
        name(self.progress, _("Fortschritt der Prüfung"))
        layout.addWidget(self.progress)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("modelCheckTable")
        self.table.setHorizontalHeaderLabels(
            [_("Aufgabe"), _("Prüfung"), _("Ergebnis"), _("Gemessen")]
        )
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        name(self.table, _("Ergebnis der Prüfung"))
        layout.addWidget(self.table, 1)
        self.figures = PlainLabel("")
        self.figures.setWordWrap(True)
        layout.addWidget(self.figures)

        buttons = QDialogButtonBox()
        self.start_button = QPushButton(_("Prüfung starten"))
        self.save_button = QPushButton(_("Bericht speichern …"))
        self.close_button = QPushButton(_("Schließen"))
        for b in (self.start_button, self.save_button, self.close_button):
            name(b, b.text())
        buttons.addButton(self.start_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setEnabled(False)
        self.start_button.clicked.connect(self.start)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        loaded = bool(pool is not None and backend is not None and backend.status().model_path)
        self.start_button.setEnabled(loaded)
        if not loaded:
            self.status.setText(_("Bitte zuerst ein Modell laden."))

    # Running ------------------------------------------------------------------------------
    def start(self) -> bool:
        if self.handle is not None or self.backend is None:
            return False
        backend = self.backend

        def work(ctx: Any) -> ModelCheckReport:
            return run_model_check(
                backend, progress=lambda i, n, t: ctx.progress(i, n, t), cancel=ctx.cancel
            )

        self.table.setRowCount(0)
        self.report = None
        self.save_button.setEnabled(False)
        self.start_button.setEnabled(False)
        self.status.setText(_("Prüfung läuft …"))
        self.handle = self.pool.submit(Job(work, name="model-check"))
        self.handle.progress.connect(self._on_progress)
        self.handle.finished.connect(self._on_finished)
        return True

    def _on_progress(self, progress: Any) -> None:
        if progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.step)
        if progress.text:
            self.status.setText(progress.text)

    def _on_finished(self, job: Job[Any]) -> None:
        self.handle = None
        self.start_button.setEnabled(True)
        if job.state is not JobState.DONE or job.result is None:
            self.status.setText(
                _("Abgebrochen.")
                if job.state is JobState.CANCELLED
                else tr("Fehler: {error}", error=job.error.user_message if job.error else "?")
            )
            return
        self.show_report(job.result)

    def show_report(self, report: ModelCheckReport) -> None:
        self.report = report
        self.table.setRowCount(len(report.rows))
        for i, row in enumerate(report.rows):
            for j, text in enumerate((row.task, row.check, mark(row.ok), row.detail)):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.figures.setText(
            " · ".join(f"{label}: {value}" for label, value in metric_lines(report))
        )
        self.status.setText(
            tr(
                "{passed} Prüfungen bestanden, {failed} nicht bestanden.",
                passed=report.passed,
                failed=report.failed,
            )
        )
        self.save_button.setEnabled(True)

    # Report -------------------------------------------------------------------------------
    def ask_report_path(self) -> str:
        """The file dialog (tests replace this method)."""
        assert self.report is not None
        start = str(Path.home() / f"Modellpruefung {Path(self.report.model_path).stem}.html")
        path, _sel = QFileDialog.getSaveFileName(
            self, _("Bericht speichern"), start, _("HTML-Bericht (*.html)")
        )
        return path

    def save(self) -> Path | None:
        if self.report is None:
            return None
        path = self.ask_report_path()
        if not path:
            return None
        try:
            html_path, _kv = write_report(self.report, Path(path))
        except OSError as exc:
            self.status.setText(
                tr("Der Bericht konnte nicht gespeichert werden: {error}", error=str(exc))
            )
            return None
        self.status.setText(tr("Bericht gespeichert: {path}", path=str(html_path)))
        return html_path

    def reject(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
        super().reject()


def open_model_check(parent: QWidget) -> ModelCheckDialog:
    """Open the dialog with the main window's engine and worker pool (found up the parents)."""
    window: Any = parent
    while window is not None and not (hasattr(window, "backend") and hasattr(window, "pool")):
        window = window.parentWidget()
    backend = getattr(window, "backend", None)
    pool = getattr(window, "pool", None)
    dialog = ModelCheckDialog(backend, pool, parent)
    dialog.open()
    return dialog
