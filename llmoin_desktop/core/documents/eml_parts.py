""".eml: the MIME structure walked part by part, as a mail program shows it.

Why an own walk and not ``get_body()`` + ``iter_attachments()``: those two are built for
simple mails and lose real ones (issue 20) — a forwarded mail that *is* the body
(top-level ``message/rfc822``), a ``multipart/mixed`` inside another (its text and attachment
vanished), a list digest inside ``multipart/mixed`` (every message lost), a second text part
without a file name (became "Anhang 1.bin" and was refused). Rules, as Thunderbird and Outlook
show a mail:

- ``multipart/alternative``: one of the versions — plain text preferred (it is what the
  sender wrote; the HTML version adds only markup), else HTML, else the richest other part;
- ``multipart/related``: its root part is the body; inline images (logos) are not attachments;
- ``multipart/signed``: the signed content; the signature file is not an attachment;
- every other ``multipart/*`` (mixed, digest, report, parallel, unknown): all parts in order;
- a text part without a file name that is not marked "attachment" is body text (several are
  read one after another); with a file name it is an attachment under that name, also when
  it is shown inline; unnamed attachments get "Anhang 2.txt"-style names from their type;
- ``message/rfc822`` (also base64-encoded, also as the whole body) is an e-mail of its own,
  read like an attachment with its sender, date and subject;
- parts without content are not listed.
"""

from __future__ import annotations

import base64
import email
import email.policy
import email.utils
import mimetypes
import quopri
from pathlib import Path
from typing import Any

from llmoin_desktop.core.documents.errors import Damaged
from llmoin_desktop.core.documents.text_loader import decode_bytes
from llmoin_desktop.core.i18n import _

MAX_PARTS = 500  # MIME parts walked per mail; a mail with more is a bomb, not a letter
MAX_NESTING = 30  # multipart inside multipart; real mails stay under 10
_SIGNATURES = {
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
    "application/pgp-signature",
}
_EXT = {
    "text/plain": ".txt",
    "text/html": ".html",
    "text/markdown": ".md",
    "text/csv": ".csv",
    "text/rtf": ".rtf",
    "application/rtf": ".rtf",
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/tiff": ".tif",
    "image/heic": ".heic",
    "image/heif": ".heif",
    "image/avif": ".avif",
    "message/rfc822": ".eml",
    "text/vcard": ".vcf",
    "text/x-vcard": ".vcf",
    "application/zip": ".zip",
    "application/x-zip-compressed": ".zip",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.ms-outlook": ".msg",
}


def header(msg: Any, name: str) -> str:
    """A header as one line; raw 8-bit bytes (old mailers) decoded as UTF-8 or Windows-1252."""
    try:
        text = str(msg.get(name, "") or "")
    except Exception:  # noqa: BLE001 - a malformed header must not lose the whole mail
        text = ""
    if "\ufffd" in text or any("\udc80" <= ch <= "\udcff" for ch in text):
        raw = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), "")
        data = str(raw).encode("ascii", "surrogateescape")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", "replace")
    return " ".join(text.split())


def part_text(part: Any) -> str:
    """A text part's content; a wrong or unknown charset falls back to our byte decoder."""
    try:
        content = part.get_content()
    except Exception:  # noqa: BLE001 - unknown charset or broken transfer encoding
        payload = part.get_payload(decode=True) or b""
        content = decode_bytes(payload)[0] if isinstance(payload, bytes) else str(payload)
    if isinstance(content, bytes):
        content = decode_bytes(content)[0]
    return str(content)


def _filename(part: Any) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # noqa: BLE001 - broken RFC 2231 parameters
        name = ""
    return " ".join(str(name).replace("\\", "/").split("/")[-1].split())


def _is_attachment(part: Any) -> bool:
    try:
        return part.get_content_disposition() == "attachment"
    except Exception:  # noqa: BLE001
        return False


def _inner_message(part: Any) -> Any | None:
    """The mail inside a ``message/rfc822`` part (parsed, or decoded from base64 first)."""
    payload = part.get_payload()
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    if cte in ("base64", "quoted-printable"):
        # Encoded once more (Outlook does this): the parser saw the encoded text as a mail
        # without headers; decode it and parse the real one.
        inner = payload[0] if isinstance(payload, list) and payload else payload
        raw = inner.get_payload() if hasattr(inner, "get_payload") else inner
        data = str(raw or "").encode("ascii", "surrogateescape")
        if cte == "base64":
            data = base64.b64decode(data, validate=False)
        else:
            data = quopri.decodestring(data)
        return email.message_from_bytes(data, policy=email.policy.default)
    if isinstance(payload, list):
        return payload[0] if payload else None
    if hasattr(payload, "get_content_type"):
        return payload
    raw = part.get_payload(decode=True)
    if isinstance(raw, bytes) and raw.strip():
        return email.message_from_bytes(raw, policy=email.policy.default)
    return None


