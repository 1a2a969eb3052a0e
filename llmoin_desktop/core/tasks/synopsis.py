"""Fassungen vergleichen: a deterministic synopsis of two versions of a text (no model).

A law, contract or letter is cut into *units*: § headings and paragraphs (Absätze, list
items), each with a reference such as "§ 3 Abs. 2" taken from the structure the document
loaders found. The two unit sequences are then aligned:

1. **Anchors.** Units whose text occurs exactly once in each version are paired; the longest
   run of such pairs that keeps the order (longest increasing subsequence) are anchors.
   A unique unit paired *out of* that order was **moved** (patience-diff idea: a moved
   paragraph is one element out of order, not a deletion plus an insertion).
2. **Gaps between anchors** are aligned with :class:`difflib.SequenceMatcher` on the texts
   (repeated texts such as "(weggefallen)" are matched here, in order).
3. **Changed units.** What is still unmatched inside a gap is paired by word similarity,
   helped by an equal § / Absatz reference ("§ 5 Abs. 2" old and new): **changed**.
4. Units left over anywhere are paired across the whole document when they are very similar
   (moved *and* changed); the rest were **deleted** or **inserted**.

Texts are compared with whitespace normalised and without the leading "(3)" of an Absatz, so
re-wrapping or a renumbering alone is not a change (the new number is still shown). Word-level
marks inside changed units come from :func:`core.tasks.proofread.word_diff`.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from llmoin_desktop.core.documents.model import Document
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.tasks.proofread import tokens, word_diff

UNCHANGED, CHANGED, INSERTED, DELETED, MOVED = (
    "unchanged",
    "changed",
    "inserted",
    "deleted",
    "moved",
)
PAIR_MIN = 0.5  # word similarity for "changed" inside a gap
PAIR_MIN_SAME_REF = 0.3  # … when old and new carry the same § / Absatz reference
MOVE_MIN = 0.7  # word similarity for "moved and changed" across the document
MAX_PAIR_CANDIDATES = 1_000_000  # unit pairs per gap to compare; beyond, no pairing

_SECTION_REF = re.compile(r"^\s*(§§?\s*\d+[a-z]?|Art(?:ikel|\.)?\s*\d+[a-z]?)", re.I)
_ABSATZ = re.compile(r"^\s*\((\d+[a-z]?)\)\s*")
_NUMBER = re.compile(r"^\s*(\d+[a-z]?)\.\s+")
_LETTER = re.compile(r"^\s*([a-z]{1,2})\)\s+")
_ITEM_END = re.compile(r"[.:;,]\s*$")
_SENTENCE_END = re.compile(r"[.:;!?)\]»“\"]\s*$")


@dataclass
class Unit:
    """One comparable piece: a § heading or a paragraph, with its reference."""

    text: str
    ref: str  # "§ 3 Abs. 2 Nr. 1", "§ 3", or "Absatz 7" in texts without §
    kind: str = "paragraph"  # heading | paragraph
    page: int | None = None
    index: int = 0

    @property
    def key(self) -> str:
        """What is compared: whitespace normalised, an Absatz number "(3)" left out."""
        return _ABSATZ.sub("", " ".join(self.text.split()), count=1)


@dataclass
class Row:
    status: str  # unchanged | changed | inserted | deleted | moved
    old: Unit | None
    new: Unit | None
    changed: bool = False  # moved rows: also changed in wording
    explanation: str = ""

    @property
    def substantive(self) -> bool:
        """Worth an explanation: different words (not just moved, renumbered or re-wrapped)."""
        return self.status in (CHANGED, INSERTED, DELETED) or (
            self.status == MOVED and self.changed
        )

    @property
    def ref(self) -> str:
        unit = self.new or self.old
        return unit.ref if unit else ""


@dataclass
class Synopsis:
    old_name: str
    new_name: str
    rows: list[Row] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.rows)

    @property
    def differences(self) -> list[Row]:
        return [r for r in self.rows if r.status != UNCHANGED]

    def summary(self) -> str:
        return tr(
            "Geändert: {changed} · Eingefügt: {inserted} · Gestrichen: {deleted} · "
            "Verschoben: {moved} · Unverändert: {unchanged}",
            changed=self.count(CHANGED),
            inserted=self.count(INSERTED),
            deleted=self.count(DELETED),
            moved=self.count(MOVED),
            unchanged=self.count(UNCHANGED),
        )


# Units ---------------------------------------------------------------------------------------
def _section_ref(section: str | None) -> str:
    if not section:
        return ""
    m = _SECTION_REF.match(section)
    return " ".join(m.group(1).split()) if m else ""


def _pieces(text: str) -> list[str]:
    """A law block cut into Absätze and numbered items where a line starts with "(2)", "3."
    or "b)" after a line that ended a sentence or a list entry (PDF pages give a whole §
    body as one block; a reference wrapped onto a new line does not end the line before)."""
    lines = text.split("\n")
    pieces: list[list[str]] = [[]]
    for line in lines:
        starts = _ABSATZ.match(line) or _NUMBER.match(line) or _LETTER.match(line)
        prev = pieces[-1][-1] if pieces[-1] else ""
        if starts and prev and _ITEM_END.search(prev):
            pieces.append([])
        pieces[-1].append(line)
    return ["\n".join(p).strip() for p in pieces if "".join(p).strip()]


def units_of(doc: Document) -> list[Unit]:
    """The document's blocks as units; a paragraph cut by a page break is joined again."""
    units: list[Unit] = []
    current_section: str | None = None
    absatz = ""
    count_plain = 0
    for block in doc.blocks:
        text = block.text.strip()
        if not text or block.kind in ("header", "footer"):
            continue
        if block.kind == "heading":
            current_section = block.section or text
            absatz = ""
            ref = _section_ref(text) or " ".join(text.split())[:60]
            units.append(Unit(text, ref, "heading", block.page))
            continue
        section = block.section or current_section
        sref = _section_ref(section)
        for piece in _pieces(text) if sref else [text]:
            prev = units[-1] if units else None
            numbered = _ABSATZ.match(piece) or _NUMBER.match(piece) or _LETTER.match(piece)
            page_break = (
                prev is not None
                and None not in (prev.page, block.page)
                and (prev.page != block.page)
            )
            if (
                prev is not None
                and prev.kind == "paragraph"
                and not numbered
                and (piece[0].islower() or (page_break and not _SENTENCE_END.search(prev.text)))
            ):
                prev.text = f"{prev.text} {piece}"  # a sentence continued after a page break
                continue
            m_abs = _ABSATZ.match(piece)
            if m_abs:
                absatz = m_abs.group(1)
            if sref:
                ref = sref
                if absatz:
                    ref += f" Abs. {absatz}"
                if not m_abs and (m := _NUMBER.match(piece) or _LETTER.match(piece)):
                    ref += f" Nr. {m.group(1)}" if m.re is _NUMBER else f" Buchst. {m.group(1)}"
            else:
                count_plain += 1
                ref = tr("Absatz {n}", n=count_plain)
            units.append(Unit(piece, ref, "paragraph", block.page))
    for i, u in enumerate(units):
        u.index = i
    return units


