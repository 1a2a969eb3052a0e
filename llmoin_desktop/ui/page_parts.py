"""Parts the full-window pages share: the page frame, the head row with "← Zur Übersicht", the
two-column splitter, and (:class:`RunPage`) the run/Stop block with busy state and progress.

One place so that the pages look and behave alike (margins, focus after Stop, message prefix)
and the guided tours find the same object names everywhere.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.i18n import _
from llmoin_desktop.ui.a11y import announce, forget_announcement, name
from llmoin_desktop.ui.messages import show_message
from llmoin_desktop.ui.plain_text import PlainLabel, verbatim


def page_layout(page: QWidget) -> QVBoxLayout:
    layout = QVBoxLayout(page)
    layout.setContentsMargins(24, 12, 24, 12)
    layout.setSpacing(8)
    return layout


def add_page_head(
    layout: QBoxLayout, title: str, *, back_name: str = ""
) -> tuple[QPushButton, QLabel, QHBoxLayout]:
    """Back button and title, left-aligned; the caller may add buttons at the right end."""
    head = QHBoxLayout()
    back = QPushButton(_("← Zur Übersicht"))
    if back_name:
        back.setObjectName(back_name)
    name(back, _("Zur Übersicht"), _("Zurück zur Aufgabenübersicht"))
    label = PlainLabel(title)
    label.setObjectName("viewTitle")
    head.addWidget(back)
    head.addSpacing(12)
    head.addWidget(label)
    head.addStretch(1)
    layout.addLayout(head)
    return back, label, head


def titled_column(title: str, widget: QWidget, *, buddy: bool = False) -> tuple[QWidget, QLabel]:
    """A column title above a widget that takes the rest of the height."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    label = PlainLabel(title)
    label.setObjectName("columnTitle")
    if buddy:
        label.setBuddy(widget)
    column.addWidget(label)
    column.addWidget(widget, 1)
    return box, label


def add_side_by_side(
    layout: QBoxLayout, left: QWidget, right: QWidget, *, object_name: str, sizes: list[int]
) -> QSplitter:
    """Input on the left (2 parts, at least 300 px), result on the right (3 parts)."""
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.setObjectName(object_name)
    splitter.setChildrenCollapsible(False)
    splitter.addWidget(left)
    splitter.addWidget(right)
    splitter.setStretchFactor(0, 2)
    splitter.setStretchFactor(1, 3)
    splitter.setSizes(sizes)
    left.setMinimumWidth(300)
    layout.addWidget(splitter, 1)
    return splitter


class RunPage(QWidget):
    """A page that runs one job at a time: run + Stop, progress, status and message."""

    back_requested = Signal()
    stop_requested = Signal()

    stop_button: QPushButton
    progress: QProgressBar
    status_label: QLabel
    message: QLabel

    def _add_run_controls(
        self,
        layout: QBoxLayout,
        run_text: str,
        run_description: str,
        stop_description: str,
        *,
        stop_name: str,
        progress_name: str,
    ) -> QPushButton:
        """Run + Stop, a thin progress bar, a status line and a message label; returns the run
        button (each page names it itself). Object names stay stable for the guided tours."""
        buttons = QHBoxLayout()
        run_button = QPushButton(run_text)
        run_button.setObjectName("generateButton")
        run_button.setToolTip(verbatim(run_description))
        name(run_button, run_text, run_description)
        self.stop_button = QPushButton(_("Stopp"))
        self.stop_button.setObjectName(stop_name)
        self.stop_button.setToolTip(_("Abbrechen (Esc)"))
        name(self.stop_button, _("Stopp"), stop_description)
        self.stop_button.setEnabled(False)
        buttons.addWidget(run_button, 1)
        buttons.addWidget(self.stop_button)
        layout.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setObjectName(progress_name)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        name(self.progress, _("Fortschritt"))
        self.progress.hide()
        layout.addWidget(self.progress)
        self.status_label = PlainLabel("")
        self.status_label.setObjectName("taskStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        self.message = PlainLabel("")
        self.message.setObjectName("taskMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        layout.addWidget(self.message)
        self.stop_button.clicked.connect(self.stop_requested)
        return run_button

    def _set_run_busy(self, busy: bool, run_button: QPushButton) -> None:
        """Focus moves to Stop and back, so keyboard users never lose their place.

        Also when the run was started with Ctrl+Enter from a form field: the form is disabled
        for the run, and Qt would otherwise leave no focused object at all (WCAG 2.4.3)."""
        focus = QApplication.focusWidget()
        inside = focus is None or focus is self or self.isAncestorOf(focus)
        had_run = run_button.hasFocus() or (busy and inside)
        had_stop = (
            self.stop_button.hasFocus()
            or (not busy and focus is None)
            or getattr(self, "_stop_had_focus", False)
        )
        self._stop_had_focus = False
        self.stop_button.setEnabled(busy)
        if busy and had_run and self.isVisible():
            self.stop_button.setFocus(Qt.FocusReason.OtherFocusReason)
        run_button.setEnabled(not busy)
        if busy:
            self.progress.setRange(0, 0)
            self.progress.show()
        else:
            self.progress.hide()
            if had_stop and self.isVisible():
                run_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def begin_stop(self) -> None:
        """Stop pressed: Stop greys out until the job has ended; remember that it had the
        focus, so the focus goes to the run button then (not wherever Qt moved it meanwhile)."""
        self._stop_had_focus = self.stop_button.hasFocus()
        self.stop_button.setEnabled(False)

    def _stop_shortcut(self) -> None:
        if self.stop_button.isEnabled():
            self.stop_requested.emit()

    def show_progress(self, fraction: float | None, text: str) -> None:
        if fraction is None:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(fraction * 1000))
        self.progress.setAccessibleDescription(text)
        self.set_status(text)

    def set_status(self, text: str) -> None:
        self.status_label.setText(text)
        if text:
            announce(self.status_label, text)  # "Wird vorbereitet …", "Fertig (3 s)", …
        else:
            forget_announcement(self.status_label)

    def show_message(self, text: str, kind: str = "error") -> None:
        show_message(self.message, text, kind)

    def message_text(self) -> str:
        return self.message.accessibleName() if not self.message.isHidden() else ""
