"""Outlook items (.msg): e-mails, contacts, appointments and meeting requests via extract-msg.

extract-msg is GPL-3.0: the optional extra ``msg`` that IT installs knowingly
(docs/rollout.md); without it a .msg gets a clear message (``MsgSupportMissing``).

What Outlook shows, read from the item's MAPI properties (issue 20):

- **date**: the send time (PR_CLIENT_SUBMIT_TIME), else the transport header's ``Date``, else
  the delivery time (PR_MESSAGE_DELIVERY_TIME), else the creation time — drafts, items
  exported from a shared mailbox and contacts carry only the later ones. MAPI times are UTC;
  they are shown in this PC's time zone, as Outlook does.
- **code page**: non-Unicode items (Outlook 97–2002, some exports) store their strings in a
  Windows code page. extract-msg takes it from PR_MESSAGE_CODEPAGE and otherwise guesses
  ISO-8859-15, which turns Japanese (932), Chinese (Big5/950) and even some German
  Windows-1252/1250 items into mojibake. We pass the code page from PR_INTERNET_CPID or the
  transport header's charset instead, and decode an HTML body with its own charset.
- **contacts** (IPM.Contact): name, e-mail addresses, phones, company, position, address.
- **appointments and meeting requests** (IPM.Appointment, IPM.Schedule.Meeting.*): when
  (start–end), where, who (organizer, required and optional attendees).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from llmoin_desktop.core.documents.email_loader import MAX_DEPTH, Mail, MsgSupportMissing
from llmoin_desktop.core.documents.errors import Damaged
from llmoin_desktop.core.documents.text_loader import decode_bytes
from llmoin_desktop.core.i18n import _

# Windows code page numbers → Python codecs (the usual ones; others via "cp<number>").
_CODE_PAGES = {
    932: "cp932",
    936: "gbk",
    949: "cp949",
    950: "big5",
    1200: "utf-16-le",
    20127: "ascii",
    20866: "koi8-r",
    28591: "latin-1",
    28592: "iso-8859-2",
    28605: "iso-8859-15",
    50220: "iso-2022-jp",
    50221: "iso-2022-jp",
    50222: "iso-2022-jp",
    51932: "euc-jp",
    65001: "utf-8",
}
_CHARSET = re.compile(rb"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def codec_for(code_page: Any) -> str | None:
    """Python's codec name for a Windows code page number (None when unknown)."""
    import codecs

    try:
        number = int(code_page)
    except (TypeError, ValueError):
        return None
    name = _CODE_PAGES.get(number, f"cp{number}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _charset(data: bytes) -> str | None:
    import codecs

    match = _CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return decode_bytes(value)[0]
    if isinstance(value, list | tuple | set):
        return "; ".join(_text(v) for v in value if v)
    return " ".join(str(value).split()) if "\n" not in str(value) else str(value)


def _prop(msg: Any, name: str) -> Any:
    try:
        return getattr(msg, name)
    except Exception:  # noqa: BLE001 - a broken property must not lose the item
        return None


def _value(msg: Any, prop: str) -> Any:
    try:
        return msg.getPropertyVal(prop)
    except Exception:  # noqa: BLE001
        return None


def _local(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    try:
        return value.astimezone() if value.tzinfo is not None else value
    except (OverflowError, OSError, ValueError):  # dates before 1970 on Windows
        return value


def _date(msg: Any) -> datetime | None:
    import email.utils

    sent = _prop(msg, "date")
    if isinstance(sent, datetime):
        return _local(sent)
    header = _prop(msg, "header")
    try:
        raw = header.get("Date") if header is not None else None
        if raw:
            return email.utils.parsedate_to_datetime(str(raw))
    except (TypeError, ValueError, IndexError, AttributeError):
        pass
    # PR_CLIENT_SUBMIT_TIME, PR_MESSAGE_DELIVERY_TIME, PR_CREATION_TIME, PR_LAST_MODIFICATION_TIME
    for prop in ("00390040", "0E060040", "30070040", "30080040"):
        value = _local(_value(msg, prop))
        if value is not None:
            return value
    return None


def _encoding_hint(msg: Any) -> str | None:
    """The code page of a non-Unicode item that lacks PR_MESSAGE_CODEPAGE (None: fine)."""
    try:
        if msg.areStringsUnicode or _value(msg, "3FFD0003") is not None:
            return None
    except Exception:  # noqa: BLE001
        return None
    hint = codec_for(_value(msg, "3FDE0003"))  # PR_INTERNET_CPID
    if hint:
        return hint
    try:
        headers = msg.getStream("__substg1.0_007D001E")  # transport headers, raw bytes
    except Exception:  # noqa: BLE001
        headers = None
    if isinstance(headers, bytes):
        hint = _charset(headers)
        if hint:
            return hint
    sample = b""
    for stream in ("__substg1.0_0037001E", "__substg1.0_1000001E", "__substg1.0_0C1A001E"):
        try:
            sample += msg.getStream(stream) or b""
        except Exception:  # noqa: BLE001
            continue
    try:
        sample.decode("utf-8")
        return "utf-8" if any(b > 127 for b in sample) else "cp1252"
    except UnicodeDecodeError:
        return "cp1252"  # what a German Outlook writes


def _html(msg: Any) -> str:
    data = _prop(msg, "htmlBody")
    if not isinstance(data, bytes):
        return _text(data)
    charset = _charset(data) or codec_for(_value(msg, "3FDE0003"))
    if charset:
        try:
            return data.decode(charset)
        except (UnicodeDecodeError, LookupError):
            pass
    return decode_bytes(data)[0]


def _contact_facts(msg: Any) -> list[tuple[str, str]]:
    emails = [
        _text(_prop(msg, f"email{i}EmailAddress"))
        for i in (1, 2, 3)
        if _prop(msg, f"email{i}EmailAddress")
    ]
    phones = [
        (_("Telefon geschäftlich"), "businessTelephoneNumber"),
        (_("Mobiltelefon"), "mobileTelephoneNumber"),
        (_("Telefon privat"), "homeTelephoneNumber"),
        (_("Telefon"), "primaryTelephoneNumber"),
    ]
    facts = [(_("E-Mail"), ", ".join(dict.fromkeys(e for e in emails if e)))]
    facts += [(label, _text(_prop(msg, attr))) for label, attr in phones]
    facts += [
        (_("Firma"), _text(_prop(msg, "companyName"))),
        (_("Abteilung"), _text(_prop(msg, "departmentName"))),
        (_("Position"), _text(_prop(msg, "jobTitle"))),
        (_("Adresse"), " ".join(_text(_prop(msg, "workAddress")).split())),
    ]
    return [(label, value) for label, value in facts if value]


def _appointment_facts(msg: Any) -> list[tuple[str, str]]:
    start = _local(_prop(msg, "startDate") or _prop(msg, "appointmentStartWhole"))
    end = _local(_prop(msg, "endDate") or _prop(msg, "appointmentEndWhole"))
    when = start.strftime("%d.%m.%Y %H:%M") if start else ""
    if start and end:
        same_day = end.date() == start.date()
        when += " – " + end.strftime("%H:%M" if same_day else "%d.%m.%Y %H:%M")
    facts = [
        (_("Wann"), when),
        (_("Ort"), _text(_prop(msg, "location"))),
        (_("Organisator"), _text(_prop(msg, "organizer"))),
        (_("Teilnehmer"), _text(_prop(msg, "requiredAttendees"))),
        (_("Optional"), _text(_prop(msg, "optionalAttendees"))),
    ]
    return [(label, value) for label, value in facts if value]


def _kind(msg: Any) -> str:
    cls = (_text(_prop(msg, "classType")) or "IPM.Note").lower()
    if cls.startswith("ipm.contact") or cls.startswith("ipm.distlist"):
        return "contact"
    if cls.startswith(("ipm.appointment", "ipm.schedule.meeting")):
        return "appointment"
    return "email"


def mail_from_msg(msg: Any, depth: int = 0) -> Mail:
    """An ``extract_msg`` item → :class:`Mail` (contacts and appointments with their facts)."""
    mail = Mail(
        subject=_text(_prop(msg, "subject")),
        sender=_text(_prop(msg, "sender")),
        to=_text(_prop(msg, "to")),
        cc=_text(_prop(msg, "cc")),
        date=_date(msg),
        kind=_kind(msg),
    )
    if mail.kind == "contact":
        mail.subject = mail.subject or _text(_prop(msg, "displayName"))
        mail.facts = _contact_facts(msg)
        mail.sender = mail.to = mail.cc = ""
        mail.date = None
    elif mail.kind == "appointment":
        mail.facts = _appointment_facts(msg)
    try:
        mail.text = _text(_prop(msg, "body")) if _prop(msg, "body") is not None else ""
    except Exception:  # noqa: BLE001 - body missing or in an unknown code page
        mail.text = ""
    if not mail.text.strip():
        mail.html = _html(msg)
    for att in _prop(msg, "attachments") or []:
        name = _text(_prop(att, "longFilename") or _prop(att, "shortFilename") or "")
        data = _prop(att, "data")
        if isinstance(data, bytes):
            if data or name:
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
        hint = _encoding_hint(msg)
        if hint:
            msg.close()
            msg = extract_msg.openMsg(str(path), strict=False, overrideEncoding=hint)
    except Exception as exc:  # noqa: BLE001 - not an Outlook message, or a broken one
        raise Damaged(path, detail=repr(exc)) from exc
    try:
        return mail_from_msg(msg)
    finally:
        close = getattr(msg, "close", None)
        if close is not None:
            close()
