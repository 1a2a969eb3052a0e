"""The library page's list of watched folders: one checkable row per folder (watch on/off),
its state in words (watched, not watched, offline, set by IT). Widgets only; the
LibraryController applies a toggle and feeds the rows from core/library/watch.py.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.library.watch import WatchedFolder
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.plain_text import PlainLabel, verbatim


def folder_state(folder: WatchedFolder) -> str:
    """The state shown behind a folder (never colour alone)."""
    if not folder.online:
        return _("offline – nicht erreichbar; die Dokumente bleiben in der Bibliothek")
    if folder.policy:
        return _("wird überwacht (von der IT vorgegeben)")
    return _("wird überwacht") if folder.watch else _("nicht überwacht")


class WatchedFoldersBox(QWidget):
    """Hidden while the library has no folders."""

    watch_toggled = Signal(str, bool)  # folder, watch on

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("watchedFolders")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.title = PlainLabel(
            _("Überwachte Ordner (neue und geänderte Dateien werden von selbst eingelesen)")
        )
        self.title.setObjectName("fieldHelp")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.list = QListWidget()
        self.list.setObjectName("watchedFolderList")
        self.list.setMaximumHeight(90)
        name(
            self.list,
            _("Überwachte Ordner"),
            _("Häkchen: Ordner wird überwacht. Leertaste schaltet die Überwachung um."),
        )
        layout.addWidget(self.list)
        self.list.itemChanged.connect(self._changed)
        self._filling = False
        self.hide()

    def set_folders(self, folders: list[WatchedFolder]) -> None:
        self._filling = True
        try:
            self.list.clear()
            for folder in folders:
                text = tr("{folder} – {state}", folder=folder.path, state=folder_state(folder))
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, folder.path)
                item.setToolTip(verbatim(text))
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if not folder.policy:
                    flags |= Qt.ItemFlag.ItemIsUserCheckable
                item.setFlags(flags)
                checked = folder.watch or folder.policy
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                self.list.addItem(item)
        finally:
            self._filling = False
        self.setVisible(bool(folders))

    def rows(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def _changed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        on = item.checkState() == Qt.CheckState.Checked
        self.watch_toggled.emit(str(item.data(Qt.ItemDataRole.UserRole)), on)
