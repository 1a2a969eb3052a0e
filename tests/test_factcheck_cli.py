"""``llmoin-desktop check``: JSON lines for scripts, a readable table, clear errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from llmoin_desktop.cli.base import main

DATA = Path(__file__).resolve().parents[1] / "bench" / "data" / "factcheck"


def test_check_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = tmp_path / "ergebnis.txt"
    result.write_text(
        "Frau Müller zahlt 45 Euro bis zum 31.03.2026. Rückfragen: Tel. 040 7654321.",
        encoding="utf-8",
    )
    code = main(["check", str(result), "--source", str(DATA / "sondernutzung.txt"), "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    by_text = {r["text"]: r for r in rows}
    for row in rows:
        assert {"text", "kind", "status", "file", "page", "source_text"} <= set(row)
    assert by_text["45 Euro"]["status"] == "belegt"
    assert by_text["45 Euro"]["file"] == "sondernutzung.txt"
    assert "45,00 Euro" in by_text["45 Euro"]["source_text"]
    assert by_text["31.03.2026"]["kind"] == "date"
    assert by_text["Frau Müller"]["status"] != "belegt"  # the letter is from Frau Mustermann
    assert by_text["040 7654321"]["status"] != "belegt"
    assert "Angaben geprüft" in err


def test_check_plain_output_and_pdf_source(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = tmp_path / "r.txt"
    result.write_text("Die Ausschlussfrist beträgt ein Jahr (§ 2 Abs. 2 BUKG).", encoding="utf-8")
    code = main(["check", str(result), "--source", str(corpus_dir / "gesetze" / "bukg_1990.md")])
    out, err = capsys.readouterr()
    assert code == 0
    assert "✓ belegt" in out and "bukg_1990.md" in out
    assert "2 Angaben geprüft: 2 belegt, 0 abweichend, 0 nicht gefunden" in err


def test_check_missing_source_is_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = tmp_path / "r.txt"
    result.write_text("37 Euro", encoding="utf-8")
    assert main(["check", str(result), "--source", str(tmp_path / "fehlt.pdf")]) == 1
    assert "Datei nicht gefunden" in capsys.readouterr().err
    assert main(["check", str(result)]) == 2
    assert "--source" in capsys.readouterr().err


@pytest.mark.model
def test_summarize_prints_the_check_line(
    capsys: pytest.CaptureFixture[str], demo_model_path: Path
) -> None:
    """A real run with the demo model: the summary line follows on stderr, stdout is the
    text only."""
    code = main(
        [
            "summarize",
            str(DATA / "gebuehrenbescheid.txt"),
            "--max-tokens",
            "60",
            "--no-history",
            "--quiet",
            "--model",
            str(demo_model_path),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert re.search(r"Angaben? geprüft|Keine prüfbaren Angaben", captured.err)
    assert not re.search(r"Angaben? geprüft", captured.out)


def test_no_check_switches_the_line_off() -> None:
    from llmoin_desktop.cli.base import build_parser

    parser = build_parser()
    assert parser.parse_args(["summarize", "x.pdf"]).check is True
    assert parser.parse_args(["summarize", "x.pdf", "--no-check"]).check is False
    assert parser.parse_args(["ask", "Frage?", "--no-check"]).check is False
    assert parser.parse_args(["task", "entwurf", "--check"]).check is True


def test_one_broken_source_does_not_cost_the_check_against_the_others(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = tmp_path / "ergebnis.txt"
    result.write_text("Der Urlaub beträgt jährlich mindestens 24 Werktage.", "utf-8")
    broken = corpus_dir / "wild" / "random-bytes.pdf"
    good = corpus_dir / "gesetze" / "burlg.md"
    code = main(["check", str(result), "--source", str(broken), "--source", str(good)])
    captured = capsys.readouterr()
    assert code == 1  # a script learns that one source was not read
    assert "random-bytes.pdf" in captured.err and "nicht geprüft" in captured.err
    assert "belegt" in captured.out and "burlg.md" in captured.out
