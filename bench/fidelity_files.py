"""Test files for bench/fidelity.py, each with what a clerk must get from it (issue 20).

Every file is made here with the project's own libraries — stdlib ``email`` for forwarded,
nested and digest mails; python-docx + lxml for footnotes, comments, text boxes; plain zip +
XML for OpenDocument; openpyxl for a workbook turned into Strict OOXML; Pillow (+ pillow-heif)
for phone photos; ``fidelity_msg`` for Outlook items; rendered pages for columns — so no
third-party sample file is shipped. A case lists facts (text that must be in the document),
metadata that must match, text that must not be in the body, notes that must be marked
(``note``/``comment`` blocks) and, for scans, the truth in reading order.
"""

from __future__ import annotations

import copy
import email.utils
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import fidelity_pages as pages

SENT = datetime(2026, 3, 3, 10, 15, tzinfo=UTC)


@dataclass
class Case:
    name: str
    make: Callable[[Path], None]
    group: str
    expect: str = "read"  # read | refused:<kind>
    facts: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)  # not in body blocks (headings, text)
    marked: dict[str, str] = field(default_factory=dict)  # text → block kind (note/comment)
    truth: str = ""  # OCR: the text in reading order (CER ≤ cer_max)
    cer_max: float = 0.02
    needs: str = ""  # a module the case needs (optional extras): skipped without it
    no_warning: list[str] = field(default_factory=list)  # must not appear in any warning


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


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


# Word and OpenDocument --------------------------------------------------------------------
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _docx_with_parts(
    build: Callable[[object], None], parts: dict[str, tuple[str, str, bytes]]
) -> bytes:
    """python-docx document plus extra parts (footnotes, comments): name → (reltype, ctype, xml)."""
    import docx
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    document = docx.Document()
    for name, (reltype, ctype, xml) in parts.items():
        part = Part(PackURI(f"/word/{name}"), ctype, xml, document.part.package)
        document.part.relate_to(part, reltype)
    build(document)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _run_ref(paragraph: object, tag: str, note_id: str) -> None:
    from lxml import etree

    r = etree.SubElement(paragraph._p, _w("r"))  # type: ignore[attr-defined]
    ref = etree.SubElement(r, _w(tag))
    ref.set(_w("id"), note_id)


NOTES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<w:{{kind}}s xmlns:w="{W}">'
    '<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
    '<w:{kind} w:id="1"><w:p><w:r><w:{kind}Ref/></w:r><w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:{kind}>'
    "</w:{kind}s>"
)
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
CT = "application/vnd.openxmlformats-officedocument.wordprocessingml."


def docx_notes() -> bytes:
    foot = NOTES_XML.replace("{kind}", "footnote").replace("{text}", "Vgl. § 18 Straßengesetz.")
    end = NOTES_XML.replace("{kind}", "endnote").replace(
        "{text}", "Stand der Satzung: 1. Januar 2026."
    )
    comments = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:comments xmlns:w="{W}">'
        '<w:comment w:id="0" w:author="Max Beispiel" w:initials="MB"><w:p><w:r>'
        "<w:t>Bitte Frist mit dem Rechtsamt klären.</w:t></w:r></w:p></w:comment></w:comments>"
    )

    def build(document: object) -> None:
        from lxml import etree

        title = document.add_heading("Satzung über Sondernutzungen", level=1)  # type: ignore[attr-defined]
        start = etree.Element(_w("commentRangeStart"))
        start.set(_w("id"), "0")
        title._p.insert(1, start)
        end_el = etree.SubElement(title._p, _w("commentRangeEnd"))
        end_el.set(_w("id"), "0")
        r = etree.SubElement(title._p, _w("r"))
        etree.SubElement(r, _w("commentReference")).set(_w("id"), "0")
        p = document.add_paragraph("Sondernutzungen bedürfen der Erlaubnis.")  # type: ignore[attr-defined]
        _run_ref(p, "footnoteReference", "1")
        p2 = document.add_paragraph("Die Gebühren richten sich nach dem Tarif.")  # type: ignore[attr-defined]
        _run_ref(p2, "endnoteReference", "1")
        ins = etree.SubElement(p2._p, _w("ins"))
        ins.set(_w("id"), "9")
        ins.set(_w("author"), "MB")
        etree.SubElement(
            etree.SubElement(ins, _w("r")), _w("t")
        ).text = " Eingefügt im Änderungsmodus."
        dele = etree.SubElement(p2._p, _w("del"))
        dele.set(_w("id"), "10")
        dele.set(_w("author"), "MB")
        etree.SubElement(etree.SubElement(dele, _w("r")), _w("delText")).text = "Gestrichener Satz."

    return _docx_with_parts(
        build,
        {
            "footnotes.xml": (RT + "footnotes", CT + "footnotes+xml", foot.encode()),
            "endnotes.xml": (RT + "endnotes", CT + "endnotes+xml", end.encode()),
            "comments.xml": (RT + "comments", CT + "comments+xml", comments.encode()),
        },
    )


