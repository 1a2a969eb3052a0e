"""DOCX export: letters in DIN 5008 layout, reports with title/source/date, real Word
tables, AI note in the footer, atomic writes; files open in python-docx and LibreOffice."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from llmoin_desktop.core.errors import Cancelled
from llmoin_desktop.core.export import (
    ExportContent,
    ExportError,
    LetterInfo,
    build_docx,
    content_from_result,
    export_docx,
    template_path,
)
from llmoin_desktop.core.jobs import CancelToken
from llmoin_desktop.core.settings.config import Settings
from llmoin_desktop.core.tasks.catalog import load_catalog
from llmoin_desktop.core.tasks.runner import TaskResult

LETTER_BODY = """Sehr geehrte Frau Mustermann,

vielen Dank für Ihren Antrag vom 3. März. Wir haben ihn **vollständig** geprüft.

- Der Bescheid folgt bis zum 30. April.
- Bitte reichen Sie keine weiteren Unterlagen ein.

Mit freundlichen Grüßen
Im Auftrag"""


def _all_text(d: docx.document.Document) -> str:
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_bundled_letterhead_is_small_and_valid() -> None:
    path = template_path(Settings())
    assert path.is_file() and path.stat().st_size < 100_000
    d = docx.Document(str(path))
    assert "Musterbehörde" in d.sections[0].header.paragraphs[0].text


def test_letter_follows_din_5008(tmp_path: Path) -> None:
    content = ExportContent(
        title="Antwortschreiben",
        body=LETTER_BODY,
        kind="letter",
        letter=LetterInfo(
            address="Frau\nErika Mustermann\nMusterstraße 1\n12345 Musterstadt",
            subject="Ihr Antrag auf Wohngeld",
            your_reference="Schreiben vom 03.03.",
            our_reference="50.2-123",
        ),
    )
    out = export_docx(content, tmp_path / "brief.docx", settings=Settings())
    d = docx.Document(str(out))
    address_cell, info_cell = d.tables[0].rows[0].cells
    assert "Musterbehörde · Musterstraße 1" in address_cell.text  # return line from template
    assert "Erika Mustermann" in address_cell.text
    assert "Unser Zeichen: 50.2-123" in info_cell.text and "Datum:" in info_cell.text
    texts = [p.text for p in d.paragraphs]
    subject = texts.index("Ihr Antrag auf Wohngeld")
    salutation = texts.index("Sehr geehrte Frau Mustermann,")
    closing = texts.index("Mit freundlichen Grüßen")
    assert subject < salutation < closing
    assert d.paragraphs[subject].runs[0].bold
    assert any(p.style.name == "List Bullet" and "30. April" in p.text for p in d.paragraphs)
    assert any(r.bold and r.text == "vollständig" for p in d.paragraphs for r in p.runs)
    footer = "\n".join(p.text for p in d.sections[0].footer.paragraphs)
    assert "KI-Unterstützung" in footer


def test_letter_without_salutation_gets_defaults() -> None:
    data = build_docx(
        ExportContent(title="Brief", body="Nur Text.", kind="letter"), settings=Settings()
    )
    import io

    texts = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert "Sehr geehrte Damen und Herren," in texts and "Mit freundlichen Grüßen" in texts


def test_extraction_becomes_a_word_table_and_ai_note_can_be_off(tmp_path: Path) -> None:
    spec = load_catalog(Settings()).get("extrahieren")
    result = TaskResult(
        task_id="extrahieren",
        values={"arten": ["fristen"]},
        answer="| Art | Angabe | Fundstelle |\n|---|---|---|\n| Frist | ein Monat | Seite 3 |",
        output_kind="table",
        sources=["ifg.pdf"],
    )
    out = export_docx(
        content_from_result(spec, result),
        tmp_path / "t.docx",
        settings=Settings(export_ai_note=False),
    )
    d = docx.Document(str(out))
    assert d.paragraphs[0].text == "Informationen herausziehen"
    assert "Quelle: ifg.pdf" in d.paragraphs[1].text and "Datum:" in d.paragraphs[1].text
    table = d.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Art", "Angabe", "Fundstelle"]
    assert [c.text for c in table.rows[1].cells] == ["Frist", "ein Monat", "Seite 3"]
    assert "KI-Unterstützung" not in "\n".join(p.text for p in d.sections[0].footer.paragraphs)


def test_cancel_or_disk_error_leaves_no_file(tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    content = ExportContent(title="T", body="Text")
    token = CancelToken()
    token.cancel()
    target = tmp_path / "x.docx"
    with pytest.raises(Cancelled):
        export_docx(content, target, cancel=token)
    assert list(tmp_path.iterdir()) == []
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        with pytest.raises(ExportError, match="beschreibbar|gespeichert"):
            export_docx(content, ro / "x.docx")
        assert list(ro.iterdir()) == []
    # An existing file is replaced only by a complete new one.
    target.write_bytes(b"old")
    export_docx(content, target)
    assert docx.Document(str(target)).paragraphs[0].text == "T"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_broken_template_gives_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "kopf.docx"
    bad.write_bytes(b"PK\x03\x04kaputt")
    with pytest.raises(ExportError, match="Briefkopf-Vorlage"):
        build_docx(
            ExportContent(title="T", body="x"), settings=Settings(letterhead_template=str(bad))
        )


@pytest.mark.slow
def test_exported_files_open_in_libreoffice(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed on this machine")
    letter = export_docx(
        ExportContent(
            title="Brief", body=LETTER_BODY, kind="letter", letter=LetterInfo(address="Frau X")
        ),
        tmp_path / "brief.docx",
    )
    table = export_docx(
        ExportContent(title="Tabelle", body="| A | B |\n|---|---|\n| 1 | Frist |", kind="table"),
        tmp_path / "tabelle.docx",
    )
    for path in (letter, table):
        subprocess.run(
            [
                soffice,
                "--headless",
                f"-env:UserInstallation=file://{tmp_path}/lo",
                "--convert-to",
                "txt:Text",
                "--outdir",
                str(tmp_path),
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        text = (tmp_path / (path.stem + ".txt")).read_text(encoding="utf-8-sig")
        assert ("Mit freundlichen Grüßen" in text) if path is letter else ("Frist" in text)
