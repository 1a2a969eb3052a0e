"""The tour on screen: the window dimmed, the real target framed, a callout beside it.

The dimming layer lets every mouse click through (exercises happen on the real widgets); the
callout is an ordinary child of the window, so Tab reaches its buttons and a screen reader
reads it. A short timer follows the target when it moves, resizes, scrolls or changes page,
which no single Qt event would tell us reliably across scroll areas and splitters.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.tutorials import Target
from llmoin_desktop.ui.a11y import announce, forget_announcement, name
from llmoin_desktop.ui.plain_text import PlainLabel
from llmoin_desktop.ui.tutorial.runner import TutorialRunner

FRAME_MARGIN = 6
CALLOUT_WIDTH = 380

CALLOUT_STYLE = """
QFrame#tutorialCallout { background: #ffffff; border: 2px solid #1f5f99; border-radius: 8px; }
QLabel#calloutTitle { font-weight: 600; color: #1b2a3a; }
QLabel#calloutText { color: #1b2a3a; }
QLabel#calloutCounter { color: #3b4a59; }
QLabel#calloutStatus { color: #1b2a3a; font-weight: 600; }
QLabel#calloutStatus[done="true"] { color: #17622f; }
"""

HIGH_CONTRAST_CALLOUT_STYLE = """
QFrame#tutorialCallout { background: #000000; border: 3px solid #ffff00; border-radius: 8px; }
QLabel#calloutTitle { font-weight: 700; color: #ffffff; }
QLabel#calloutText, QLabel#calloutCounter, QLabel#calloutStatus { color: #ffffff; }
QLabel#calloutStatus[done="true"] { color: #ffff00; }
"""


def find_target(root: QWidget, target: Target) -> QWidget | None:
    """The first *visible* widget with that object name (and property); pages not shown don't count."""
    candidates = (
        root.findChildren(QWidget, target.object_name)
        if target.object_name
        else root.findChildren(QWidget)
    )
    for widget in candidates:
        if target.prop and str(widget.property(target.prop)) != target.value:
            continue
        if widget.isVisible():
            return widget
    return None


def focus_inside(widget: QWidget) -> QWidget | None:
    """The widget itself or its first focusable, enabled, visible child (a form row → its input)."""
    for w in [widget, *widget.findChildren(QWidget)]:
        if (
            w.isVisible()
            and w.isEnabled()
            and w.focusPolicy() & Qt.FocusPolicy.TabFocus
            and not isinstance(w, QScrollArea)  # a scroll area is a frame, not the place to act
        ):
            return w
    return None