TEXTBOX_RUN = (
    f'<w:r xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml">'
    '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData>'
    "<wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>Hinweis im Textfeld: Anträge nur online.</w:t>"
    "</w:r></w:p></w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor>"
    "</w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r>"
    "<w:t>Hinweis im Textfeld: Anträge nur online.</w:t></w:r></w:p></w:txbxContent></v:textbox>"
    "</v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
)


def docx_textbox() -> bytes:
    import docx
    from lxml import etree

    document = docx.Document()
    document.add_heading("Bekanntmachung", level=1)
    p = document.add_paragraph("Das Bürgerbüro ist umgezogen.")
    p._p.append(etree.fromstring(TEXTBOX_RUN))
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _chart_data() -> object:
    from pptx.chart.data import CategoryChartData

    data = CategoryChartData()
    data.categories = ["Straßen", "Schulen", "Kitas"]
    data.add_series("Ansatz 2026", (1200.5, 800, 450))
    data.add_series("Ansatz 2027", (1300, 820, 480))
    return data


def pptx_chart() -> bytes:
    """A slide with a column chart and its title (python-pptx)."""
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData  # noqa: F401 - documents the data type
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "Haushalt Investitionen"
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(1.5), Inches(8), Inches(5), _chart_data()
    )
    frame.chart.has_title = True
    frame.chart.chart_title.text_frame.text = "Investitionen nach Bereich"
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def pptx_comment() -> bytes:
    """A slide with a reviewer's comment (legacy comment part + comment authors)."""
    from pptx import Presentation
    from pptx.opc.package import Part
    from pptx.opc.packuri import PackURI

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "Zeitplan Digitalisierung"
    slide.placeholders[1].text = "Start der E-Akte im zweiten Quartal."
    p = "http://schemas.openxmlformats.org/presentationml/2006/main"
    ct = "application/vnd.openxmlformats-officedocument.presentationml."
    authors = (
        f'<p:cmAuthorLst xmlns:p="{p}"><p:cmAuthor id="0" name="Max Beispiel" '
        'initials="MB" lastIdx="1" clrIdx="0"/></p:cmAuthorLst>'
    ).encode()
    comments = (
        f'<p:cmLst xmlns:p="{p}"><p:cm authorId="0" dt="2026-03-03T10:00:00.000" idx="1">'
        '<p:pos x="10" y="10"/><p:text>Quartal mit der IT abstimmen.</p:text></p:cm></p:cmLst>'
    ).encode()
    package = prs.part.package
    author_part = Part(
        PackURI("/ppt/commentAuthors.xml"), ct + "commentAuthors+xml", package, authors
    )
    prs.part.relate_to(author_part, RT + "commentAuthors")
    comment_part = Part(
        PackURI("/ppt/comments/comment1.xml"), ct + "comments+xml", package, comments
    )
    slide.part.relate_to(comment_part, RT + "comments")
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def docx_chart() -> bytes:
    """A Word report with an inline chart: the chart part written by python-pptx's chart XML
    writer, related from the document and referenced by a ``c:chart`` in a drawing."""
    import docx
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from lxml import etree
    from pptx.chart.xmlwriter import ChartXmlWriter
    from pptx.enum.chart import XL_CHART_TYPE

    document = docx.Document()
    document.add_heading("Bericht Haushalt", level=1)
    paragraph = document.add_paragraph("Die Investitionen steigen:")
    xml = ChartXmlWriter(XL_CHART_TYPE.COLUMN_CLUSTERED, _chart_data()).xml.encode("utf-8")
    part = Part(
        PackURI("/word/charts/chart1.xml"),
        "application/vnd.openxmlformats-officedocument.drawingml.chart+xml",
        xml,
        document.part.package,
    )
    rid = document.part.relate_to(part, RT + "chart")
    run = etree.SubElement(paragraph._p, _w("r"))
    drawing = etree.SubElement(run, _w("drawing"))
    c = "http://schemas.openxmlformats.org/drawingml/2006/chart"
    r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    etree.SubElement(drawing, f"{{{c}}}chart").set(f"{{{r}}}id", rid)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def to_strict(data: bytes) -> bytes:
    """A transitional OOXML package rewritten with the ISO Strict namespaces."""
    from llmoin_desktop.core.documents.ooxml_strict import _MAP

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.endswith((".xml", ".rels")):
                for strict, transitional in reversed(_MAP):
                    body = body.replace(transitional, strict)
            dst.writestr(info.filename, body)
    return out.getvalue()


