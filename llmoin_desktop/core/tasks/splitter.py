"""Split a Document into parts that fit the model's context, on structure where possible.

Parts break at § sections / headings when a part is already reasonably full, otherwise
between paragraphs; only a single oversized paragraph is cut inside (at sentence ends).
Each part's text carries ``[Seite N]`` markers so the model (and the extraction table) can
name pages, and the part knows which pages and sections it covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from llmoin_desktop.core.documents.model import Block, Document
from llmoin_desktop.core.i18n import tr


@dataclass
class Part:
    blocks: list[Block] = field(default_factory=list)
    text: str = ""

    @property
    def pages(self) -> tuple[int, int] | None:
        pages = [b.page for b in self.blocks if b.page is not None]
        return (min(pages), max(pages)) if pages else None

    @property
    def sections(self) -> list[str]:
        seen: list[str] = []
        for b in self.blocks:
            if b.section and b.section not in seen:
                seen.append(b.section)
        return seen

    def label(self) -> str:
        return describe_range(self.pages, self.sections)


_NUMBERED = re.compile(r"^(§{1,2}\s*\d+[a-z]?|Art(?:ikel|\.)\s*\d+[a-z]?)")


def _short_section(section: str) -> str:
    m = _NUMBERED.match(section.strip())
    return m.group(1) if m else section.strip()[:60]


def describe_range(pages: tuple[int, int] | None, sections: list[str]) -> str:
    """Text like "Seiten 3–7, § 9 bis § 14" for progress texts and the coverage note."""
    bits: list[str] = []
    if pages:
        first, last = pages
        bits.append(
            tr("Seite {n}", n=first) if first == last else tr("Seiten {a}–{b}", a=first, b=last)
        )
    numbered = [x for x in sections if _NUMBERED.match(x.strip())]
    sections = numbered or sections  # "§ 1 bis § 7" rather than the law's title heading
    if sections:
        first, last = _short_section(sections[0]), _short_section(sections[-1])
        bits.append(first if first == last else tr("{a} bis {b}", a=first, b=last))
    return ", ".join(bits)


def format_blocks(blocks: list[Block]) -> str:
    """Blocks → prompt text with a ``[Seite N]`` line whenever the page changes."""
    out: list[str] = []
    page: int | None = None
    for b in blocks:
        if b.page is not None and b.page != page:
            page = b.page
            out.append(f"[Seite {page}]")  # prompt text: stays German like the prompts
        out.append(b.text.strip())
    return "\n\n".join(x for x in out if x)


def _cut_block(block: Block, max_chars: int) -> list[Block]:
    """Cut one oversized block at sentence ends (or hard, as the last resort)."""
    pieces: list[Block] = []
    text = block.text
    while len(text) > max_chars:
        window = text[:max_chars]
        cut = max(window.rfind(". "), window.rfind("\n"))
        if cut < max_chars // 2:
            cut = max_chars
        else:
            cut += 1
        pieces.append(Block(text[:cut].strip(), block.page, block.section, block.kind, block.level))
        text = text[cut:]
    if text.strip():
        pieces.append(Block(text.strip(), block.page, block.section, block.kind, block.level))
    return pieces


def split_document(doc: Document, max_chars: int) -> list[Part]:
    """Greedy packing up to ``max_chars`` per part, preferring to break before headings."""
    blocks: list[Block] = []
    for b in doc.blocks:
        if not b.text.strip() or b.kind in ("header", "footer"):
            continue
        blocks.extend(_cut_block(b, max_chars) if len(b.text) > max_chars else [b])
    parts: list[Part] = []
    current: list[Block] = []
    size = 0
    for b in blocks:
        cost = len(b.text) + 16  # page markers and separators
        full = size + cost > max_chars
        # A heading is a good place to break once the part is 60 % full.
        good_break = b.kind == "heading" and size > 0.6 * max_chars
        if current and (full or good_break):
            parts.append(Part(current))
            current, size = [], 0
        current.append(b)
        size += cost
    if current:
        parts.append(Part(current))
    for p in parts:
        p.text = format_blocks(p.blocks)
    return parts


def _head(text: str, keep: int) -> str:
    """The first ``keep`` characters, cut back to a sentence end where there is one."""
    if len(text) <= keep:
        return text
    window = text[:keep]
    cut = max(window.rfind(". "), window.rfind(".\n"), window.rfind("; "))
    return (window[: cut + 1] if cut > keep // 3 else window).rstrip() + " …"


def skim(doc: Document, max_chars: int, min_keep: int = 160) -> Document:
    """Shorten every paragraph to its beginning so the whole text fits ``max_chars``.

    Used for summaries of very long documents: every page and section is still represented
    (headings stay whole, and the first sentences of a law's paragraph carry its rule), but
    the model reads a fraction, so a 57-page law is summarised in minutes on a laptop CPU.
    """
    blocks = [b for b in doc.blocks if b.text.strip() and b.kind not in ("header", "footer")]
    total = sum(len(b.text) for b in blocks)
    if total <= max_chars:
        return doc
    fixed = sum(len(b.text) for b in blocks if b.kind == "heading")
    lo, hi = 0.0, 1.0
    for _ in range(20):  # find the share of each paragraph that fills the budget
        mid = (lo + hi) / 2
        size = fixed + sum(
            min(len(b.text), max(min_keep, int(len(b.text) * mid)))
            for b in blocks
            if b.kind != "heading"
        )
        lo, hi = (mid, hi) if size <= max_chars else (lo, mid)
    short = [
        b
        if b.kind == "heading"
        else Block(
            _head(b.text, max(min_keep, int(len(b.text) * lo))), b.page, b.section, b.kind, b.level
        )
        for b in blocks
    ]
    return Document(
        path=doc.path,
        title=doc.title,
        format=doc.format,
        blocks=short,
        n_pages=doc.n_pages,
        encoding=doc.encoding,
        warnings=list(doc.warnings),
    )
