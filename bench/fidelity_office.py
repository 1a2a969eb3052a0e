"""Word, slides and workbooks for bench/fidelity.py: footnotes, endnotes, comments, text boxes,
charts, slide comments, Strict OOXML — made with python-docx/lxml, python-pptx, openpyxl and
plain zip + XML — and the list of office cases (OpenDocument, the PDF form and the old Excel
formats come from fidelity_odf_pdf.py)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from fidelity_case import Case, _bytes
from fidelity_odf_pdf import ODT_NOTES, odt, old_xls, pdf_form, xlsb, xlsx_comment

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
            "formular.pdf",
            _bytes(pdf_form()),
            "pdf",
            facts=[
                "Antrag auf Sondernutzung",
                "Name des Antragstellers: Erika Mustermann",
                "strasse: Lindenallee 17",
                "gewerblich: ja",
                "anrede: Frau",
                "Eingang 03.03.2026 Ordnungsamt",
            ],
            absent=["privat:", "leer:", "Gebühr nach Tarif 3"],
            marked={"Kommentar von Max Beispiel: Gebühr nach Tarif 3 prüfen.": "comment"},
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
            "textfeld.odt",
            _bytes(
                odt(
                    "<text:p>Das Bürgerbüro ist umgezogen.<draw:frame><draw:text-box><text:p>"
                    "Hinweis im Textfeld: Anträge nur online.</text:p></draw:text-box>"
                    "</draw:frame></text:p>"
                )
            ),
            "odt",
            facts=["Das Bürgerbüro ist umgezogen.", "Hinweis im Textfeld: Anträge nur online."],
            absent=["umgezogen.Hinweis"],
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
        Case(
            "kommentar.xlsx",
            _bytes(xlsx_comment()),
            "xlsx",
            facts=["Straßenunterhaltung | 1200"],
            absent=["Bauamt bestätigen"],
            marked={"Kommentar von Max Beispiel zu B2: Zahl vom Bauamt bestätigen.": "comment"},
        ),
        Case("binaer.xlsb", _bytes(xlsb()), "xlsx", expect="refused:old_office"),
        Case("alt.xls", _bytes(old_xls()), "xlsx", expect="refused:old_office"),
    ]