def strict_xlsx() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Haushalt"
    ws.append(["Produkt", "Ansatz 2026", "Ansatz 2027"])
    for i in range(1, 400):
        ws.append([f"Produktgruppe {i:03d} Straßenunterhaltung", 1000 * i, 1100 * i])
    buf = io.BytesIO()
    wb.save(buf)
    return to_strict(buf.getvalue())


def strict_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Strikte Fassung", level=1)
    document.add_paragraph("Dieses Dokument wurde als Strict Open XML gespeichert.")
    buf = io.BytesIO()
    document.save(buf)
    return to_strict(buf.getvalue())


ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"'
)


def odt(body: str, *, encrypted: bool = False) -> bytes:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NS}>'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    ).encode()
    entry = '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"'
    if encrypted:
        entry += (
            '><manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x">'
            '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="x"/>'
            "</manifest:encryption-data></manifest:file-entry>"
        )
        content = bytes(range(256)) * 8  # ciphertext, no XML
    else:
        entry += "/>"
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        f"{entry}</manifest:manifest>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


ODT_NOTES = (
    '<text:h text:outline-level="1">Protokoll der Sitzung'
    "<office:annotation><dc:creator>Max Beispiel</dc:creator><dc:date>2026-03-03T10:00:00</dc:date>"
    "<text:p>Titel bitte kürzen.</text:p></office:annotation></text:h>"
    "<text:p>Der Rat beschließt den Haushalt"
    '<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation>'
    "<text:note-body><text:p>Mit 23 zu 4 Stimmen.</text:p></text:note-body></text:note>"
    " für das Jahr 2027.</text:p>"
    "<text:p>Die nächste Sitzung ist im Mai"
    '<text:note text:id="edn1" text:note-class="endnote"><text:note-citation>i</text:note-citation>'
    "<text:note-body><text:p>Termin unter Vorbehalt.</text:p></text:note-body></text:note>.</text:p>"
)