class DimLayer(QWidget):
    """Paints the shade with a hole and a frame around the target; never takes input."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("tutorialDim")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hole = QRect()
        self.frame_colour = QColor("#1f5f99")
        self.shade = QColor(0, 0, 0, 90)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRect(self.rect())
        if not self.hole.isNull():
            inner = QPainterPath()
            inner.addRoundedRect(self.hole, 6, 6)
            path = path.subtracted(inner)
        painter.fillPath(path, self.shade)
        if not self.hole.isNull():
            painter.setPen(QPen(self.frame_colour, 4))
            painter.drawRoundedRect(self.hole, 6, 6)


class Callout(QFrame):
    def __init__(self, parent: QWidget, high_contrast: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("tutorialCallout")
        self.setStyleSheet(HIGH_CONTRAST_CALLOUT_STYLE if high_contrast else CALLOUT_STYLE)
        self.setAccessibleName(_("Einführung"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        self.counter = PlainLabel("")
        self.counter.setObjectName("calloutCounter")
        self.title = PlainLabel("")
        self.title.setObjectName("calloutTitle")
        self.title.setWordWrap(True)
        title_font = self.title.font()  # relative to the (scaled) app font, not fixed points
        title_font.setPointSizeF(title_font.pointSizeF() * 1.3)
        self.title.setFont(title_font)
        self.text = PlainLabel("")
        self.text.setObjectName("calloutText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = PlainLabel("")
        self.status.setObjectName("calloutStatus")
        self.status.setWordWrap(True)
        for label in (self.counter, self.title, self.text, self.status):
            layout.addWidget(label)
        row = QHBoxLayout()
        self.exit_button = QPushButton(_("&Beenden"))
        self.exit_button.setObjectName("tutorialExit")
        name(self.exit_button, _("Einführung beenden"), _("Alt+B"))
        self.back_button = QPushButton(_("&Zurück"))
        self.back_button.setObjectName("tutorialBack")
        name(self.back_button, _("Zurück"), _("Vorheriger Schritt (Alt+Z)"))
        self.next_button = QPushButton(_("&Weiter"))
        self.next_button.setObjectName("tutorialNext")
        name(self.next_button, _("Weiter"), _("Nächster Schritt (Alt+W)"))
        row.addWidget(self.exit_button)
        row.addStretch(1)
        row.addWidget(self.back_button)
        row.addWidget(self.next_button)
        layout.addLayout(row)

    def fit(self) -> None:
        """Width from the font (200 % gets a wider callout), height for that width: never cut off."""
        layout = self.layout()
        width = max(
            CALLOUT_WIDTH,
            40 * self.fontMetrics().averageCharWidth(),
            layout.totalMinimumSize().width(),
        )
        self.setFixedWidth(width)
        if layout.hasHeightForWidth():
            self.setFixedHeight(layout.totalHeightForWidth(width))
        else:
            self.setFixedHeight(layout.totalSizeHint().height())


class TutorialOverlay(QObject):
    """Shows a :class:`TutorialRunner` over ``window``; removes itself when the tour ends."""

    closed = Signal(bool)

    def __init__(
        self, window: QWidget, runner: TutorialRunner, *, high_contrast: bool = False
    ) -> None:
        super().__init__(window)
        self.window = window
        self.runner = runner
        self.dim = DimLayer(window)
        if high_contrast:
            self.dim.frame_colour = QColor("#ffff00")
            self.dim.shade = QColor(0, 0, 0, 150)
        self.callout = Callout(window, high_contrast)
        self.target: QWidget | None = None
        self._scrolled_for = -1
        self._last_geometry: tuple[QRect, QRect] | None = None
        self.callout.next_button.clicked.connect(runner.next)
        self.callout.back_button.clicked.connect(runner.back)
        self.callout.exit_button.clicked.connect(lambda: runner.stop(completed=False))
        runner.step_changed.connect(self._show_step)
        runner.exercise_done.connect(self._on_done)
        runner.finished.connect(self._on_finished)
        self.timer = QTimer(self)
        self.timer.setInterval(120)
        self.timer.timeout.connect(self.follow)
        window.installEventFilter(self)

    # Steps -----------------------------------------------------------------------------
    def start(self) -> None:
        self.dim.show()
        self.callout.show()
        self.runner.start()
        self.timer.start()

    def _show_step(self, index: int) -> None:
        step = self.runner.step
        c = self.callout
        c.counter.setText(tr("Schritt {n} von {total}", n=index + 1, total=len(self.runner.steps)))
        c.title.setText(step.title_text)
        c.text.setText(step.body_text)
        c.back_button.setEnabled(index > 0)
        c.next_button.setText(_("&Fertig") if self.runner.is_last else _("&Weiter"))
        name(c.next_button, _("Fertig") if self.runner.is_last else _("Weiter"))
        self._update_status()
        c.setAccessibleDescription(f"{step.title_text}. {step.body_text}")
        # Said once per step, before focus moves to the exercise (WCAG 4.1.3): counter, title,
        # text and whether an exercise waits.
        exercise = c.status.text() if step.wait_for and not self.runner.done() else ""
        forget_announcement(c)
        parts = (c.counter.text() + ":", step.title_text + ".", step.body_text, exercise)
        announce(c, " ".join(p for p in parts if p))
        self.target = None
        self._last_geometry = None
        self.follow()
        if step.wait_for and not self.runner.done():
            # an exercise: the cursor goes where the clerk acts (a tile, the document field)
            focus = focus_inside(self.target) if self.target is not None else None
            if focus is not None:
                focus.setFocus()
        else:
            c.next_button.setFocus()

    def _update_status(self) -> None:
        step, c = self.runner.step, self.callout
        done = self.runner.done()
        c.next_button.setEnabled(done)
        if not step.wait_for:
            c.status.setText("")
            c.status.hide()
        else:
            c.status.setText(
                "✔ " + step.done_text if done else _("Übung: Bitte führen Sie den Schritt aus.")
            )
            c.status.setProperty("done", "true" if done else "false")
            c.status.style().unpolish(c.status)
            c.status.style().polish(c.status)
            c.status.setAccessibleName(c.status.text())
            c.status.show()
        c.fit()

    def _on_done(self, index: int) -> None:
        if index != self.runner.index:
            return
        self._update_status()
        announce(self.callout, self.callout.status.text())  # "✔ Aufgabe geöffnet"
        self._last_geometry = None
        self.follow()
        # after the page that the exercise opened has placed its own focus
        QTimer.singleShot(0, self._focus_next)

    def _focus_next(self) -> None:
        if self.runner.running and self.callout.next_button.isEnabled():
            self.callout.next_button.setFocus()

    def _on_finished(self, completed: bool) -> None:
        self.timer.stop()
        self.window.removeEventFilter(self)
        self.dim.hide()
        self.callout.hide()
        self.dim.deleteLater()
        self.callout.deleteLater()
        self.closed.emit(completed)

    # Geometry --------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.window and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._last_geometry = None
            QTimer.singleShot(0, self.follow)
        return False

    def follow(self) -> None:
        """Place the frame around the target and the callout beside it (centred without one)."""
        if not self.runner.running:
            return
        step = self.runner.step
        target = find_target(self.window, step.target) if step.target else None
        if target is not None and self._scrolled_for != self.runner.index:
            self._scrolled_for = self.runner.index
            self._scroll_into_view(target)
        self.target = target
        area = self.window.rect()
        hole = QRect()
        if target is not None:
            top_left = target.mapTo(self.window, QPoint(0, 0))
            hole = QRect(top_left, target.size()).adjusted(
                -FRAME_MARGIN, -FRAME_MARGIN, FRAME_MARGIN, FRAME_MARGIN
            )
            hole = hole.intersected(area.adjusted(2, 2, -2, -2))
        geometry = (area, hole)
        if geometry == self._last_geometry:
            return
        self._last_geometry = geometry
        self.dim.setGeometry(area)
        self.dim.hole = hole
        self.dim.update()
        self.callout.move(self._callout_position(area, hole))
        self.dim.raise_()
        self.callout.raise_()

    def _callout_position(self, area: QRect, hole: QRect) -> QPoint:
        w, h = self.callout.width(), self.callout.height()
        gap = 12
        if hole.isNull():
            return QPoint(area.center().x() - w // 2, area.center().y() - h // 2)
        candidates = [
            QPoint(hole.left(), hole.bottom() + gap),  # below
            QPoint(hole.left(), hole.top() - gap - h),  # above
            QPoint(hole.right() + gap, hole.top()),  # right
            QPoint(hole.left() - gap - w, hole.top()),  # left
        ]
        for point in candidates:
            rect = QRect(point, self.callout.size())
            rect.moveLeft(max(area.left() + 8, min(rect.left(), area.right() - w - 8)))
            rect.moveTop(max(area.top() + 8, min(rect.top(), area.bottom() - h - 8)))
            if area.contains(rect) and not rect.intersects(hole):
                return rect.topLeft()
        # no free side (a huge target such as the result editor): bottom-right corner inside it
        return QPoint(area.right() - w - 16, area.bottom() - h - 40)

    def _scroll_into_view(self, target: QWidget) -> None:
        parent = target.parentWidget()
        while parent is not None:
            inner = parent.widget() if isinstance(parent, QScrollArea) else None
            if inner is not None and inner.isAncestorOf(target):
                parent.ensureWidgetVisible(target)
                return
            parent = parent.parentWidget()
