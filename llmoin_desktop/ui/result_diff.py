"""Korrekturlesen: the proposed changes as a list the clerk accepts or rejects one by one.

The diff itself is computed in the Qt-free core (:func:`core.tasks.proofread.word_diff`)
between the original (the result pane's "Original") and the model's corrected text. Every
change starts accepted; unticking one puts the original words back. The resulting text goes
into the result editor, so copy, export and history use exactly what the clerk decided.
Space toggles the current change (item views do that for check boxes), so the list works
without a mouse.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.tasks.proofread import WordDiff, word_diff
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.plain_text import PlainLabel


class DiffView(QWidget):
    """Changes with a check box each, "Alle übernehmen"/"Alle ablehnen", the resulting text."""

    def __init__(self, pane: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultDiff")
        self.pane = pane
        self.diff: WordDiff | None = None
        self.corrected = ""
        self._filling = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)

        self.summary = PlainLabel("")
        self.summary.setObjectName("diffSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        self.table = QTableWidget(0, 2)
        self.table.setObjectName("diffTable")
        self.table.setHorizontalHeaderLabels([_("Änderung"), _("Zusammenhang")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 260)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list; Space decides
        name(
            self.table,
            _("Vorgeschlagene Änderungen"),
            _("Jede Änderung mit Leertaste übernehmen oder ablehnen"),
        )
        layout.addWidget(self.table, 2)

        row = QHBoxLayout()
        self.accept_all = QPushButton(_("Alle übernehmen"))
        self.accept_all.setObjectName("diffAcceptAll")
        name(self.accept_all, _("Alle übernehmen"), _("Alle vorgeschlagenen Änderungen übernehmen"))
        self.reject_all = QPushButton(_("Alle ablehnen"))
        self.reject_all.setObjectName("diffRejectAll")
        name(self.reject_all, _("Alle ablehnen"), _("Den ursprünglichen Text behalten"))
        row.addWidget(self.accept_all)
        row.addWidget(self.reject_all)
        row.addStretch(1)
        layout.addLayout(row)

        label = PlainLabel(_("Ergebnis mit den übernommenen Änderungen"))
        label.setObjectName("columnTitle")
        layout.addWidget(label)
        self.resulting = QPlainTextEdit()
        self.resulting.setObjectName("diffResult")
        self.resulting.setReadOnly(True)
        self.resulting.setTabChangesFocus(True)
        name(
            self.resulting,
            _("Ergebnis mit den übernommenen Änderungen"),
            _("Zum Bearbeiten die Ansicht „Text“ wählen"),
        )
        label.setBuddy(self.resulting)
        layout.addWidget(self.resulting, 1)

        self.table.itemChanged.connect(self._on_item_changed)
        self.accept_all.clicked.connect(lambda: self.set_all(True))
        self.reject_all.clicked.connect(lambda: self.set_all(False))
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(0)
        self._render_timer.timeout.connect(self.render)
        self._show_empty(_("Hier erscheinen die vorgeschlagenen Änderungen."))

    # Input -----------------------------------------------------------------------------
    def set_corrected(self, text: str) -> None:
        """The model's corrected text (a new run, or one reopened from the history)."""
        self.corrected = text
        self._render_timer.start()  # after the controller has also set the original

    def original(self) -> str:
        return self.pane.original.toPlainText()  # type: ignore[attr-defined]

    def render(self) -> None:
        original = self.original()
        if not self.corrected.strip():
            self._show_empty(_("Hier erscheinen die vorgeschlagenen Änderungen."))
            return
        if not original.strip():
            self._show_empty(
                _("Der Ausgangstext ist nicht verfügbar; es wird nur der korrigierte Text gezeigt.")
            )
            return
        self.diff = word_diff(original, self.corrected)
        self._fill()
        self._apply()

    # Decisions -------------------------------------------------------------------------
    def accepted(self) -> list[int]:
        out = []
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def set_accepted(self, index: int, accepted: bool) -> None:
        item = self.table.item(index, 0)
        if item is not None:
            item.setCheckState(Qt.CheckState.Checked if accepted else Qt.CheckState.Unchecked)

    def set_all(self, accepted: bool) -> None:
        self._filling = True
        for r in range(self.table.rowCount()):
            self.set_accepted(r, accepted)
        self._filling = False
        self._apply()

    def result_text(self) -> str:
        return self.diff.apply(self.accepted()) if self.diff else self.corrected

    # Internals -------------------------------------------------------------------------
    def _show_empty(self, text: str) -> None:
        self.diff = None
        self._filling = True
        self.table.setRowCount(0)
        self._filling = False
        self.summary.setText(text)
        self.resulting.setPlainText("")
        for button in (self.accept_all, self.reject_all):
            button.setEnabled(False)

    def _fill(self) -> None:
        assert self.diff is not None
        changes = self.diff.changes
        self._filling = True
        self.table.setRowCount(len(changes))
        for r, change in enumerate(changes):
            item = QTableWidgetItem(change.describe())
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            item.setCheckState(Qt.CheckState.Checked)
            item.setData(Qt.ItemDataRole.UserRole, change.index)
            self.table.setItem(r, 0, item)
            context = (
                f"… {change.before}[{change.old.strip()} → {change.new.strip()}]{change.after} …"
            )
            self.table.setItem(r, 1, QTableWidgetItem(" ".join(context.split())))
        self.table.resizeRowsToContents()
        self._filling = False
        for button in (self.accept_all, self.reject_all):
            button.setEnabled(bool(changes))

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if not self._filling and item.column() == 0:
            self._apply()

    def _apply(self) -> None:
        if self.diff is None:
            return
        text = self.result_text()
        n, accepted = len(self.diff.changes), len(self.accepted())
        self.summary.setText(
            tr("{n} Änderungen vorgeschlagen, {k} übernommen.", n=n, k=accepted)
            if n
            else _("Keine Änderungen vorgeschlagen: der Text ist unverändert.")
        )
        self.resulting.setPlainText(text)
        editor = self.pane.editor  # type: ignore[attr-defined]
        if editor.toPlainText() != text:
            editor.setPlainText(text)
