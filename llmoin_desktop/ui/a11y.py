"""Accessibility helpers shared by all views (names, descriptions, and a checker for tests)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
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
