"""OpenDocument (plain and password-protected, with notes), a PDF form, an annotated workbook
and the old binary Excel formats for bench/fidelity.py (split from fidelity_office.py, which
keeps the OOXML builders and the case list) — made with plain zip + XML, pypdf and openpyxl."""

from __future__ import annotations

import io
import zipfile

ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
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


def pdf_form() -> bytes:
    """An application form as citizens send it: filled fields (text, ticked box, radio),
    an entry stamp as a free-text box and a reviewer's sticky note — none of it in the page's
    text layer. Built with pypdf's own objects."""
    from doc_builders import text_pdf
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf([["Antrag auf Sondernutzung"]]))))
    page = writer.pages[0]

    def rect(y: float) -> ArrayObject:
        return ArrayObject([FloatObject(72), FloatObject(y), FloatObject(300), FloatObject(y + 18)])

    def widget(
        name: str, kind: str, value: object, y: float, flags: int = 0, label: str = ""
    ) -> DictionaryObject:
        field = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/FT"): NameObject(kind),
                NameObject("/T"): TextStringObject(name),
                NameObject("/Rect"): rect(y),
                NameObject("/Ff"): NumberObject(flags),
                NameObject("/V"): value,  # type: ignore[dict-item]
            }
        )
        if label:
            field[NameObject("/TU")] = TextStringObject(label)
        return field

    fields = [
        widget(
            "name",
            "/Tx",
            TextStringObject("Erika Mustermann"),
            700,
            label="Name des Antragstellers",
        ),
        widget("strasse", "/Tx", TextStringObject("Lindenallee 17"), 670),
        widget("leer", "/Tx", TextStringObject(""), 640),
        widget("gewerblich", "/Btn", NameObject("/Yes"), 610),
        widget("privat", "/Btn", NameObject("/Off"), 580),
        widget("anrede", "/Btn", NameObject("/Frau"), 550, flags=1 << 15),
    ]
    notes = [
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/FreeText"),
                NameObject("/Rect"): rect(760),
                NameObject("/Contents"): TextStringObject("Eingang 03.03.2026 Ordnungsamt"),
            }
        ),
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Text"),
                NameObject("/Rect"): rect(520),
                NameObject("/T"): TextStringObject("Max Beispiel"),
                NameObject("/Contents"): TextStringObject("Gebühr nach Tarif 3 prüfen."),
            }
        ),
    ]
    refs = [writer._add_object(obj) for obj in [*fields, *notes]]
    page[NameObject("/Annots")] = ArrayObject(refs)
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(refs[: len(fields)])}
    )
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def xlsx_comment() -> bytes:
    import openpyxl
    from openpyxl.comments import Comment

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Haushalt"
    ws.append(["Posten", "Betrag"])
    ws.append(["Straßenunterhaltung", 1200])
    ws["B2"].comment = Comment("Zahl vom Bauamt bestätigen.", "Max Beispiel")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


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
