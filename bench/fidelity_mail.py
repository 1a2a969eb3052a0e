"""E-mails (stdlib ``email``) and Outlook items (``fidelity_msg``) for bench/fidelity.py:
forwarded, nested, digest, unnamed and empty parts, invitations, 8-bit headers; .msg dates,
code pages, contacts and meetings — each with the facts a clerk must get."""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import fidelity_pages as pages
from fidelity_case import SENT, Case, _bytes


# E-mails ----------------------------------------------------------------------------------
def _mail(
    subject: str, body: str, sender: str = "Erika Mustermann <erika@example.org>"
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Ordnungsamt <ordnungsamt@musterstadt.example>"
    msg["Subject"] = subject
    msg["Date"] = email.utils.format_datetime(SENT)
    msg.set_content(body)
    return msg


def _pdf() -> bytes:
    from doc_builders import BESCHEID_PAGES, text_pdf

    return text_pdf(BESCHEID_PAGES)


def forwarded_as_body() -> bytes:
    """The whole body is the forwarded mail (top-level message/rfc822)."""
    inner = _mail(
        "Lärmbeschwerde Lindenallee", "Seit Wochen wird nachts auf der Baustelle gearbeitet."
    )
    outer = EmailMessage()
    outer["From"] = "Max Beispiel <max@musterstadt.example>"
    outer["To"] = "Ordnungsamt <ordnungsamt@musterstadt.example>"
    outer["Subject"] = "WG: Lärmbeschwerde Lindenallee"
    outer["Date"] = email.utils.format_datetime(SENT)
    outer.set_content(inner)
    return bytes(outer)


def forwarded_inline() -> bytes:
    """Forwarded "as attachment" by Thunderbird: message/rfc822 without a file name."""
    from email.mime.message import MIMEMessage

    outer = _mail("WG: Antrag Marktstand", "Zur Kenntnis, bitte bearbeiten.")
    inner = _mail(
        "Antrag Marktstand",
        "Ich beantrage einen Stand auf dem Wochenmarkt.",
        "Jürgen Weiß <jw@example.org>",
    )
    outer.make_mixed()
    outer.attach(MIMEMessage(inner))
    return bytes(outer)


def forwarded_base64() -> bytes:
    """Outlook sometimes base64-encodes the message/rfc822 part."""
    inner = bytes(_mail("Widerspruch Gebühr", "Ich widerspreche dem Gebührenbescheid vom Februar."))
    outer = _mail("WG: Widerspruch Gebühr", "Siehe Anhang.")
    outer.add_attachment(inner, maintype="message", subtype="rfc822", cte="base64")
    return bytes(outer)


def nested_mixed() -> bytes:
    inner = EmailMessage()
    inner.set_content("Innerer Teil: die Unterlagen zum Bauantrag folgen hier.")
    inner.add_attachment(_pdf(), maintype="application", subtype="pdf", filename="Bescheid.pdf")
    outer = _mail("Bauantrag Unterlagen", "Äußerer Text der Nachricht.")
    outer.make_mixed()
    outer.attach(inner)
    return bytes(outer)


def digest() -> bytes:
    """A list digest inside multipart/mixed (intro text + multipart/digest of 3 mails)."""
    from email.mime.message import MIMEMessage
    from email.mime.multipart import MIMEMultipart

    outer = _mail("Rundbrief Nr. 12", "Diese Ausgabe enthält drei Nachrichten.")
    outer.make_mixed()
    dig = MIMEMultipart("digest")
    for i, (subject, body) in enumerate(
        [
            ("Neue Öffnungszeiten", "Das Bürgerbüro öffnet donnerstags bis 18 Uhr."),
            ("Sperrmülltermine", "Sperrmüll wird im April zweimal abgeholt."),
            ("Baustelle Ringstraße", "Die Ringstraße ist ab Montag gesperrt."),
        ]
    ):
        dig.attach(MIMEMessage(_mail(subject, body, f"Redaktion {i} <red{i}@example.org>")))
    outer.attach(dig)
    return bytes(outer)


def unnamed_text_part() -> bytes:
    msg = _mail("Stellungnahme", "Anbei meine Stellungnahme.")
    msg.make_mixed()
    part = EmailMessage()
    part.set_content("Stellungnahme: Die Frist wurde eingehalten.")
    part["Content-Disposition"] = "attachment"
    msg.attach(part)
    return bytes(msg)


def empty_parts() -> bytes:
    msg = _mail("Leere Teile", "Nur dieser Text zählt.")
    msg.make_mixed()
    for ctype in ("text/plain", "application/octet-stream"):
        part = EmailMessage()
        part.set_payload("")
        part.set_type(ctype)
        msg.attach(part)
    msg.add_attachment(_pdf(), maintype="application", subtype="pdf", filename="Bescheid.pdf")
    return bytes(msg)


def inline_text_attachment() -> bytes:
    msg = _mail("Protokoll", "Das Protokoll steht unten.")
    msg.add_attachment(
        "Protokoll der Sitzung: Beschluss einstimmig gefasst.",
        filename="protokoll.txt",
        disposition="inline",
    )
    return bytes(msg)


def html_related() -> bytes:
    msg = _mail("Einladung", "Einladung zum Bürgerdialog am Freitag.")
    msg.add_alternative(
        "<html><body><p>Einladung zum <b>Bürgerdialog</b> am Freitag.</p><img src='cid:logo'></body></html>",
        subtype="html",
    )
    html = msg.get_payload()[1]
    html.add_related(pages.letter_png(["LOGO"]), maintype="image", subtype="png", cid="<logo>")
    return bytes(msg)


def raw_latin1_header() -> bytes:
    raw = (
        (
            b"From: =?utf-8?q?J=C3=BCrgen_Wei=C3=9F?= <jw@example.org>\r\n"
            b"To: amt@example.org\r\nDate: Tue, 03 Mar 2026 10:15:00 +0000\r\n"
        )
        + "Subject: Straßensperrung Grüner Weg\r\n".encode("cp1252")
        + (b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n")
        + "Die Sperrung dauert bis Freitag.\r\n".encode("latin-1")
    )
    return raw


ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    "DTSTART;TZID=W. Europe Standard Time:20260310T090000\r\n"
    "DTEND;TZID=W. Europe Standard Time:20260310T103000\r\n"
    "SUMMARY:Abstimmung Haushalt 2027\r\nLOCATION:Rathaus\\, Raum 204\r\n"
    'ORGANIZER;CN="Max Beispiel":mailto:max@musterstadt.example\r\n'
    "ATTENDEE;ROLE=REQ-PARTICIPANT;CN=Erika Mustermann:mailto:erika@example.org\r\n"
    "DESCRIPTION:Bitte bringen Sie die Zahlen\\n des Vorjahres mit.\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def invitation() -> bytes:
    msg = _mail("Einladung: Abstimmung Haushalt 2027", "Sie sind eingeladen.")
    msg.add_alternative(ICS, subtype="calendar", params={"method": "REQUEST"})
    return bytes(msg)


def email_cases() -> list[Case]:
    return [
        Case(
            "weitergeleitet-als-text.eml",
            _bytes(forwarded_as_body()),
            "email",
            facts=[
                "Seit Wochen wird nachts",
                "Erika Mustermann",
                "Lärmbeschwerde Lindenallee",
                "03.03.2026",
            ],
            meta={"subject": "WG: Lärmbeschwerde Lindenallee", "from_name": "Max Beispiel"},
        ),
        Case(
            "weitergeleitet-inline.eml",
            _bytes(forwarded_inline()),
            "email",
            facts=["Zur Kenntnis", "Ich beantrage einen Stand", "Jürgen Weiß"],
        ),
        Case(
            "weitergeleitet-base64.eml",
            _bytes(forwarded_base64()),
            "email",
            facts=["Siehe Anhang", "Ich widerspreche dem Gebührenbescheid"],
        ),
        Case(
            "verschachtelt.eml",
            _bytes(nested_mixed()),
            "email",
            facts=["Äußerer Text", "Innerer Teil: die Unterlagen", "240 Euro"],
            meta={"attachments": "Bescheid.pdf"},
        ),
        Case(
            "rundbrief-digest.eml",
            _bytes(digest()),
            "email",
            facts=[
                "drei Nachrichten",
                "donnerstags bis 18 Uhr",
                "zweimal abgeholt",
                "ab Montag gesperrt",
                "Sperrmülltermine",
            ],
        ),
        Case(
            "text-ohne-namen.eml",
            _bytes(unnamed_text_part()),
            "email",
            facts=["Anbei meine Stellungnahme", "Die Frist wurde eingehalten"],
            meta={"attachments": "Anhang 1.txt"},
            no_warning=[".bin", "001", "nicht unterstützt"],
        ),
        Case(
            "leere-teile.eml",
            _bytes(empty_parts()),
            "email",
            facts=["Nur dieser Text zählt", "240 Euro"],
            meta={"attachments": "Bescheid.pdf"},
        ),
        Case(
            "inline-anhang.eml",
            _bytes(inline_text_attachment()),
            "email",
            facts=["Das Protokoll steht unten", "Beschluss einstimmig gefasst"],
            meta={"attachments": "protokoll.txt"},
        ),
        Case(
            "html-mit-logo.eml",
            _bytes(html_related()),
            "email",
            facts=["Einladung zum Bürgerdialog am Freitag"],
            absent=["LOGO"],
        ),
        Case(
            "einladung.eml",
            _bytes(invitation()),
            "email",
            facts=[
                "Wann: 10.03.2026 09:00 – 10:30",
                "Ort: Rathaus, Raum 204",
                "Max Beispiel",
                "Erika Mustermann",
                "des Vorjahres mit",
            ],
            absent=["DTSTART", "BEGIN:VEVENT"],
        ),
        Case(
            "einladung.ics",
            _bytes(ICS.encode()),
            "email",
            facts=["Termin: Abstimmung Haushalt 2027", "Wann: 10.03.2026 09:00 – 10:30"],
            absent=["DTSTART"],
        ),
        Case(
            "kontakt.vcf",
            _bytes(
                b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Mustermann;Erika;;;\r\nFN:Erika Mustermann\r\n"
                b"ORG:Stadtwerke Musterstadt;Kundenservice\r\nTEL;TYPE=WORK:+49 351 1234-56\r\n"
                b"EMAIL;TYPE=INTERNET:erika.mustermann@stadtwerke.example\r\n"
                b"ADR;TYPE=WORK:;;Lindenallee 17;Dresden;;01067;Deutschland\r\nEND:VCARD\r\n"
            ),
            "email",
            facts=[
                "Name: Erika Mustermann",
                "Firma: Stadtwerke Musterstadt Kundenservice",
                "Telefon: +49 351 1234-56",
                "E-Mail: erika.mustermann@stadtwerke.example",
                "Adresse: Lindenallee 17 Dresden 01067 Deutschland",
            ],
            absent=["BEGIN:VCARD"],
        ),
        Case(
            "kopfzeile-8bit.eml",
            _bytes(raw_latin1_header()),
            "email",
            facts=["Die Sperrung dauert bis Freitag"],
            meta={"subject": "Straßensperrung Grüner Weg", "from_name": "Jürgen Weiß"},
        ),
    ]


# Outlook items ----------------------------------------------------------------------------
def msg_cases() -> list[Case]:
    from fidelity_msg import (
        PSETID_ADDRESS,
        PSETID_APPOINTMENT,
        PSETID_MEETING,
        PT_UNICODE,
        MsgItem,
        write_msg_item,
    )

    t = datetime(2026, 3, 3, 9, 30, tzinfo=UTC)

    def item(**kwargs: object) -> Callable[[Path], None]:
        return lambda path: write_msg_item(path, MsgItem(**kwargs))  # type: ignore[arg-type]

    def coded(enc: str, cp: int, subject: str, sender: str, body: str) -> Callable[[Path], None]:
        return item(
            unicode=False,
            encoding=enc,
            strings={"0037": subject, "0C1A": sender, "1000": body},
            longs={"3FDE": cp},
            times={"0039": t},
        )

    return [
        Case(
            "nur-zustellzeit.msg",
            item(
                strings={
                    "0037": "Rückfrage zum Antrag",
                    "0C1A": "Erika Mustermann",
                    "1000": "Bitte melden Sie sich.",
                },
                times={"0E06": t},
            ),
            "msg",
            facts=["Bitte melden Sie sich"],
            meta={"date_text": "03.03.2026"},
            needs="extract_msg",
        ),
        Case(
            "nur-erstellzeit.msg",
            item(
                strings={"0037": "Entwurf Stellungnahme", "1000": "Entwurf ohne Versand."},
                times={"3007": t},
            ),
            "msg",
            facts=["Entwurf ohne Versand"],
            meta={"date_text": "03.03.2026"},
            needs="extract_msg",
        ),
        Case(
            "windows-1252.msg",
            coded(
                "cp1252",
                1252,
                "Grüße aus Köln",
                "Jürgen Weiß",
                "Sehr geehrte Frau Müller, anbei die Unterlagen zum Straßenbau.",
            ),
            "msg",
            facts=["Frau Müller", "Straßenbau", "Jürgen Weiß"],
            meta={"subject": "Grüße aus Köln"},
            needs="extract_msg",
        ),
        Case(
            "windows-1250.msg",
            coded(
                "cp1250",
                1250,
                "Žádost z Łodzi",
                "Łukasz Wiśniewski",
                "Dzień dobry, přikládám žádost.",
            ),
            "msg",
            facts=["přikládám žádost", "Łukasz Wiśniewski"],
            meta={"subject": "Žádost z Łodzi"},
            needs="extract_msg",
        ),
        Case(
            "codepage-932.msg",
            coded("cp932", 932, "会議の件", "山田太郎", "明日の会議は十時からです。"),
            "msg",
            facts=["明日の会議は十時からです", "山田太郎"],
            meta={"subject": "会議の件"},
            needs="extract_msg",
        ),
        Case(
            "japanisch-iso-2022-jp.msg",
            item(
                unicode=False,
                encoding="cp932",
                strings={"0037": "日本語 タイトル", "1000": "日本語の本文です。"},
                # Stored in the Windows code page of the locale (1041: 932), sent as
                # ISO-2022-JP (50220): Outlook writes both, no PR_MESSAGE_CODEPAGE.
                longs={"3FF1": 1041, "3FDE": 50220},
                times={"0039": t},
            ),
            "msg",
            facts=["日本語の本文です"],
            meta={"subject": "日本語 タイトル"},
            needs="extract_msg",
        ),
        Case(
            "big5.msg",
            coded("big5", 950, "會議通知", "陳大文", "請準時出席會議。"),
            "msg",
            facts=["請準時出席會議", "陳大文"],
            meta={"subject": "會議通知"},
            needs="extract_msg",
        ),
        Case(
            "kontakt.msg",
            item(
                message_class="IPM.Contact",
                strings={
                    "0037": "Erika Mustermann",
                    "3001": "Erika Mustermann",
                    "3A16": "Stadtwerke Musterstadt",
                    "3A08": "+49 351 1234-56",
                    "3A1C": "+49 170 9876543",
                },
                named=[(PSETID_ADDRESS, 0x8083, PT_UNICODE, "erika.mustermann@stadtwerke.example")],
            ),
            "msg",
            facts=[
                "Erika Mustermann",
                "erika.mustermann@stadtwerke.example",
                "+49 351 1234-56",
                "+49 170 9876543",
                "Stadtwerke Musterstadt",
            ],
            needs="extract_msg",
        ),
        Case(
            "besprechung.msg",
            item(
                message_class="IPM.Schedule.Meeting.Request",
                strings={
                    "0037": "Abstimmung Haushalt 2027",
                    "0042": "Max Beispiel",
                    "1000": "Bitte bringen Sie die Zahlen mit.",
                },
                times={
                    "0060": datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
                    "0061": datetime(2026, 3, 10, 10, 30, tzinfo=UTC),
                    "0039": t,
                },
                named=[
                    (PSETID_APPOINTMENT, 0x8208, PT_UNICODE, "Rathaus, Raum 204"),
                    (PSETID_MEETING, 0x0006, PT_UNICODE, "Erika Mustermann; Jürgen Weiß"),
                ],
            ),
            "msg",
            facts=[
                "10.03.2026",
                "Rathaus, Raum 204",
                "Max Beispiel",
                "Erika Mustermann; Jürgen Weiß",
                "Zahlen mit",
            ],
            needs="extract_msg",
        ),
    ]
