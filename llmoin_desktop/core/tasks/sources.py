"""Turns a task's input (a file or pasted text) into a :class:`Document` with pages/sections.

Files go through the shared sandboxed loaders (``core.documents.parse_document``), which keep
page numbers and § / heading sections; the long-document runner splits on them and cites them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from llmoin_desktop.core.documents import parse_document
from llmoin_desktop.core.documents.model import Block, Document
from llmoin_desktop.core.i18n import _
from llmoin_desktop.core.jobs import CancelToken

_SECTION = re.compile(r"^\s*(§{1,2}\s*\d+[a-z]?\b.*|Art(ikel|\.)\s*\d+\b.*)$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def document_from_text(text: str, name: str = "") -> Document:
    """Pasted text → Document; blank lines separate blocks, § lines and # headings are sections."""
    doc = Document(path="", title=name or _("Eingefügter Text"), format="text")
    section: str | None = None
    for para in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        para = para.strip()
        if not para:
            continue
        lines = para.splitlines()
        first = lines[0].strip()
        md = _MD_HEADING.match(first)
        if md or (_SECTION.match(first) and len(first) < 160):
            section = md.group(2).strip() if md else first
            level = len(md.group(1)) if md else 2
            doc.blocks.append(Block(section, section=section, kind="heading", level=level))
            rest = "\n".join(lines[1:]).strip()
            if rest:
                doc.blocks.append(Block(rest, section=section))
        else:
            doc.blocks.append(Block(para, section=section))
    return doc


def load_document(
    path: str | Path,
    cancel: CancelToken | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Document:
    """Parse a source file in the sandbox; raises a ``DocumentError`` with a clear message.
    ``progress`` sees the pages of a long or scanned file as they are read."""
    return parse_document(Path(path).expanduser(), cancel=cancel, on_progress=progress)
