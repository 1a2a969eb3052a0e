"""Loaders on real files: pages, sections, tables in order, encodings, format checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmoin_desktop.core.documents import (
    Damaged,
    PasswordProtected,
    UnsupportedFormat,
    WrongFormat,
    load_document,
)


def test_pdf_page_numbers_and_sections(corpus_dir: Path) -> None:
    doc = load_document(corpus_dir / "gesetze" / "bmg.pdf")
    assert doc.format == "pdf" and doc.n_pages == 48
    headings = {b.text: b for b in doc.blocks if b.kind == "heading"}
    # Checked by eye in the PDF: § 1 starts on page 1, § 17 on page 13.
    assert headings["§ 1 Meldebehörden"].page == 1
    assert headings["§ 17 Anmeldung, Abmeldung"].page == 13
    body = next(b for b in doc.blocks if "innerhalb von zwei Wochen nach" in b.text)
    assert body.page == 13 and body.section == "§ 17 Anmeldung, Abmeldung"
    assert all(1 <= b.page <= 48 for b in doc.blocks)
    pages = [b.page for b in doc.blocks]
    assert pages == sorted(pages), "blocks must stay in page order"


def test_pdf_references_in_text_are_not_headings(corpus_dir: Path) -> None:
    doc = load_document(corpus_dir / "gesetze" / "bmg.pdf")
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert not any(h.startswith("Art. 7 G v.") for h in headings)
    assert not any(" Absatz " in h.split(" ", 3)[-1][:8] for h in headings)


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("tzbfg.docx", "§ 1 Zielsetzung"),
        ("burlg.md", "§ 3 Dauer des Urlaubs"),
        ("vwvfg.pdf", "§ 3a Elektronische Kommunikation"),
    ],
)
def test_gesetze_load_with_paragraph_sections(corpus_dir: Path, name: str, heading: str) -> None:
    doc = load_document(corpus_dir / "gesetze" / name)
    heads = [b for b in doc.blocks if b.kind == "heading"]
    assert heading in [h.text for h in heads]
    after = doc.blocks[doc.blocks.index(next(h for h in heads if h.text == heading)) + 1]
    assert after.section == heading and after.kind != "heading"
    assert sum(h.text.startswith("§") for h in heads) >= 10


def test_markdown_front_matter_is_title_not_text(corpus_dir: Path) -> None:
    doc = load_document(corpus_dir / "gesetze" / "burlg.md")
    assert doc.title == "Mindesturlaubsgesetz für Arbeitnehmer"
    assert "jurabk" not in doc.text and doc.encoding == "utf-8"


def test_docx_headings_use_word_styles(corpus_dir: Path) -> None:
    doc = load_document(corpus_dir / "gesetze" / "tzbfg.docx")
    first = next(b for b in doc.blocks if b.kind == "heading")
    assert first.text.startswith("Gesetz über Teilzeitarbeit") and first.level == 1
    para = next(b for b in doc.blocks if b.kind == "heading" and b.text.startswith("§ 1 "))
    assert para.level > 1


def test_docx_tables_in_reading_order(corpus_dir: Path) -> None:
    doc = load_document(corpus_dir / "wild" / "blk-paras-and-tables.docx")
    body = [b for b in doc.blocks if b.kind not in ("header", "footer")]
    assert [b.kind for b in body] == ["paragraph", "table", "paragraph"]
    assert body[0].text.startswith("Lorem ipsum")
    assert body[1].text == "Text before Table Between Text after"
    assert body[2].text.startswith("Donec semper")
    # The header is a two-cell table: one row, cells in order.
    assert doc.blocks[0].kind == "header" and doc.blocks[0].text == "Left-side | Right-side"
    assert doc.blocks[-1].kind == "footer"


def test_docx_empty_tables_load_without_error(corpus_dir: Path) -> None:
    doc = load_document(corpus_dir / "wild" / "tbl-having-tables.docx")
    assert doc.format == "docx" and doc.blocks == []
    assert doc.warnings == ["Die Datei enthält keinen Text."]


def test_docx_table_rows_cells_and_merges(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_heading("§ 4 Reisekosten", level=2)
    d.add_paragraph("Vor der Tabelle")
    table = d.add_table(rows=3, cols=3)
    for r in range(3):
        for c in range(3):
            table.cell(r, c).text = f"Z{r}S{c}"
    table.cell(1, 0).merge(table.cell(2, 0))  # vertical merge: text once
    d.add_paragraph("Nach der Tabelle")
    d.sections[0].header.paragraphs[0].text = "Stadt Musterhausen"
    d.add_section()  # second section repeats the header (linked): still once
    path = tmp_path / "tabelle.docx"
    d.save(str(path))
    doc = load_document(path)
    kinds = [(b.kind, b.text.splitlines()[0]) for b in doc.blocks]
    assert kinds == [
        ("header", "Stadt Musterhausen"),
        ("heading", "§ 4 Reisekosten"),
        ("paragraph", "Vor der Tabelle"),
        ("table", "Z0S0 | Z0S1 | Z0S2"),
        ("paragraph", "Nach der Tabelle"),
    ]
    table_block = doc.blocks[3]
    assert table_block.text.splitlines()[1:] == ["Z1S0 Z2S0 | Z1S1 | Z1S2", "Z2S1 | Z2S2"]
    assert table_block.section == "§ 4 Reisekosten"


def test_header_footer_once(corpus_dir: Path) -> None:
    doc = load_document(corpus_dir / "wild" / "hdr-header-footer.docx")
    headers = [b.text for b in doc.blocks if b.kind == "header"]
    assert headers == ["Header for section-1"]
    assert "section without header of its own." in doc.text


@pytest.mark.parametrize(
    ("name", "encoding", "expected"),
    [
        ("umlaute-cp1252.txt", "cp1252", "Größere Beträge"),
        ("utf16-bom.txt", "utf-16", "Vermerk: Die Sitzung des Ausschusses findet am Donnerstag"),
    ],
)
def test_encodings(corpus_dir: Path, name: str, encoding: str, expected: str) -> None:
    doc = load_document(corpus_dir / "wild" / name)
    assert doc.encoding == encoding
    assert "\ufffd" not in doc.text and "Ã" not in doc.text and "\x00" not in doc.text
    assert expected in doc.text


def test_utf16_umlauts_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "notiz.txt"
    path.write_bytes("Straße, Bürgeramt, Öffnungszeiten".encode("utf-16-le"))
    doc = load_document(path)
    assert doc.text == "Straße, Bürgeramt, Öffnungszeiten"


def test_cp1252_text_exact(corpus_dir: Path) -> None:
    doc = load_document(corpus_dir / "wild" / "umlaute-cp1252.txt")
    assert doc.encoding == "cp1252"
    assert doc.text.startswith("Sehr geehrte Frau Müller,")
    assert "Prüfung" in doc.text and "Größere" in doc.text


def test_utf8_bom_and_txt_headings(tmp_path: Path) -> None:
    path = tmp_path / "vermerk.txt"
    path.write_bytes(
        "\ufeffEinleitung\n\n§ 17 Allgemeine Meldepflicht\nWer umzieht, meldet sich.\n".encode()
    )
    doc = load_document(path)
    assert doc.encoding == "utf-8-sig"
    assert [b.kind for b in doc.blocks] == ["paragraph", "heading", "paragraph"]
    assert doc.blocks[2].section == "§ 17 Allgemeine Meldepflicht"


def test_wrong_format_and_damage(corpus_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(WrongFormat) as info:
        load_document(corpus_dir / "wild" / "plain-text-named.docx")
    assert "plain-text-named.docx" in info.value.user_message
    assert "einfacher Text" in info.value.user_message
    with pytest.raises(Damaged):
        load_document(corpus_dir / "wild" / "corrupt-zip.docx")
    pdf_as_docx = tmp_path / "bericht.docx"
    pdf_as_docx.write_bytes((corpus_dir / "wild" / "minimal-document.pdf").read_bytes())
    with pytest.raises(WrongFormat, match="PDF-Dokument"):
        load_document(pdf_as_docx)
    ole = tmp_path / "geschuetzt.docx"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"))
    with pytest.raises(PasswordProtected):
        load_document(ole)
    other = tmp_path / "tabelle.numbers"  # .xlsx is read since issue 11 (test_documents_office)
    other.write_bytes(b"PK\x03\x04junk")
    with pytest.raises(UnsupportedFormat):
        load_document(other)


def test_odt_html_eml(tmp_path: Path) -> None:
    import zipfile

    odt = tmp_path / "bescheid.odt"
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:text>'
        '<text:h text:outline-level="1">§ 2 Bescheid</text:h><text:p>Sehr geehrte Frau Müller</text:p>'
        "<table:table><table:table-row><table:table-cell><text:p>A</text:p></table:table-cell>"
        "<table:table-cell><text:p>B</text:p></table:table-cell></table:table-row></table:table>"
        "</office:text></office:body></office:document-content>"
    )
    with zipfile.ZipFile(odt, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", content)
    doc = load_document(odt)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "§ 2 Bescheid"),
        ("paragraph", "Sehr geehrte Frau Müller"),
        ("table", "A | B"),
    ]
    html = tmp_path / "seite.html"
    html.write_text(
        "<html><head><title>Amt</title><script>x()</script></head><body><h2>Öffnungszeiten</h2>"
        "<p>Mo bis Fr</p><table><tr><td>Mo</td><td>8–12</td></tr></table></body></html>",
        encoding="utf-8",
    )
    doc = load_document(html)
    assert doc.title == "Amt"
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "Öffnungszeiten"),
        ("paragraph", "Mo bis Fr"),
        ("table", "Mo | 8–12"),
    ]
    eml = tmp_path / "mail.eml"
    eml.write_bytes(
        "From: a@b.de\nSubject: Umzug\nContent-Type: text/plain; charset=utf-8\n\nGrüße\n".encode()
    )
    doc = load_document(eml)
    assert doc.title == "Umzug" and "Grüße" in doc.text


def test_pdf_without_title_metadata_is_named_by_its_first_line(corpus_dir: Path) -> None:
    """The federal-law PDFs carry no title: the wrapped first line names them, not "ifg"."""
    from llmoin_desktop.core.documents.pdf_loader import load_pdf

    doc = load_pdf(corpus_dir / "gesetze" / "ifg.pdf")
    assert doc.title == "Gesetz zur Regelung des Zugangs zu Informationen des Bundes (IFG)"
    assert load_pdf(corpus_dir / "gesetze" / "bmg.pdf").title == "Bundesmeldegesetz (BMG)"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Bundesmeldegesetz (BMG)\nAusfertigungsdatum\n2013-05-03", "Bundesmeldegesetz (BMG)"),
        (
            "Gesetz zum Schutz von Müttern\nbei der Arbeit (MuSchG)\nText",
            "Gesetz zum Schutz von Müttern bei der Arbeit (MuSchG)",
        ),
        (
            "Lorem ipsum dolor sit amet, consetetur sadipscing elitr, sed diam nonumy eirmod tempor "
            "invidunt ut labore et dolore magna aliquyam erat, sed diam voluptua.",
            "",
        ),
        ("2024-05-03\nBescheid", ""),
        ("", ""),
    ],
)
def test_title_from_first_lines(text: str, title: str) -> None:
    from llmoin_desktop.core.documents.pdf_loader import _title_from_text

    assert _title_from_text(text) == title
