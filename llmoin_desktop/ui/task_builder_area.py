"""Wires the task editor into the main window: "Neue Aufgabe", "Als Vorlage verwenden", edit,
duplicate, delete, export/import (button, drag onto the gallery, command line), publishing into
the department folder, the task info, and "Ausprobieren" with the loaded model.

After every change on disk the catalogue is read again and pages and tiles follow, so a saved
task is at once a normal task: its page, its tile, the CLI and the tutorials see the same file.
Questions to the clerk go through :func:`ask`/:func:`choose_*` so tests can answer them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QPushButton, QWidget

from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import Job, JobState
from llmoin_desktop.core.tasks import builder, governance, sharing
from llmoin_desktop.core.tasks.builder import TaskDraft
from llmoin_desktop.core.tasks.catalog import load_catalog, task_dirs
from llmoin_desktop.core.tasks.runner import TaskRunner, task_job
from llmoin_desktop.core.tasks.spec import TaskSpec, TaskSpecError
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.controllers.tiles import task_tiles
from llmoin_desktop.ui.plain_text import plain_box
from llmoin_desktop.ui.task_builder import STEPS, TaskBuilderPage
from llmoin_desktop.ui.task_page import TaskPage
from llmoin_desktop.ui.workers import JobHandle

if TYPE_CHECKING:
    from llmoin_desktop.ui.controllers.task_area import TaskArea
    from llmoin_desktop.ui.gallery import TileDescriptor
    from llmoin_desktop.ui.window_host import Messages, PageStack, Services

BUILDER_PAGE_ID = "task_builder"


def ask(parent: QWidget, title: str, text: str) -> bool:
    """Yes/no with the question in words on the buttons' window (replaced in tests)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)  # task titles are the clerk's text (issue 18)
    yes = box.addButton(_("Ja"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_("Abbrechen"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is yes


def choose_import_file(parent: QWidget) -> str:
    path, _filter = QFileDialog.getOpenFileName(
        parent, _("Aufgabe importieren"), "", _("Aufgabendateien (*.llmoin-task *.toml)")
    )
    return path


def choose_export_file(parent: QWidget, suggestion: str) -> str:
    path, _filter = QFileDialog.getSaveFileName(
        parent, _("Aufgabe weitergeben"), suggestion, _("Aufgabendateien (*.llmoin-task)")
    )
    return path


def _no_prompt() -> bool:
    return False


class TaskBuilderArea(QObject):
    """Built from what it uses (no window, see ui/window_host.py): the pages, the services,
    the banner, the task area whose pages and catalogue it keeps up to date, the gallery's
    task tiles (``task_tiles``/``set_task_tiles``) and whether trainer mode's "show the
    prompt" switch is on (``trainer_prompt``; read when trying a draft out)."""

    def __init__(
        self,
        pages: PageStack,
        services: Services,
        messages: Messages,
        tasks: TaskArea,
        *,
        task_tiles: Callable[[], list[TileDescriptor]],
        set_task_tiles: Callable[[list[TileDescriptor]], None],
        trainer_prompt: Callable[[], bool] = _no_prompt,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.page_stack = pages
        self.services = services
        self.messages = messages
        self.tasks = tasks
        self._set_task_tiles = set_task_tiles
        self._trainer_prompt = trainer_prompt
        self.page = TaskBuilderPage()
        pages.add_page(BUILDER_PAGE_ID, self.page)
        self.editing: Path | None = None  # the file being edited (None: a new task)
        self.try_handle: JobHandle | None = None
        self._mtimes: dict[str, float] = {}
        self.page.back_requested.connect(lambda: pages.show_page("gallery"))
        self.page.save_requested.connect(self.save)
        self.page.check_requested.connect(self.check)
        self.page.try_requested.connect(self.try_out)
        self.page.stop_requested.connect(self.stop)
        gallery = services.gallery
        gallery.new_task_requested.connect(self.new_task)
        gallery.import_requested.connect(self.import_dialog)
        gallery.file_dropped.connect(self.import_file)
        gallery.undo_button.clicked.connect(self.undo_delete)
        self.last_deleted: Path | None = None
        if not self.settings.own_tasks:  # policy own_tasks = false: no editor, no import
            gallery.new_task_button.hide()
            gallery.import_button.hide()
        for page in tasks.pages.values():
            self._add_actions(page)
        # Tiles given by a test (MainWindow(task_tiles=…)) stay as they are.
        self._manage_tiles = task_tiles() == tasks.tiles()
        self.reload()

    @property
    def settings(self) -> Any:
        return self.services.settings.settings

    def _parent(self) -> QWidget:
        """Dialogs open over the window the pages are shown in (the main window)."""
        return self.page.window()

    # Catalogue, pages, tiles ------------------------------------------------------------------
    def reload(self) -> None:
        """Read the task folders again; add, replace or remove pages of changed files."""
        area = self.tasks
        catalog = load_catalog(self.settings, task_dirs(self.settings), filtered=False)
        for task_id in [t for t in area.pages if t not in catalog.tasks]:
            self._remove_page(task_id)
        for spec in catalog.ordered():
            if spec.runner != "standard" or spec.path is None:
                continue
            try:
                mtime = spec.path.stat().st_mtime
            except OSError:
                continue
            old = area.pages.get(spec.id)
            if (
                old is not None
                and old.spec.path == spec.path
                and self._mtimes.get(spec.id) == mtime
            ):
                continue
            self._mtimes[spec.id] = mtime
            if old is not None and old.spec.path == spec.path and old.spec == spec:
                continue
            self._install_page(spec)
        area.catalog = catalog
        if self._manage_tiles:
            self._set_task_tiles(task_tiles(catalog.ordered(), self.settings))

    def _install_page(self, spec: TaskSpec) -> None:
        if spec.id in self.tasks.pages:
            self._remove_page(spec.id)
        self._add_actions(self.tasks.add_task(spec))

    def _remove_page(self, task_id: str) -> None:
        self.tasks.remove_task(task_id)

    def _add_actions(self, page: TaskPage) -> None:
        """ "Als Vorlage verwenden" on every task page; more for own and department tasks."""
        spec = page.spec
        if spec.runner != "standard":
            return
        head = page.layout().itemAt(0).layout()
        copy = QPushButton(_("Als Vorlage verwenden"))
        copy.setObjectName("useAsTemplateButton")
        name(copy, _("Als Vorlage verwenden"), _("Eine eigene Aufgabe nach diesem Muster anlegen"))
        copy.clicked.connect(lambda: self.use_as_template(page.spec))
        head.addWidget(copy)
        section = sharing.section_of(spec, self.settings)
        if not section:
            return
        more = QPushButton(_("Weitere Aktionen"))
        more.setObjectName("taskActionsButton")
        name(more, _("Weitere Aktionen"), _("Bearbeiten, weitergeben, löschen, Informationen"))
        menu = QMenu(more)
        if section == "eigene":
            menu.addAction(_("Bearbeiten"), lambda: self.edit(page.spec))
            menu.addAction(_("Duplizieren"), lambda: self.duplicate(page.spec))
            menu.addAction(_("Für die Abteilung veröffentlichen"), lambda: self.publish(page.spec))
        menu.addAction(_("Weitergeben (Datei) …"), lambda: self.export(page.spec))
        menu.addAction(_("Informationen"), lambda: self.info(page.spec))
        if section == "eigene":
            menu.addAction(_("Löschen"), lambda: self.delete(page.spec))
        more.setMenu(menu)
        head.addWidget(more)

    def other_ids(self) -> set[str]:
        """Ids of tasks that are not the clerk's own (never replaced by her files)."""
        catalog = load_catalog(
            dirs=[d for d in task_dirs(self.settings) if d != builder.user_tasks_dir()]
        )
        return set(catalog.tasks)

    def categories(self) -> list[str]:
        return sorted({s.category for s in self.tasks.catalog.tasks.values() if s.category})

    # The editor ---------------------------------------------------------------------------------
    def open_draft(self, draft: TaskDraft, editing: Path | None) -> None:
        if not self.settings.own_tasks:
            self.messages.show_error(
                _(
                    "Eigene Aufgaben sind von Ihrer IT-Abteilung abgeschaltet (Richtlinie own_tasks)."
                )
            )
            return
        self.editing = editing
        self.page.set_draft(draft, self.categories(), editing=editing is not None)
        self.page_stack.show_page(BUILDER_PAGE_ID)

    def new_task(self) -> None:
        draft = TaskDraft()
        draft.fields = [builder.DraftField(_("Text"), "longtext", required=True)]
        self.open_draft(draft, None)

    def use_as_template(self, spec: TaskSpec) -> None:
        self.open_draft(builder.from_spec(spec, as_copy=True), None)

    def edit(self, spec: TaskSpec) -> None:
        self.open_draft(builder.from_spec(spec, as_copy=False), spec.path)

    def _problems_shown(self) -> bool:
        problems = builder.validate(self.page.draft)
        if not problems:
            return False
        self.page.show_step(STEPS.index(problems[0].step))
        self.page.show_message(" ".join(p.message for p in problems), "error")
        return True

    def check(self, then_save: bool = False) -> bool:
        """High-risk check: rules now; the model's assessment in the background if capable."""
        draft = self.page.draft
        rules, problems = governance.load_rules(self.settings.governance_rules_file)
        if problems:
            self.messages.show_error(" ".join(problems))
        backend = self.services.backend
        if not governance.model_capable(backend):
            self._checked(governance.check(draft, rules=rules, use_model=False), then_save)
            return True
        self.page.set_busy(True)
        self.page.show_message(_("Das Modell prüft die Aufgabe …"))

        def done(verdict: governance.Verdict) -> None:
            self.page.set_busy(False)
            self._checked(verdict, then_save)

        def failed(error: LLMoinError) -> None:
            self.page.set_busy(False)
            self.page.show_message(error.user_message, "error")

        self.services.pool.call(
            lambda: governance.check(draft, rules=rules, backend=backend, use_model=True),
            on_success=done,
            on_error=failed,
            name="governance",
        )
        return True

    def _checked(self, verdict: governance.Verdict, then_save: bool) -> None:
        self.page.draft.governance = verdict.to_governance()
        self.page.show_verdict(self.page.draft.governance)
        if verdict.blocked:
            self.page.show_step(STEPS.index("pruefen"))
            self.page.show_message(
                _("Diese Aufgabe ist nicht zulässig und kann nicht gespeichert werden."), "error"
            )
            return
        if then_save:
            self._write()
        else:
            self.page.show_message(governance.describe(self.page.draft.governance).splitlines()[0])

    def _locked_problem(self) -> str:
        """free_chat = false: the draft must keep a fixed instruction (core/tasks/task_policy)."""
        if self.settings.free_chat:
            return ""
        from llmoin_desktop.core.tasks import task_policy

        try:
            spec = builder.to_spec(self.page.draft)
        except TaskSpecError:
            return ""  # the editor's own checks report that
        systems = {
            " ".join(task_policy.normalise(t.system).split())
            for t in load_catalog(dirs=[task_dirs(None)[0]]).tasks.values()
        }
        return task_policy.free_chat_problem(spec, systems)

    def save(self) -> bool:
        """Validate, check (rules, model), then write; nothing is written on any problem."""
        if self._problems_shown():
            return False
        locked = self._locked_problem()
        if locked:
            self.page.show_message(locked, "error")
            return False
        self.page.show_message("")
        return self.check(then_save=True)

    def _write(self) -> None:
        draft = self.page.draft
        folder = self.editing.parent if self.editing is not None else builder.user_tasks_dir()
        try:
            path = builder.save(draft, folder, taken=self.other_ids())
        except builder.BuilderError as exc:
            self.page.show_message(exc.user_message, "error")
            return
        except (TaskSpecError, OSError) as exc:
            message = exc.user_message if isinstance(exc, TaskSpecError) else str(exc)
            self.page.show_message(tr("Nicht gespeichert: {error}", error=message), "error")
            return
        self.editing = path
        self.reload()
        self.page_stack.show_page(draft.id)
        self.messages.show_info(
            tr("Die Aufgabe „{title}“ ist gespeichert (Meine Aufgaben).", title=draft.title)
        )

    # Ausprobieren ---------------------------------------------------------------------------------
    def try_out(self) -> bool:
        if self.try_handle is not None:
            return False
        try:
            spec = builder.to_spec(self.page.draft)
        except TaskSpecError as exc:
            self._problems_shown() or self.page.show_message(exc.user_message, "error")
            return False
        locked = self._locked_problem()
        if locked:
            self.page.show_message(locked, "error")
            return False
        form = self.page.preview
        if form is None:
            return False
        if form.validate():
            self.page.show_message(_("Bitte füllen Sie das Formular in der Vorschau aus."), "error")
            return False
        if self.services.backend.status().state not in ("ready", "unloaded-idle", "busy"):
            self.page.show_message(
                _("Bitte laden Sie zuerst ein Modell („Modell wählen“)."), "error"
            )
            return False
        if self._trainer_prompt():
            self.page.show_prompt.setChecked(True)  # the trainer's switch carries over
        runner = TaskRunner.from_settings(self.services.backend, self.settings)
        self.page.try_output.clear()
        self.page.show_message(_("Wird ausprobiert …"))
        self.page.set_busy(True)
        handle = self.services.pool.submit(task_job(runner, spec, form.values()))
        handle.tokens.connect(self._append)
        handle.finished.connect(self._tried)
        self.try_handle = handle
        return True

    def _append(self, text: str) -> None:
        cursor = self.page.try_output.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        cursor.insertText(text)

    def _tried(self, job: Job[Any]) -> None:
        self.try_handle = None
        self.page.set_busy(False)
        if job.state == JobState.DONE and job.result is not None:
            text = job.result.text
            if self.page.show_prompt.isChecked():  # trainers show what the form turned into
                from llmoin_desktop.ui.tutorial.trainer import format_prompt

                asked = format_prompt(list(job.result.messages or []))
                text += "\n\n" + _("Gefragt wurde:") + "\n" + asked
            self.page.try_output.setPlainText(text)
            self.page.show_message(_("Fertig. So würde das Ergebnis aussehen."))
        elif job.state == JobState.CANCELLED:
            self.page.show_message(_("Abgebrochen."))
        else:
            error = job.error.user_message if job.error else _("Unbekannter Fehler.")
            self.page.show_message(error, "error")

    def stop(self) -> None:
        if self.try_handle is not None:
            self.try_handle.cancel()

    # Own tasks: duplicate, delete, info ----------------------------------------------------------
    def duplicate(self, spec: TaskSpec) -> Path | None:
        try:
            path = builder.duplicate(spec.path)
        except (LLMoinError, OSError) as exc:
            self.messages.show_error(str(exc))
            return None
        self.reload()
        self.messages.show_info(_("Die Kopie steht unter „Meine Aufgaben“."))
        return path

    def delete(self, spec: TaskSpec) -> Path | None:
        question = tr(
            "Die Aufgabe „{title}“ löschen? Sie kommt in den Papierkorb des Aufgabenordners.",
            title=spec.title,
        )
        if spec.path is None or not ask(self._parent(), _("Aufgabe löschen"), question):
            return None
        trashed = builder.delete(spec.path)
        self.last_deleted = trashed
        self.reload()
        self.page_stack.show_page("gallery")
        self.services.gallery.undo_button.show()
        self.messages.show_info(tr("Die Aufgabe „{title}“ wurde gelöscht.", title=spec.title))
        return trashed

    def undo_delete(self) -> None:
        trashed, self.last_deleted = self.last_deleted, None
        self.services.gallery.undo_button.hide()
        if trashed is not None and Path(trashed).is_file():
            builder.restore(trashed)
            self.reload()

    def info_text(self, spec: TaskSpec) -> str:
        draft = builder.from_spec(spec, as_copy=False)
        lines = [spec.title, sharing.byline(spec), governance.describe(draft.governance)]
        if draft.based_on:
            lines.append(tr("Entstanden aus: {id}", id=draft.based_on))
        return "\n".join(line for line in lines if line)

    def info(self, spec: TaskSpec) -> None:
        box = plain_box(
            self._parent(), QMessageBox.Icon.Information, _("Informationen zur Aufgabe"), ""
        )
        box.setText(self.info_text(spec))  # a task file's text: shown as text (issue 18)
        box.exec()

    # Sharing ----------------------------------------------------------------------------------
    def export(self, spec: TaskSpec, target: str | None = None) -> Path | None:
        target = target or choose_export_file(self._parent(), f"{spec.id}{sharing.EXTENSION}")
        if not target:
            return None
        try:
            path = sharing.export_task(spec, Path(target))
        except (LLMoinError, OSError) as exc:
            self.messages.show_error(str(exc))
            return None
        self.messages.show_info(tr("Gespeichert: {path}", path=path))
        return path

    def import_dialog(self) -> None:
        path = choose_import_file(self._parent())
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> Path | None:
        """Show what the file does, import on "Ja"; refusals name file and line."""
        try:
            preview = sharing.inspect_import(
                Path(path), other_ids=self.other_ids(), settings=self.settings
            )
        except LLMoinError as exc:
            self.messages.show_error(exc.user_message)
            return None
        question = preview.summary() + "\n\n" + _("Diese Aufgabe übernehmen?")
        if not ask(self._parent(), _("Aufgabe importieren"), question):
            return None
        installed = sharing.install_import(preview)
        self.reload()
        self.page_stack.show_page("gallery")
        self.messages.show_info(
            tr(
                "Die Aufgabe „{title}“ steht jetzt unter „Meine Aufgaben“.",
                title=preview.spec.title,
            )
        )
        return installed

    def publish(self, spec: TaskSpec) -> Path | None:
        allowed, reason = sharing.may_publish(self.settings)
        if not allowed:
            self.messages.show_error(reason)
            return None
        question = tr(
            "„{title}“ für alle in der Abteilung veröffentlichen? Eine ältere Fassung wird ersetzt.",
            title=spec.title,
        )
        if not ask(self._parent(), _("Für die Abteilung veröffentlichen"), question):
            return None
        try:
            path = sharing.publish(spec, self.settings)
        except (LLMoinError, OSError) as exc:
            self.messages.show_error(str(exc))
            return None
        self.reload()
        self.messages.show_info(
            _("Veröffentlicht: Die Aufgabe steht unter „Aufgaben der Abteilung“.")
        )
        return path
