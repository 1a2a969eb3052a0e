"""What a PDF shows outside its text layer: filled form fields, text boxes, comments.

A citizen's application arrives as a filled PDF form: the values ("Name: Erika Mustermann")
live in the form fields' annotations, not in the page's content stream, so ``extract_text``
returns the empty form. Free-text boxes ("Eingangsstempel 03.03.2026") and reviewers' sticky
notes are annotations too. Decisions (docs/formats.md):

- filled fields become lines "Feldname: Wert" at the end of their page (the field's tooltip
  name when it has one, else its name); ticked check boxes "Feldname: ja", empty fields and
  unticked boxes are left out;
- free-text boxes are text of their page;
- sticky notes and the notes on highlights are comments (kind ``comment``, "Kommentar von
  …: …"), never body text — as in Word (docx_text.py).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

MAX_ANNOTS = 2000  # per page; a page with more is not a form a clerk fills in
_COMMENT_TYPES = {
    "/Text",
    "/Highlight",
    "/Underline",
    "/StrikeOut",
    "/Squiggly",
    "/Caret",
    "/Ink",
    "/Square",
    "/Circle",
    "/Polygon",
    "/PolyLine",
    "/Line",
    "/Stamp",
    "/FileAttachment",
}


@dataclass
class PageExtras:
    fields: list[str] = field(default_factory=list)
    free_text: list[str] = field(default_factory=list)
    comments: list[tuple[str, str]] = field(default_factory=list)  # (author, text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    with contextlib.suppress(Exception):  # a direct object has no get_object
        value = value.get_object()
    if isinstance(value, list | tuple):
        return ", ".join(t for t in (_text(v) for v in value) if t)
    return " ".join(str(value).replace("\r", "\n").split())


def _inherited(annot: Any, key: str) -> Any:
    node, depth = annot, 0
    while node is not None and depth < 20:
        try:
            if key in node:
                return node[key]
            parent = node.get("/Parent")
            node = parent.get_object() if parent is not None else None
        except Exception:  # noqa: BLE001 - a broken parent chain ends the search
            return None
        depth += 1
    return None


def _field_name(annot: Any) -> str:
    label = _text(_inherited(annot, "/TU"))
    if label:
        return label
    parts: list[str] = []
    node, depth = annot, 0
    while node is not None and depth < 20:
        try:
            if "/T" in node:
                parts.append(_text(node["/T"]))
            parent = node.get("/Parent")
            node = parent.get_object() if parent is not None else None
        except Exception:  # noqa: BLE001
            break
        depth += 1
    return ".".join(reversed([p for p in parts if p]))


def _field_value(annot: Any) -> str:
    """The shown value: text and choices as they are, a ticked check box as "ja", the chosen
    radio button by its export name ("/Herr" → "Herr"), nothing for an empty or unticked one."""
    from llmoin_desktop.core.i18n import _

    value = _inherited(annot, "/V")
    if value is None:
        return ""
    text = _text(value)
    if str(_inherited(annot, "/FT") or "") != "/Btn":
        return text
    if text in ("", "/Off", "Off"):
        return ""
    try:
        flags = int(_inherited(annot, "/Ff") or 0)
    except (TypeError, ValueError):
        flags = 0
    if flags & (1 << 15):  # a radio group: which one was chosen
        return text.lstrip("/")
    return _("ja")


def page_extras(page: Any) -> PageExtras:
    """Form values, free text and comments of one pypdf page (never raises)."""
    extras = PageExtras()
    try:
        annots = page.get("/Annots")
        annots = annots.get_object() if annots is not None else []
    except Exception:  # noqa: BLE001 - unreadable annotations: the page text still counts
        return extras
    seen_fields: set[str] = set()
    for ref in list(annots)[:MAX_ANNOTS]:
        try:
            annot = ref.get_object()
            subtype = str(annot.get("/Subtype", ""))
            if subtype == "/Widget":
                name, value = _field_name(annot), _field_value(annot)
                key = f"{name}={value}"
                if value and key not in seen_fields:  # radio groups repeat the parent's value
                    seen_fields.add(key)
                    extras.fields.append(f"{name}: {value}" if name else value)
            elif subtype == "/FreeText":
                text = _text(annot.get("/Contents"))
                if text:
                    extras.free_text.append(text)
            elif subtype in _COMMENT_TYPES:
                text = _text(annot.get("/Contents"))
                if text:
                    extras.comments.append((_text(annot.get("/T")), text))
        except Exception:  # noqa: BLE001 - one broken annotation must not lose the others
            continue
    return extras