# Alignment -----------------------------------------------------------------------------------
def _lis(seq: list[int]) -> list[int]:
    """Positions in ``seq`` of one longest strictly increasing subsequence."""
    tails: list[int] = []
    tails_at: list[int] = []
    parent = [-1] * len(seq)
    for pos, value in enumerate(seq):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tails_at.append(pos)
        else:
            tails[k] = value
            tails_at[k] = pos
        parent[pos] = tails_at[k - 1] if k > 0 else -1
    out: list[int] = []
    pos = tails_at[-1] if tails_at else -1
    while pos >= 0:
        out.append(pos)
        pos = parent[pos]
    return out[::-1]


def _words(text: str) -> list[str]:
    return [t for t in tokens(text) if t.strip()]


def _same_ref(a: Unit, b: Unit) -> bool:
    return bool(a.ref) and a.ref == b.ref and a.kind == b.kind


def _pair_by_similarity(
    old: list[Unit], new: list[Unit], old_ids: list[int], new_ids: list[int], strict: bool
) -> list[tuple[int, int, float]]:
    """Best-first pairs (old index, new index, similarity) above the threshold."""
    if not old_ids or not new_ids or len(old_ids) * len(new_ids) > MAX_PAIR_CANDIDATES:
        return []
    words_old = {i: _words(old[i].key) for i in old_ids}
    candidates: list[tuple[float, int, int]] = []
    sm = SequenceMatcher(None, autojunk=False)
    for j in new_ids:
        b = new[j]
        sm.set_seq2(_words(b.key))  # the expensive index of one side is built once per unit
        for i in old_ids:
            a = old[i]
            if a.kind != b.kind:
                continue
            same = _same_ref(a, b)
            floor = MOVE_MIN if strict else (PAIR_MIN_SAME_REF if same else PAIR_MIN)
            sm.set_seq1(words_old[i])
            # Cheap upper bounds first (lengths, then shared words), the real ratio last.
            if sm.real_quick_ratio() < floor or sm.quick_ratio() < floor:
                continue
            score = sm.ratio()
            if score >= floor:
                candidates.append((score + (0.05 if same and not strict else 0.0), i, j))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs: list[tuple[int, int, float]] = []
    for score, i, j in candidates:
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((i, j, score))
    return pairs


