"""Generate the plain default letterhead ``resources/templates/briefkopf.docx``.

IT replaces it with the organisation's own (setting ``letterhead_template``). What the
exporter takes from a template: page setup, styles, header and footer (logo, name, bank
details …) and, if present, the first body paragraph as the return-address line
(Rücksendeangabe) above the address field. Everything else in the body is replaced.

Run: .venv/bin/python scripts/make_letterhead.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt, RGBColor

OUT = Path(__file__).resolve().parents[1] / "resources" / "templates" / "briefkopf.docx"


def main() -> None:
    doc = Document()
    section = doc.sections[0]
    # DIN A4, DIN 5008 margins: left 25 mm, right 20 mm; the header takes the first 45 mm.
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(20)
    section.top_margin, section.bottom_margin = Mm(45), Mm(25)
    section.header_distance, section.footer_distance = Mm(12), Mm(10)

    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    for name, size in (("Heading 1", 14), ("Heading 2", 12)):
        style = doc.styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)

    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = header.add_run("Musterbehörde")
    run.font.size, run.font.bold = Pt(14), True
    run.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
    sub = section.header.add_paragraph("Fachbereich Bürgerservice")
    sub.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    sub.runs[0].font.size = Pt(9)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    frun = footer.add_run(
        "Musterbehörde · Musterstraße 1 · 12345 Musterstadt · Telefon 01234 5678-0"
    )
    frun.font.size = Pt(8)

    ret = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    rrun = ret.add_run("Musterbehörde · Musterstraße 1 · 12345 Musterstadt")
    rrun.font.size = Pt(7)
    rrun.underline = True

    doc.core_properties.title = "Briefkopf"
    doc.core_properties.author = "LLMoin Desktop"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(OUT))
    print(f"{OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
