"""Form fields filled from an e-mail chosen as the task's document.

"Entwurf schreiben → Antwort" on an e-mail should not make the clerk type what the mail
already says: the recipient is its sender, the subject is its subject, "Ihr Schreiben vom"
is its date. A task file marks such fields with ``from_email = "sender"`` (or ``subject``,
``reference``, ``date``, ``sender_address``); only empty fields are filled, so what the clerk
typed always wins. The values come from ``Document.metadata`` (core/documents/email_loader.py).
"""

from __future__ import annotations

from typing import Any

from llmoin_desktop.core.documents.model import Document
from llmoin_desktop.core.i18n import tr

EMAIL_KEYS = ("sender", "sender_address", "subject", "date", "reference")


def email_values(doc: Document | None) -> dict[str, str]:
    """What an e-mail offers to a form: sender, sender_address, subject, date, reference."""
    meta = getattr(doc, "metadata", None) or {}
    if meta.get("kind") != "email":
        return {}
    date = meta.get("date_text", "")
    values = {
        "sender": meta.get("from_name", ""),
        "sender_address": meta.get("from_address", ""),
        "subject": meta.get("subject", ""),
        "date": date,
        "reference": tr("Ihre E-Mail vom {date}", date=date) if date else "",
    }
    return {k: v for k, v in values.items() if v}


def fill_from_email(spec: Any, values: dict[str, Any], doc: Document | None) -> dict[str, Any]:
    """``values`` with the empty ``from_email`` fields filled from ``doc`` (a new dict)."""
    offered = email_values(doc)
    if not offered:
        return values
    out = dict(values)
    for f in spec.fields:
        key = getattr(f, "from_email", "")
        if key and key in offered and not str(out.get(f.name) or "").strip():
            out[f.name] = offered[key]
    return out


def wants_email(spec: Any, values: dict[str, Any]) -> bool:
    """True when the task has ``from_email`` fields still empty and a document is chosen."""
    doc_field = spec.document_field
    if doc_field is None or not str(values.get(doc_field.name) or "").strip():
        return False
    if not str(values[doc_field.name]).lower().endswith((".eml", ".msg")):
        return False
    return any(
        getattr(f, "from_email", "") and not str(values.get(f.name) or "").strip()
        for f in spec.fields
    )
