"""E-mails (.eml, Outlook .msg) with their attachments as one document.

Most requests reach an administration as an e-mail with the real content attached (the
Bescheid as PDF, a photo of a letter). So the mail is read together with its attachments:
body first, then each attachment through the normal loaders (PDF, DOCX, images through text
recognition when that is installed, nested e-mails), every attachment block tagged with
``Block.part`` = "Anhang Bescheid.pdf" so a citation names the attachment and its page.
Sender, recipients, date and subject go to ``Document.metadata`` for the tasks ("Antwort an
Frau X auf ihre E-Mail vom …").

Runs inside the sandbox worker, like every loader: attachments are written to a private
temporary folder and parsed in the same process, under the worker's memory and time limits.
Depth, count and size of attachments are bounded; what is left out becomes a warning.

.msg needs extract-msg, which is GPL-3.0: it is the optional extra ``msg`` that IT installs
knowingly (docs/rollout.md). Without it a .msg gets a clear message instead of a traceback.
"""

from __future__ import annotations

import email.utils
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llmoin_desktop.core.documents.eml_parts import PartWalker, header, parse_date, read_message
from llmoin_desktop.core.documents.errors import DocumentError, WrongFormat
from llmoin_desktop.core.documents.html_loader import html_blocks

# Re-exported: tests and callers import these from here (explicit re-exports).
from llmoin_desktop.core.documents.mail import MAX_DEPTH as MAX_DEPTH
from llmoin_desktop.core.documents.mail import Mail as Mail
from llmoin_desktop.core.documents.mail import MsgSupportMissing as MsgSupportMissing
from llmoin_desktop.core.documents.model import Block, Document
from llmoin_desktop.core.i18n import _, tr

MAX_ATTACHMENTS = 30  # per document, nested ones included
MAX_ATTACHMENT_BYTES = 40 * 1024 * 1024
MAX_TOTAL_BYTES = 120 * 1024 * 1024
_UNSAFE_NAME = re.compile(r"[^\w.\- äöüÄÖÜß()]+")

# Reads one attachment file (the loader table's ``load_document``), handed in by loaders.py:
# the mail loader never imports the table back, so there is no import circle (issue 23).
LoadFile = Callable[[Path], Document]


# Reading .eml ------------------------------------------------------------------------------
def mail_from_message(msg: Any) -> Mail:
    """A parsed ``email.message.EmailMessage`` → :class:`Mail` (nested messages included);
    the MIME structure is walked by :class:`eml_parts.PartWalker`."""
    mail = Mail(
        subject=header(msg, "subject"),
        sender=header(msg, "from"),
        to=header(msg, "to"),
        cc=header(msg, "cc"),
        date=parse_date(header(msg, "date")),
    )
    PartWalker(mail, mail_from_message).walk(msg)
    return mail


def read_eml(path: Path) -> Mail:
    return mail_from_message(read_message(path))


def read_msg(path: Path) -> Mail:
    from llmoin_desktop.core.documents.msg_loader import read_msg as read

    return read(path)


# Turning a Mail into blocks ----------------------------------------------------------------
def sender_name(sender: str) -> str:
    """ "Erika Mustermann <e.m@example.org>" → "Erika Mustermann" (else the address)."""
    name, address = email.utils.parseaddr(sender)
    return " ".join((name or address or sender).split())


def mail_metadata(mail: Mail) -> dict[str, str]:
    name, address = email.utils.parseaddr(mail.sender)
    meta = {
        "kind": mail.kind,
        "subject": mail.subject,
        "from": mail.sender,
        "from_name": sender_name(mail.sender),
        "from_address": address,
        "to": mail.to,
        "cc": mail.cc,
        "attachments": ", ".join(n for n, _data in mail.attachments),
    }
    if mail.date is not None:
        meta["date"] = mail.date.isoformat()
        meta["date_text"] = mail.date.strftime("%d.%m.%Y")
    return {k: v for k, v in meta.items() if v}


