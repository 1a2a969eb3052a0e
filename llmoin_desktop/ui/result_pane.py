"""The result of a guided task: editable text, a table view for extractions, the original
beside a plain-language rewrite, and the follow-up actions (copy, regenerate, refine, export).

Widgets only; the task controller decides what the buttons do. Streaming appends at the end
of the document without re-laying out the whole text, and the editor is read-only while the
model writes so the clerk's edits and the stream never collide.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.tasks.tables import parse_markdown_table
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.factcheck_stream import StreamCheck
from llmoin_desktop.ui.factcheck_view import FactCheckBar
from llmoin_desktop.ui.messages import show_message
from llmoin_desktop.ui.page_parts import titled_column
from llmoin_desktop.ui.plain_text import PlainLabel
from llmoin_desktop.ui.reasoning_box import ReasoningBox


class ResultPane(QWidget):
    regenerate_requested = Signal()
    refine_requested = Signal(str)  # refinement id
    export_requested = Signal()
    copied = Signal()
    # The whole text was replaced (a result, a history entry; "" when cleared): the extra
    # views of ui/result_views.py (proofreading diff, synopsis) redraw from it.
    text_replaced = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPane")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)

        head = PlainLabel(_("Ergebnis"))
        head.setObjectName("sectionTitle")
        layout.addWidget(head)

        self.editor = QPlainTextEdit()
        self.editor.setObjectName("resultEditor")
        self.editor.setTabChangesFocus(True)
        self.editor.setPlaceholderText(
            _("Hier erscheint das Ergebnis. Sie können es danach direkt bearbeiten.")
        )
        name(
            self.editor,
            _("Ergebnis"),
            _("Vom Modell erzeugter Text; nach dem Erzeugen bearbeitbar"),
        )

        self.table = QTableWidget()
        self.table.setObjectName("resultTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (WCAG 2.1.2: no trap)
        name(self.table, _("Ergebnis als Tabelle"), _("Zum Bearbeiten die Ansicht „Text“ wählen"))

        self.tabs = QTabWidget()
        self.tabs.setObjectName("resultTabs")
        self.tabs.addTab(self.table, _("Tabelle"))
        self.tabs.addTab(self.editor, _("Text"))
        self.tabs.tabBar().setAccessibleName(_("Ansicht des Ergebnisses"))
        name(self.tabs, _("Ansicht des Ergebnisses"))
        self.tabs.currentChanged.connect(self._on_tab_changed)

        self.original = QPlainTextEdit()
        self.original.setObjectName("resultOriginal")
        self.original.setReadOnly(True)
        self.original.setTabChangesFocus(True)
        name(self.original, _("Originaltext"), _("Der Ausgangstext, zum Vergleich"))
        self.original_box, _label = titled_column(_("Original"), self.original)
        result_box, self.result_label = titled_column(_("Neu formuliert"), self.tabs)
        # Fact check (issue 19): summary line and jump button above the result.
        self.factcheck = FactCheckBar(self.editor, self)
        layout.addWidget(self.factcheck)
        layout.addWidget(self.factcheck.detail)
        # ... and while the model writes: marks on the sentences so far (provisional).
        self.stream_check = StreamCheck(self.editor.toPlainText, parent=self)
        self.stream_check.checked.connect(self.factcheck.set_partial)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.original_box)
        self.splitter.addWidget(result_box)
        layout.addWidget(self.splitter, 1)
        self.reasoning = ReasoningBox()  # a reasoning model's thinking, collapsed, not exported
        layout.addWidget(self.reasoning)

        row = QHBoxLayout()
        self.copy_button = QPushButton(_("Kopieren"))
        self.copy_button.setObjectName("copyButton")
        name(self.copy_button, _("Kopieren"), _("Ergebnis in die Zwischenablage kopieren"))
        self.regenerate_button = QPushButton(_("Neu erzeugen"))
        self.regenerate_button.setObjectName("regenerateButton")
        name(
            self.regenerate_button,
            _("Neu erzeugen"),
            _("Mit denselben Angaben ein neues Ergebnis erzeugen"),
        )
        self.export_button = QPushButton(_("Als Word-Datei speichern …"))
        self.export_button.setObjectName("exportButton")
        self.export_button.setToolTip(_("Als Word-Datei speichern (Strg+S)"))
        name(
            self.export_button,
            _("Als Word-Datei speichern"),
            _("Ergebnis als DOCX-Datei mit Briefkopf speichern (Strg+S)"),
        )
        row.addWidget(self.copy_button)
        row.addWidget(self.regenerate_button)
        row.addStretch(1)
        row.addWidget(self.export_button)
        layout.addLayout(row)

        self.refine_row = QHBoxLayout()
        self.refine_label = PlainLabel(_("Überarbeiten:"))
        self.refine_row.addWidget(self.refine_label)
        self.refine_row.addStretch(1)
        layout.addLayout(self.refine_row)
        self.refine_buttons: dict[str, QPushButton] = {}

        self.message = PlainLabel("")
        self.message.setObjectName("resultMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        layout.addWidget(self.message)

        self.ai_note = PlainLabel(_("KI-erzeugt – bitte prüfen."))
        self.ai_note.setObjectName("aiNote")
        self.ai_note.setToolTip(
            _("Das Ergebnis wurde von einer KI erzeugt und kann Fehler enthalten.")
        )
        layout.addWidget(self.ai_note)

        self.copy_button.clicked.connect(self.copy)
        self.regenerate_button.clicked.connect(self.regenerate_requested)
        self.export_button.clicked.connect(self.export_requested)
        self._table_kind = False
        self.confirm_copy: Callable[[], bool] | None = None  # set by the task controller
        self.set_show_original(False)
        self.set_table_mode(False)
        self.set_has_result(False)

    # Configuration ---------------------------------------------------------------------
    def set_refinements(self, items: list[tuple[str, str]]) -> None:
        """(id, label) pairs from the task spec, in its order."""
        for button in self.refine_buttons.values():
            self.refine_row.removeWidget(button)
            button.deleteLater()
        self.refine_buttons = {}
        for index, (rid, label) in enumerate(items):
            button = QPushButton(label)
            button.setObjectName(f"refine_{rid}")
            name(button, label, tr("Ergebnis überarbeiten: {label}", label=label))
            button.clicked.connect(lambda _c=False, r=rid: self.refine_requested.emit(r))
            button.setEnabled(self.copy_button.isEnabled())  # only once there is a result
            self.refine_row.insertWidget(1 + index, button)
            self.refine_buttons[rid] = button
        self.refine_label.setVisible(bool(items))

    def set_show_original(self, show: bool) -> None:
        self.original_box.setVisible(show)
        self.result_label.setVisible(show)

    def set_table_mode(self, table: bool) -> None:
        self._table_kind = table
        self.tabs.setTabVisible(0, table)
        self.tabs.tabBar().setVisible(table)
        # A hidden tab bar is the tab widget's focus proxy: Tab would get stuck on it.
        self.tabs.setFocusPolicy(Qt.FocusPolicy.TabFocus if table else Qt.FocusPolicy.NoFocus)
        self.tabs.setCurrentWidget(self.editor)

    # Content ---------------------------------------------------------------------------
    def show_check(self, report: object, footer: str = "") -> None:
        """The fact check of the text now shown (None: no sources, nothing to show);
        ``footer`` is the app's note under the answer, left out of re-checks."""
        self.factcheck.set_report(report, footer=footer)  # type: ignore[arg-type]

    def clear(self) -> None:
        self.factcheck.set_report(None)
        self.editor.clear()
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.tabs.setCurrentWidget(self.editor)
        self.show_message("")
        self.text_replaced.emit("")

    def begin_stream(self) -> None:
        self.stream_check.stop()
        self.clear()
        self.reasoning.clear()
        self.editor.setReadOnly(True)

    def append(self, text: str) -> None:
        cursor = QTextCursor(self.editor.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        bar = self.editor.verticalScrollBar()
        bar.setValue(bar.maximum())
        self.stream_check.feed()

    def end_stream(self) -> None:
        self.stream_check.stop()  # the check of the finished result follows
        self.editor.setReadOnly(False)

    def set_text(self, text: str) -> None:
        self.editor.setPlainText(text)
        self.text_replaced.emit(text)
        if self._table_kind and self.fill_table():
            self.tabs.setCurrentWidget(self.table)

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_original(self, text: str) -> None:
        self.original.setPlainText(text)

    def fill_table(self) -> bool:
        """Table view from the first Markdown table in the text; False when there is none."""
        parsed = parse_markdown_table(self.text())
        self.table.clear()
        if parsed is None:
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            return False
        header, rows = parsed
        self.table.setColumnCount(len(header))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels(header)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(cell))
        self.table.resizeRowsToContents()
        return True

    def _on_tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.table:
            self.fill_table()

    def set_has_result(self, has: bool) -> None:
        """Actions need a finished result; the editor keeps whatever text is there."""
        for button in (self.copy_button, self.regenerate_button, self.export_button):
            button.setEnabled(has)
        for button in self.refine_buttons.values():
            button.setEnabled(has)

    def set_busy(self, busy: bool) -> None:
        if busy:
            self.set_has_result(False)

    def show_message(self, text: str, kind: str = "info") -> None:
        """Export results and problems; the prefix says what it is (not only a colour)."""
        show_message(self.message, text, kind)

    def copy(self) -> None:
        if self.confirm_copy is not None and not self.confirm_copy():
            return  # IT wants a confirmation for unsupported figures; the clerk said no
        QGuiApplication.clipboard().setText(self.text())
        self.show_message(_("Das Ergebnis wurde in die Zwischenablage kopiert."))
        self.copied.emit()
