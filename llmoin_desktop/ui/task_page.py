"""The page of one guided task: its form (built from the spec), Erzeugen/Stopp, progress and
the result pane. Widgets only; :class:`TaskController` holds the logic.

A file can be dropped anywhere on the page (also onto the text fields, which would otherwise
swallow it as a ``file://`` line): the page takes it for the task's document field.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QFrame,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.tasks.spec import TaskSpec
from llmoin_desktop.ui.estimate_bar import EstimateBar
from llmoin_desktop.ui.page_parts import RunPage, add_page_head, add_side_by_side, page_layout
from llmoin_desktop.ui.plain_text import PlainLabel
from llmoin_desktop.ui.result_pane import ResultPane
from llmoin_desktop.ui.result_views import attach_result_view
from llmoin_desktop.ui.style import ACCENT
from llmoin_desktop.ui.task_form import TaskForm

PAGE_STYLE = f"""
QPushButton#generateButton {{ background: {ACCENT}; color: #ffffff; border-color: {ACCENT}; font-weight: 600; }}
QPushButton#generateButton:hover {{ background: #174a78; }}
QPushButton#generateButton:focus {{ border: 2px solid #0b2740; }}
QPushButton#generateButton:disabled {{ background: #9fb6cc; border-color: #9fb6cc; color: #f4f6f8; }}
QLabel#sectionTitle, QLabel#columnTitle {{ font-weight: 600; color: #1b2a3a; }}
QLabel#taskStatus {{ color: #3b4a59; }}
QLabel#taskMessage, QLabel#resultMessage {{ border-radius: 4px; padding: 6px 8px; color: #1b2a3a; }}
QLabel#taskMessage[kind="error"], QLabel#resultMessage[kind="error"] {{ background: #fdecea; border: 1px solid #d9534f; }}
QLabel#taskMessage[kind="info"], QLabel#resultMessage[kind="info"] {{ background: #e8f1fb; border: 1px solid {ACCENT}; }}
QPlainTextEdit#resultEditor, QPlainTextEdit#resultOriginal {{
    background: #ffffff; border: 1px solid #b8c2cc; border-radius: 4px; padding: 6px; font-size: 11pt;
}}
QPlainTextEdit#resultOriginal {{ background: #f7f8f9; }}
QPlainTextEdit#resultEditor:focus, QPlainTextEdit#resultOriginal:focus {{ border: 2px solid {ACCENT}; }}
QWidget#taskFormInner {{ background: transparent; }}
"""


def dropped_file(mime: object) -> str | None:
    """The first local file in a drag's data, or None (text, web links, folders)."""
    if mime is None or not mime.hasUrls():  # type: ignore[attr-defined]
        return None
    for url in mime.urls():  # type: ignore[attr-defined]
        if url.isLocalFile() and Path(url.toLocalFile()).is_file():
            return url.toLocalFile()
    return None


class TaskPage(RunPage):
    generate_requested = Signal()
    file_dropped = Signal(str)

    def __init__(self, spec: TaskSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName(f"taskPage_{spec.id}")
        self.setAcceptDrops(True)
        self.setStyleSheet(PAGE_STYLE)
        layout = page_layout(self)
        self.back_button, self.title, _head = add_page_head(
            layout, spec.t(spec.title), back_name="backButton"
        )

        # Left: form, buttons, progress --------------------------------------------------
        left = QWidget()
        left.setObjectName("taskLeft")
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 8, 0)
        self.form = TaskForm(spec, show_submit=False)
        self.form.title.hide()  # the page title says it already
        self.form.layout().setContentsMargins(0, 0, 6, 0)
        if spec.source_field is not None:
            # Most clerks choose a file; a smaller paste box keeps the choices in view.
            self.form.field_widget(spec.source_field.name).setMaximumHeight(120)
        scroll = QScrollArea()
        scroll.setObjectName("taskFormScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)
        self.form_scroll = scroll
        left_box.addWidget(scroll, 1)

        self.drop_hint = PlainLabel(_("Tipp: Sie können eine Datei auch auf diese Seite ziehen."))
        self.drop_hint.setObjectName("fieldHelp")
        self.drop_hint.setWordWrap(True)
        self.drop_hint.setVisible(spec.document_field is not None)
        left_box.addWidget(self.drop_hint)

        self.estimate = EstimateBar()  # expected time; long documents: gründlich / schnell
        left_box.addWidget(self.estimate)

        self.generate_button = self._add_run_controls(
            left_box,
            _("Erzeugen"),
            _("Ergebnis erzeugen (Strg+Enter)"),
            _("Erzeugen abbrechen (Esc)"),
            stop_name="stopButton",
            progress_name="taskProgress",
        )

        # Right: result -------------------------------------------------------------------
        self.result = ResultPane()
        self.result.set_refinements([(r.id, spec.t(r.label)) for r in spec.refinements])
        self.result.set_show_original(spec.export.get("show_original", "") == "true")
        self.result.set_table_mode(spec.output == "table")
        self.result_view = attach_result_view(self.result, spec)  # diff / synopsis, else None

        self.splitter = add_side_by_side(
            layout, left, self.result, object_name="taskSplitter", sizes=[400, 600]
        )

        self.back_button.clicked.connect(self.back_requested)
        self.generate_button.clicked.connect(self._emit_generate)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(seq), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)  # only while shown
            shortcut.activated.connect(self._emit_generate)
        stop = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        stop.setContext(Qt.ShortcutContext.WindowShortcut)
        stop.activated.connect(self._stop_shortcut)
        save = QShortcut(QKeySequence("Ctrl+S"), self)
        save.setContext(Qt.ShortcutContext.WindowShortcut)
        save.activated.connect(self._export_shortcut)
        self._catch_drops()

    # Drag and drop ------------------------------------------------------------------------
    def _catch_drops(self) -> None:
        """Text fields accept drops themselves; filter them so a file always reaches us."""
        for widget in self.findChildren(QWidget):
            if widget.acceptDrops():
                widget.installEventFilter(self)
            if isinstance(widget, QAbstractScrollArea):
                widget.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if dropped_file(event.mimeData()) is not None:  # type: ignore[attr-defined]
                event.acceptProposedAction()  # type: ignore[attr-defined]
                return True
        elif event.type() == QEvent.Type.Drop:
            path = dropped_file(event.mimeData())  # type: ignore[attr-defined]
            if path is not None:
                event.acceptProposedAction()  # type: ignore[attr-defined]
                self.file_dropped.emit(path)
                return True
        return super().eventFilter(watched, event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        if dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        path = dropped_file(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.file_dropped.emit(path)

    # Shortcuts ----------------------------------------------------------------------------
    def _emit_generate(self) -> None:
        if self.generate_button.isEnabled():
            self.generate_requested.emit()

    def _export_shortcut(self) -> None:
        if self.result.export_button.isEnabled():
            self.result.export_requested.emit()

    # Used by the controller ---------------------------------------------------------------
    def focus_first(self) -> None:
        """Focus the first visible form field (the window calls this when the page opens)."""
        for field_name, row in self.form.rows.items():
            if not row.isHidden():
                self.form.field_widget(field_name).setFocus()
                return
        self.generate_button.setFocus()

    def set_busy(self, busy: bool) -> None:
        self._set_run_busy(busy, self.generate_button)
        self.form.setEnabled(not busy)
        self.result.set_busy(busy)

    def describe_file(self, path: str) -> str:
        return tr("Datei übernommen: {name}", name=Path(path).name)
