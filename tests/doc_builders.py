"""Small real files built in tests: text PDFs, e-mails, Outlook .msg, spreadsheets, slides.

Everything here is generated, so no third-party sample file (and its licence) is shipped.
"""

from __future__ import annotations

import email.utils
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path


def _pdf_escape(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def text_pdf(pages: list[list[str]]) -> bytes:
    """A valid PDF with one page per list of lines (Helvetica, WinAnsi: umlauts work)."""
    objects: list[bytes] = []
    n_pages = len(pages)
    font_id = 3 + 2 * n_pages
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    for i, lines in enumerate(pages):
        content = (
            b"BT /F1 12 Tf 72 760 Td 16 TL "
            + b" ".join(b"(" + _pdf_escape(line) + b") Tj T*" for line in lines)
            + b" ET"
        )
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << "
            f"/F1 {font_id} 0 R >> >> /Contents {4 + 2 * i} 0 R >>".encode()
        )
        objects.append(
            f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream"
        )
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def text_png(lines: list[str]) -> bytes:
    """A photo-like image of a short letter (black text on white, large font)."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=36)
    img = Image.new("RGB", (1400, 90 + 60 * len(lines)), "white")
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((50, 40 + 60 * i), line, fill="black", font=font)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


BESCHEID_PAGES = [
    ["Stadt Musterstadt - Ordnungsamt", "Bescheid ueber die Sondernutzung", "Seite eins."],
    [
        "§ 3 Gebühren",
        "Die Sondernutzungsgebühr beträgt 240 Euro für den Stand vor dem Rathaus.",
        "Die Zahlungsfrist endet am 30. April.",
    ],
]
SENT = datetime(2026, 3, 3, 10, 15, tzinfo=UTC)


def email_with_attachments(
    *, html: bool = False, image: bytes | None = None, nested: EmailMessage | None = None
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Erika Mustermann <erika.mustermann@example.org>"
    msg["To"] = "Ordnungsamt <ordnungsamt@musterstadt.example>"
    msg["Cc"] = "Max Beispiel <max@example.org>"
    msg["Subject"] = "Widerspruch gegen den Gebührenbescheid"
    msg["Date"] = email.utils.format_datetime(SENT)
    body = (
        "Sehr geehrte Damen und Herren,\n\nich lege Widerspruch gegen den beigefügten Bescheid "
        "ein. Die Gebühr ist zu hoch.\n\nMit freundlichen Grüßen\nErika Mustermann"
    )
    if html:
        msg.set_content(
            "<html><head><style>p{color:red}</style></head><body><p>Sehr geehrte Damen und "
            "Herren,</p><p>ich lege <b>Widerspruch</b> gegen den beigefügten Bescheid ein.</p>"
            "<script>alert(1)</script></body></html>",
            subtype="html",
        )
    else:
        msg.set_content(body)
    msg.add_attachment(
        text_pdf(BESCHEID_PAGES), maintype="application", subtype="pdf", filename="Bescheid.pdf"
    )
    if image is not None:
        msg.add_attachment(image, maintype="image", subtype="png", filename="Foto Brief.png")
    if nested is not None:
        msg.add_attachment(nested)
    return msg


def write_msg(path: Path, *, attachments: Sequence[tuple[str, bytes]] = ()) -> Path:
    """An Outlook .msg (MS-OXMSG) written with extract-msg's own OLE writer."""
    import struct

    from extract_msg import OleWriter

    def s(prop: str, text: str) -> tuple[str, bytes]:
        return f"__substg1.0_{prop}001F", text.encode("utf-16-le")

    headers = (
        "From: Erika Mustermann <erika.mustermann@example.org>\r\n"
        "To: Ordnungsamt <ordnungsamt@musterstadt.example>\r\n"
        f"Date: {email.utils.format_datetime(SENT)}\r\n"
        "Subject: Antrag auf Sondernutzung\r\n\r\n"
    )
    top = [
        s("001A", "IPM.Note"),
        s("0037", "Antrag auf Sondernutzung"),
        s("0C1A", "Erika Mustermann"),
        s("0C1F", "erika.mustermann@example.org"),
        s("0E04", "Ordnungsamt"),
        s("1000", "Guten Tag,\r\n\r\nanbei mein Antrag für den Stand am Marktplatz."),
        s("007D", headers),
    ]
    writer = OleWriter()
    n_att = len(attachments)
    props = struct.pack("<8xIIII8x", 0, n_att, 0, n_att)
    writer.addEntry("__properties_version1.0", props)
    for name, data in top:
        writer.addEntry(name, data)
    writer.addEntry("__nameid_version1.0", storage=True)
    for stream in ("00020102", "00030102", "00040102"):
        writer.addEntry(f"__nameid_version1.0/__substg1.0_{stream}", b"")
    for index, (name, data) in enumerate(attachments):
        base = f"__attach_version1.0_#{index:08X}"
        writer.addEntry(base, storage=True)
        # PR_ATTACH_METHOD (0x3705, PT_LONG) = 1: attached by value.
        att_props = struct.pack("<8x") + struct.pack("<IIi4x", 0x37050003, 6, 1)
        writer.addEntry(f"{base}/__properties_version1.0", att_props)
        for prop, text in (("3707", name), ("3704", name), ("3001", name)):
            writer.addEntry(f"{base}/__substg1.0_{prop}001F", text.encode("utf-16-le"))
        writer.addEntry(f"{base}/__substg1.0_37010102", data)
    writer.write(str(path))
    return path


