"""The "Dokumente fragen" page: question, scope (whole library or chosen documents), Fragen /
Stopp, the streamed answer with clickable [n] markers, and the sources list (file, page,
section, quoted passage). Widgets only; :class:`AskController` holds the logic.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.tasks.spec import TaskSpec
from llmoin_desktop.ui.a11y import mark_required, name
from llmoin_desktop.ui.ask_answer import (
    answer_html,
    answer_part,
    link_citations,
    replace_in_place,
    trim_ends,
)
from llmoin_desktop.ui.factcheck_stream import StreamCheck
from llmoin_desktop.ui.factcheck_view import FactCheckBar
from llmoin_desktop.ui.messages import show_message
from llmoin_desktop.ui.page_parts import RunPage, add_page_head, add_side_by_side, page_layout
from llmoin_desktop.ui.plain_text import PlainLabel, verbatim
from llmoin_desktop.ui.reasoning_box import ReasoningBox
from llmoin_desktop.ui.task_page import PAGE_STYLE

ASK_STYLE = (
    PAGE_STYLE
    + """
QTextBrowser#askAnswer, QPlainTextEdit#askQuestion, QListWidget#sourceList, QListWidget#scopeList {
    background: #ffffff; border: 1px solid #b8c2cc; border-radius: 4px; padding: 4px; font-size: 11pt;
}
QTextBrowser#askAnswer:focus, QPlainTextEdit#askQuestion:focus, QListWidget#sourceList:focus,
QListWidget#scopeList:focus { border: 2px solid #1f5f99; }
QListWidget#sourceList::item { padding: 6px 4px; border-bottom: 1px solid #e1e6eb; color: #1b2a3a; }
QListWidget#sourceList::item:selected { background: #d6e6f5; color: #1b2a3a; }
QListWidget#scopeList:disabled { background: #f0f2f4; color: #8a949e; }
QLabel#libraryState { color: #3b4a59; }
QGroupBox#scopeGroup { border: none; background: transparent; margin-top: 1.3em; font-weight: 600; }
QGroupBox#scopeGroup::title { subcontrol-origin: margin; left: 0; padding: 0; }
QGroupBox#scopeGroup QRadioButton { font-weight: normal; }
"""
)


def source_text(citation: Any, any_cited: bool = False) -> str:
    head = f"[{citation.n}] {citation.label()}"
    if any_cited and not citation.cited:
        head += " – " + _("in der Antwort nicht zitiert")
    quote = " ".join(str(citation.quote or "").split())
    return f"{head}\n„{quote}“" if quote else head


class AskPage(RunPage):
    library_requested = Signal()
    ask_requested = Signal()
    citation_requested = Signal(int)  # source number n
    export_requested = Signal()
    copy_requested = Signal()

    def __init__(self, spec: TaskSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName(f"askPage_{spec.id}")
        self.setStyleSheet(ASK_STYLE)
        layout = page_layout(self)
        self.back_button, self.title, head = add_page_head(
            layout, spec.t(spec.title), back_name="askBackButton"
        )
        self.library_button = QPushButton(_("Bibliothek verwalten …"))
        self.library_button.setObjectName("askLibraryButton")
        name(
            self.library_button,
            _("Bibliothek verwalten"),
            _("Dokumente hinzufügen, neu einlesen oder entfernen"),
        )
        head.addWidget(self.library_button)

        # Left: question and scope -----------------------------------------------------------
        left = QWidget()
        left.setObjectName("askLeft")
        lbox = QVBoxLayout(left)
        lbox.setContentsMargins(0, 0, 8, 0)
        q_field = spec.field("frage")
        q_label = PlainLabel(spec.t(q_field.label) if q_field else _("Ihre Frage"))
        q_label.setObjectName("sectionTitle")
        self.question = QPlainTextEdit()
        self.question.setObjectName("askQuestion")
        self.question.setTabChangesFocus(True)
        if q_field and q_field.placeholder:
            self.question.setPlaceholderText(spec.t(q_field.placeholder))
        self.question.setMaximumHeight(110)
        q_label.setBuddy(self.question)
        name(
            self.question,
            spec.t(q_field.label) if q_field else _("Ihre Frage"),
            spec.t(q_field.help) if q_field and q_field.help else "",
        )
        lbox.addWidget(q_label)
        lbox.addWidget(self.question)
        if q_field and q_field.help:
            hint = PlainLabel(spec.t(q_field.help))
            hint.setObjectName("fieldHelp")
            hint.setWordWrap(True)
            lbox.addWidget(hint)

        if q_field is not None and q_field.required:
            q_label.setText(q_label.text() + " *")  # as the task forms mark required fields
            mark_required(self.question, self.question.accessibleDescription())

        s_field = spec.field("umfang")
        # A group box, not a loose label: Orca says "Suchen in" when entering the radios
        # (WCAG 1.3.1), and the radios are one group for the arrow keys.
        scope_box = QGroupBox(spec.t(s_field.label) if s_field else _("Suchen in"))
        scope_box.setObjectName("scopeGroup")
        scope_box.setFlat(True)
        scope_layout = QVBoxLayout(scope_box)
        scope_layout.setContentsMargins(0, 4, 0, 0)
        lbox.addWidget(scope_box)
        labels = {o.value: spec.t(o.label) for o in (s_field.options if s_field else [])}
        self.scope_all = QRadioButton(labels.get("bibliothek", _("Ganze Bibliothek")))
        self.scope_all.setObjectName("scopeAll")
        name(self.scope_all, self.scope_all.text())
        self.scope_selected = QRadioButton(labels.get("auswahl", _("Ausgewählte Dokumente")))
        self.scope_selected.setObjectName("scopeSelected")
        name(self.scope_selected, self.scope_selected.text())
        self.scope_group = QButtonGroup(self)
        self.scope_group.addButton(self.scope_all)
        self.scope_group.addButton(self.scope_selected)
        self.scope_all.setChecked(True)
        scope_layout.addWidget(self.scope_all)
        scope_layout.addWidget(self.scope_selected)
        for radio in (self.scope_all, self.scope_selected):
            radio.setAccessibleDescription(scope_box.title())
        self.scope_list = QListWidget()
        self.scope_list.setObjectName("scopeList")
        self.scope_list.setEnabled(False)
        self.scope_list.setMinimumHeight(90)
        name(
            self.scope_list,
            _("Dokumente für die Suche"),
            _("Leertaste hakt ein Dokument an oder ab"),
        )
        lbox.addWidget(self.scope_list, 1)
        self.library_state = PlainLabel("")
        self.library_state.setObjectName("libraryState")
        self.library_state.setWordWrap(True)
        lbox.addWidget(self.library_state)

        self.ask_button = self._add_run_controls(
            lbox,
            _("Fragen"),
            _("Frage an die Dokumente stellen (Strg+Enter)"),
            _("Antwort abbrechen (Esc)"),
            stop_name="askStopButton",
            progress_name="askProgress",
        )

        # Right: answer and sources -----------------------------------------------------------
        right = QWidget()
        right.setObjectName("askRight")
        rbox = QVBoxLayout(right)
        rbox.setContentsMargins(8, 0, 0, 0)
        a_label = PlainLabel(_("Antwort"))
        a_label.setObjectName("columnTitle")
        self.answer = QTextBrowser()
        self.answer.setObjectName("askAnswer")
        self.answer.setOpenLinks(False)
        self.answer.setOpenExternalLinks(False)
        # A caret for the keyboard: the arrow keys reach every checked figure (F9 opens its
        # source), not only the flagged ones F8 selects.
        self.answer.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        name(
            self.answer,
            _("Antwort"),
            _("Die Zahlen in eckigen Klammern verweisen auf die Quellen darunter"),
        )
        self.ai_note = PlainLabel(
            _("KI-generiert – bitte anhand der Quellen prüfen. Die Antwort entscheidet nichts.")
        )
        self.ai_note.setObjectName("aiNote")
        self.ai_note.setWordWrap(True)
        src_label = PlainLabel(_("Quellen (anklicken öffnet das Dokument an der Stelle)"))
        src_label.setObjectName("columnTitle")
        self.sources = QListWidget()
        self.sources.setObjectName("sourceList")
        self.sources.setWordWrap(True)
        self.sources.setResizeMode(QListView.ResizeMode.Adjust)
        self.sources.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.sources.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sources.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.sources.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.sources.setFrameShape(QFrame.Shape.StyledPanel)
        name(
            self.sources,
            src_label.text(),  # the visible title, whole (WCAG 2.5.3)
            _("Datei, Seite, Abschnitt und zitierte Stelle; Eingabetaste öffnet das Dokument"),
        )
        src_label.setBuddy(self.sources)
        actions = QHBoxLayout()
        self.open_button = QPushButton(_("Quelle öffnen"))
        self.open_button.setObjectName("openSourceButton")
        name(self.open_button, _("Quelle öffnen"), _("Gewählte Quelle an der Fundstelle öffnen"))
        self.copy_button = QPushButton(_("Kopieren"))
        self.copy_button.setObjectName("askCopyButton")
        name(self.copy_button, _("Kopieren"), _("Antwort mit Quellen in die Zwischenablage"))
        self.export_button = QPushButton(_("Als Word-Datei speichern …"))
        self.export_button.setObjectName("askExportButton")
        self.export_button.setToolTip(_("Antwort mit Quellen als DOCX speichern (Strg+S)"))
        name(
            self.export_button,
            _("Als Word-Datei speichern"),
            _("Antwort mit Quellen und Zitaten als DOCX speichern (Strg+S)"),
        )
        for b in (self.open_button, self.copy_button, self.export_button):
            b.setEnabled(False)
        actions.addWidget(self.open_button)
        actions.addStretch(1)
        actions.addWidget(self.copy_button)
        actions.addWidget(self.export_button)
        self.result_message = PlainLabel("")
        self.result_message.setObjectName("resultMessage")
        self.result_message.setWordWrap(True)
        self.result_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_message.hide()
        rbox.addWidget(a_label)
        # Fact check of the answer against the cited passages (issue 19, docs/factcheck.md):
        # the same bar and marks as the task result pane.
        self.factcheck = FactCheckBar(self.answer, self)
        self.factcheck.summary.setObjectName("askFactCheck")
        self.check_line = self.factcheck.summary
        # ... and while the model writes: the sentences so far, provisional and silent (the
        # controller hands it the passages once the search is done).
        self.stream_check = StreamCheck(self.streamed_answer, parent=self)
        self.stream_check.checked.connect(self.factcheck.set_partial)
        rbox.addWidget(self.factcheck)
        rbox.addWidget(self.answer, 2)
        rbox.addWidget(self.factcheck.detail)
        self.reasoning = ReasoningBox()  # a reasoning model's thinking, collapsed, never cited
        rbox.addWidget(self.reasoning)
        rbox.addWidget(self.ai_note)
        rbox.addWidget(src_label)
        rbox.addWidget(self.sources, 3)
        rbox.addLayout(actions)
        rbox.addWidget(self.result_message)

        self.splitter = add_side_by_side(
            layout, left, right, object_name="askSplitter", sizes=[380, 620]
        )

        self.library_button.clicked.connect(self.library_requested)
        self.ask_button.clicked.connect(self._emit_ask)
        self.scope_selected.toggled.connect(self.scope_list.setEnabled)
        self.answer.anchorClicked.connect(self._anchor)
        self.sources.itemClicked.connect(self._item_chosen)
        self.sources.itemActivated.connect(self._item_chosen)
        self.sources.itemSelectionChanged.connect(
            lambda: self.open_button.setEnabled(bool(self.sources.selectedItems()))
        )
        self.open_button.clicked.connect(self._open_selected)
        self.copy_button.clicked.connect(self.copy_requested)
        self.export_button.clicked.connect(self.export_requested)
        for seq, slot in (
            ("Ctrl+Return", self._emit_ask),
            ("Ctrl+Enter", self._emit_ask),
            (QKeySequence(Qt.Key.Key_Escape), self._stop_shortcut),
            ("Ctrl+S", self._export_shortcut),
        ):
            sc = QShortcut(QKeySequence(seq), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)

    # Signals from widgets -------------------------------------------------------------------
    def _emit_ask(self) -> None:
        if self.ask_button.isEnabled():
            self.ask_requested.emit()

    def _export_shortcut(self) -> None:
        if self.export_button.isEnabled():
            self.export_requested.emit()

    def _anchor(self, url: QUrl) -> None:
        if url.scheme() == "cite" and url.path().isdigit():
            self.citation_requested.emit(int(url.path()))

    def _item_chosen(self, item: QListWidgetItem) -> None:
        n = item.data(Qt.ItemDataRole.UserRole)
        if n:
            self.citation_requested.emit(int(n))

    def _open_selected(self) -> None:
        items = self.sources.selectedItems()
        if items:
            self._item_chosen(items[0])

    # Used by the controller -----------------------------------------------------------------
    def focus_first(self) -> None:
        self.question.setFocus()

    def question_text(self) -> str:
        return self.question.toPlainText().strip()

    def chosen_documents(self) -> list[str]:
        out = []
        for i in range(self.scope_list.count()):
            item = self.scope_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def set_documents(self, docs: list[Any]) -> None:
        """Indexed documents as checkable entries; earlier ticks are kept."""
        ticked = set(self.chosen_documents())
        self.scope_list.clear()
        indexed = [d for d in docs if d.status == "indexed"]
        for d in indexed:
            item = QListWidgetItem(Path(d.path).name)
            item.setToolTip(verbatim(d.path))
            item.setData(Qt.ItemDataRole.UserRole, d.path)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if d.path in ticked else Qt.CheckState.Unchecked
            )
            self.scope_list.addItem(item)
        if indexed:
            self.library_state.setText(tr("{n} Dokumente in der Bibliothek.", n=len(indexed)))
        else:
            self.library_state.setText(
                _(
                    "Die Bibliothek ist noch leer. Über „Bibliothek verwalten …“ Dokumente hinzufügen."
                )
            )

    def tick_documents(self, paths: list[str]) -> None:
        # Compare resolved paths: a history entry or a caller may name the file via a link.
        wanted = {os.path.realpath(p) for p in paths}
        for i in range(self.scope_list.count()):
            item = self.scope_list.item(i)
            state = os.path.realpath(str(item.data(Qt.ItemDataRole.UserRole))) in wanted
            item.setCheckState(Qt.CheckState.Checked if state else Qt.CheckState.Unchecked)

    def set_busy(self, busy: bool) -> None:
        self._set_run_busy(busy, self.ask_button)
        for w in (self.question, self.scope_all, self.scope_selected):
            w.setEnabled(not busy)
        self.scope_list.setEnabled(not busy and self.scope_selected.isChecked())
        for b in (self.copy_button, self.export_button):
            b.setEnabled(False if busy else b.isEnabled())

    def show_result_message(self, text: str, kind: str = "info") -> None:
        show_message(self.result_message, text, kind)

    def show_check(self, report: Any) -> None:
        """ "5 Angaben geprüft: 4 belegt, …" above the answer, marks in it; spoken when
        something is missing from the cited passages."""
        self.factcheck.set_report(report)

    def begin_answer(self) -> None:
        self.stream_check.stop()
        self.factcheck.set_report(None)
        self._streamed = ""
        self.answer.clear()
        self.reasoning.clear()
        self.sources.clear()
        self.open_button.setEnabled(False)
        self.show_result_message("")

    def append_answer(self, text: str) -> None:
        """Insert the new piece at the end: a screen reader hears only the new words (one
        ``text-changed:insert`` each), not the whole answer again per token."""
        self._streamed = getattr(self, "_streamed", "") + text
        cursor = QTextCursor(self.answer.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text, QTextCharFormat())
        bar = self.answer.verticalScrollBar()
        bar.setValue(bar.maximum())
        self.stream_check.feed()

    def streamed_answer(self) -> str:
        """What the live check looks at: the answer so far, not the sources list after it."""
        return answer_part(self.answer.toPlainText())

    def set_answer(self, text: str) -> None:
        """The final answer with its [n] markers as links. When the streamed text is already
        there, only what differs is changed and the markers become links in place
        (formatting, no text change), so the answer is not read out a second time."""
        if text and self.answer.toPlainText():
            trim_ends(self.answer.document())  # the runner strips the answer
            replace_in_place(self.answer.document(), text.strip())
            link_citations(self.answer.document())
        else:
            self.answer.setHtml(answer_html(text))
        self.answer.setAccessibleDescription(
            _("Die Zahlen in eckigen Klammern verweisen auf die Quellen darunter")
        )

    def answer_text(self) -> str:
        return self.answer.toPlainText()

    def set_sources(self, citations: list[Any]) -> None:
        self.sources.clear()
        any_cited = any(c.cited for c in citations)
        for c in citations:
            item = QListWidgetItem(source_text(c, any_cited))
            item.setData(Qt.ItemDataRole.UserRole, c.n)
            item.setToolTip(_("Klicken oder Eingabetaste: Dokument an dieser Stelle öffnen"))
            if any_cited and not c.cited:  # the text says so too; grey only repeats it
                item.setForeground(QColor("#5c6670"))
            self.sources.addItem(item)
        if citations:
            self.sources.setCurrentRow(0)

    def set_has_result(self, has: bool) -> None:
        self.copy_button.setEnabled(has)
        self.export_button.setEnabled(has)
