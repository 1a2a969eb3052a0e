"""``index``, ``library`` and ``ask`` on the command line, in-process (``cli.main``), on real
corpus files: outcome table, statuses, reasons, exit codes; ``ask`` with the demo model."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmoin_desktop.cli.base import main
from llmoin_desktop.cli.library import EXIT_REJECTED
from llmoin_desktop.core.tasks.library_task import close_all_libraries


@pytest.fixture
def lib_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("LLMOIN_LIBRARY_DIR", raising=False)
    yield tmp_path / "bibliothek"
    close_all_libraries()


def rows(out: str) -> dict[str, str]:
    """File name → its line in the outcome table."""
    found = {}
    for line in out.splitlines():
        first = line.split("  ")[0].strip()
        if first.startswith("/"):
            found[Path(first).name] = line
    return found


def test_index_prints_outcome_table_and_exit_code(lib_dir: Path, corpus_dir: Path, capsys) -> None:
    files = [
        corpus_dir / "gesetze" / "burlg.md",
        corpus_dir / "wild" / "umlaute-cp1252.txt",
        corpus_dir / "wild" / "encrypted-aes256.pdf",
        corpus_dir / "wild" / "corrupt-zip.docx",
    ]
    code = main(["index", "--library", str(lib_dir), *map(str, files)])
    out, err = capsys.readouterr()
    assert code == EXIT_REJECTED  # finished, but some files need attention
    table = rows(out)
    assert set(table) == {f.name for f in files}
    assert "eingelesen" in table["burlg.md"] and "eingelesen" in table["umlaute-cp1252.txt"]
    assert "abgelehnt" in table["encrypted-aes256.pdf"]
    assert "Passwort" in table["encrypted-aes256.pdf"]
    assert "beschädigt" in table["corrupt-zip.docx"]
    assert "2 eingelesen, 2 abgelehnt" in out
    assert "verarbeitet" in err  # progress went to stderr, not into the table

    # again: nothing changed, nothing is read again, exit code 0 for the readable file
    code = main(["index", "--library", str(lib_dir), str(files[0])])
    out, _err = capsys.readouterr()
    assert code == 0 and "unverändert" in rows(out)["burlg.md"]

    code = main(["library", "--library", str(lib_dir)])
    out, _err = capsys.readouterr()
    assert code == 0 and "4 Dokumente: 2 eingelesen, 2 abgelehnt" in out
    line = next(x for x in out.splitlines() if "encrypted-aes256.pdf" in x)
    assert line.startswith("abgelehnt") and "Passwort" in line

    code = main(["library", "--library", str(lib_dir), "--remove", str(files[3])])
    out, err = capsys.readouterr()
    assert code == 0 and "corrupt-zip.docx" not in out and "Entfernt" in err


def test_index_missing_path_is_a_usage_error(lib_dir: Path, capsys) -> None:
    code = main(["index", "--library", str(lib_dir), str(lib_dir / "gibt-es-nicht.pdf")])
    _out, err = capsys.readouterr()
    assert code == 2 and "nicht gefunden" in err


def test_env_variable_selects_the_library(
    lib_dir: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("LLMOIN_LIBRARY_DIR", str(lib_dir))
    assert main(["index", "--quiet", str(corpus_dir / "wild" / "utf16-bom.txt")]) == 0
    capsys.readouterr()
    assert main(["library"]) == 0
    out, _err = capsys.readouterr()
    assert f"Bibliothek: {lib_dir}" in out and "utf16-bom.txt" in out


@pytest.mark.model
def test_ask_streams_answer_then_sources_with_quotes(
    lib_dir: Path, corpus_dir: Path, demo_model_path: Path, capsys, monkeypatch
) -> None:
    from llmoin_desktop.core.tasks import library_task

    monkeypatch.setattr(library_task, "PASSAGES", 2)  # a shorter prompt on 2 shared cores
    law = corpus_dir / "gesetze" / "bmg.pdf"
    assert main(["index", "--quiet", "--library", str(lib_dir), str(law)]) == 0
    capsys.readouterr()
    code = main(
        [
            "ask",
            "--library",
            str(lib_dir),
            "--model",
            str(demo_model_path),
            "--max-tokens",
            "40",
            "--no-history",
            "Innerhalb welcher Frist muss man sich nach dem Einzug in eine Wohnung anmelden?",
        ]
    )
    out, _err = capsys.readouterr()
    assert code == 0
    answer, _sep, sources = out.partition("Quellen:")
    assert answer.strip() and sources
    assert "- [1] bmg.pdf, S. 1" in sources  # file and page
    assert "„(1) Wer eine Wohnung bezieht, hat sich innerhalb von zwei Wochen" in sources
