"""Word text as Word shows it: runs, tracked changes, fields, text boxes, notes and comments.

python-docx's ``Paragraph.text`` reads only plain runs and hyperlinks: text in tracked
insertions, content controls, simple fields and smart tags is lost, text boxes are not seen,
and footnotes, endnotes and comments live in parts it does not read at all (issue 20). This
module walks a paragraph's XML itself and collects what hangs off it.

Decisions (docs/formats.md "Word und OpenDocument"):

- **Footnotes and endnotes** stay next to the paragraph that refers to them: the reference
  becomes "[1]" (endnotes "[i]", as Word numbers them) in the text, and the note follows the
  paragraph as its own block "Fußnote 1: …" (kind ``note``). Word prints them at the page or
  document end; beside their paragraph a quote, a search hit or a summary keeps the note
  with the sentence it explains.
- **Comments** are never part of the body text: each follows the paragraph it is anchored
  in as a block "Kommentar von Max Beispiel: …" (kind ``comment``); comments without an
  anchor come at the end. So a summary can tell a reviewer's remark from the text.
- **Text boxes** (DrawingML and VML) are read once (the DrawingML choice of
  ``mc:AlternateContent``, never also its VML fallback) as their own blocks after the
  paragraph that anchors them.
- Deleted tracked text and field instructions (``HYPERLINK "…"``) are not text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_W = "{" + W_NS + "}"
_MC = "{" + MC_NS + "}"
_SKIP = {
    f"{_W}{name}"
    for name in (
        "del",
        "moveFrom",
        "pPr",
        "rPr",
        "instrText",
        "delText",
        "delInstrText",
        "fldData",
        "footnoteRef",
        "endnoteRef",
        "annotationRef",
        "sectPr",
        "tblPr",
        "trPr",
        "tcPr",
    )
}
_ROMAN = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out += letters
            n -= value
    return out


@dataclass
class Note:
    kind: str  # footnote | endnote | comment
    label: str  # "1", "i", or the comment's author
    text: str


@dataclass
class NoteParts:
    """Footnotes, endnotes and comments of one document, by id, read from their parts."""

    footnotes: dict[str, str] = field(default_factory=dict)
    endnotes: dict[str, str] = field(default_factory=dict)
    comments: dict[str, tuple[str, str]] = field(default_factory=dict)  # id → (author, text)
    footnote_count: int = 0
    endnote_count: int = 0
    used_comments: set[str] = field(default_factory=set)


@dataclass
class ParaResult:
    text: str
    notes: list[Note] = field(default_factory=list)
    textboxes: list[Any] = field(default_factory=list)  # w:txbxContent elements
    has_graphics: bool = False  # a w:drawing (maybe a chart or SmartArt) in the paragraph


def _note_texts(root: Any, tag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for note in root.iter(f"{_W}{tag}"):
        if note.get(f"{_W}type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        parts = [paragraph_text(p, None).text.strip() for p in note.iter(f"{_W}p")]
        text = " ".join(p for p in parts if p)
        if text:
            out[note.get(f"{_W}id", "")] = text
    return out


def read_note_parts(document: Any) -> NoteParts:
    """The footnotes, endnotes and comments parts of a python-docx document (safe parser)."""
    from lxml import etree

    notes = NoteParts()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        rels = list(document.part.rels.values())
    except Exception:  # noqa: BLE001 - a package without relationships has no notes
        return notes
    for rel in rels:
        kind = str(getattr(rel, "reltype", "")).rsplit("/", 1)[-1]
        if kind not in ("footnotes", "endnotes", "comments") or rel.is_external:
            continue
        try:
            root = etree.fromstring(rel.target_part.blob, parser)
        except Exception:  # noqa: BLE001 - a broken notes part must not lose the body
            continue
        if kind == "footnotes":
            notes.footnotes = _note_texts(root, "footnote")
        elif kind == "endnotes":
            notes.endnotes = _note_texts(root, "endnote")
        else:
            for comment in root.iter(f"{_W}comment"):
                parts = [paragraph_text(p, None).text.strip() for p in comment.iter(f"{_W}p")]
                text = " ".join(p for p in parts if p)
                if text:
                    author = comment.get(f"{_W}author", "") or ""
                    notes.comments[comment.get(f"{_W}id", "")] = (author, text)
    return notes


class _Collector:
    def __init__(self, notes: NoteParts | None) -> None:
        self.notes = notes
        self.out: list[str] = []
        self.result = ParaResult("")

    def walk(self, el: Any) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == f"{_W}t":
                self.out.append(child.text or "")
            elif tag == f"{_W}tab" or tag == f"{_W}ptab":
                self.out.append("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                self.out.append("\n")
            elif tag == f"{_W}noBreakHyphen":
                self.out.append("-")
            elif tag == f"{_W}softHyphen":
                continue
            elif tag in (f"{_W}footnoteReference", f"{_W}endnoteReference"):
                self._note_ref(child, "footnote" if "foot" in tag else "endnote")
            elif tag == f"{_W}commentReference":
                self._comment(child.get(f"{_W}id", ""))
            elif tag == f"{_W}txbxContent":
                self.result.textboxes.append(child)
            elif tag == f"{_W}drawing":
                self.result.has_graphics = True
                self.walk(child)
            elif tag == f"{_MC}AlternateContent":
                chosen = child.find(f"{_MC}Choice")
                if chosen is None:
                    chosen = child.find(f"{_MC}Fallback")
                if chosen is not None:
                    self.walk(chosen)
            else:
                self.walk(child)  # runs, hyperlinks, insertions, fields, content controls

    def _note_ref(self, el: Any, kind: str) -> None:
        notes = self.notes
        if notes is None:
            return
        texts = notes.footnotes if kind == "footnote" else notes.endnotes
        text = texts.get(el.get(f"{_W}id", ""), "")
        custom = el.get(f"{_W}customMarkFollows") in ("1", "true", "on")
        if kind == "footnote":
            notes.footnote_count += 1
            label = str(notes.footnote_count)
        else:
            notes.endnote_count += 1
            label = roman(notes.endnote_count)
        if not custom:
            self.out.append(f"[{label}]")
        if text:
            self.result.notes.append(Note(kind, "" if custom else label, text))

    def _comment(self, cid: str) -> None:
        notes = self.notes
        if notes is None or cid in notes.used_comments or cid not in notes.comments:
            return
        notes.used_comments.add(cid)
        author, text = notes.comments[cid]
        self.result.notes.append(Note("comment", author, text))


def paragraph_text(p: Any, notes: NoteParts | None) -> ParaResult:
    """A ``w:p`` element's text with note markers; its notes, comments and text boxes."""
    collector = _Collector(notes)
    collector.walk(p)
    collector.result.text = "".join(collector.out).replace("\xa0", " ").strip()
    return collector.result


def note_block_text(note: Note) -> str:
    from llmoin_desktop.core.i18n import _, tr

    if note.kind == "comment":
        if note.label:
            return tr("Kommentar von {author}: {body}", author=note.label, body=note.text)
        return tr("Kommentar: {body}", body=note.text)
    word = _("Fußnote") if note.kind == "footnote" else _("Endnote")
    return f"{word} {note.label}: {note.text}" if note.label else f"{word}: {note.text}"


def unused_comments(notes: NoteParts) -> list[Note]:
    """Comments whose anchor was not found in the body (they still reach the clerk)."""
    return [
        Note("comment", author, text)
        for cid, (author, text) in notes.comments.items()
        if cid not in notes.used_comments
    ]
