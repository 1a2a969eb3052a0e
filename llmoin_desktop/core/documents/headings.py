"""Recognising headings in plain lines of text (PDF pages, TXT files).

German administrative texts are structured by "§ 17 Allgemeine Meldepflicht", "Artikel 3",
"Abschnitt 2 Meldewesen" and the like. Formats without heading markup (PDF, TXT) only give
us lines, so a line that looks like such a title becomes a heading; a line that merely
starts with a reference ("§ 17 Abs. 1 gilt entsprechend.") must not.
"""

from __future__ import annotations

import re

from llmoin_desktop.core.documents.model import Block

# "§ 17 Allgemeine Meldepflicht", "§ 15a Übergangsvorschrift", "§§ 3 bis 5 (weggefallen)",
# "Art 3 Inkrafttreten", "Artikel 12 Änderung des …"
_PARAGRAPH_RE = re.compile(r"^(§§?|Art\.?|Artikel)\s*\d+[a-z]?\b(.*)$")
_PART_RE = re.compile(
    r"^(Teil|Abschnitt|Unterabschnitt|Kapitel|Titel|Buch|Anlage|Anhang)\s+"
    r"(\d+[a-z]?|[IVXLC]+)\b(.*)$"
)
# Words that continue a sentence after a reference instead of starting a title.
_REFERENCE_WORDS = {
    "abs",
    "absatz",
    "satz",
    "nr",
    "nummer",
    "und",
    "oder",
    "bis",
    "des",
    "der",
    "dieses",
    "gilt",
    "gelten",
    "ist",
    "sind",
    "findet",
    "finden",
    "bleibt",
    "bleiben",
    "entsprechend",
    "in",
    "im",
    "sowie",
    "s",
    "buchstabe",
    "halbsatz",
    "g",
    "v",
    "vo",
    "gesetz",
    "verordnung",
    "vom",
}
MAX_HEADING_CHARS = 160


def heading_level(line: str) -> int:
    """0 if ``line`` is body text, else 1 (part/chapter) or 2 (§ / article)."""
    text = line.strip()
    if not text or len(text) > MAX_HEADING_CHARS:
        return 0
    m = _PARAGRAPH_RE.match(text)
    if m:
        rest = m.group(2).strip()
        return 2 if _looks_like_title(rest) else 0
    m = _PART_RE.match(text)
    if m:
        rest = m.group(3).strip()
        return 1 if not rest or _looks_like_title(rest) else 0
    return 0


def _looks_like_title(rest: str) -> bool:
    if not rest:
        return True  # "§ 5" alone on a line
    first = re.sub(r"[^\wäöüÄÖÜß]", "", rest.split()[0]).lower()
    if first in _REFERENCE_WORDS:
        return False
    if rest[0] in ",;:)" or rest[0].isdigit():
        return False
    # A title does not end like a sentence; "(weggefallen)" and "(Inkrafttreten)" do not count.
    return not rest.endswith((".", ",", ";", ":")) or rest.endswith("...")


class SectionTracker:
    """Turns lines into blocks, remembering the nearest heading above each block."""

    def __init__(self, page: int | None = None) -> None:
        self.section: str | None = None
        self.page = page
        self.blocks: list[Block] = []
        self._para: list[str] = []
        self._kind = "paragraph"

    def heading(self, text: str, level: int) -> None:
        self.flush()
        text = " ".join(text.split())
        self.section = text
        self.blocks.append(
            Block(text=text, page=self.page, section=text, kind="heading", level=level)
        )

    def line(self, text: str, kind: str = "paragraph") -> None:
        if kind != self._kind:
            self.flush()
            self._kind = kind
        self._para.append(text)

    def flush(self) -> None:
        text = "\n".join(self._para).strip()
        if text:
            self.blocks.append(
                Block(text=text, page=self.page, section=self.section, kind=self._kind)
            )
        self._para = []
        self._kind = "paragraph"

    def new_page(self, page: int) -> None:
        self.flush()
        self.page = page

    def plain_lines(self, lines: list[str]) -> None:
        """Body text where blank lines end paragraphs and title-like lines are headings."""
        for raw in lines:
            line = raw.rstrip()
            if not line.strip():
                self.flush()
                continue
            level = heading_level(line)
            if level:
                self.heading(line.strip(), level)
            else:
                self.line(line)
        self.flush()