def write_xlsx(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Haushalt 2026"
    ws.append(["Produkt", "Ansatz (Euro)", "Stichtag"])
    ws.append(["Stadtbibliothek", 412500.5, datetime(2026, 1, 1)])
    for i in range(60):
        ws.append([f"Posten {i + 1}", i * 100, None])
    ws.append(["Feuerwehr", 1250000, None])
    other = wb.create_sheet("Personal")
    other.append(["Stelle", "Anzahl"])
    other.append(["Sachbearbeitung Wohngeld", 4])
    wb.properties.title = "Haushaltsplan"
    wb.save(path)
    return path


def write_pptx(path: Path) -> Path:
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    for n in range(1, 5):
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = f"Thema {n}" if n != 4 else "Zeitplan Digitalisierung"
        slide.placeholders[1].text = (
            f"Inhalt der Folie {n}"
            if n != 4
            else "Einführung der E-Akte im Bürgeramt bis Juni 2026"
        )
        if n == 4:
            slide.notes_slide.notes_text_frame.text = "Nicht vergessen: Personalrat beteiligen."
            rows = slide.shapes.add_table(2, 2, Inches(1), Inches(4), Inches(4), Inches(1)).table
            rows.cell(0, 0).text, rows.cell(0, 1).text = "Phase", "Termin"
            rows.cell(1, 0).text, rows.cell(1, 1).text = "Pilot", "März"
    prs.save(path)
    return path


RTF_SAMPLE = (
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}{\info{\title Vermerk Stra\'dfenfest}}"
    r"\f0\fs24 Vermerk zum Stra\'dfenfest\par\par "
    r"\b Sachverhalt\b0\par Die B\'fcrgerinitiative beantragt eine Sperrung der Hauptstra\'dfe.\par"
    r"\par \u8364? 500 Kaution sind zu hinterlegen.\par}"
)

_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"'
)


def _odf(path: Path, mime: str, body: str) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", mime)
        zf.writestr(
            "content.xml",
            f"<office:document-content {_ODF_NS}><office:body>{body}</office:body>"
            "</office:document-content>",
        )
    return path


def write_ods(path: Path) -> Path:
    """A LibreOffice sheet with the million repeated empty rows LibreOffice really writes."""

    def cell(text: str) -> str:
        return f"<table:table-cell><text:p>{text}</text:p></table:table-cell>"

    rows = "".join(
        f"<table:table-row>{cell(a)}{cell(b)}"
        '<table:table-cell table:number-columns-repeated="16382"/></table:table-row>'
        for a, b in [("Ort", "Plätze"), ("Ratssaal", "120"), ("Foyer", "40")]
    )
    rows += (
        '<table:table-row table:number-rows-repeated="1048573">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    body = f'<office:spreadsheet><table:table table:name="Räume">{rows}</table:table></office:spreadsheet>'
    return _odf(path, "application/vnd.oasis.opendocument.spreadsheet", body)


def write_odp(path: Path) -> Path:
    pages = ""
    for n, (title, text) in enumerate(
        [("Begrüßung", "Willkommen"), ("Haushalt", "Defizit 2 Mio. Euro")], start=1
    ):
        pages += (
            f'<draw:page draw:name="page{n}"><draw:frame presentation:class="title">'
            f"<draw:text-box><text:p>{title}</text:p></draw:text-box></draw:frame>"
            f'<draw:frame presentation:class="outline"><draw:text-box><text:p>{text}</text:p>'
            "</draw:text-box></draw:frame><presentation:notes><draw:frame><draw:text-box>"
            f"<text:p>Notiz {n}</text:p></draw:text-box></draw:frame></presentation:notes>"
            "</draw:page>"
        )
    body = f"<office:presentation>{pages}</office:presentation>"
    return _odf(path, "application/vnd.oasis.opendocument.presentation", body)
