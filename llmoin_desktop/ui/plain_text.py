"""Untrusted strings are shown as text, never as markup (issue 18, item 7).

Why: Qt decides per string whether a QLabel, a tooltip or a QMessageBox shows rich text
(``Qt::mightBeRichText``: a known tag such as ``<img>`` on the first line is enough). A task
title ``X <img src="\\\\host\\share\\a.png">`` then made Qt open that path at start-up (on
Windows an SMB connection with the clerk's credentials), before the clerk did anything.
Task titles and descriptions, file names, document text, citations, server data and error
messages that name a file all come from outside the app, so:

* every label in the app is a :class:`PlainLabel` (PlainText, whatever its text looks like);
  the few that use bold on purpose escape their text and say so with :func:`rich_label`
  (``tests/test_security_plain_text.py`` fails on a bare ``QLabel(`` in ``ui/``);
* tooltips and message boxes cannot be switched to plain text, so their strings go through
  :func:`verbatim`, which escapes markup where there is any and shows it literally.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


class PlainLabel(QLabel):
    """A QLabel that never interprets its text as HTML (``<img>``, ``<a>``, ``&lt;`` …)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setTextFormat(Qt.TextFormat.PlainText)


def escape(text: str) -> str:
    """HTML-escaped text for rich-text labels built by the app (bold prefix + escaped text)."""
    return html.escape(str(text), quote=True)


def rich_label(markup: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that shows the app's own markup; every untrusted part must be :func:`escape`d."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setText(markup)
    return label


def verbatim(text: str) -> str:
    """``text`` as a tooltip or message box shows it literally.

    Those widgets guess the format; a string without ``<`` or ``&`` is shown as it is. With
    either, it is escaped and wrapped in a paragraph that keeps line breaks, so the guess is
    "rich text" and the reader sees the original characters, never an element."""
    text = str(text)
    if "<" not in text and "&" not in text:
        return text
    return '<p style="white-space: pre-wrap">' + escape(text) + "</p>"


def plain_box(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
) -> QMessageBox:
    """A QMessageBox whose text is plain (for messages that quote a file or task name)."""
    box = QMessageBox(icon, title, "", buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    return box