def align(old: list[Unit], new: list[Unit]) -> list[Row]:
    """Rows in reading order of the new version; deleted units where they stood."""
    a = [u.key for u in old]
    b = [u.key for u in new]
    count_a, count_b = Counter(a), Counter(b)
    where_b = {k: j for j, k in enumerate(b)}
    unique = [(i, where_b[k]) for i, k in enumerate(a) if count_a[k] == 1 and count_b.get(k) == 1]
    in_order = {unique[p] for p in _lis([j for _i, j in unique])}
    match: dict[int, tuple[int, str]] = {}  # old index → (new index, status)
    for i, j in unique:
        match[i] = (j, UNCHANGED if (i, j) in in_order else MOVED)
    anchors = sorted(in_order)
    # Gaps between anchors: exact matches in order, then similar pairs → changed.
    bounds = [(-1, -1), *anchors, (len(a), len(b))]
    moved_new = {j for j, s in match.values() if s == MOVED}
    for (i0, j0), (i1, j1) in zip(bounds, bounds[1:], strict=False):
        gap_old = [i for i in range(i0 + 1, i1) if i not in match]
        gap_new = [j for j in range(j0 + 1, j1) if j not in moved_new]
        if not gap_old or not gap_new:
            continue
        sm = SequenceMatcher(None, [a[i] for i in gap_old], [b[j] for j in gap_new], autojunk=False)
        taken_new: set[int] = set()
        for blk in sm.get_matching_blocks():
            for k in range(blk.size):
                match[gap_old[blk.a + k]] = (gap_new[blk.b + k], UNCHANGED)
                taken_new.add(gap_new[blk.b + k])
        rest_old = [i for i in gap_old if i not in match]
        rest_new = [j for j in gap_new if j not in taken_new]
        for i, j, _score in _pair_by_similarity(old, new, rest_old, rest_new, strict=False):
            match[i] = (j, CHANGED)
    # Leftovers anywhere: very similar → moved and changed.
    used_new = {j for j, _s in match.values()}
    left_old = [i for i in range(len(a)) if i not in match]
    left_new = [j for j in range(len(b)) if j not in used_new]
    for i, j, _score in _pair_by_similarity(old, new, left_old, left_new, strict=True):
        match[i] = (j, MOVED)
    return _rows(old, new, match)


