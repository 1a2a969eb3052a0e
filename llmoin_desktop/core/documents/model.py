"""The parsed form of a document that every later stage (chunking, tasks, citations) uses."""

from __future__ import annotations

from dataclasses import dataclass, field


def page_label(pages: list[int]) -> str:
    """ "13" or "13–15": how citations, search hits and coverage notes name pages."""
    if not pages:
        return ""
    lo, hi = min(pages), max(pages)
    return str(lo) if lo == hi else f"{lo}–{hi}"


@dataclass
class Block:
    """A run of text in reading order with where it came from.

    ``page`` is 1-based for paged formats (PDF) and ``None`` otherwise; ``section`` is the
    nearest heading above (e.g. "§ 17 Allgemeine Meldepflicht"); ``kind`` is one of
    ``heading``, ``paragraph``, ``list``, ``table``, ``header``, ``footer``.
    """

    text: str
    page: int | None = None
    section: str | None = None
    kind: str = "paragraph"
    level: int = 0  # heading level for kind == "heading"
    ocr: bool = False  # read by text recognition from an image (a scan), not from a text layer
    # Which part of a composite document the block comes from, e.g. "Anhang Bescheid.pdf"
    # for an e-mail attachment (None: the document itself); the chunker puts it in front of
    # the cited section so a citation says "Anhang Bescheid.pdf, Seite 2".
    part: str | None = None


@dataclass
class Document:
    path: str
    title: str
    format: str  # pdf | docx | txt | md | …
    blocks: list[Block] = field(default_factory=list)
    n_pages: int | None = None
    encoding: str | None = None
    warnings: list[str] = field(
        default_factory=list
    )  # e.g. "file incomplete: pages 3–5 unreadable"
    # Pages (1-based; 1 for a single image) whose text came from text recognition, and the
    # mean recognition confidence (0–100) over them; the library and citations say so.
    ocr_pages: list[int] = field(default_factory=list)
    ocr_confidence: float | None = None
    # Plain strings about the document the tasks can use, e.g. an e-mail's "from_name",
    # "subject", "date" (see email_loader.py); strings only, so it crosses the sandbox as JSON.
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks if b.text)
