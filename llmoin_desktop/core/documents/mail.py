"""The format-neutral picture of one e-mail (or Outlook item) both mail readers fill.

Why a module of its own: ``email_loader`` (.eml, turning a mail into blocks) and ``msg_loader``
(.msg through extract-msg) both build a :class:`Mail`; with the type here neither has to import
the other back, so the three mail modules form a line, not a circle (issue 23).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from llmoin_desktop.core.documents.errors import UnsupportedFormat

MAX_DEPTH = 3  # an e-mail inside an e-mail inside an e-mail, no deeper


class MsgSupportMissing(UnsupportedFormat):
    """A .msg file on a PC without the optional ``msg`` extra (extract-msg, GPL-3.0); the
    message (errors.UnsupportedFormat) asks for .eml or the IT."""


@dataclass
class Mail:
    """What we need from either format; ``attachments`` hold bytes or a nested Mail.

    ``bodies``: the body text parts in order, ``("text" | "html", content)``; ``text`` and
    ``html`` are the single body of an Outlook item. ``facts``: extra labelled lines an Outlook
    contact or appointment carries ("Telefon", "Ort", …); ``kind`` says which it is."""

    subject: str = ""
    sender: str = ""
    to: str = ""
    cc: str = ""
    date: datetime | None = None
    text: str = ""
    html: str = ""
    attachments: list[tuple[str, bytes | Mail]] = field(default_factory=list)
    bodies: list[tuple[str, str]] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kind: str = "email"

    def body_parts(self) -> list[tuple[str, str]]:
        if self.bodies:
            return self.bodies
        if self.text.strip():
            return [("text", self.text)]
        return [("html", self.html)] if self.html.strip() else []
