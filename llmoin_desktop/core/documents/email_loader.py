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

import email
import email.policy
import email.utils
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from llmoin_desktop.core.documents.errors import Damaged, DocumentError, UnsupportedFormat
from llmoin_desktop.core.documents.html_loader import html_blocks
from llmoin_desktop.core.documents.model import Block, Document
from llmoin_desktop.core.documents.text_loader import decode_bytes
from llmoin_desktop.core.i18n import _, tr

MAX_DEPTH = 3  # an e-mail inside an e-mail inside an e-mail, no deeper
MAX_ATTACHMENTS = 30  # per document, nested ones included
MAX_ATTACHMENT_BYTES = 40 * 1024 * 1024
MAX_TOTAL_BYTES = 120 * 1024 * 1024
_UNSAFE_NAME = re.compile(r"[^\w.\- äöüÄÖÜß()]+")


class MsgSupportMissing(UnsupportedFormat):
    """A .msg file on a PC without the optional ``msg`` extra (extract-msg, GPL-3.0)."""

    def _message(self) -> str:
        return tr(
            "Die Outlook-Datei „{name}“ kann auf diesem Rechner nicht gelesen werden: Die "
            "Erweiterung für .msg-Dateien ist nicht installiert. Bitte speichern Sie die E-Mail "
            "in Outlook als .eml (oder drucken Sie sie als PDF) oder wenden Sie sich an die IT.",
            name=self.filename,
        )


@dataclass
class Mail:
    """What we need from either format; ``attachments`` hold bytes or a nested Mail."""

    subject: str = ""
    sender: str = ""
    to: str = ""
    cc: str = ""
    date: datetime | None = None
    text: str = ""
    html: str = ""
    attachments: list[tuple[str, bytes | Mail]] = field(default_factory=list)


# Reading .eml ------------------------------------------------------------------------------
def _header(msg: Any, name: str) -> str:
    try:
        return " ".join(str(msg.get(name, "") or "").split())
    except Exception:  # noqa: BLE001 - a malformed header must not lose the whole mail
        return ""


def _part_text(part: Any) -> str:
    try:
        content = part.get_content()
    except Exception:  # noqa: BLE001 - unknown charset or broken transfer encoding
        payload = part.get_payload(decode=True) or b""
        content = decode_bytes(payload)[0] if isinstance(payload, bytes) else str(payload)
    if isinstance(content, bytes):
        content = decode_bytes(content)[0]
    return str(content)


def mail_from_message(msg: Any) -> Mail:
    """A parsed ``email.message.EmailMessage`` → :class:`Mail` (nested messages included)."""
    mail = Mail(
        subject=_header(msg, "subject"),
        sender=_header(msg, "from"),
        to=_header(msg, "to"),
        cc=_header(msg, "cc"),
    )
    raw_date = _header(msg, "date")
    if raw_date:
        try:
            mail.date = email.utils.parsedate_to_datetime(raw_date)
        except (TypeError, ValueError, IndexError):
            mail.date = None
    for kind in ("plain", "html"):
        try:
            body = msg.get_body(preferencelist=(kind,))
        except Exception:  # noqa: BLE001 - odd structures: treat as "no such body"
            body = None
        if body is not None:
            setattr(mail, "text" if kind == "plain" else "html", _part_text(body))
    if not msg.is_multipart() and not mail.text and not mail.html:
        mail.text = _part_text(msg)
    try:
        parts = list(msg.iter_attachments())
    except Exception:  # noqa: BLE001
        parts = []
    for i, part in enumerate(parts, start=1):
        name = part.get_filename() or ""
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if hasattr(inner, "get_body"):
                nested = mail_from_message(inner)
                mail.attachments.append((name or f"{nested.subject or 'E-Mail'}.eml", nested))
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        if not name:
            ext = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
                part.get_content_type(), ".bin"
            )
            name = f"{_('Anhang')} {i}{ext}"
        mail.attachments.append((name, payload))
    return mail


def read_eml(path: Path) -> Mail:
    try:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    except Exception as exc:  # noqa: BLE001 - the email package rarely raises, but may
        raise Damaged(path, detail=repr(exc)) from exc
    return mail_from_message(msg)


# Reading .msg ------------------------------------------------------------------------------
def _msg_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return decode_bytes(value)[0]
    return str(value)


