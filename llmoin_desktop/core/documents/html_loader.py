"""HTML pages and e-mails (.eml) with the standard library only.

Saved intranet pages and mails forwarded as files are everyday material; neither needs a
dependency: ``html.parser`` gives us headings, paragraphs and table rows, ``email`` the body.
"""

from __future__ import annotations

import email
import email.policy
from html.parser import HTMLParser
from pathlib import Path

from llmoin_desktop.core.documents.errors import Damaged
from llmoin_desktop.core.documents.headings import heading_level
from llmoin_desktop.core.documents.model import Block, Document
from llmoin_desktop.core.documents.text_loader import decode_bytes

_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "aside",
    "nav",
    "blockquote",
    "pre",
    "address",
    "dt",
    "dd",
    "figcaption",
    "form",
    "body",
    "ul",
    "ol",
    "dl",
    "table",
    "hr",
    "br",
}
_SKIP_TAGS = {"script", "style", "head", "noscript", "template", "svg", "iframe", "object"}
_HEADINGS = {f"h{i}": i for i in range(1, 7)}


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.section: str | None = None
        self.title = ""
        self._buf: list[str] = []
        self._skip = 0
        self._in_title = False
        self._heading: int = 0
        self._list_depth = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._rows: list[str] = []

    # Buffer handling ------------------------------------------------------------------
    def _flush(self) -> None:
        text = " ".join("".join(self._buf).split())
        self._buf = []
        if not text:
            return
        if self._heading or heading_level(text):
            self.section = text
            self.blocks.append(
                Block(text=text, section=text, kind="heading", level=self._heading or 2)
            )
        else:
            kind = "list" if self._list_depth else "paragraph"
            self.blocks.append(Block(text=text, section=self.section, kind=kind))

    # Parser callbacks -----------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
            return
        if tag == "title":
            self._in_title = True
        elif self._cell is not None and tag in ("td", "th"):
            self._end_cell()
        if tag == "tr":
            self._flush()
            self._end_row()
            self._row = []
        elif tag in ("td", "th"):
            if self._row is None:
                self._row = []
            self._cell = []
        elif tag in _HEADINGS:
            self._flush()
            self._heading = _HEADINGS[tag]
        elif tag in ("ul", "ol"):
            self._flush()
            self._list_depth += 1
        elif tag == "li" or tag in _BLOCK_TAGS:
            if self._cell is not None:
                self._cell.append(" ")
            else:
                self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
            return
        if tag == "title":
            self._in_title = False
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "table":
            self._end_row()
            if self._rows:
                self.blocks.append(
                    Block(text="\n".join(self._rows), section=self.section, kind="table")
                )
                self._rows = []
        elif tag in _HEADINGS:
            self._flush()
            self._heading = 0
        elif tag in ("ul", "ol"):
            self._flush()
            self._list_depth = max(0, self._list_depth - 1)
        elif (tag == "li" or tag in _BLOCK_TAGS) and self._cell is None:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif self._skip:
            return
        elif self._cell is not None:
            self._cell.append(data)
        else:
            self._buf.append(data)

    def _end_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row and any(self._row):
            self._rows.append(" | ".join(self._row))
        self._row = None

    def close(self) -> None:
        super().close()
        self._end_row()
        self._flush()
        if self._rows:
            self.blocks.append(
                Block(text="\n".join(self._rows), section=self.section, kind="table")
            )
            self._rows = []


def html_blocks(markup: str) -> tuple[str, list[Block]]:
    parser = _Extractor()
    parser.feed(markup)
    parser.close()
    return " ".join(parser.title.split()), parser.blocks


def load_html(path: Path) -> Document:
    text, encoding = decode_bytes(path.read_bytes())
    title, blocks = html_blocks(text)
    return Document(
        path=str(path), title=title or path.stem, format="html", blocks=blocks, encoding=encoding
    )


def load_eml(path: Path) -> Document:
    """Subject as heading, then the plain-text body (or the HTML body as text)."""
    try:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    except Exception as exc:  # noqa: BLE001 - the email package rarely raises, but may
        raise Damaged(path, detail=repr(exc)) from exc
    subject = " ".join(str(msg.get("subject", "") or "").split())
    blocks: list[Block] = []
    if subject:
        blocks.append(Block(text=subject, section=subject, kind="heading", level=1))
    meta = [f"{h}: {msg.get(h)}" for h in ("From", "To", "Date") if msg.get(h)]
    if meta:
        blocks.append(Block(text="\n".join(meta), section=subject or None, kind="header"))
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
        content = part.get_content() if part is not None else ""
        subtype = part.get_content_subtype() if part is not None else "plain"
    except Exception as exc:  # noqa: BLE001 - unknown charsets, broken transfer encodings
        raise Damaged(path, detail=repr(exc)) from exc
    if isinstance(content, bytes):
        content = decode_bytes(content)[0]
    if subtype == "html":
        _, body_blocks = html_blocks(content)
        for b in body_blocks:
            b.section = b.section or subject or None
        blocks.extend(body_blocks)
    else:
        for para in str(content).replace("\r\n", "\n").split("\n\n"):
            if para.strip():
                blocks.append(Block(text=para.strip(), section=subject or None))
    return Document(path=str(path), title=subject or path.stem, format="eml", blocks=blocks)
