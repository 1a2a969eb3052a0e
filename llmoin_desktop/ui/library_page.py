"""The document library page: add files/folders (buttons or drag and drop), progress with
Stop, one row per document with its status and, for rejected files, the reason in words a
clerk understands; remove, re-scan. Widgets only; :class:`LibraryController` holds the logic.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.messages import show_message
from llmoin_desktop.ui.plain_text import PlainLabel, verbatim
from llmoin_desktop.ui.style import ACCENT
from llmoin_desktop.ui.watched_folders import WatchedFoldersBox

PAGE_STYLE = f"""
QLabel#libraryNotice, QLabel#libraryMessage {{ border-radius: 4px; padding: 6px 8px; color: #1b2a3a; }}
QLabel#libraryNotice, QLabel#libraryMessage[kind="info"] {{ background: #e8f1fb; border: 1px solid {ACCENT}; }}
QLabel#libraryMessage[kind="error"] {{ background: #fdecea; border: 1px solid #d9534f; }}
QLabel#librarySummary, QLabel#libraryStatus {{ color: #3b4a59; }}
QLabel#dropHint {{ color: #3b4a59; border: 1px dashed #9aa7b4; border-radius: 6px; padding: 10px; background: #ffffff; }}
QTableWidget#documentTable::item:selected {{ background: #d6e6f5; color: #1b2a3a; }}
"""

# status → (German label shown in the table, marker that does not rely on colour)
STATUS_TEXT = {
    "indexed": _("Eingelesen"),
    "rejected": _("Abgelehnt"),
    "pending": _("Wartet auf Einlesen"),
    "missing": _("Datei fehlt"),
}
STATUS_MARK = {"indexed": "✓", "rejected": "✗", "pending": "…", "missing": "?"}
COLUMNS = (_("Datei"), _("Status"), _("Seiten"), _("Grund / Hinweis"), _("Ordner"))


def dropped_paths(mime: object) -> list[str]:
    """Local files and folders in a drag's data (links and text are ignored)."""
    if mime is None or not mime.hasUrls():  # type: ignore[attr-defined]
        return []
    out = []
    for url in mime.urls():  # type: ignore[attr-defined]
        if url.isLocalFile() and Path(url.toLocalFile()).exists():
            out.append(url.toLocalFile())
    return out


