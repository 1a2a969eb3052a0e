"""Plain text and Markdown, with the encoding guessed the way German offices need it.

Files come from Windows editors (Windows-1252, UTF-16 with BOM from Notepad), from mail
programs and from Linux (UTF-8). Decoding Windows-1252 as UTF-8 turns "Müller" into
"M�ller", so we try strict UTF-8 first and fall back to Windows-1252, never to "replace".
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from llmoin_desktop.core.documents.headings import SectionTracker, heading_level
from llmoin_desktop.core.documents.model import Document

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: BOM, then UTF-16 without BOM, UTF-8, Windows-1252."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    if data and data.count(b"\x00") > len(data) // 3:
        encoding = "utf-16-le" if data[1::2].count(0) > data[0::2].count(0) else "utf-16-be"
        return data.decode(encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Windows-1252 leaves five bytes undefined; those map to Latin-1 control characters.
    text = "".join(
        ch if ch != "\ufffd" else data[i : i + 1].decode("latin-1")
        for i, ch in enumerate(data.decode("cp1252", errors="replace"))
    )
    return text, "cp1252"


def read_text(path: Path) -> tuple[str, str]:
    text, encoding = decode_bytes(path.read_bytes())
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def load_txt(path: Path) -> Document:
    text, encoding = read_text(path)
    tracker = SectionTracker()
    tracker.plain_lines(text.split("\n"))
    return Document(
        path=str(path), title=path.stem, format="txt", blocks=tracker.blocks, encoding=encoding
    )


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LIST = re.compile(r"^\s*([-*+]|\d+[.)])\s+")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_FRONT_TITLE = re.compile(r"^title:\s*(.+)$", re.IGNORECASE)


def _front_matter(lines: list[str]) -> tuple[str | None, list[str]]:
    """Strip a YAML front matter block and return its ``title`` if any."""
    if not lines or lines[0].strip() != "---":
        return None, lines
    for end in range(1, min(len(lines), 200)):
        if lines[end].strip() in ("---", "..."):
            title = None
            for line in lines[1:end]:
                m = _FRONT_TITLE.match(line.strip())
                if m:
                    title = m.group(1).strip().strip("\"'")
            return title, lines[end + 1 :]
    return None, lines


def load_md(path: Path) -> Document:
    text, encoding = read_text(path)
    title, lines = _front_matter(text.split("\n"))
    tracker = SectionTracker()
    first_heading: str | None = None
    in_code = False
    for i, raw in enumerate(lines):
        line = raw.rstrip()
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            tracker.line(line, "paragraph")
            continue
        if in_code:
            tracker.line(line, "paragraph")
            continue
        m = _MD_HEADING.match(line)
        if m:
            tracker.heading(m.group(2), len(m.group(1)))
            first_heading = first_heading or m.group(2)
            continue
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if line.strip() and nxt and set(nxt) <= {"="} and len(nxt) >= 3:
            tracker.heading(line, 1)
            continue
        if line.strip() and set(line.strip()) <= {"=", "-"} and len(line.strip()) >= 3:
            if tracker.blocks and tracker.blocks[-1].kind == "heading" and not tracker._para:
                continue  # setext underline of the heading just taken
            tracker.flush()
            continue
        if not line.strip():
            tracker.flush()
        elif _MD_LIST.match(line):
            tracker.line(line.strip(), "list")
        elif line.lstrip().startswith("|"):
            if not _MD_TABLE_RULE.match(line):
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                tracker.line(" | ".join(cells), "table")
        elif heading_level(line):
            tracker.heading(line.strip(), heading_level(line))
        else:
            tracker.line(line)
    tracker.flush()
    return Document(
        path=str(path),
        title=title or first_heading or path.stem,
        format="md",
        blocks=tracker.blocks,
        encoding=encoding,
    )