def _rows(old: list[Unit], new: list[Unit], match: dict[int, tuple[int, str]]) -> list[Row]:
    placed: list[tuple[float, int, Row]] = []
    last_new = -1.0
    for i, u in enumerate(old):
        if i in match:
            j, status = match[i]
            if status != MOVED:
                last_new = float(j)
            changed = u.key != new[j].key
            if status == UNCHANGED and changed:
                status = CHANGED
            placed.append((float(j), 0, Row(status, u, new[j], changed=changed)))
        else:
            placed.append((last_new + 0.5, i, Row(DELETED, u, None)))
    matched_new = {j for j, _s in match.values()}
    for j, u in enumerate(new):
        if j not in matched_new:
            placed.append((float(j), 0, Row(INSERTED, None, u)))
    placed.sort(key=lambda p: (p[0], p[1]))
    return [row for _pos, _order, row in placed]


def compare(
    old_doc: Document, new_doc: Document, old_name: str = "", new_name: str = ""
) -> Synopsis:
    """The synopsis of two parsed documents."""
    return Synopsis(
        old_name or old_doc.title or _("Bisherige Fassung"),
        new_name or new_doc.title or _("Neue Fassung"),
        align(units_of(old_doc), units_of(new_doc)),
    )


# Presentation --------------------------------------------------------------------------------
def _cell(text: str) -> str:
    """One Markdown table cell: no line breaks, no column separators."""
    return " ".join(text.replace("|", "/").split())


def row_cells(row: Row) -> tuple[str, str]:
    """(old cell, new cell) with deletions as ``~~…~~`` and insertions as ``**…**``."""
    old, new = row.old, row.new
    if row.status == INSERTED and new is not None:
        return "", f"[{new.ref}, {_('neu')}] **{_cell(new.text)}**"
    if row.status == DELETED and old is not None:
        return f"[{old.ref}] ~~{_cell(old.text)}~~", _("(entfällt)")
    assert old is not None and new is not None
    if row.status == UNCHANGED:
        ref_new = new.ref if new.ref == old.ref else f"{new.ref}, {_('bisher')} {old.ref}"
        return f"[{old.ref}] {_cell(old.text)}", f"[{ref_new}] {_cell(new.text)}"
    old_text, new_text = word_diff(_cell(old.text), _cell(new.text)).marked()
    if row.status == MOVED:
        return (
            f"[{old.ref}, {tr('verschoben nach {ref}', ref=new.ref)}] {old_text}",
            f"[{new.ref}, {tr('verschoben aus {ref}', ref=old.ref)}] {new_text}",
        )
    return f"[{old.ref}] {old_text}", f"[{new.ref}] {new_text}"


def status_label(row: Row) -> str:
    labels = {
        CHANGED: _("geändert"),
        INSERTED: _("eingefügt"),
        DELETED: _("gestrichen"),
        MOVED: _("verschoben und geändert") if row.changed else _("verschoben"),
        UNCHANGED: _("unverändert"),
    }
    return labels[row.status]


def to_markdown(syn: Synopsis, *, show_unchanged: bool = False) -> str:
    """The synopsis as text: summary, a two-column table, then the explanations (if any)."""
    lines = [
        tr("Synopse: {old} → {new}", old=syn.old_name, new=syn.new_name),
        "",
        syn.summary(),
        "",
    ]
    rows = syn.rows if show_unchanged else syn.differences
    if rows:
        lines += [f"| {_('Bisherige Fassung')} | {_('Neue Fassung')} |", "|---|---|"]
        lines += ["| {} | {} |".format(*row_cells(r)) for r in rows]
    else:
        lines.append(_("Die beiden Fassungen stimmen im Wortlaut überein."))
    explained = [r for r in syn.rows if r.explanation]
    if explained:
        lines += ["", "## " + _("Erläuterungen der Änderungen (KI, bitte prüfen)"), ""]
        for n, r in enumerate(explained, start=1):
            lines.append(f"{n}. {r.ref} ({status_label(r)}): {_cell(r.explanation)}")
    return "\n".join(lines)