class PartWalker:
    """Collects body segments and attachments of one mail into a ``Mail``."""

    def __init__(self, mail: Any, make_mail: Any) -> None:
        self.mail = mail
        self.make_mail = make_mail  # builds a nested Mail from a message (email_loader)
        self.parts = 0
        self.unnamed = 0

    def walk(self, part: Any, nesting: int = 0) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS or nesting > MAX_NESTING:
            return
        ctype = part.get_content_type()
        maintype, _slash, subtype = ctype.partition("/")
        if maintype == "multipart":
            children = [p for p in (part.get_payload() or []) if hasattr(p, "get_content_type")]
            if subtype == "alternative":
                self._alternative(children, nesting)
            elif subtype == "related":
                self._related(part, children, nesting)
            elif subtype == "signed":
                for child in children:
                    if child.get_content_type() not in _SIGNATURES:
                        self.walk(child, nesting + 1)
            elif subtype == "encrypted":
                self.mail.notes.append(_("Die E-Mail ist verschlüsselt; ihr Inhalt fehlt."))
            else:
                for child in children:
                    self.walk(child, nesting + 1)
            return
        if ctype in ("message/rfc822", "message/global"):
            self._nested(part)
            return
        if ctype in _SIGNATURES:
            return
        if ctype == "message/delivery-status":  # a bounce: its status lines are text
            blocks = part.get_payload()
            if isinstance(blocks, list):
                text = "\n\n".join(str(b).strip() for b in blocks if str(b).strip())
                if text:
                    self.mail.bodies.append(("text", text))
            return
        name = _filename(part)
        if ctype in ("text/vcard", "text/x-vcard", "text/directory") and not name:
            name = "Kontakt.vcf"  # a contact card: read as one (ics_text.vcard_text)
        if ctype == "text/calendar":  # an invitation: when, where, who (ics_text.py)
            from llmoin_desktop.core.documents.ics_text import calendar_text

            text = calendar_text(part_text(part))
            if text:
                self.mail.bodies.append(("text", text))
                return
        if not name and not _is_attachment(part) and maintype in ("text", "message"):
            self._body(part, subtype)
            return
        self._attachment(part, name, ctype)

    def _body(self, part: Any, subtype: str) -> None:
        text = part_text(part)
        if text.strip():
            self.mail.bodies.append(("html" if subtype == "html" else "text", text))

    def _alternative(self, children: list[Any], nesting: int) -> None:
        if not children:
            return
        versions = [c for c in children if not _filename(c) and not _is_attachment(c)]
        by_type = {c.get_content_type(): c for c in reversed(versions)}
        plain, html = by_type.get("text/plain"), by_type.get("text/html")
        chosen = _richer(plain, html) if plain is not None or html is not None else None
        if chosen is None:
            chosen = versions[-1] if versions else None  # e.g. multipart/related with the HTML
        if chosen is not None:
            self.walk(chosen, nesting + 1)
        for child in children:  # a file inside the alternative is still a file, and an
            # invitation (text/calendar beside the text) is the meeting Outlook shows
            if child is not chosen and (
                child not in versions or child.get_content_type() == "text/calendar"
            ):
                self.walk(child, nesting + 1)

    def _related(self, part: Any, children: list[Any], nesting: int) -> None:
        if not children:
            return
        start = str(part.get_param("start") or "").strip("<>")
        root = next(
            (c for c in children if str(c.get("content-id", "")).strip("<>") == start), None
        )
        root = root if start and root is not None else children[0]
        self.walk(root, nesting + 1)
        html = " ".join(part_text(p) for p in root.walk() if p.get_content_type() == "text/html")
        for child in children:
            if child is root:
                continue
            cid = str(child.get("content-id", "")).strip().strip("<>")
            if child.get_content_maintype() == "image" and (
                not _filename(child) or cid and f"cid:{cid}" in html
            ):
                continue  # logos and pictures shown inside the HTML body
            if _filename(child) or _is_attachment(child):
                self.walk(child, nesting + 1)

    def _nested(self, part: Any) -> None:
        try:
            inner = _inner_message(part)
        except Exception:  # noqa: BLE001 - unreadable inner message: named, not dropped
            inner = None
        if inner is None:
            return
        nested = self.make_mail(inner)
        nested.subject = nested.subject or header(part, "subject")  # some put it on the part
        name = _filename(part) or f"{nested.subject or _('E-Mail')}.eml"
        self.mail.attachments.append((name, nested))

    def _attachment(self, part: Any, name: str, ctype: str) -> None:
        try:
            payload = part.get_payload(decode=True)
        except Exception:  # noqa: BLE001
            payload = None
        if not isinstance(payload, bytes):
            payload = b""
        if not name:
            if not payload.strip():
                return  # an empty part without a name is structure, not an attachment
            self.unnamed += 1
            ext = _EXT.get(ctype) or (
                ".txt"
                if ctype.startswith("text/")
                else mimetypes.guess_extension(ctype, strict=False) or ".bin"
            )
            name = f"{_('Anhang')} {self.unnamed}{ext}"
        elif not Path(name).suffix and ctype in _EXT:
            name += _EXT[ctype]
        self.mail.attachments.append((name, payload))


def _visible_html(html: str) -> str:
    from llmoin_desktop.core.documents.html_loader import html_blocks

    return " ".join(b.text for b in html_blocks(html)[1])


def _richer(plain: Any | None, html: Any | None) -> Any | None:
    """The plain version, unless the HTML one says clearly more (newsletters and some mail
    programs put only "view this mail in a browser" into the plain part; Outlook shows the
    HTML). Decision: HTML when its visible text is over 20 % longer."""
    plain_text = part_text(plain).strip() if plain is not None else ""
    if html is None:
        return plain if plain_text else None
    try:
        html_text = _visible_html(part_text(html))
    except Exception:  # noqa: BLE001 - unparseable HTML: the plain text, if any
        html_text = ""
    if not plain_text:
        return html if html_text.strip() else None
    return html if len(html_text) > 1.2 * len(plain_text) + 50 else plain


def read_message(path: Path) -> Any:
    try:
        return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    except Exception as exc:  # noqa: BLE001 - the email package rarely raises, but may
        raise Damaged(path, detail=repr(exc)) from exc


def parse_date(raw: str) -> Any:
    try:
        return email.utils.parsedate_to_datetime(raw) if raw else None
    except (TypeError, ValueError, IndexError):
        return None
