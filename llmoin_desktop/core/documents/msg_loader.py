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

import contextlib
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from llmoin_desktop.core.documents.errors import Damaged
from llmoin_desktop.core.documents.mail import MAX_DEPTH, Mail, MsgSupportMissing
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


# Windows locale (PR_MESSAGE_LOCALE_ID, the language part of the LCID) → its ANSI code page:
# what a non-Unicode Outlook wrote its strings in.
_LOCALE_CODE_PAGE = {
    0x11: 932,  # Japanese
    0x04: 936,  # Chinese (zh-CN; zh-TW/HK below by full LCID)
    0x12: 949,  # Korean
    0x1E: 874,  # Thai
    0x2A: 1258,  # Vietnamese
    0x19: 1251,  # Russian
    0x22: 1251,  # Ukrainian
    0x02: 1251,  # Bulgarian
    0x1A: 1250,  # Croatian/Serbian (Latin)
    0x05: 1250,  # Czech
    0x15: 1250,  # Polish
    0x0E: 1250,  # Hungarian
    0x1B: 1250,  # Slovak
    0x24: 1250,  # Slovenian
    0x18: 1250,  # Romanian
    0x08: 1253,  # Greek
    0x1F: 1254,  # Turkish
    0x0D: 1255,  # Hebrew
    0x01: 1256,  # Arabic
    0x25: 1257,  # Estonian
    0x26: 1257,  # Latvian
    0x27: 1257,  # Lithuanian
}
_TRADITIONAL_CHINESE = {0x0404, 0x0C04, 0x1404}  # zh-TW, zh-HK, zh-MO: Big5 (950)
# Internet code pages (PR_INTERNET_CPID: the charset used when the mail was sent) → the
# Windows code page of the same script, in which the item stores its strings.
_INTERNET_TO_WINDOWS = {
    50220: 932,
    50221: 932,
    50222: 932,
    51932: 932,
    20932: 932,
    52936: 936,
    54936: 936,
    51949: 949,
    20127: 1252,
    28591: 1252,
    28605: 1252,
    28592: 1250,
    28595: 1251,
    20866: 1251,
    21866: 1251,
    28597: 1253,
    28599: 1254,
}


def _locale_code_page(lcid: Any) -> int | None:
    try:
        value = int(lcid)
    except (TypeError, ValueError):
        return None
    if value in _TRADITIONAL_CHINESE:
        return 950
    return _LOCALE_CODE_PAGE.get(value & 0x3FF, 1252 if value else None)


def _encoding_hint(msg: Any) -> str | None:
    """The code page of a non-Unicode item that lacks PR_MESSAGE_CODEPAGE (None: fine).

    Candidates, most specific first: the Windows locale the item was written under
    (PR_MESSAGE_LOCALE_ID: Japanese → 932), the sending charset mapped to its Windows code
    page (PR_INTERNET_CPID 50220 "iso-2022-jp" → 932), the transport header's charset,
    UTF-8, Windows-1252. The first that decodes the item's own strings without error wins."""
    try:
        if msg.areStringsUnicode or _value(msg, "3FFD0003") is not None:
            return None
    except Exception:  # noqa: BLE001
        return None
    candidates: list[str | None] = [codec_for(_locale_code_page(_value(msg, "3FF10003")))]
    internet = _value(msg, "3FDE0003")
    with contextlib.suppress(TypeError, ValueError):
        internet = _INTERNET_TO_WINDOWS.get(int(internet), internet)
    candidates.append(codec_for(internet))
    try:
        headers = msg.getStream("__substg1.0_007D001E")  # transport headers, raw bytes
    except Exception:  # noqa: BLE001
        headers = None
    if isinstance(headers, bytes):
        candidates.append(_charset(headers))
    candidates += ["utf-8", "cp1252"]
    sample = b""
    for stream in ("0037", "0E1D", "1000", "0C1A", "0042", "3001", "0070"):
        try:
            sample += (msg.getStream(f"__substg1.0_{stream}001E") or b"") + b"\n"
        except Exception:  # noqa: BLE001
            continue
    ascii_only = all(b < 128 for b in sample)
    for codec in dict.fromkeys(c for c in candidates if c):
        if codec.startswith("iso2022") and not ascii_only:
            continue  # a 7-bit encoding cannot hold 8-bit strings
        try:
            sample.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        return codec
    return "cp1252"


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
        (_("Wiederholung"), _text(_prop(msg, "recurrencePattern"))),
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
