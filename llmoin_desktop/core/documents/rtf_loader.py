"""Rich Text Format (.rtf): what WordPad, older Word templates and many case-management
systems export.

striprtf (BSD-3-Clause, pure Python) turns the control words into text; we decode with the
code page the file declares (``\\ansicpg1252`` in German offices) and then treat the result
like a plain text file, so § lines and "Abschnitt 2" become headings as in TXT.
"""

from __future__ import annotations

import re
from pathlib import Path

from llmoin_desktop.core.documents.errors import WrongFormat
from llmoin_desktop.core.documents.headings import SectionTracker
from llmoin_desktop.core.documents.model import Document

_CODEPAGE = re.compile(rb"\\ansicpg(\d{3,5})")
_TITLE = re.compile(r"\{\\title\s+([^{}]*)\}")


def _encoding(head: bytes) -> str:
    m = _CODEPAGE.search(head)
    if m:
        name = f"cp{int(m.group(1))}"
        try:
            "".encode(name)
            return name
        except LookupError:
            pass
    return "cp1252"


def load_rtf(path: Path) -> Document:
    from striprtf.striprtf import rtf_to_text

    data = path.read_bytes()
    if not data.lstrip()[:6].startswith(b"{\\rtf"):
        raise WrongFormat(path, actual="txt")
    encoding = _encoding(data[:4096])
    # RTF itself is 7-bit; non-ASCII text arrives as \'xx escapes that striprtf decodes
    # with ``encoding``. Latin-1 maps every byte, so a stray 8-bit byte cannot fail here.
    markup = data.decode("latin-1")
    text = rtf_to_text(markup, encoding=encoding, errors="replace")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tracker = SectionTracker()
    tracker.plain_lines(lines)
    m = _TITLE.search(markup[:8192])
    title = ""
    if m:  # the title may hold \'xx escapes too
        title = " ".join(rtf_to_text("{\\rtf1 " + m.group(1) + "}", encoding=encoding).split())
    return Document(
        path=str(path),
        title=title or path.stem,
        format="rtf",
        blocks=tracker.blocks,
        encoding=encoding,
    )
