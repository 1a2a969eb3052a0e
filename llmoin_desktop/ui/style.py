"""One calm, high-legibility style sheet: large targets, clear focus, no colour-only meaning."""

from __future__ import annotations

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
