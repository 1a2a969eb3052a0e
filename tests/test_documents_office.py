"""Spreadsheets, slides, RTF and old binary Office files, built in the test (issue 11 part 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from doc_builders import RTF_SAMPLE, write_odp, write_ods, write_pptx, write_xlsx

from llmoin_desktop.core.documents import (
    SUPPORTED_EXTENSIONS,
    Damaged,
    DocumentError,
    load_document,
    parse_document,
)
from llmoin_desktop.core.documents.errors import OldOfficeFormat
from llmoin_desktop.core.library.chunking import chunk_document

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def test_xlsx_sheets_as_tables_with_cell_ranges(tmp_path: Path) -> None:
    # Through the real sandbox worker, like every file the app reads.
    doc = parse_document(write_xlsx(tmp_path / "haushalt.xlsx"))
    assert doc.format == "xlsx" and doc.title == "Haushaltsplan"
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert "Tabellenblatt „Haushalt 2026“, Zellen A1:C40" in headings
    assert "Tabellenblatt „Haushalt 2026“, Zellen A41:C63" in headings
    assert "Tabellenblatt „Personal“, Zellen A1:B2" in headings
    tables = [b.text for b in doc.blocks if b.kind == "table"]
    assert tables[0].startswith("Produkt | Ansatz (Euro) | Stichtag\nStadtbibliothek | 412500.5")
    assert "01.01.2026" in tables[0]
    # The second range repeats the column names, so it can be read on its own.
    assert tables[1].startswith("Produkt | Ansatz (Euro) | Stichtag\nPosten 39")
    assert "Feuerwehr | 1250000" in tables[1]
    chunks = chunk_document(doc)
    feuerwehr = next(c for c in chunks if "Feuerwehr" in c.text)
    assert feuerwehr.section == "Tabellenblatt „Haushalt 2026“, Zellen A41:C63"


def test_ods_bounded_repeats_and_odp_slides(tmp_path: Path) -> None:
    doc = load_document(write_ods(tmp_path / "raeume.ods"))
    assert [b.text for b in doc.blocks if b.kind == "table"] == [
        "Ort | Plätze\nRatssaal | 120\nFoyer | 40"
    ]
    assert any(b.text == "Tabellenblatt „Räume“, Zellen A1:B3" for b in doc.blocks)
    doc = load_document(write_odp(tmp_path / "vortrag.odp"))
    assert doc.title == "Begrüßung"
    assert [b.text for b in doc.blocks if b.kind == "heading"] == [
        "Folie 1 – Begrüßung",
        "Folie 2 – Haushalt",
    ]
    assert "Notizen: Notiz 2" in doc.text


def test_pptx_titles_text_tables_notes_and_slide_reference(tmp_path: Path) -> None:
    doc = parse_document(write_pptx(tmp_path / "vortrag.pptx"))
    assert doc.format == "pptx"
    slide4 = [b.text for b in doc.blocks if b.section == "Folie 4 – Zeitplan Digitalisierung"]
    assert slide4 == [
        "Folie 4 – Zeitplan Digitalisierung",
        "Einführung der E-Akte im Bürgeramt bis Juni 2026",
        "Phase | Termin\nPilot | März",
        "Notizen: Nicht vergessen: Personalrat beteiligen.",
    ]
    chunk = next(c for c in chunk_document(doc) if "E-Akte" in c.text)
    assert chunk.section.startswith("Folie 4")


def test_rtf_umlauts_headings_title(tmp_path: Path) -> None:
    path = tmp_path / "vermerk.rtf"
    path.write_text(RTF_SAMPLE, encoding="ascii")
    doc = parse_document(path)
    assert doc.format == "rtf" and doc.title == "Vermerk Straßenfest"
    assert "Die Bürgerinitiative beantragt eine Sperrung der Hauptstraße." in doc.text
    assert "€ 500 Kaution" in doc.text
    assert "\\par" not in doc.text and "ansicpg" not in doc.text


def test_old_binary_office_files_ask_for_the_modern_format(tmp_path: Path) -> None:
    expected = {"alt.doc": "DOCX", "liste.xls": "XLSX", "folien.ppt": "PPTX"}
    for name, modern in expected.items():
        path = tmp_path / name
        path.write_bytes(OLE + b"\0" * 1024)
        with pytest.raises(OldOfficeFormat) as info:
            parse_document(path)  # the message is rebuilt on the app side of the sandbox
        assert name in info.value.user_message
        assert f"speichern Sie sie als {modern}" in info.value.user_message


def test_broken_and_mislabelled_office_files_get_clear_errors(tmp_path: Path) -> None:
    junk = tmp_path / "tabelle.xlsx"
    junk.write_bytes(b"PK\x03\x04junk")
    with pytest.raises(Damaged):
        load_document(junk)
    text = tmp_path / "folien.pptx"
    text.write_text("nur Text", encoding="utf-8")
    with pytest.raises(DocumentError, match="keine PPTX-Datei"):
        load_document(text)
    # A workbook saved with the wrong ending is still read for what it is.
    renamed = write_xlsx(tmp_path / "haushalt.bin")
    assert load_document(renamed).format == "xlsx"


def test_new_formats_are_picked_up_by_folder_scans() -> None:
    for ext in (".xlsx", ".ods", ".pptx", ".odp", ".rtf", ".msg", ".eml"):
        assert ext in SUPPORTED_EXTENSIONS
