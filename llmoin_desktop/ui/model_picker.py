"""Model picker: what is installed, what each model is, which ones can chat."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.engine.catalog import ModelInfo, chat_template_note
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.plain_text import PlainLabel, verbatim


def context_label(n: int) -> str:
    return f"{n:,}".replace(",", ".") + " " + _("Token") if n else "?"


class ModelPicker(QDialog):
    """Lists models from the catalogue; models without a chat template are flagged, not offered."""

    load_requested = Signal(object)  # ModelInfo
    rescan_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Modell wählen"))
        self.setMinimumSize(960, 420)
        name(self, _("Modell wählen"))
        self.models: list[ModelInfo] = []
        self.current_path: str = ""

        layout = QVBoxLayout(self)
        intro = PlainLabel(
            _(
                "Wählen Sie das Sprachmodell, mit dem gearbeitet wird. Größere Modelle antworten "
                "besser, brauchen aber mehr Arbeitsspeicher und Zeit."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        columns = [
            _("Name"),
            _("Parameter"),
            _("Quantisierung"),
            _("Größe"),
            _("Kontext"),
            _("Chat-Vorlage"),
        ]
        self.table = QTableWidget(0, len(columns))
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(32)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (WCAG 2.1.2: no trap)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(columns)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        name(self.table, _("Verfügbare Modelle"), _("Tabelle der gefundenen Modelldateien"))
        layout.addWidget(self.table, 1)

        self.detail = PlainLabel("")
        self.detail.setWordWrap(True)
        self.detail.setObjectName("pickerDetail")
        layout.addWidget(self.detail)

        buttons = QHBoxLayout()
        self.rescan_button = QPushButton(_("Erneut suchen"))
        name(self.rescan_button, _("Erneut suchen"), _("Modellordner neu durchsuchen"))
        self.load_button = QPushButton(_("Laden"))
        self.load_button.setObjectName("primaryButton")
        self.load_button.setDefault(True)
        name(self.load_button, _("Laden"), _("Ausgewähltes Modell laden"))
        self.close_button = QPushButton(_("Schließen"))
        name(self.close_button, _("Schließen"))
        buttons.addWidget(self.rescan_button)
        buttons.addStretch(1)
        buttons.addWidget(self.load_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

        self.table.itemSelectionChanged.connect(self._update_selection)
        self.table.itemDoubleClicked.connect(lambda _item: self._request_load())
        self.load_button.clicked.connect(self._request_load)
        self.close_button.clicked.connect(self.reject)
        self.rescan_button.clicked.connect(self._rescan)
        self.set_scanning()

    def set_scanning(self) -> None:
        self.detail.setText(_("Modelle werden gesucht …"))
        self.load_button.setEnabled(False)

    def _rescan(self) -> None:
        self.set_scanning()
        self.rescan_requested.emit()

    def set_models(self, models: list[ModelInfo], current_path: str = "") -> None:
        self.models = list(models)
        self.current_path = current_path
        self.table.setRowCount(len(self.models))
        bold = QFont()
        bold.setBold(True)
        select_row = 0
        for row, info in enumerate(self.models):
            label = info.name + (" " + _("(Demo)") if info.is_demo else "")
            if str(info.path) == current_path:
                label += " – " + _("geladen")
                select_row = row
            ok = info.usable_for_chat
            template = _("ja") if info.has_chat_template else _("fehlt – nicht für Chat")
            if info.has_chat_template and info.template_source != "gguf":
                template = _("von der IT festgelegt")
            if info.reasoning:
                template += " · " + _("denkt vor der Antwort")
            if info.vocab_note:
                template += " · " + _("Chat-Vorlage passt nicht zum Vokabular")
            if info.problem:
                template = _("Datei fehlerhaft")
            values = (
                label,
                info.params_label,
                info.quantization or "?",
                info.size_label,
                context_label(info.context_length),
                template,
            )
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                tip = chat_template_note(info) or info.vocab_note or value
                item.setToolTip(verbatim(str(info.path) if col == 0 else tip))
                if not ok:
                    item.setForeground(Qt.GlobalColor.darkGray)
                    font = item.font()
                    font.setItalic(True)
                    item.setFont(font)
                if str(info.path) == current_path:
                    item.setFont(bold)
                self.table.setItem(row, col, item)
        if not self.models:
            self.detail.setText(
                _(
                    "Keine Modelle gefunden. Legen Sie GGUF-Dateien in den Modellordner oder "
                    "fragen Sie Ihre IT."
                )
            )
            self.load_button.setEnabled(False)
            return
        self.table.selectRow(select_row)
        self._update_selection()

    def selected(self) -> ModelInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.models[rows[0].row()]

    def _update_selection(self) -> None:
        info = self.selected()
        if info is None:
            self.load_button.setEnabled(False)
            return
        note = chat_template_note(info)
        self.load_button.setEnabled(info.usable_for_chat)
        if note:
            self.detail.setText(tr("Nicht verwendbar: {note}", note=note))
        else:
            self.detail.setText(tr("Datei: {path}", path=info.path))

    def _request_load(self) -> None:
        info = self.selected()
        if info is None or not info.usable_for_chat:
            return
        self.load_requested.emit(info)
        self.accept()
