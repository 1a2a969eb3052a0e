"""The task commands of the CLI: listing, clear errors for bad input, a real run with export."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from llmoin_desktop.cli import base as cli


def test_tasks_lists_every_task_with_fields(capsys) -> None:
    assert cli.main(["tasks"]) == 0
    out = capsys.readouterr().out
    for task_id in ("zusammenfassen", "entwurf", "einfache_sprache", "extrahieren"):
        assert task_id in out
    assert "--set art=" in out and "antwort, email, rede" in out
    assert "nur bei art=antwort|einladung" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["task", "gibtsnicht"], "Unbekannte Aufgabe"),
        (["task", "entwurf", "--set", "ton=laut"], "Möglich: foermlich"),
        (["task", "entwurf", "--set", "farbe=rot"], "kein Feld „farbe“"),
        (["task", "entwurf", "--set", "ton"], "FELD=WERT"),
        (["draft", "--set", "art=email"], "Pflichtfeld"),
        (["summarize", "/nicht/da.pdf"], "Datei nicht gefunden"),
        (["simplify"], "Bitte eines ausfüllen"),
    ],
)
def test_bad_input_exits_with_a_clear_message(capsys, argv: list[str], message: str) -> None:
    assert cli.main(argv) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_english_messages(capsys) -> None:
    assert cli.main(["--lang", "en", "task", "entwurf", "--set", "ton=laut"]) == cli.EXIT_USAGE
    assert "Invalid value “laut” for “ton”" in capsys.readouterr().err


@pytest.mark.model
def test_draft_runs_streams_and_exports(capsys, demo_model_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "mail.docx"
    code = cli.main(
        [
            "draft",
            "--set",
            "art=email",
            "--set",
            "betreff=Teamsitzung",
            "--set",
            "kernpunkte=Sitzung am Montag um 10 Uhr",
            "--max-tokens",
            "60",
            "--export",
            str(out),
            "--model",
            str(demo_model_path),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.strip()
    assert "Gespeichert" in captured.err
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert captured.out.split()[0].strip("*#,.:") in text
