"""Step "Formularfelder" of the task editor: the list of fields and the editor of one field.

The clerk names a field in her words; ids, option values and ``show_if`` tables are derived on
save (core/tasks/builder.py). Every control has an accessible name; the list and the editor are
one Tab sequence.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.i18n import _
from llmoin_desktop.core.tasks.builder import DraftField
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.plain_text import PlainLabel


def kind_labels() -> list[tuple[str, str]]:
    return [
        ("text", _("Kurzer Text")),
        ("longtext", _("Langer Text")),
        ("choice", _("Auswahl (eine)")),
        ("multichoice", _("Mehrfachauswahl")),
        ("document", _("Dokument")),
        ("number", _("Zahl")),
    ]


class FieldsStep(QWidget):
    """The fields of the draft; emits ``changed`` on every edit (the preview follows)."""

    changed = Signal()
    renamed = Signal(str, str)  # old, new label: the instructions' chips follow

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields: list[DraftField] = []
        self._loading = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        intro = PlainLabel(
            _(
                "Welche Angaben soll die Sachbearbeiterin machen? Jedes Feld wird ein Eingabefeld "
                "im Formular."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.list = QListWidget()
        self.list.setObjectName("builderFieldList")
        name(self.list, _("Felder"), _("Die Felder des Formulars in ihrer Reihenfolge"))
        self.list.setMaximumHeight(150)
        row.addWidget(self.list, 1)
        buttons = QVBoxLayout()
        self.add_button = QPushButton(_("Feld hinzufügen"))
        self.add_button.setObjectName("builderAddField")
        self.remove_button = QPushButton(_("Feld entfernen"))
        self.up_button = QPushButton(_("Nach oben"))
        self.down_button = QPushButton(_("Nach unten"))
        for button, description in (
            (self.add_button, _("Ein neues Feld am Ende anlegen")),
            (self.remove_button, _("Das gewählte Feld entfernen")),
            (self.up_button, _("Das gewählte Feld eine Stelle nach oben")),
            (self.down_button, _("Das gewählte Feld eine Stelle nach unten")),
        ):
            name(button, button.text(), description)
            buttons.addWidget(button)
        buttons.addStretch(1)
        row.addLayout(buttons)
        layout.addLayout(row)

        self.editor = QWidget()
        form = QFormLayout(self.editor)
        form.setContentsMargins(0, 8, 0, 0)
        self.label_edit = QLineEdit()
        self.label_edit.setObjectName("builderFieldLabel")
        self.kind = QComboBox()
        self.kind.setObjectName("builderFieldKind")
        for kind, text in kind_labels():
            self.kind.addItem(text, kind)
        self.help_edit = QLineEdit()
        self.default_edit = QLineEdit()
        self.required = QCheckBox(_("Pflichtfeld"))
        self.options = QPlainTextEdit()
        self.options.setObjectName("builderFieldOptions")
        self.options.setMaximumHeight(90)
        self.options_label = PlainLabel(_("Auswahlmöglichkeiten (eine je Zeile)"))
        self.show_if = QComboBox()
        self.show_if.setObjectName("builderShowIf")
        self.show_values = QListWidget()
        self.show_values.setObjectName("builderShowValues")
        self.show_values.setMaximumHeight(80)
        self.show_values_label = PlainLabel(_("… bei dieser Auswahl"))
        for label, widget in (
            (_("Feldname"), self.label_edit),
            (_("Art"), self.kind),
            (_("Hilfetext"), self.help_edit),
            (_("Vorgabe"), self.default_edit),
        ):
            form.addRow(label, widget)
            name(widget, label)
        form.addRow("", self.required)
        name(self.required, _("Pflichtfeld"))
        form.addRow(self.options_label, self.options)
        name(self.options, _("Auswahlmöglichkeiten"), _("Eine Auswahlmöglichkeit je Zeile"))
        form.addRow(_("Nur anzeigen, wenn"), self.show_if)
        name(self.show_if, _("Nur anzeigen, wenn"), _("Das Feld erscheint nur bei einer Auswahl"))
        form.addRow(self.show_values_label, self.show_values)
        name(self.show_values, _("Bei dieser Auswahl anzeigen"))
        layout.addWidget(self.editor)
        layout.addStretch(1)

        self.add_button.clicked.connect(self.add_field)
        self.remove_button.clicked.connect(self.remove_field)
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(1))
        self.list.currentRowChanged.connect(self._show_current)
        for edit in (self.label_edit, self.help_edit, self.default_edit):
            edit.textChanged.connect(self._store)
        self.options.textChanged.connect(self._store)
        self.kind.currentIndexChanged.connect(self._store)
        self.required.toggled.connect(self._store)
        self.show_if.currentIndexChanged.connect(self._on_show_if)
        self.show_values.itemChanged.connect(self._store)
        self._show_current(-1)

    # Public -------------------------------------------------------------------------------
    def set_fields(self, fields: list[DraftField]) -> None:
        self.fields = fields
        self._refresh_list()
        self.list.setCurrentRow(0 if fields else -1)
        self._show_current(self.list.currentRow())

    def add_field(self) -> DraftField:
        n = len(self.fields) + 1
        label = _("Feld") + f" {n}"
        while any(f.label == label for f in self.fields):
            n += 1
            label = _("Feld") + f" {n}"
        field = DraftField(label)
        self.fields.append(field)
        self._refresh_list()
        self.list.setCurrentRow(len(self.fields) - 1)
        self.label_edit.setFocus()
        self.label_edit.selectAll()
        self.changed.emit()
        return field

    def remove_field(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.fields):
            del self.fields[row]
            self._refresh_list()
            self.list.setCurrentRow(min(row, len(self.fields) - 1))
            self.changed.emit()

    def move(self, delta: int) -> None:
        row = self.list.currentRow()
        target = row + delta
        if 0 <= row < len(self.fields) and 0 <= target < len(self.fields):
            self.fields[row], self.fields[target] = self.fields[target], self.fields[row]
            self._refresh_list()
            self.list.setCurrentRow(target)
            self.changed.emit()

    def current(self) -> DraftField | None:
        row = self.list.currentRow()
        return self.fields[row] if 0 <= row < len(self.fields) else None

    # Internals ----------------------------------------------------------------------------
    def _refresh_list(self) -> None:
        row = self.list.currentRow()
        self.list.blockSignals(True)
        self.list.clear()
        for f in self.fields:
            self.list.addItem(f.label or _("(ohne Namen)"))
        self.list.blockSignals(False)
        if 0 <= row < len(self.fields):
            self.list.setCurrentRow(row)

    def _show_current(self, row: int) -> None:
        field = self.fields[row] if 0 <= row < len(self.fields) else None
        self.editor.setEnabled(field is not None)
        for button in (self.remove_button, self.up_button, self.down_button):
            button.setEnabled(field is not None)
        self._loading = True
        try:
            f = field or DraftField("")
            self.label_edit.setText(f.label)
            self.kind.setCurrentIndex(max(0, self.kind.findData(f.kind)))
            self.help_edit.setText(f.help)
            self.default_edit.setText(f.default)
            self.required.setChecked(f.required)
            self.options.setPlainText("\n".join(f.options))
            self._fill_show_if(f)
        finally:
            self._loading = False
        self._update_kind_widgets()

    def _fill_show_if(self, f: DraftField) -> None:
        self.show_if.clear()
        self.show_if.addItem(_("(immer anzeigen)"), "")
        for other in self.fields:
            if other is not f and other.kind in ("choice", "multichoice") and other.label:
                self.show_if.addItem(other.label, other.label)
        self.show_if.setCurrentIndex(max(0, self.show_if.findData(f.show_if_field)))
        self._fill_show_values(f)

    def _fill_show_values(self, f: DraftField) -> None:
        self.show_values.clear()
        target = next((o for o in self.fields if o.label == self.show_if.currentData()), None)
        for option in target.options if target else []:
            item = QListWidgetItem(option)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if option in f.show_if_values else Qt.CheckState.Unchecked
            )
            self.show_values.addItem(item)
        self.show_values.setVisible(target is not None)
        self.show_values_label.setVisible(target is not None)

    def _update_kind_widgets(self) -> None:
        choice = self.kind.currentData() in ("choice", "multichoice")
        self.options.setVisible(choice)
        self.options_label.setVisible(choice)
        self.default_edit.setEnabled(self.kind.currentData() != "document")

    def _on_show_if(self) -> None:
        if self._loading:
            return
        f = self.current()
        if f is not None:
            f.show_if_field = self.show_if.currentData() or ""
            f.show_if_values = []
            self._loading = True
            self._fill_show_values(f)
            self._loading = False
            self.changed.emit()

    def _store(self) -> None:
        if self._loading:
            return
        f = self.current()
        if f is None:
            return
        old_label = f.label
        f.label = self.label_edit.text()
        f.kind = self.kind.currentData()
        f.help = self.help_edit.text()
        f.default = self.default_edit.text()
        f.required = self.required.isChecked()
        f.options = [
            line.strip() for line in self.options.toPlainText().splitlines() if line.strip()
        ]
        f.show_if_values = [
            self.show_values.item(i).text()
            for i in range(self.show_values.count())
            if self.show_values.item(i).checkState() == Qt.CheckState.Checked
        ]
        if old_label != f.label:
            for other in self.fields:  # conditions follow a renamed field
                if old_label and other is not f and other.show_if_field == old_label:
                    other.show_if_field = f.label
            item = self.list.currentItem()
            if item is not None:
                item.setText(f.label or _("(ohne Namen)"))
            self.renamed.emit(old_label, f.label)
        self._update_kind_widgets()
        self.changed.emit()
