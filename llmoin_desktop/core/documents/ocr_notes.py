"""How the app tells a clerk that text came from text recognition, not from the file itself.

Recognised text can hold misread digits and names. The library line, a citation and a task
result therefore say where the text came from and how sure the engine was; the wording lives
here so every place says it the same way.
"""

from __future__ import annotations

from llmoin_desktop.core.documents.model import Document
from llmoin_desktop.core.i18n import _, tr


def recognised(doc: Document) -> bool:
    """Any text of ``doc`` came from OCR (pages of a scan, images in a Word file, a scanned
    attachment of an e-mail)."""
    return (
        bool(doc.ocr_pages)
        or doc.ocr_confidence is not None
        or any(getattr(b, "ocr", False) for b in doc.blocks)
    )


def confidence_label(doc: Document) -> str:
    return f"{doc.ocr_confidence:.0f}" if doc.ocr_confidence is not None else "?"


def library_note(doc: Document) -> str:
    """The document's note (a warning: the library shows it on the document's line)."""
    if not recognised(doc):
        return ""
    return tr(
        "Per Texterkennung gelesen (mittlere Sicherheit {confidence} %)",
        confidence=confidence_label(doc),
    )


def result_note(doc: Document | None) -> str:
    """The sentence under a task result whose source was (partly) recognised text."""
    if doc is None or not recognised(doc):
        return ""
    if doc.ocr_confidence is None:  # e.g. an e-mail with a scanned attachment
        return _(
            "Hinweis: Ein Teil der Vorlage wurde per Texterkennung gelesen; Zahlen, Namen und "
            "Daten bitte am Original prüfen."
        )
    return tr(
        "Hinweis: Die Vorlage wurde per Texterkennung gelesen (mittlere Sicherheit "
        "{confidence} %); Zahlen, Namen und Daten bitte am Original prüfen.",
        confidence=confidence_label(doc),
    )
