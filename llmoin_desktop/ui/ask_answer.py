"""The answer text of "Dokumente fragen": its [n] markers as links to the sources, the final
answer put over the streamed one without reading it out again, and the part of the streamed
text that the fact check looks at while the model writes.

Kept apart from ``ask_page.py`` (widgets only): these functions change a QTextDocument in
place, and they are what the stream, the final answer and the live check agree on.
"""

from __future__ import annotations

import html
import os
import re

from PySide6.QtGui import QGuiApplication, QTextCharFormat, QTextCursor, QTextDocument

from llmoin_desktop.core.i18n import _

CITE = re.compile(r"\[(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\]")


def answer_html(text: str) -> str:
    """Plain answer → HTML where every [n] (also [1, 2]) links to its source ("cite:n")."""

    def link(m: re.Match[str]) -> str:
        nums = re.findall(r"\d+", m.group(1))
        return "[" + ", ".join(f'<a href="cite:{n}">{n}</a>' for n in nums) + "]"

    body = CITE.sub(link, html.escape(text))
    return body.replace("\n", "<br>")


def trim_ends(document: QTextDocument) -> None:
    """Remove leading and trailing whitespace in place (a few characters, not the text)."""
    plain = document.toPlainText()
    tail = len(plain) - len(plain.rstrip())
    if tail:
        cursor = QTextCursor(document)
        cursor.setPosition(len(plain) - tail)
        cursor.setPosition(len(plain), QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
    head = len(plain) - len(plain.lstrip())
    if head:
        cursor = QTextCursor(document)
        cursor.setPosition(0)
        cursor.setPosition(head, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()


def replace_in_place(document: QTextDocument, text: str) -> None:
    """Make ``document`` say ``text`` by changing only the part between the common start and
    the common end (the runner strips spaces and a sources list the model wrote): a screen
    reader hears that change, not the whole answer again."""
    old = document.toPlainText()
    head = len(os.path.commonprefix([old, text]))
    tail = 0
    while tail < min(len(old), len(text)) - head and old[-1 - tail] == text[-1 - tail]:
        tail += 1
    if head == len(old) == len(text):
        return
    cursor = QTextCursor(document)
    cursor.setPosition(head)
    cursor.setPosition(len(old) - tail, QTextCursor.MoveMode.KeepAnchor)
    cursor.insertText(text[head : len(text) - tail], QTextCharFormat())


def link_citations(document: QTextDocument) -> None:
    """Make every [n] (also [1, 2]) in ``document`` a "cite:n" link without changing its text."""
    plain = document.toPlainText()
    for m in CITE.finditer(plain):
        for num in re.finditer(r"\d+", m.group(1)):
            cursor = QTextCursor(document)
            start = m.start(1) + num.start()
            cursor.setPosition(start)
            cursor.setPosition(start + len(num.group()), QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            fmt.setAnchor(True)
            fmt.setAnchorHref(f"cite:{num.group()}")
            fmt.setFontUnderline(True)
            fmt.setForeground(QGuiApplication.palette().link())  # also in high contrast
            cursor.mergeCharFormat(fmt)


def answer_part(text: str) -> str:
    """The streamed text without the sources list the job adds after the model's last word
    (``library_task.sources_markdown``: "Quellen:" and the quoted passages). Those are the
    app's own words: the final check leaves them out too, and a quote from a passage would
    only be marked "belegt" against itself."""
    head, _sep, _rest = text.partition("\n\n" + _("Quellen:") + "\n")
    return head