def office_cases() -> list[Case]:
    return [
        Case(
            "fussnoten-kommentare.docx",
            _bytes(docx_notes()),
            "docx",
            facts=["Sondernutzungen bedürfen der Erlaubnis", "Eingefügt im Änderungsmodus"],
            absent=["Gestrichener Satz", "Bitte Frist mit dem Rechtsamt"],
            marked={
                "Vgl. § 18 Straßengesetz": "note",
                "Stand der Satzung: 1. Januar 2026": "note",
                "Bitte Frist mit dem Rechtsamt klären": "comment",
            },
            meta={"title": "Satzung über Sondernutzungen"},
        ),
        Case(
            "textfeld.docx",
            _bytes(docx_textbox()),
            "docx",
            facts=["Das Bürgerbüro ist umgezogen", "Hinweis im Textfeld: Anträge nur online"],
            meta={"once": "Hinweis im Textfeld"},
        ),
        Case(
            "diagramm.pptx",
            _bytes(pptx_chart()),
            "pptx",
            facts=["Investitionen nach Bereich", "Straßen | 1200,5 | 1300", "Ansatz 2027"],
        ),
        Case(
            "kommentar.pptx",
            _bytes(pptx_comment()),
            "pptx",
            facts=["Start der E-Akte im zweiten Quartal"],
            absent=["Quartal mit der IT abstimmen"],
            marked={"Kommentar von Max Beispiel: Quartal mit der IT abstimmen.": "comment"},
        ),
        Case(
            "diagramm.docx",
            _bytes(docx_chart()),
            "docx",
            facts=["Die Investitionen steigen", "Kitas | 450 | 480", "Ansatz 2026"],
        ),
        Case(
            "strict.docx",
            _bytes(strict_docx()),
            "docx",
            facts=["als Strict Open XML gespeichert"],
        ),
        Case(
            "fussnoten-kommentare.odt",
            _bytes(odt(ODT_NOTES)),
            "odt",
            facts=["Der Rat beschließt den Haushalt", "für das Jahr 2027"],
            absent=["Titel bitte kürzen", "Mit 23 zu 4", "Max Beispiel"],
            marked={
                "Mit 23 zu 4 Stimmen": "note",
                "Termin unter Vorbehalt": "note",
                "Titel bitte kürzen": "comment",
            },
            meta={"title": "Protokoll der Sitzung"},
        ),
        Case(
            "passwort.odt",
            _bytes(odt("", encrypted=True)),
            "odt",
            expect="refused:password_protected",
        ),
        Case(
            "strict.xlsx",
            _bytes(strict_xlsx()),
            "xlsx",
            facts=[
                "Produktgruppe 001 Straßenunterhaltung",
                "Produktgruppe 399 Straßenunterhaltung",
                "438900",
            ],
        ),
        Case("binaer.xlsb", _bytes(xlsb()), "xlsx", expect="refused:old_office"),
        Case("alt.xls", _bytes(old_xls()), "xlsx", expect="refused:old_office"),
    ]


def xlsb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.bin", b"\x83\x01\x00")
    return buf.getvalue()


def old_xls() -> bytes:
    """The start of an OLE compound file, as Excel 97–2003 writes it (detect needs no more)."""
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + b"\x3e\x00\x03\x00\xfe\xff"
        + b"\x00" * 1000
    )


# Photos and scans -------------------------------------------------------------------------
LETTER = ["Stadt Musterstadt Ordnungsamt", "Bescheid über die Sondernutzung", "Gebühr 240 Euro"]


def _photo(fmt: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        from PIL import Image

        if fmt == "HEIF":
            import pillow_heif

            pillow_heif.register_heif_opener()
        img = Image.open(io.BytesIO(pages.letter_png(LETTER))).convert("RGB")
        img.save(path, format=fmt, quality=90)

    return make


def image_cases() -> list[Case]:
    cases = [
        Case(
            "iphone-foto.heic",
            _photo("HEIF"),
            "image",
            facts=["Ordnungsamt", "240 Euro"],
            needs="pillow_heif",
        ),
        Case(
            "android-foto.avif",
            _photo("AVIF"),
            "image",
            facts=["Ordnungsamt", "240 Euro"],
            needs="ocr",
        ),
        Case(
            "landschaft.jpg",
            _bytes(pages.landscape_photo()),
            "image",
            expect="refused:no_text_layer",
            needs="ocr",
        ),
        Case(
            "gestruepp.png",
            _bytes(pages.scribble_png()),
            "image",
            expect="refused:no_text_layer",
            needs="ocr",
        ),
    ]
    for n, kw in (
        (2, {}),
        (3, {}),
        (4, {"size": 34, "gutter": 60}),
        (5, {"size": 30, "gutter": 50}),
    ):
        png, truth = pages.column_page(n, **kw)  # type: ignore[arg-type]
        cases.append(Case(f"spalten-{n}.png", _bytes(png), "ocr", truth=truth, needs="ocr"))
    return cases


def all_cases() -> list[Case]:
    return [*email_cases(), *msg_cases(), *office_cases(), *image_cases()]


def deep_copy(case: Case) -> Case:
    return copy.deepcopy(case)
