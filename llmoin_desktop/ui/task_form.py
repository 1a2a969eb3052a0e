"""A form built from any task spec (no per-task widget code).

The view only builds widgets; defaults, conditional fields and validation come from the
Qt-free :class:`TaskSpec`, so the CLI and this form behave the same. Every input has an
accessible name (its label) and description (its help text); errors are shown as text
next to the field, never by colour alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.tasks.spec import FieldSpec, TaskSpec
from llmoin_desktop.ui.file_filters import document_filter
from llmoin_desktop.ui.plain_text import PlainLabel


class _FieldRow(QWidget):
    """Label, input, help and error text of one field; hidden as a whole."""

    changed = Signal()

    def __init__(self, spec: TaskSpec, field: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.field = field
        self.setObjectName(f"field_{field.name}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.setSpacing(2)
        self.label = PlainLabel()
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self.checkboxes: list[QCheckBox] = []
        self.browse: QPushButton | None = None
        self.input = self._build_input(layout)
        self.help = PlainLabel()
        self.help.setWordWrap(True)
        self.help.setObjectName("fieldHelp")
        layout.addWidget(self.help)
        self.error = PlainLabel()
        self.error.setWordWrap(True)
        self.error.setObjectName("fieldError")
        self.error.setStyleSheet("font-weight: bold;")
        self.error.hide()
        layout.addWidget(self.error)
        self.retranslate()

    # Building --------------------------------------------------------------------
    def _build_input(self, layout: QVBoxLayout) -> QWidget:
        f = self.field
        if f.kind == "choice":
            w: QWidget = QComboBox()
            for opt in f.options:
                w.addItem("", opt.value)
            w.currentIndexChanged.connect(self.changed)
        elif f.kind == "multichoice":
            w = QWidget()
            box = QVBoxLayout(w)
            box.setContentsMargins(0, 0, 0, 0)
            for opt in f.options:
                cb = QCheckBox()
                cb.setProperty("optionValue", opt.value)
                cb.toggled.connect(self.changed)
                box.addWidget(cb)
                self.checkboxes.append(cb)
        elif f.kind == "longtext":
            w = QPlainTextEdit()
            w.setTabChangesFocus(True)  # keyboard users must be able to leave the field
            w.setMinimumHeight(80)
            w.setMaximumHeight(160 if not f.source else 260)
            w.textChanged.connect(self.changed)
        elif f.kind == "number":
            is_float = any(isinstance(x, float) for x in (f.minimum, f.maximum, f.default))
            w = QDoubleSpinBox() if is_float else QSpinBox()
            w.setRange(
                f.minimum if f.minimum is not None else -1_000_000,
                f.maximum if f.maximum is not None else 1_000_000,
            )
            w.valueChanged.connect(self.changed)
        elif f.kind == "document":
            w = QWidget()
            row = QHBoxLayout(w)
            row.setContentsMargins(0, 0, 0, 0)
            self.path_edit = QLineEdit()
            self.path_edit.textChanged.connect(self.changed)
            self.browse = QPushButton()
            self.browse.clicked.connect(self._choose_file)
            row.addWidget(self.path_edit, 1)
            row.addWidget(self.browse)
            layout.addWidget(w)
            self.label.setBuddy(self.path_edit)
            return w
        else:
            w = QLineEdit()
            w.textChanged.connect(self.changed)
        layout.addWidget(w)
        if f.kind != "multichoice":
            self.label.setBuddy(w)
        return w

    def retranslate(self) -> None:
        f, t = self.field, self.spec.t
        label = t(f.label) + (" *" if f.required else "")
        self.label.setText(label)
        self.help.setText(t(f.help))
        self.help.setVisible(bool(f.help))
        description = t(f.help) + (" " + _("Pflichtfeld.") if f.required else "")
        target = self.path_edit if f.kind == "document" else self.input
        target.setAccessibleName(t(f.label))
        target.setAccessibleDescription(description.strip())
        if f.kind == "choice":
            self.input.view().setAccessibleName(t(f.label))  # the drop-down list
            for i, opt in enumerate(f.options):
                self.input.setItemText(i, t(opt.label))
        elif f.kind == "multichoice":
            self.input.setAccessibleName(t(f.label))
            for cb, opt in zip(self.checkboxes, f.options, strict=True):
                cb.setText(t(opt.label))
                cb.setAccessibleName(f"{t(f.label)}: {t(opt.label)}")
        elif f.kind in ("text", "longtext"):
            self.input.setPlaceholderText(t(f.placeholder))
        elif f.kind == "document" and self.browse is not None:
            self.path_edit.setPlaceholderText(_("Datei wählen oder Pfad eingeben"))
            self.browse.setText(_("Durchsuchen …"))
            # The visible "Durchsuchen …" starts the name (WCAG 2.5.3: what is seen is said).
            self.browse.setAccessibleName(tr("Durchsuchen … ({label})", label=t(f.label)))
            self.browse.setAccessibleDescription(_("Datei auswählen"))

    def _choose_file(self) -> None:
        start = (
            str(Path(self.path_edit.text()).expanduser().parent) if self.path_edit.text() else ""
        )
        path, _sel = QFileDialog.getOpenFileName(
            self,
            self.spec.t(self.field.label),
            start,
            document_filter(),
        )
        if path:
            self.path_edit.setText(path)

    # Values ------------------------------------------------------------------------
    def value(self) -> Any:
        f, w = self.field, self.input
        if f.kind == "choice":
            return w.currentData()
        if f.kind == "multichoice":
            return [cb.property("optionValue") for cb in self.checkboxes if cb.isChecked()]
        if f.kind == "longtext":
            return w.toPlainText()
        if f.kind == "number":
            return w.value()
        if f.kind == "document":
            return self.path_edit.text().strip()
        return w.text()

    def set_value(self, value: Any) -> None:
        f, w = self.field, self.input
        if f.kind == "choice":
            index = w.findData(value)
            if index >= 0:
                w.setCurrentIndex(index)
        elif f.kind == "multichoice":
            chosen = {str(v) for v in (value or [])}
            for cb in self.checkboxes:
                cb.setChecked(cb.property("optionValue") in chosen)
        elif f.kind == "longtext":
            w.setPlainText(str(value or ""))
        elif f.kind == "number":
            if value is not None:
                w.setValue(value)
        elif f.kind == "document":
            self.path_edit.setText(str(value or ""))
        else:
            w.setText(str(value or ""))

    def show_error(self, message: str) -> None:
        self.error.setText(("⚠ " + message) if message else "")
        self.error.setVisible(bool(message))
        target = self.path_edit if self.field.kind == "document" else self.input
        base = self.spec.t(self.field.help)
        if self.field.required:
            base = (base + " " + _("Pflichtfeld.")).strip()  # as retranslate() says it
        target.setAccessibleDescription((message + " " + base).strip() if message else base)


class TaskForm(QWidget):
    """Build with a TaskSpec; ``values()`` gives what the runner needs, ``validate()`` checks."""

    valuesChanged = Signal()
    submitted = Signal(dict)

    def __init__(
        self,
        spec: TaskSpec,
        parent: QWidget | None = None,
        *,
        values: dict[str, Any] | None = None,
        show_submit: bool = True,
    ) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName(f"taskForm_{spec.id}")
        layout = QVBoxLayout(self)
        self.title = PlainLabel()
        self.title.setObjectName("taskTitle")
        self.title.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.description = PlainLabel()
        self.description.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.description)
        self.rows: dict[str, _FieldRow] = {}
        for f in spec.fields:
            row = _FieldRow(spec, f, self)
            row.changed.connect(self._on_change)
            layout.addWidget(row)
            self.rows[f.name] = row
        self.submit_button: QPushButton | None = None
        if show_submit:
            self.submit_button = QPushButton()
            self.submit_button.setDefault(True)
            self.submit_button.clicked.connect(self.submit)
            layout.addWidget(self.submit_button)
        layout.addStretch(1)
        self._loading = False
        self.set_values({**spec.defaults(), **(values or {})})
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.spec.t(self.spec.title))
        self.description.setText(self.spec.t(self.spec.description))
        for row in self.rows.values():
            row.retranslate()
        if self.submit_button is not None:
            self.submit_button.setText(_("Starten"))
            self.submit_button.setAccessibleName(
                tr("„{task}“ starten", task=self.spec.t(self.spec.title))
            )

    def values(self) -> dict[str, Any]:
        return {name: row.value() for name, row in self.rows.items()}

    def set_values(self, values: dict[str, Any]) -> None:
        self._loading = True
        try:
            for name, value in values.items():
                if name in self.rows:
                    self.rows[name].set_value(value)
        finally:
            self._loading = False
        self._update_visibility()

    def field_widget(self, name: str) -> QWidget:
        row = self.rows[name]
        return row.path_edit if row.field.kind == "document" else row.input

    def is_field_shown(self, name: str) -> bool:
        return not self.rows[name].isHidden()

    def _update_visibility(self) -> None:
        visible = {f.name for f in self.spec.visible_fields(self.values())}
        for name, row in self.rows.items():
            row.setHidden(name not in visible)

    def _on_change(self) -> None:
        if self._loading:
            return
        self._update_visibility()
        sender = self.sender()
        if isinstance(sender, _FieldRow) and not sender.error.isHidden():
            sender.show_error("")
        self.valuesChanged.emit()

    def validate(self) -> dict[str, str]:
        """Show problems beside their fields and focus the first; empty dict when all is fine."""
        problems = self.spec.validate(self.values())
        for name, row in self.rows.items():
            row.show_error(problems.get(name, ""))
        if problems:
            first = next(iter(problems))
            self.field_widget(first).setFocus()
        return problems

    def submit(self) -> None:
        if not self.validate():
            self.submitted.emit(self.values())
