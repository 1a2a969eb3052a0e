"""The task editor page: step by step from title to a tried-out task, with a live preview.

Steps on the left (a list the keyboard can walk), the step's controls in the middle, and on
the right the form exactly as the clerk will see it (the real :class:`TaskForm`, rebuilt a
moment after each change). Instructions are plain German; the field names are inserted as
«chips» by clicking them, never typed as template syntax. The page holds the draft and the
widgets; saving, checking and running are the controller's (ui/task_builder_area.py).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.paths import resources_dir
from llmoin_desktop.core.tasks import builder
from llmoin_desktop.core.tasks.builder import TODAY_CHIP, TaskDraft
from llmoin_desktop.core.tasks.spec import STANDARD_REFINEMENTS, TaskSpecError
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.gallery import icon_pixmap
from llmoin_desktop.ui.messages import show_message
from llmoin_desktop.ui.page_parts import add_page_head, page_layout
from llmoin_desktop.ui.plain_text import PlainLabel
from llmoin_desktop.ui.task_builder_fields import FieldsStep
from llmoin_desktop.ui.task_form import TaskForm

STEPS = ("grunddaten", "felder", "anweisung", "ergebnis", "pruefen")
PREVIEW_DELAY_MS = 300


def step_titles() -> list[str]:
    return [
        _("1. Titel und Beschreibung"),
        _("2. Formularfelder"),
        _("3. Anweisung an das Modell"),
        _("4. Art des Ergebnisses"),
        _("5. Prüfen und ausprobieren"),
    ]


def output_labels() -> list[tuple[str, str]]:
    return [
        ("prose", _("Fließtext")),
        ("list", _("Liste")),
        ("table", _("Tabelle")),
        ("letter", _("Brief")),
    ]


class TaskBuilderPage(QWidget):
    """Widgets of the editor; ``draft`` is kept in sync with them."""

    back_requested = Signal()
    save_requested = Signal()
    check_requested = Signal()
    try_requested = Signal()
    stop_requested = Signal()
    draft_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskBuilderPage")
        self.draft = TaskDraft()
        self._loading = False
        layout = page_layout(self)
        self.back_button, self.title, head = add_page_head(
            layout, _("Neue Aufgabe"), back_name="builderBackButton"
        )
        self.save_button = QPushButton(_("Speichern"))
        self.save_button.setObjectName("builderSaveButton")
        name(
            self.save_button,
            _("Speichern"),
            _("Die Aufgabe prüfen und in „Meine Aufgaben“ speichern"),
        )
        head.addWidget(self.save_button)

        body = QHBoxLayout()
        self.steps = QListWidget()
        self.steps.setObjectName("builderSteps")
        name(self.steps, _("Schritte"), _("Die Schritte des Aufgaben-Editors"))
        self.steps.addItems(step_titles())
        self.steps.setMaximumWidth(230)
        body.addWidget(self.steps)
        self.stack = QStackedWidget()
        self.stack.setObjectName("builderStack")
        for page in (
            self._basics(),
            self._fields_page(),
            self._instructions(),
            self._result(),
            self._check(),
        ):
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(page)
            self.stack.addWidget(scroll)
        body.addWidget(self.stack, 3)

        right = QVBoxLayout()
        preview_title = PlainLabel(_("Vorschau: so sieht das Formular aus"))
        preview_title.setObjectName("columnTitle")
        right.addWidget(preview_title)
        self.preview_scroll = QScrollArea()
        self.preview_scroll.setObjectName("builderPreview")
        self.preview_scroll.setWidgetResizable(True)
        self.preview: TaskForm | None = None
        self.preview_note = PlainLabel("")
        self.preview_note.setWordWrap(True)
        self.preview_note.setObjectName("fieldHelp")
        right.addWidget(self.preview_scroll, 1)
        right.addWidget(self.preview_note)
        body.addLayout(right, 2)
        layout.addLayout(body, 1)

        nav = QHBoxLayout()
        self.prev_button = QPushButton(_("← Zurück"))
        name(self.prev_button, _("Zurück"), _("Vorheriger Schritt"))  # visible label in the name
        self.next_button = QPushButton(_("Weiter →"))
        self.next_button.setObjectName("builderNextButton")
        name(self.next_button, _("Weiter"), _("Nächster Schritt"))
        self.message = PlainLabel("")
        self.message.setObjectName("taskMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.message, 1)
        nav.addWidget(self.next_button)
        layout.addLayout(nav)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)
        self.steps.currentRowChanged.connect(self.show_step)
        self.prev_button.clicked.connect(lambda: self.show_step(self.stack.currentIndex() - 1))
        self.next_button.clicked.connect(lambda: self.show_step(self.stack.currentIndex() + 1))
        self.back_button.clicked.connect(self.back_requested)
        self.save_button.clicked.connect(self.save_requested)
        self.check_button.clicked.connect(self.check_requested)
        self.try_button.clicked.connect(self.try_requested)
        self.stop_button.clicked.connect(self.stop_requested)
        self.steps.setCurrentRow(0)

    # Steps ---------------------------------------------------------------------------------
    def _basics(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("builderTitle")
        self.title_edit.setPlaceholderText(_("z. B. Stellungnahme zum Bauantrag"))
        self.description_edit = QLineEdit()
        self.description_edit.setObjectName("builderDescription")
        self.icon = QComboBox()
        self.icon.setObjectName("builderIcon")
        self.icon.addItem(_("(kein Symbol)"), "")
        for path in sorted((resources_dir() / "icons").glob("*.svg")):
            pixmap = icon_pixmap(path.stem, 20)
            self.icon.addItem(path.stem, path.stem)
            if pixmap is not None:
                self.icon.setItemIcon(self.icon.count() - 1, pixmap)
        self.category = QComboBox()
        self.category.setObjectName("builderCategory")
        self.category.setEditable(True)
        for label, widget in (
            (_("Titel"), self.title_edit),
            (_("Kurze Beschreibung"), self.description_edit),
            (_("Symbol"), self.icon),
            (_("Bereich"), self.category),
        ):
            form.addRow(label, widget)
            name(widget, label)
        self.title_edit.textChanged.connect(self._store)
        self.description_edit.textChanged.connect(self._store)
        self.icon.currentIndexChanged.connect(self._store)
        self.category.currentTextChanged.connect(self._store)
        return page

    def _fields_page(self) -> QWidget:
        self.fields_step = FieldsStep()
        self.fields_step.changed.connect(self._fields_changed)
        self.fields_step.renamed.connect(self._field_renamed)
        return self.fields_step

    def _instructions(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        hint = PlainLabel(
            _(
                "Schreiben Sie, was das Modell tun soll, in ganzen Sätzen. Klicken Sie auf ein "
                "Feld, um seinen Inhalt an der Schreibmarke einzufügen."
            )
        )
        hint.setWordWrap(True)
        box.addWidget(hint)
        self.chips = QWidget()
        self.chips.setObjectName("builderChips")
        self._chip_grid = QGridLayout(self.chips)
        self._chip_grid.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.chips)
        self.instructions = QPlainTextEdit()
        self.instructions.setObjectName("builderInstructions")
        self.instructions.setPlaceholderText(
            _("z. B. Schreibe eine Stellungnahme zum «Bauantrag». Beachte dabei «Hinweise».")
        )
        name(self.instructions, _("Anweisung an das Modell"))
        box.addWidget(self.instructions, 1)
        self.instructions.textChanged.connect(self._store)
        return page

    def _result(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.output = QComboBox()
        self.output.setObjectName("builderOutput")
        for kind, label in output_labels():
            self.output.addItem(label, kind)
        form.addRow(_("Ergebnis als"), self.output)
        name(self.output, _("Ergebnis als"))
        self.refinement_boxes: dict[str, QCheckBox] = {}
        form.addRow(PlainLabel(_("Knöpfe zum Nachbessern des Ergebnisses:")))
        for rid, ref in STANDARD_REFINEMENTS.items():
            box = QCheckBox(_(ref.label))
            name(box, tr("Knopf „{label}“ anbieten", label=_(ref.label)))
            form.addRow("", box)
            self.refinement_boxes[rid] = box
            box.toggled.connect(self._store)
        self.output.currentIndexChanged.connect(self._store)
        return page

    def _check(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        intro = PlainLabel(
            _(
                "Vor dem Speichern wird die Aufgabe auf Einsatzzwecke geprüft, die die "
                "KI-Verordnung verbietet oder als hohes Risiko einstuft. Füllen Sie rechts das "
                "Formular aus und probieren Sie die Aufgabe mit dem geladenen Modell aus."
            )
        )
        intro.setWordWrap(True)
        box.addWidget(intro)
        row = QHBoxLayout()
        self.check_button = QPushButton(_("Jetzt prüfen"))
        self.check_button.setObjectName("builderCheckButton")
        name(self.check_button, _("Jetzt prüfen"), _("Hochrisiko-Prüfung der Aufgabe"))
        self.try_button = QPushButton(_("Ausprobieren"))
        self.try_button.setObjectName("builderTryButton")
        name(
            self.try_button, _("Ausprobieren"), _("Die Aufgabe mit dem geladenen Modell ausführen")
        )
        self.stop_button = QPushButton(_("Stopp"))
        name(self.stop_button, _("Stopp"), _("Ausprobieren abbrechen"))
        self.stop_button.setEnabled(False)
        for button in (self.check_button, self.try_button, self.stop_button):
            row.addWidget(button)
        row.addStretch(1)
        box.addLayout(row)
        self.show_prompt = QCheckBox(_("auch zeigen, was das Modell gefragt wurde"))
        self.show_prompt.setObjectName("builderShowPrompt")
        name(self.show_prompt, _("auch zeigen, was das Modell gefragt wurde"))
        box.addWidget(self.show_prompt)
        self.verdict = PlainLabel(_("Noch nicht geprüft."))
        self.verdict.setObjectName("builderVerdict")
        self.verdict.setWordWrap(True)
        box.addWidget(self.verdict)
        self.try_output = QPlainTextEdit()
        self.try_output.setObjectName("builderTryOutput")
        self.try_output.setReadOnly(True)
        name(self.try_output, _("Ergebnis des Ausprobierens"))
        box.addWidget(self.try_output, 1)
        return page

    # Draft ↔ widgets ----------------------------------------------------------------------
    def set_draft(self, draft: TaskDraft, categories: list[str], *, editing: bool) -> None:
        self.draft = draft
        self._loading = True
        try:
            self.title.setText(_("Aufgabe bearbeiten") if editing else _("Neue Aufgabe"))
            self.title_edit.setText(draft.title)
            self.description_edit.setText(draft.description)
            self.icon.setCurrentIndex(max(0, self.icon.findData(draft.icon)))
            self.category.clear()
            self.category.addItems(categories)
            self.category.setCurrentText(draft.category)
            self.fields_step.set_fields(draft.fields)
            self.instructions.setPlainText(draft.instructions)
            self.output.setCurrentIndex(max(0, self.output.findData(draft.output)))
            for rid, box in self.refinement_boxes.items():
                box.setChecked(rid in draft.refinements)
            self.try_output.clear()
        finally:
            self._loading = False
        self.show_verdict(builder.Governance() if not draft.governance.level else draft.governance)
        self._rebuild_chips()
        self.show_message("")
        self.show_step(0)
        self.refresh_preview()

    def _store(self) -> None:
        if self._loading:
            return
        d = self.draft
        d.title = self.title_edit.text()
        d.description = self.description_edit.text()
        d.icon = self.icon.currentData() or ""
        d.category = self.category.currentText()
        d.instructions = self.instructions.toPlainText()
        d.output = self.output.currentData()
        d.refinements = [rid for rid, box in self.refinement_boxes.items() if box.isChecked()]
        self._changed()

    def _fields_changed(self) -> None:
        self._rebuild_chips()
        self._changed()

    def _field_renamed(self, old: str, new: str) -> None:
        names = [f.label for f in self.draft.fields]
        if old and new and old not in names and f"«{old}»" in self.instructions.toPlainText():
            self.instructions.setPlainText(
                self.instructions.toPlainText().replace(f"«{old}»", f"«{new}»")
            )

    def _changed(self) -> None:
        self._timer.start()
        self.draft_changed.emit()

    def _rebuild_chips(self) -> None:
        while self._chip_grid.count():
            item = self._chip_grid.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.setParent(None)  # gone at once (findChildren, Tab order)
                widget.deleteLater()
        labels = [f.label for f in self.draft.fields if f.label.strip()] + [TODAY_CHIP]
        for index, label in enumerate(labels):
            chip = QPushButton(f"«{label}»")
            chip.setObjectName("builderChip")
            name(chip, tr("«{label}» einfügen", label=label))  # the visible label first
            chip.clicked.connect(lambda _c=False, text=label: self.insert_chip(text))
            self._chip_grid.addWidget(chip, *divmod(index, 3))

    def insert_chip(self, label: str) -> None:
        cursor = self.instructions.textCursor()
        cursor.insertText(f"«{label}»")
        self.instructions.setFocus()

    # Preview, messages, steps -----------------------------------------------------------------
    def refresh_preview(self) -> None:
        try:
            spec = builder.to_spec(self.draft)
        except TaskSpecError as exc:
            self.preview_note.setText(
                tr("Die Vorschau zeigt den letzten gültigen Stand. ({error})", error=exc)
            )
            return
        values = self.preview.values() if self.preview is not None else {}
        form = TaskForm(spec, show_submit=False)
        form.set_values({k: v for k, v in values.items() if k in form.rows})
        form.setObjectName("builderPreviewForm")
        self.preview_scroll.setWidget(form)  # deletes the previous form
        self.preview = form
        self.preview_note.setText("")

    def show_step(self, index: int) -> None:
        index = max(0, min(index, len(STEPS) - 1))
        self.stack.setCurrentIndex(index)
        if self.steps.currentRow() != index:
            self.steps.setCurrentRow(index)
        self.prev_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(STEPS) - 1)

    def show_message(self, text: str, kind: str = "info") -> None:
        show_message(self.message, text, kind)

    def show_verdict(self, gov: builder.Governance) -> None:
        from llmoin_desktop.core.tasks.governance import describe

        self.verdict.setText(describe(gov) if gov.level else _("Noch nicht geprüft."))
        self.verdict.setAccessibleName(self.verdict.text())

    def set_busy(self, busy: bool) -> None:
        self.try_button.setEnabled(not busy)
        self.check_button.setEnabled(not busy)
        self.save_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)

    def focus_first(self) -> None:
        self.show_step(0)
        self.title_edit.setFocus()