class LibraryPage(QWidget):
    back_requested = Signal()
    add_files_requested = Signal()
    add_folder_requested = Signal()
    paths_dropped = Signal(list)
    stop_requested = Signal()
    rescan_requested = Signal()
    remove_requested = Signal(str)
    ask_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("libraryPage")
        self.setAcceptDrops(True)
        self.setStyleSheet(PAGE_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 12, 24, 12)
        layout.setSpacing(8)

        head = QHBoxLayout()
        self.back_button = QPushButton(_("← Zur Übersicht"))
        self.back_button.setObjectName("libraryBackButton")
        name(self.back_button, _("Zur Übersicht"), _("Zurück zur Aufgabenübersicht"))
        self.title = PlainLabel(_("Dokumentbibliothek"))
        self.title.setObjectName("viewTitle")
        self.ask_button = QPushButton(_("Dokumente fragen →"))
        self.ask_button.setObjectName("libraryAskButton")
        name(self.ask_button, _("Dokumente fragen"), _("Fragen an die Dokumente der Bibliothek"))
        head.addWidget(self.back_button)
        head.addSpacing(12)
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.ask_button)
        layout.addLayout(head)

        intro = PlainLabel(
            _(
                "Hier sammeln Sie die Dokumente, die „Dokumente fragen“ durchsucht. Die Dateien "
                "bleiben, wo sie sind; die Bibliothek merkt sich nur ihren Inhalt."
            )
        )
        intro.setObjectName("fieldHelp")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.server_label = PlainLabel("")
        self.server_label.setObjectName("libraryServer")
        self.server_label.setWordWrap(True)
        self.server_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.server_label.hide()
        layout.addWidget(self.server_label)

        tools = QHBoxLayout()
        self.add_files_button = QPushButton(_("Dateien hinzufügen …"))
        self.add_files_button.setObjectName("primaryButton")
        self.add_files_button.setToolTip(_("PDF, DOCX, ODT, TXT, MD … auswählen (Strg+O)"))
        name(self.add_files_button, _("Dateien hinzufügen"), _("Dateien auswählen (Strg+O)"))
        self.add_folder_button = QPushButton(_("Ordner hinzufügen …"))
        self.add_folder_button.setObjectName("addFolderButton")
        name(
            self.add_folder_button,
            _("Ordner hinzufügen"),
            _("Alle lesbaren Dateien eines Ordners und seiner Unterordner aufnehmen"),
        )
        self.rescan_button = QPushButton(_("Neu einlesen"))
        self.rescan_button.setObjectName("rescanButton")
        self.rescan_button.setToolTip(_("Geänderte und neue Dateien einlesen (F5)"))
        name(
            self.rescan_button,
            _("Neu einlesen"),
            _("Geänderte, neue und verschwundene Dateien erkennen (F5)"),
        )
        self.remove_button = QPushButton(_("Entfernen"))
        self.remove_button.setObjectName("removeButton")
        self.remove_button.setToolTip(_("Gewähltes Dokument aus der Bibliothek entfernen (Entf)"))
        name(
            self.remove_button,
            _("Dokument entfernen"),
            _(
                "Entfernt das gewählte Dokument aus der Bibliothek; die Datei bleibt erhalten (Entf)"
            ),
        )
        self.remove_button.setEnabled(False)
        for b in (self.add_files_button, self.add_folder_button, self.rescan_button):
            tools.addWidget(b)
        tools.addStretch(1)
        tools.addWidget(self.remove_button)
        layout.addLayout(tools)

        self.drop_hint = PlainLabel(_("Dateien oder Ordner hierher ziehen, um sie aufzunehmen."))
        self.drop_hint.setObjectName("dropHint")
        self.drop_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.drop_hint)

        progress_row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setObjectName("libraryProgress")
        self.progress.setTextVisible(True)
        self.progress.setFormat("%v / %m")
        name(self.progress, _("Fortschritt beim Einlesen"))
        self.stop_button = QPushButton(_("Stopp"))
        self.stop_button.setObjectName("libraryStopButton")
        self.stop_button.setToolTip(_("Einlesen anhalten (Esc)"))
        name(self.stop_button, _("Stopp"), _("Einlesen anhalten; Eingelesenes bleibt (Esc)"))
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.stop_button)
        self.progress_box = QWidget()
        self.progress_box.setObjectName("libraryProgressBox")
        self.progress_box.setLayout(progress_row)
        progress_row.setContentsMargins(0, 0, 0, 0)
        self.progress_box.hide()
        layout.addWidget(self.progress_box)
        self.status_label = PlainLabel("")
        self.status_label.setObjectName("libraryStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)

        self.notice = PlainLabel("")
        self.notice.setObjectName("libraryNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        layout.addWidget(self.notice)
        self.message = PlainLabel("")
        self.message.setObjectName("libraryMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        layout.addWidget(self.message)

        self.folders_box = WatchedFoldersBox()  # watched folders, on/off, offline (issue 11)
        layout.addWidget(self.folders_box)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("documentTable")
        self.table.setHorizontalHeaderLabels([_(c) for c in COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (keyboard-only use)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 230)
        self.table.setColumnWidth(4, 180)
        name(
            self.table,
            _("Dokumente der Bibliothek"),
            _("Datei, Status, Seiten, Grund bei abgelehnten Dateien und Ordner"),
        )
        layout.addWidget(self.table, 1)
        self.summary = PlainLabel("")
        self.summary.setObjectName("librarySummary")
        layout.addWidget(self.summary)

        self.back_button.clicked.connect(self.back_requested)
        self.ask_button.clicked.connect(self.ask_requested)
        self.add_files_button.clicked.connect(self.add_files_requested)
        self.add_folder_button.clicked.connect(self.add_folder_requested)
        self.rescan_button.clicked.connect(self.rescan_requested)
        self.stop_button.clicked.connect(self.stop_requested)
        self.remove_button.clicked.connect(self._emit_remove)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        for seq, slot in (
            ("Ctrl+O", self._add_files_shortcut),
            ("F5", self._rescan_shortcut),
            (QKeySequence(Qt.Key.Key_Escape), self._stop_shortcut),
        ):
            sc = QShortcut(QKeySequence(seq), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self._emit_remove)

    # Drag and drop ------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        paths = dropped_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.paths_dropped.emit(paths)

    # Shortcuts and selection --------------------------------------------------------------
    def _add_files_shortcut(self) -> None:
        if self.add_files_button.isEnabled():
            self.add_files_requested.emit()

    def _rescan_shortcut(self) -> None:
        if self.rescan_button.isEnabled():
            self.rescan_requested.emit()

    def _stop_shortcut(self) -> None:
        if self.progress_box.isVisible() and self.stop_button.isEnabled():
            self.stop_requested.emit()

    def selected_path(self) -> str:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return ""
        item = self.table.item(rows[0].row(), 0)
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else ""

    def _selection_changed(self) -> None:
        self.remove_button.setEnabled(bool(self.selected_path()) and not self.is_busy())

    def _emit_remove(self) -> None:
        path = self.selected_path()
        if path and self.remove_button.isEnabled():
            self.remove_requested.emit(path)

    # Used by the controller ---------------------------------------------------------------
    def focus_first(self) -> None:
        self.add_files_button.setFocus()

    def is_busy(self) -> bool:
        return not self.progress_box.isHidden()

    def set_busy(self, busy: bool) -> None:
        had_stop = self.stop_button.hasFocus()
        self.progress_box.setVisible(busy)
        self.stop_button.setEnabled(busy)
        for b in (self.add_files_button, self.add_folder_button, self.rescan_button):
            b.setEnabled(not busy)
        self.remove_button.setEnabled(not busy and bool(self.selected_path()))
        if busy:
            self.progress.setRange(0, 0)
            self.stop_button.setFocus()
        elif had_stop:
            self.add_files_button.setFocus()

    def show_progress(self, step: int, total: int | None, text: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(step)
        else:
            self.progress.setRange(0, 0)
        self.progress.setAccessibleDescription(text)
        self.status_label.setText(text)

    def set_status(self, text: str) -> None:
        self.status_label.setText(text)

    def set_server(self, server: str, online: bool = True) -> None:
        """Which server the department's library is shared on ("" hides the line)."""
        if not server:
            self.server_label.hide()
            return
        if online:
            text = tr("Gemeinsame Bibliothek der Abteilung auf {server}", server=server)
        else:
            text = tr(
                "Gemeinsame Bibliothek der Abteilung auf {server} (Server nicht erreichbar: "
                "Sie sehen den letzten Stand)",
                server=server,
            )
        self.server_label.setText(text)
        self.server_label.setAccessibleName(text)
        self.server_label.show()

    def set_notices(self, notices: list[str]) -> None:
        self.notice.setText("\n".join(notices))
        self.notice.setAccessibleName(" ".join(notices))
        self.notice.setVisible(bool(notices))

    def show_message(self, text: str, kind: str = "info") -> None:
        show_message(self.message, text, kind)

    def message_text(self) -> str:
        return self.message.accessibleName() if not self.message.isHidden() else ""

    def set_documents(self, docs: list) -> None:  # list[DocumentRecord]
        selected = self.selected_path()
        self.table.setRowCount(len(docs))
        counts: dict[str, int] = {}
        for row, d in enumerate(docs):
            counts[d.status] = counts.get(d.status, 0) + 1
            path = Path(d.path)
            status = f"{STATUS_MARK.get(d.status, '')} {_(STATUS_TEXT.get(d.status, d.status))}"
            reason = d.message or "; ".join(d.warnings)
            cells = [
                path.name,
                status.strip(),
                str(d.n_pages) if d.n_pages else "",
                reason,
                str(path.parent),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(verbatim(d.path if col in (0, 4) else text))
                if col == 0:
                    item.setData(Qt.ItemDataRole.UserRole, d.path)
                self.table.setItem(row, col, item)
            if d.path == selected:
                self.table.selectRow(row)
        self.table.resizeRowsToContents()
        self.summary.setText(summary_text(len(docs), counts))
        self.summary.setAccessibleName(self.summary.text())
        self._selection_changed()

    def row_of(self, path: str) -> int:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == path:
                return row
        return -1

    def cell(self, path: str, column: int) -> str:
        row = self.row_of(path)
        item = self.table.item(row, column) if row >= 0 else None
        return item.text() if item else ""


def summary_text(total: int, counts: dict[str, int]) -> str:
    if not total:
        return _("Noch keine Dokumente. Fügen Sie Dateien oder einen Ordner hinzu.")
    parts = [tr("{n} eingelesen", n=counts.get("indexed", 0))]
    if counts.get("rejected"):
        parts.append(tr("{n} abgelehnt", n=counts["rejected"]))
    if counts.get("pending"):
        parts.append(tr("{n} wartend", n=counts["pending"]))
    if counts.get("missing"):
        parts.append(tr("{n} fehlen", n=counts["missing"]))
    if total == 1:
        return tr("1 Dokument: {parts}", parts=", ".join(parts))
    return tr("{total} Dokumente: {parts}", total=total, parts=", ".join(parts))
