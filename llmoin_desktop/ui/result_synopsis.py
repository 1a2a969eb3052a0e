"""Fassungen vergleichen: the synopsis as a two-column table with struck and bold words.

The result text (Markdown: a summary line, a pipe table with ``~~gestrichen~~`` and
``**neu**``, then the model's notes) is what the editor, the history and the DOCX export hold;
this view only draws it, so a synopsis reopened from the history looks the same. Deletions are
struck through *and* red, insertions bold *and* green, and a legend says so (not colour alone).
"""

from __future__ import annotations

import html
import re

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from llmoin_desktop.core.i18n import _
from llmoin_desktop.core.tasks.tables import parse_markdown_table
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.plain_text import PlainLabel

_DEL = re.compile(r"~~(.+?)~~")
_INS = re.compile(r"\*\*(.+?)\*\*")
_REF = re.compile(r"^\[([^\]]{1,120})\]\s*")


def _inline(text: str) -> str:
    out = html.escape(text)
    out = _REF.sub(lambda m: f'<span style="color:#3b4a59"><i>{m.group(1)}</i></span><br/>', out)
    out = _DEL.sub(r'<s style="color:#9b1c1c; background:#fdecea">\1</s>', out)
    return _INS.sub(r'<b style="color:#0a5c1f; background:#e6f4ea">\1</b>', out)


def synopsis_html(text: str) -> str:
    """Markdown of a synopsis → HTML for QTextBrowser (table, headings, numbered notes)."""
    lines = text.splitlines()
    parts: list[str] = []
    table_done = False
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if line.count("|") >= 2 and not table_done:
            j = i
            while j < len(lines) and lines[j].strip().count("|") >= 2:
                j += 1
            parsed = parse_markdown_table("\n".join(lines[i:j]))
            if parsed:
                header, rows = parsed
                cells = "".join(f"<th>{html.escape(h)}</th>" for h in header)
                body = "".join(
                    "<tr>" + "".join(f'<td width="50%">{_inline(c)}</td>' for c in row) + "</tr>"
                    for row in rows
                )
                parts.append(
                    '<table border="1" cellspacing="0" cellpadding="5" width="100%">'
                    f"<tr>{cells}</tr>{body}</table>"
                )
                table_done = True
                i = j
                continue
        if line.startswith("## "):
            parts.append(f"<h3>{html.escape(line[3:])}</h3>")
        elif line:
            parts.append(f"<p>{_inline(line)}</p>")
        i += 1
    return "\n".join(parts)


class SynopsisView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultSynopsis")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        self.legend = PlainLabel(
            _(
                "Gestrichen: durchgestrichen (rot). Neu: fett (grün). In eckigen Klammern: die Fundstelle."
            )
        )
        self.legend.setObjectName("fieldHelp")
        self.legend.setWordWrap(True)
        layout.addWidget(self.legend)
        self.browser = QTextBrowser()
        self.browser.setObjectName("synopsisBrowser")
        self.browser.setOpenLinks(False)
        name(
            self.browser,
            _("Synopse"),
            _("Bisherige und neue Fassung nebeneinander; zum Bearbeiten die Ansicht „Text“ wählen"),
        )
        layout.addWidget(self.browser, 1)
        self.text = ""

    def set_markdown(self, text: str) -> None:
        self.text = text
        self.browser.setHtml(synopsis_html(text) if text.strip() else "")

    def has_table(self) -> bool:
        return parse_markdown_table(self.text) is not None
