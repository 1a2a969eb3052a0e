"""Accessibility helpers shared by all views: names, spoken status messages, required fields,
and a checker for tests.

Status messages (WCAG 4.1.3) go out as ``QAccessibleAnnouncementEvent`` (Qt >= 6.8), which
Qt's AT-SPI bridge sends as ``object:announcement`` — the signal Orca speaks without moving
focus. tests/test_atspi.py listens for exactly that signal from outside the process.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

INTERACTIVE = (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
)


def name(widget: QWidget, accessible_name: str, description: str = "") -> QWidget:
    """Give a widget the name a screen reader announces (and a tooltip-free description)."""
    widget.setAccessibleName(accessible_name)
    if description:
        widget.setAccessibleDescription(description)
    return widget


AnnouncementListener = Callable[[QWidget, str, bool], None]
_listeners: list[AnnouncementListener] = []
_last: weakref.WeakKeyDictionary[QWidget, str] = weakref.WeakKeyDictionary()


def add_announcement_listener(listener: AnnouncementListener) -> Callable[[], None]:
    """In-process observers (tests, the tour); returns a function that removes the listener."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def announce(widget: QWidget, text: str, assertive: bool = False) -> bool:
    """Have the screen reader speak ``text`` (a status change, an error, a tour step).

    Polite waits until the reader is silent (progress, "Fertig"); assertive interrupts (errors).
    The same text twice in a row from one widget is said once: progress callbacks repeat their
    line, and a reader that re-reads it on every token is unusable. Returns whether it was sent.
    """
    text = " ".join(str(text or "").split())
    if not text or _last.get(widget) == text:
        return False
    _last[widget] = text
    for listener in list(_listeners):
        listener(widget, text, assertive)
    event_type = getattr(QAccessible, "AnnouncementPoliteness", None)
    try:
        from PySide6.QtGui import QAccessibleAnnouncementEvent
    except ImportError:  # Qt < 6.8: fall back to a name change of the widget (Orca reads it)
        widget.setAccessibleDescription(text)
        return True
    event = QAccessibleAnnouncementEvent(widget, text)
    if event_type is not None:
        event.setPoliteness(
            event_type.Assertive if assertive else event_type.Polite  # type: ignore[union-attr]
        )
    QAccessible.updateAccessibility(event)
    return True


def forget_announcement(widget: QWidget) -> None:
    """The next :func:`announce` from ``widget`` is spoken even if its text is unchanged."""
    _last.pop(widget, None)


def mark_required(widget: QWidget, description: str = "") -> None:
    """Required fields: "Pflichtfeld" in the accessible description (Qt has no ``required``
    state in ``QAccessible.State``, so AT-SPI's STATE_REQUIRED cannot be set from a widget)."""
    from llmoin_desktop.core.i18n import _

    word = _("Pflichtfeld")
    text = description.strip()
    if word.lower() not in text.lower():
        text = f"{word}. {text}".strip() if text else word
    widget.setAccessibleDescription(text)
    widget.setProperty("required", True)


def tidy_scroll_areas(root: QWidget, label: str = "") -> None:
    """Scroll areas that only frame controls leave the Tab order and get a name.

    Qt makes every scroll area a Tab stop; Orca then announces an unnamed "scroll pane" before
    the first real control. The area still scrolls to whichever control inside has focus.
    An area around plain content (a page image) stays a Tab stop: arrows scroll it."""
    areas = [w for w in [root, *root.findChildren(QWidget)] if isinstance(w, QScrollArea)]
    for area in areas:
        inner = area.widget()
        controls = [
            w
            for w in (inner.findChildren(QWidget) if inner is not None else [])
            if is_interactive(w) and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        ]
        if controls or inner is None:  # empty now: a page fills it with a form later
            area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        if not area.accessibleName():
            area.setAccessibleName(label or root.accessibleName() or root.windowTitle())


def is_interactive(widget: QWidget) -> bool:
    if isinstance(widget, QScrollBar):
        return False  # part of a scroll area; its name comes from Qt
    parent = widget.parent()
    if isinstance(widget, QLineEdit) and isinstance(parent, (QComboBox, QAbstractSpinBox)):
        return False  # the editor inside a combo/spin box; the outer widget carries the name
    if isinstance(parent, QAbstractItemView) and (
        isinstance(widget, QHeaderView) or widget.objectName() == "qt_tableview_cornerbutton"
    ):
        return False  # headers/corner button of a table: Qt exposes them as part of the table
    ancestor = parent
    while ancestor is not None:
        if isinstance(ancestor, QComboBox):
            return False  # the drop-down list of a combo box; the combo carries the name
        ancestor = ancestor.parent()
    return isinstance(widget, INTERACTIVE)


def missing_accessible_names(root: QWidget) -> list[QWidget]:
    """Interactive widgets under ``root`` without an accessible name (the test fails on any)."""
    widgets = [root, *root.findChildren(QWidget)]
    return [w for w in widgets if is_interactive(w) and not w.accessibleName().strip()]
