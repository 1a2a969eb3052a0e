"""``search`` on the command line (in-process ``cli.main``) on real corpus files, and the
collapse of versions of one document ("+ n weitere Fassungen")."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from llmoin_desktop.cli.base import main
from llmoin_desktop.core.library import Library
from llmoin_desktop.core.tasks.library_task import close_all_libraries


@pytest.fixture
def lib_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("LLMOIN_LIBRARY_DIR", raising=False)
    yield tmp_path / "bibliothek"
    close_all_libraries()


def test_search_prints_passages_json_and_query_timings(
    lib_dir: Path, corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    laws = [corpus_dir / "gesetze" / "burlg.md", corpus_dir / "gesetze" / "vwzg_2005.md"]
    assert main(["index", "--quiet", "--library", str(lib_dir), *map(str, laws)]) == 0
    capsys.readouterr()

    assert (
        main(
            [
                "search",
                "Wie lange ist die Wartezeit für den Urlaub?",
                "--library",
                str(lib_dir),
                "--k",
                "3",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("1. burlg.md") and "Wartezeit" in out
    assert out.count("\n1. ") + out.startswith("1. ") == 1 and "\n3. " in out

    assert (
        main(
            [
                "search",
                "Zustellung",
                "--json",
                "--k",
                "2",
                "--library",
                str(lib_dir),
                "--scope",
                str(laws[1]),
            ]
        )
        == 0
    )
    hits = json.loads(capsys.readouterr().out)
    assert [h["rank"] for h in hits] == [1, 2]
    assert {h["file"] for h in hits} == {"vwzg_2005.md"}
    assert all(h["section"] and h["sentence"] and "\n" not in h["sentence"] for h in hits)

    queries = tmp_path / "fragen.txt"
    queries.write_text("Urlaub Wartezeit\n\n§ 3 BUrlG\nZustellung durch die Post\n", "utf-8")
    assert main(["search", "--queries", str(queries), "--library", str(lib_dir)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4 and all(" ms  " in line for line in lines[:3])
    assert lines[-1].startswith("queries=3 p50_ms=") and " open_s=" in lines[-1]


def test_search_without_query_or_with_missing_file_says_so(
    lib_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "--library", str(lib_dir)]) == 2
    assert "Suchtext" in capsys.readouterr().err
    assert (
        main(["search", "--queries", str(tmp_path / "fehlt.txt"), "--library", str(lib_dir)]) == 2
    )
    err = capsys.readouterr().err
    assert "fehlt.txt" in err and "Traceback" not in err


def test_versions_of_a_document_collapse_into_the_newest(tmp_path: Path, corpus_dir: Path) -> None:
    text = (corpus_dir / "gesetze" / "burlg.md").read_text("utf-8")
    folder = tmp_path / "akten"
    folder.mkdir()
    for i in range(4):  # four versions: other numbers, otherwise the same rules
        path = folder / f"burlg_fassung_{i}.md"
        path.write_text(text.replace("1963", str(1963 + i)), "utf-8")
        os.utime(path, (1_600_000_000 + i * 86400, 1_600_000_000 + i * 86400))
    with Library.open(tmp_path / "lib", embedder=None) as lib:
        lib.add([folder])
        lib.index_pending()
        hits = lib.search("Wartezeit Urlaubsanspruch", k=5)
    assert hits
    top = hits[0]
    assert Path(top.path).name == "burlg_fassung_3.md"  # the newest version
    assert sorted(Path(p).name for p in top.versions) == [f"burlg_fassung_{i}.md" for i in range(3)]
    assert {Path(h.path).name for h in hits} == {"burlg_fassung_3.md"}  # no copies listed
    assert all(len(h.versions) == 3 for h in hits)
