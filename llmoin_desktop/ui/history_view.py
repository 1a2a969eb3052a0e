"""The local history: a list of finished results (task, time, source files), a preview, and
open / delete / delete all. Widgets only; :class:`HistoryController` holds the logic."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from llmoin_desktop.core.history import HistoryEntry
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.locale_format import date_time
from llmoin_desktop.ui.messages import show_message
from llmoin_desktop.ui.page_parts import add_page_head, page_layout, titled_column
from llmoin_desktop.ui.plain_text import PlainLabel
from llmoin_desktop.ui.task_page import PAGE_STYLE


def format_time(timestamp: float) -> str:
    return date_time(timestamp)  # in the user's locale (ui/locale_format.py)


class HistoryView(QWidget):
    back_requested = Signal()
    open_requested = Signal(int)  # entry id
    delete_requested = Signal(int)
    clear_requested = Signal()
    selection_changed = Signal(int)  # entry id, -1 for none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyView")
        self.setStyleSheet(PAGE_STYLE)
        layout = page_layout(self)
        self.back_button, _title, head = add_page_head(layout, _("Verlauf"), back_name="backButton")
        self.clear_button = QPushButton(_("Alle löschen …"))
        self.clear_button.setObjectName("historyClearButton")
        name(
            self.clear_button, _("Alle löschen"), _("Den gesamten Verlauf löschen (mit Rückfrage)")
        )
        head.addWidget(self.clear_button)

        self.info = PlainLabel(
            _("Ergebnisse werden nur auf diesem Computer gespeichert. Abgebrochene Läufe nicht.")
        )
        self.info.setObjectName("fieldHelp")
        self.info.setWordWrap(True)
        layout.addWidget(self.info)

        self.table = QTableWidget(0, 3)
        self.table.setObjectName("historyTable")
        self.table.setHorizontalHeaderLabels([_("Aufgabe"), _("Zeit"), _("Quelle")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (keyboard-only use)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        name(
            self.table,
            _("Gespeicherte Ergebnisse"),
            _("Eingabetaste öffnet den Eintrag, Entf löscht ihn"),
        )
        self.preview = QPlainTextEdit()
        self.preview.setObjectName("resultOriginal")
        self.preview.setReadOnly(True)
        self.preview.setTabChangesFocus(True)
        self.preview.setPlaceholderText(_("Eintrag wählen, um das Ergebnis hier zu sehen."))
        name(self.preview, _("Vorschau des Ergebnisses"))
        preview_box, _label = titled_column(_("Vorschau"), self.preview, buddy=True)
        list_box, _label = titled_column(_("Gespeicherte Ergebnisse"), self.table, buddy=True)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(list_box)
        splitter.addWidget(preview_box)
        splitter.setSizes([560, 440])
        layout.addWidget(splitter, 1)

        self.empty_label = PlainLabel(_("Noch keine Ergebnisse gespeichert."))
        self.empty_label.setObjectName("taskStatus")
        layout.addWidget(self.empty_label)
        self.message = PlainLabel("")
        self.message.setObjectName("taskMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)

        row = QHBoxLayout()
        self.open_button = QPushButton(_("Öffnen"))
        self.open_button.setObjectName("historyOpenButton")
        name(self.open_button, _("Öffnen"), _("Eintrag in seiner Aufgabe öffnen (Eingabetaste)"))
        self.delete_button = QPushButton(_("Löschen"))
        self.delete_button.setObjectName("historyDeleteButton")
        name(self.delete_button, _("Löschen"), _("Gewählten Eintrag löschen (Entf)"))
        row.addWidget(self.open_button)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        layout.addLayout(row)

        self.setTabOrder(self.back_button, self.clear_button)
        self.setTabOrder(self.clear_button, self.table)
        self.setTabOrder(self.table, self.preview)
        self.setTabOrder(self.preview, self.open_button)
        self.setTabOrder(self.open_button, self.delete_button)

        self.entries: list[HistoryEntry] = []
        self._focus_table_when_loaded = False
        self.back_button.clicked.connect(self.back_requested)
        self.clear_button.clicked.connect(self.clear_requested)
        self.open_button.clicked.connect(self._open_current)
        self.delete_button.clicked.connect(self._delete_current)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.itemActivated.connect(lambda _item: self._open_current())
        for key, slot in (
            (Qt.Key.Key_Delete, self._delete_current),
            (Qt.Key.Key_Return, self._open_current),
            (Qt.Key.Key_Enter, self._open_current),
        ):
            shortcut = QShortcut(QKeySequence(key), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)
        self.set_entries([], {})

    # Filled by the controller ---------------------------------------------------------
    def set_entries(self, entries: list[HistoryEntry], titles: dict[str, str]) -> None:
        keep = self.current_id()
        self.entries = entries
        self.table.setRowCount(len(entries))
        for r, entry in enumerate(entries):
            task = titles.get(entry.task_id) or entry.title or entry.task_id
            sources = ", ".join(entry.sources) or _("eingefügter Text")
            for c, text in enumerate((task, format_time(entry.created_at), sources)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, entry.id)
                self.table.setItem(r, c, item)
        self.empty_label.setVisible(not entries)
        self.clear_button.setEnabled(bool(entries))
        ids = [e.id for e in entries]
        if entries:
            self.table.selectRow(ids.index(keep) if keep in ids else 0)
        else:
            self.preview.clear()
        self._on_selection()
        if self._focus_table_when_loaded and self.isVisible():
            self._focus_table_when_loaded = False
            self.focus_first()

    def current_id(self) -> int | None:
        row = self.table.currentRow()
        if 0 <= row < len(self.entries) and self.table.selectionModel().hasSelection():
            return self.entries[row].id
        return None

    def current_entry(self) -> HistoryEntry | None:
        entry_id = self.current_id()
        return next((e for e in self.entries if e.id == entry_id), None)

    def show_message(self, text: str, kind: str = "error") -> None:
        show_message(self.message, text, kind)

    def focus_first(self) -> None:
        """The list loads in the background: focus it once it is there (keyboard users)."""
        if self.entries:
            self.table.setFocus()
        else:
            self.back_button.setFocus()
            self._focus_table_when_loaded = True

    # Internal ---------------------------------------------------------------------------
    def _on_selection(self) -> None:
        entry = self.current_entry()
        self.open_button.setEnabled(entry is not None)
        self.delete_button.setEnabled(entry is not None)
        self.preview.setPlainText(entry.result if entry else "")
        if entry is not None:
            self.table.setAccessibleDescription(
                tr(
                    "{n} Einträge. Gewählt: {task}, {time}",
                    n=len(self.entries),
                    task=self.table.item(self.table.currentRow(), 0).text(),
                    time=format_time(entry.created_at),
                )
            )
        self.selection_changed.emit(entry.id if entry else -1)

    def _open_current(self) -> None:
        entry_id = self.current_id()
        if entry_id is not None:
            self.open_requested.emit(entry_id)

    def _delete_current(self) -> None:
        entry_id = self.current_id()
        if entry_id is not None:
            self.delete_requested.emit(entry_id)
