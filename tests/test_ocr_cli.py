"""`llmoin-desktop read` and a guided summary of a scanned letter, end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmoin_desktop.cli import base as cli


def test_read_prints_pages_with_the_recognition_marker(capsys, corpus_dir: Path) -> None:
    assert cli.main(["read", str(corpus_dir / "scans" / "bmg-fax.tiff")]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "=== Seite 1 · [Texterkennung] ===" in out
    assert "=== Seite 2 · [Texterkennung] ===" in out
    assert "Per Texterkennung gelesen" in out
    assert "Bearbeitungsmerkmal" in out
    assert "Texterkennung: Seite 2 von 2" in captured.err  # progress on stderr


def test_read_selects_pages_of_a_text_pdf(capsys, corpus_dir: Path) -> None:
    assert cli.main(["read", str(corpus_dir / "gesetze" / "brkg_2005.pdf"), "--pages", "2-3"]) == 0
    out = capsys.readouterr().out
    assert "=== Seite 2 ===" in out and "=== Seite 3 ===" in out
    assert "=== Seite 1 ===" not in out and "Texterkennung]" not in out


def test_read_rejected_file_exits_non_zero_with_the_message(capsys, corpus_dir: Path) -> None:
    code = cli.main(["read", str(corpus_dir / "wild" / "imagemagick-images.pdf")])
    err = capsys.readouterr().err
    assert code == cli.EXIT_ERROR
    assert "kein lesbarer Text" in err and "Traceback" not in err


def test_read_in_english(capsys, corpus_dir: Path) -> None:
    path = corpus_dir / "scans" / "beschwerde-laerm-foto.jpg"
    assert cli.main(["--lang", "en", "read", str(path)]) == 0
    out = capsys.readouterr().out
    assert "[Text recognition]" in out and "Read by text recognition" in out


@pytest.mark.model
def test_guided_summary_of_a_scanned_letter(capsys, corpus_dir: Path, demo_model_path) -> None:
    scan = corpus_dir / "scans" / "antrag-sondernutzung-scan.pdf"
    code = cli.main(["summarize", str(scan), "--max-tokens", "60", "--model", str(demo_model_path)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Hinweis: Die Vorlage wurde per Texterkennung gelesen" in captured.out
    answer = captured.out.split("Hinweis: Die Vorlage")[0]
    assert answer.strip()
