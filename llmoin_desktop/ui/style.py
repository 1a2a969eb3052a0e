"""One calm, high-legibility style sheet: large targets, clear focus, no colour-only meaning."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

ACCENT = "#1f5f99"

STYLE = f"""
QMainWindow, QDialog {{ background: #f4f6f8; }}
QWidget#galleryInner {{ background: #f4f6f8; }}
QLabel#appTitle {{ font-size: 16pt; font-weight: 600; color: #1b2a3a; }}
QLabel#galleryHeading {{ font-size: 15pt; font-weight: 600; color: #1b2a3a; padding: 4px 0 8px 0; }}
QLabel#viewTitle {{ font-size: 14pt; font-weight: 600; color: #1b2a3a; }}
QWidget#header {{ background: #ffffff; border-bottom: 1px solid #d5dbe1; }}
QPushButton {{
    padding: 6px 14px; border: 1px solid #9aa7b4; border-radius: 4px; background: #ffffff;
    color: #1b2a3a; min-height: 22px;
}}
QPushButton:hover {{ background: #e8eef5; }}
QPushButton:focus {{ border: 2px solid {ACCENT}; }}
QPushButton:disabled {{ color: #8a949e; border-color: #c9d0d7; background: #f0f2f4; }}
QPushButton#primaryButton {{ background: {ACCENT}; color: #ffffff; border-color: {ACCENT}; font-weight: 600; }}
QPushButton#primaryButton:hover {{ background: #174a78; }}
QPushButton#primaryButton:focus {{ border: 2px solid #0b2740; }}
QPushButton#primaryButton:disabled {{ background: #9fb6cc; border-color: #9fb6cc; color: #f4f6f8; }}
QPushButton#taskTile {{
    background: #ffffff; border: 1px solid #cfd6dd; border-radius: 8px; text-align: left; padding: 0;
}}
QPushButton#taskTile:hover {{ border: 1px solid {ACCENT}; background: #f7fafd; }}
QPushButton#taskTile:focus {{ border: 3px solid {ACCENT}; }}
QPushButton#taskTile:disabled {{ background: #f7f8f9; border: 1px dashed #c3cad1; }}
QLabel#tileTitle {{ font-size: 12.5pt; font-weight: 600; color: #1b2a3a; }}
QPushButton#taskTile:disabled QLabel#tileTitle {{ color: #5c6670; }}
QLabel#tileDescription {{ color: #3b4a59; }}
QLabel#tileNote {{ color: #5c6670; font-style: italic; }}
QTextBrowser#transcript, QPlainTextEdit#chatInput {{
    background: #ffffff; border: 1px solid #b8c2cc; border-radius: 4px; padding: 6px;
    font-size: 11pt;
}}
QTextBrowser#transcript:focus, QPlainTextEdit#chatInput:focus {{ border: 2px solid {ACCENT}; }}
QLabel#aiNote {{ color: #5c6670; font-size: 9pt; }}
QLabel#chatStatus {{ color: #3b4a59; }}
QFrame#banner {{ border-radius: 4px; }}
QFrame#banner[kind="error"] {{ background: #fdecea; border: 1px solid #d9534f; }}
QFrame#banner[kind="info"] {{ background: #e8f1fb; border: 1px solid {ACCENT}; }}
QLabel#bannerText {{ color: #1b2a3a; }}
QLabel#errorText {{ color: #a12622; }}
QLabel#policyHint {{ color: #3b4a59; font-style: italic; }}
QGroupBox {{ font-weight: 600; border: 1px solid #d5dbe1; border-radius: 6px; margin-top: 12px; background: #ffffff; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; }}
QStatusBar {{ background: #ffffff; border-top: 1px solid #d5dbe1; }}
QStatusBar QLabel {{ padding: 0 8px; color: #1b2a3a; }}
QTableWidget {{ background: #ffffff; gridline-color: #e1e6eb; }}
QTableWidget::item {{ padding: 4px 8px; }}
QHeaderView::section {{
    padding: 5px 8px; background: #eef1f4; color: #1b2a3a; font-weight: 600;
    border: none; border-right: 1px solid #d5dbe1; border-bottom: 1px solid #c9d0d7;
}}
"""

# High contrast (BITV 2.0 / EN 301 549): white on black, yellow focus, every state also shown
# by a border style or text, never by colour alone.
HIGH_CONTRAST_STYLE = """
QWidget { background: #000000; color: #ffffff; selection-background-color: #ffff00; selection-color: #000000; }
QMainWindow, QDialog, QWidget#galleryInner, QWidget#header, QStatusBar { background: #000000; }
QWidget#header { border-bottom: 2px solid #ffffff; }
QLabel { color: #ffffff; background: transparent; }
QLabel#appTitle { font-size: 16pt; font-weight: 700; color: #ffffff; }
QLabel#galleryHeading { font-size: 15pt; font-weight: 700; color: #ffffff; padding: 4px 0 8px 0; }
QLabel#viewTitle { font-size: 14pt; font-weight: 700; color: #ffffff; }
QLabel#tileTitle { font-size: 12.5pt; font-weight: 700; }
QPushButton {
    padding: 6px 14px; border: 2px solid #ffffff; border-radius: 4px; background: #000000;
    color: #ffffff; min-height: 22px;
}
QPushButton:hover { background: #1a1a1a; border-color: #ffff00; }
QPushButton:focus { border: 3px solid #ffff00; }
QPushButton:disabled { color: #a6a6a6; border: 2px dashed #a6a6a6; background: #000000; }
QPushButton#primaryButton, QPushButton#generateButton { background: #ffff00; color: #000000; border: 2px solid #ffff00; font-weight: 700; }
QPushButton#primaryButton:focus, QPushButton#generateButton:focus { border: 3px solid #ffffff; }
QPushButton#primaryButton:disabled, QPushButton#generateButton:disabled { background: #000000; color: #a6a6a6; border: 2px dashed #a6a6a6; }
QPushButton#taskTile { background: #000000; border: 2px solid #ffffff; border-radius: 8px; text-align: left; padding: 0; }
QPushButton#taskTile:hover { border: 2px solid #ffff00; }
QPushButton#taskTile:focus { border: 4px solid #ffff00; }
QPushButton#taskTile:disabled { border: 2px dashed #a6a6a6; }
QLabel#tileTitle, QLabel#tileDescription { color: #ffffff; }
QLabel#tileNote, QLabel#aiNote, QLabel#policyHint, QLabel#fieldHelp { color: #e6e6e6; }
QLineEdit, QPlainTextEdit, QTextEdit, QTextBrowser, QComboBox, QSpinBox, QDoubleSpinBox, QListView, QListWidget, QTreeView, QTableView, QTableWidget {
    background: #000000; color: #ffffff; border: 2px solid #ffffff; border-radius: 4px;
}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QTextBrowser:focus, QComboBox:focus, QSpinBox:focus, QDoubleSpinBox:focus, QListView:focus, QTableView:focus { border: 3px solid #ffff00; }
QLineEdit:disabled, QComboBox:disabled, QSpinBox:disabled, QDoubleSpinBox:disabled, QCheckBox:disabled { color: #a6a6a6; border-style: dashed; }
QCheckBox { color: #ffffff; }
QCheckBox::indicator { width: 16px; height: 16px; border: 2px solid #ffffff; background: #000000; }
QCheckBox::indicator:checked { background: #ffff00; }
QCheckBox:focus { outline: 2px solid #ffff00; }
QHeaderView::section { background: #000000; color: #ffffff; border: 1px solid #ffffff; font-weight: 700; padding: 5px 8px; }
QFrame#banner, QLabel#taskMessage, QLabel#resultMessage { border: 2px solid #ffff00; border-radius: 4px; background: #000000; }
QLabel#errorText, QLabel#fieldError { color: #ffff00; font-weight: 700; }
QGroupBox { border: 2px solid #ffffff; border-radius: 6px; margin-top: 12px; background: #000000; font-weight: 700; }
QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; color: #ffffff; }
QProgressBar { border: 2px solid #ffffff; background: #000000; }
QProgressBar::chunk { background: #ffff00; }
QTabBar::tab { background: #000000; color: #ffffff; border: 2px solid #ffffff; padding: 4px 10px; }
QTabBar::tab:selected { border-color: #ffff00; font-weight: 700; }
QMenu { background: #000000; color: #ffffff; border: 2px solid #ffffff; }
QMenu::item:selected { background: #ffff00; color: #000000; }
QToolTip { background: #000000; color: #ffffff; border: 2px solid #ffff00; }
QScrollBar { background: #000000; }
QScrollBar::handle { background: #ffffff; border: 1px solid #000000; }
"""

_COLOUR_DECLARATION = re.compile(
    r"(?<![\w-])(?:background(?:-color)?|color|border(?:-[a-z]+)*|selection-[a-z-]+)\s*:[^;}]*;?"
)
_POINT_SIZE = re.compile(r"(\d+(?:\.\d+)?)pt\b")
_ORIGINAL = "llmoinOriginalStyleSheet"


def scale_points(sheet: str, scale: float) -> str:
    """``font-size: 12pt`` grows with the font-scale setting (the app font alone does not)."""
    if abs(scale - 1.0) < 1e-6:
        return sheet
    return _POINT_SIZE.sub(lambda m: f"{float(m.group(1)) * scale:.1f}pt", sheet)


def strip_colours(sheet: str) -> str:
    """Drop colours and borders from a widget's own sheet so the high-contrast sheet rules."""
    return _COLOUR_DECLARATION.sub("", sheet)


def window_sheet(high_contrast: bool, scale: float = 1.0) -> str:
    return scale_points(HIGH_CONTRAST_STYLE if high_contrast else STYLE, scale)


def apply_theme(root: QWidget, high_contrast: bool, scale: float = 1.0) -> None:
    """Re-style ``root`` and every descendant with its own sheet; reversible at run time.

    Qt prefers a widget's own sheet over its parents', so pages that bring their own colours
    (task pages, the result pane) would stay light in high contrast: their colour rules are
    taken out while high contrast is on, and their point sizes follow the font scale."""
    root.setStyleSheet(window_sheet(high_contrast, scale))
    for widget in root.findChildren(QWidget):
        original = widget.property(_ORIGINAL)
        if original is None:
            original = widget.styleSheet()
            if not original:
                continue
            widget.setProperty(_ORIGINAL, original)
        sheet = strip_colours(original) if high_contrast else original
        widget.setStyleSheet(scale_points(sheet, scale))


def high_contrast_palette() -> QPalette:
    """For what style sheets do not reach (native dialogs, menus, tooltips)."""
    palette = QPalette()
    black, white, yellow, grey = (QColor(c) for c in ("#000000", "#ffffff", "#ffff00", "#a6a6a6"))
    for role, colour in (
        (QPalette.ColorRole.Window, black),
        (QPalette.ColorRole.WindowText, white),
        (QPalette.ColorRole.Base, black),
        (QPalette.ColorRole.AlternateBase, QColor("#1a1a1a")),
        (QPalette.ColorRole.Text, white),
        (QPalette.ColorRole.Button, black),
        (QPalette.ColorRole.ButtonText, white),
        (QPalette.ColorRole.Highlight, yellow),
        (QPalette.ColorRole.HighlightedText, black),
        (QPalette.ColorRole.ToolTipBase, black),
        (QPalette.ColorRole.ToolTipText, white),
        (QPalette.ColorRole.Link, yellow),
        (QPalette.ColorRole.PlaceholderText, QColor("#d9d9d9")),
    ):
        palette.setColor(role, colour)
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, grey)
    return palette