class _Builder:
    def __init__(self, doc: Document, workdir: Path, load_file: LoadFile) -> None:
        self.doc = doc
        self.workdir = workdir
        self.load_file = load_file
        self.count = 0
        self.total = 0

    def mail(self, mail: Mail, part: str | None, depth: int) -> None:
        section = mail.subject or None
        if part:
            section = part
        elif mail.subject:
            self.add(Block(mail.subject, section=mail.subject, kind="heading", level=1), part)
        head = [
            (_("Von"), mail.sender),
            (_("An"), mail.to),
            (_("Kopie"), mail.cc),
            (_("Datum"), mail.date.strftime("%d.%m.%Y %H:%M") if mail.date else ""),
            (_("Betreff"), mail.subject if part else ""),
            *mail.facts,
            (_("Anhänge"), ", ".join(n for n, _d in mail.attachments)),
        ]
        lines = [f"{label}: {value}" for label, value in head if value]
        if lines:
            self.add(Block("\n".join(lines), section=section), part)
        self.doc.warnings.extend(mail.notes)
        for kind, content in mail.body_parts():
            if kind == "text":
                for para in re.split(r"\n\s*\n", content.replace("\r\n", "\n")):
                    if para.strip():
                        self.add(Block(para.strip(), section=section), part)
                continue
            _title, blocks = html_blocks(content)
            for b in blocks:
                b.section = section if part else (b.section or section)
                self.add(b, part)
        for name, data in mail.attachments:
            self.attachment(name, data, part, depth)

    def add(self, block: Block, part: str | None) -> None:
        block.part = part
        self.doc.blocks.append(block)

    def skip(self, name: str, reason: str) -> None:
        self.doc.warnings.append(
            tr("Anhang „{name}“ nicht gelesen: {reason}", name=name, reason=reason)
        )

    def attachment(self, name: str, data: bytes | Mail, parent: str | None, depth: int) -> None:
        label = tr("Anhang {name}", name=name)
        part = f"{parent} › {label}" if parent else label
        self.count += 1
        if self.count > MAX_ATTACHMENTS:
            self.skip(name, tr("mehr als {n} Anhänge", n=MAX_ATTACHMENTS))
            return
        if isinstance(data, Mail):
            if depth + 1 > MAX_DEPTH:
                self.skip(name, _("zu tief verschachtelte E-Mail"))
                return
            self.add(Block(part, section=part, kind="heading", level=2), part)
            self.mail(data, part, depth + 1)
            return
        if len(data) > MAX_ATTACHMENT_BYTES or self.total + len(data) > MAX_TOTAL_BYTES:
            self.skip(name, _("zu groß"))
            return
        self.total += len(data)
        # Its own folder keeps the attachment's name, so no message shows a temp name.
        safe = _UNSAFE_NAME.sub("_", Path(name).name).strip(" .") or "anhang"
        folder = self.workdir / f"{self.count:03d}"
        folder.mkdir()
        target = folder / safe
        target.write_bytes(data)
        try:
            inner = _load_attachment(target, depth + 1, self.load_file)
        except DocumentError as exc:
            self.skip(name, _named(exc, name).user_message)
            return
        finally:
            target.unlink(missing_ok=True)
        self.add(Block(part, section=part, kind="heading", level=2), part)
        for b in inner.blocks:
            if b.kind in ("header", "footer"):
                continue
            b.section = f"{part} › {b.section}" if b.section else part
            self.add(b, f"{part} › {b.part}" if b.part else part)
        self.doc.warnings.extend(f"{label}: {w}" for w in inner.warnings)


def _named(exc: DocumentError, name: str) -> DocumentError:
    """The same error, naming the attachment as the mail does (not the cleaned file name)."""
    try:
        if isinstance(exc, WrongFormat):
            return WrongFormat(name, actual=exc.actual)
        return type(exc)(name, detail=exc.detail)
    except Exception:  # noqa: BLE001 - an error class with another signature
        return exc


def _load_attachment(path: Path, depth: int, load_file: LoadFile) -> Document:
    from llmoin_desktop.core.documents.detect import detect_format

    fmt = detect_format(path)
    if fmt in ("eml", "msg") and depth > MAX_DEPTH:
        doc = Document(path=str(path), title=path.name, format=fmt)
        doc.warnings.append(
            tr(
                "Anhang „{name}“ nicht gelesen: {reason}",
                name=path.name,
                reason=_("zu tief verschachtelte E-Mail"),
            )
        )
        return doc
    if fmt in ("eml", "msg"):
        mail = read_eml(path) if fmt == "eml" else read_msg(path)
        doc = Document(path=str(path), title=mail.subject, format=fmt)
        with tempfile.TemporaryDirectory(prefix="llmoin-mail-") as tmp:
            _Builder(doc, Path(tmp), load_file).mail(mail, None, depth)
        return doc
    return load_file(path)


def document_from_mail(path: Path, mail: Mail, fmt: str, load_file: LoadFile) -> Document:
    doc = Document(path=str(path), title=mail.subject or path.stem, format=fmt)
    doc.metadata = mail_metadata(mail)
    with tempfile.TemporaryDirectory(prefix="llmoin-mail-") as tmp:
        _Builder(doc, Path(tmp), load_file).mail(mail, None, 0)
    return doc


def load_eml(path: Path, *, load_file: LoadFile) -> Document:
    """``load_file`` reads each attachment (PDF, DOCX, …): loaders.py hands in its table."""
    return document_from_mail(path, read_eml(path), "eml", load_file)


def load_msg(path: Path, *, load_file: LoadFile) -> Document:
    """As :func:`load_eml`, for an Outlook item."""
    return document_from_mail(path, read_msg(path), "msg", load_file)