def mail_from_msg(msg: Any, depth: int = 0) -> Mail:
    """An ``extract_msg`` message → :class:`Mail`."""
    mail = Mail(
        subject=" ".join(_msg_text(msg.subject).split()),
        sender=" ".join(_msg_text(msg.sender).split()),
        to=" ".join(_msg_text(msg.to).split()),
        cc=" ".join(_msg_text(msg.cc).split()),
    )
    try:
        date = msg.date
        mail.date = date if isinstance(date, datetime) else None
        if mail.date is None and msg.header is not None and msg.header.get("Date"):
            # No PR_CLIENT_SUBMIT_TIME (drafts, some exports): the transport header has it.
            mail.date = email.utils.parsedate_to_datetime(str(msg.header.get("Date")))
    except Exception:  # noqa: BLE001 - missing or malformed date: the mail is still read
        mail.date = None
    try:
        mail.text = _msg_text(msg.body)
    except Exception:  # noqa: BLE001 - body missing or in an unknown code page
        mail.text = ""
    if not mail.text.strip():
        try:
            mail.html = _msg_text(msg.htmlBody)
        except Exception:  # noqa: BLE001
            mail.html = ""
    for att in getattr(msg, "attachments", []) or []:
        name = _msg_text(
            getattr(att, "longFilename", None) or getattr(att, "shortFilename", None) or ""
        )
        data = getattr(att, "data", None)
        if isinstance(data, bytes):
            mail.attachments.append((name or _("Anhang"), data))
        elif data is not None and hasattr(data, "subject") and depth < MAX_DEPTH:
            nested = mail_from_msg(data, depth + 1)
            mail.attachments.append((name or f"{nested.subject or 'E-Mail'}.msg", nested))
    return mail


def read_msg(path: Path) -> Mail:
    try:
        import extract_msg
    except ImportError as exc:
        raise MsgSupportMissing(path, detail="extract-msg not installed") from exc
    try:
        msg = extract_msg.openMsg(str(path), strict=False)
    except Exception as exc:  # noqa: BLE001 - not an Outlook message, or a broken one
        raise Damaged(path, detail=repr(exc)) from exc
    try:
        return mail_from_msg(msg)
    finally:
        close = getattr(msg, "close", None)
        if close is not None:
            close()


# Turning a Mail into blocks ----------------------------------------------------------------
def sender_name(sender: str) -> str:
    """ "Erika Mustermann <e.m@example.org>" → "Erika Mustermann" (else the address)."""
    name, address = email.utils.parseaddr(sender)
    return " ".join((name or address or sender).split())


def mail_metadata(mail: Mail) -> dict[str, str]:
    name, address = email.utils.parseaddr(mail.sender)
    meta = {
        "kind": "email",
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
    def __init__(self, doc: Document, workdir: Path) -> None:
        self.doc = doc
        self.workdir = workdir
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
            (_("Anhänge"), ", ".join(n for n, _d in mail.attachments)),
        ]
        lines = [f"{label}: {value}" for label, value in head if value]
        if lines:
            self.add(Block("\n".join(lines), section=section), part)
        if mail.text.strip():
            for para in re.split(r"\n\s*\n", mail.text.replace("\r\n", "\n")):
                if para.strip():
                    self.add(Block(para.strip(), section=section), part)
        elif mail.html.strip():
            _title, blocks = html_blocks(mail.html)
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
        safe = _UNSAFE_NAME.sub("_", Path(name).name).strip(" .") or "anhang"
        target = self.workdir / f"{self.count:03d}_{safe}"
        target.write_bytes(data)
        try:
            inner = _load_attachment(target, depth + 1)
        except DocumentError as exc:
            self.skip(name, exc.user_message)
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


def _load_attachment(path: Path, depth: int) -> Document:
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
            _Builder(doc, Path(tmp)).mail(mail, None, depth)
        return doc
    from llmoin_desktop.core.documents.loaders import load_document

    return load_document(path)


def document_from_mail(path: Path, mail: Mail, fmt: str) -> Document:
    doc = Document(path=str(path), title=mail.subject or path.stem, format=fmt)
    doc.metadata = mail_metadata(mail)
    with tempfile.TemporaryDirectory(prefix="llmoin-mail-") as tmp:
        _Builder(doc, Path(tmp)).mail(mail, None, 0)
    return doc


def load_eml(path: Path) -> Document:
    return document_from_mail(path, read_eml(path), "eml")


def load_msg(path: Path) -> Document:
    return document_from_mail(path, read_msg(path), "msg")
