"""Logic of the history view: load, delete one, delete all (after a question), open one.

Every database call runs on the WorkerPool; the view only shows what came back.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.history import HistoryEntry
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.ui.controllers.history_access import HistoryAccess
from llmoin_desktop.ui.history_view import HistoryView
from llmoin_desktop.ui.workers import WorkerPool


def ask_yes_no(parent: QWidget, question: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, _("Verlauf löschen"), question, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)  # never markup (issue 18)
    yes = box.addButton(_("Alles löschen"), QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(_("Abbrechen"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(QMessageBox.StandardButton.NoButton)
    box.exec()
    return box.clickedButton() is yes


class HistoryController(QObject):
    loaded = Signal()  # the list on screen is up to date
    open_entry = Signal(object)  # HistoryEntry the window routes to its task page

    def __init__(
        self,
        view: HistoryView,
        history: HistoryAccess,
        pool: WorkerPool,
        titles: dict[str, str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.history = history
        self.pool = pool
        self.titles = titles  # task id → title in the UI language
        self.confirm: Callable[[str], bool] = lambda q: ask_yes_no(self.view, q)
        view.open_requested.connect(self.open)
        view.delete_requested.connect(self.delete)
        view.clear_requested.connect(self.clear)

    def refresh(self) -> None:
        history = self.history
        self.pool.call(lambda: history.store().list(), self._show, self._failed, name="history")

    def _show(self, entries: list[HistoryEntry]) -> None:
        self.view.set_entries(entries, self.titles)
        for notice in self.history.pop_notices():  # a salvaged history: say what was kept
            self.view.show_message(notice, "info")
        self.loaded.emit()

    def _failed(self, error: LLMoinError) -> None:
        self.view.show_message(error.user_message)
        self.loaded.emit()

    def open(self, entry_id: int) -> None:
        entry = next((e for e in self.view.entries if e.id == entry_id), None)
        if entry is not None:
            self.open_entry.emit(entry)

    def delete(self, entry_id: int) -> None:
        history = self.history

        def done(_deleted: bool) -> None:
            self.view.show_message(_("Der Eintrag wurde gelöscht."), "info")
            self.refresh()

        self.pool.call(lambda: history.store().delete(entry_id), done, self._failed)

    def clear(self) -> bool:
        count = len(self.view.entries)
        if not count or not self.confirm(
            tr(
                "Wirklich alle {n} Einträge des Verlaufs löschen? Das lässt sich nicht rückgängig machen.",
                n=count,
            )
        ):
            return False
        history = self.history

        def done(n: int) -> None:
            self.view.show_message(tr("{n} Einträge gelöscht.", n=n), "info")
            self.refresh()

        self.pool.call(lambda: history.store().clear(), done, self._failed)
        return True
