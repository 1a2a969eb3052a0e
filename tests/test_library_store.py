"""The library on real law files with real SQLite and chromadb on disk.

Covers: § references found exactly, umlaut and compound queries, incremental re-scan,
remove, rejected files, SIGKILL during indexing with resume, and a damaged vector index
that is rebuilt on open.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from llmoin_desktop.core.jobs import Job
from llmoin_desktop.core.library import INDEXED, PENDING, REJECTED, Library

SUBSET = ["burlg.md", "vwzg_2005.md", "ifg.pdf", "brkg_2005.pdf"]
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def subset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "gesetze"
    if not corpus.is_dir():
        pytest.skip(f"shared corpus not found at {corpus}")
    folder = tmp_path_factory.mktemp("laws")
    for name in SUBSET:
        shutil.copy2(corpus / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def lib(subset_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Library:
    library = Library.open(tmp_path_factory.mktemp("lib"))
    library.add([subset_dir])
    report = library.index_pending()
    assert report.count(INDEXED) == len(SUBSET), report.outcomes
    yield library
    library.close()


def _top(lib: Library, query: str, k: int = 5) -> list[tuple[str, str]]:
    return [(Path(h.path).name, h.section) for h in lib.search(query, k=k)]


def test_paragraph_reference_found_exactly(lib: Library) -> None:
    top = _top(lib, "§ 7 BUrlG")
    assert top[0][0] == "burlg.md" and top[0][1].startswith("§ 7 ")
    # Both laws have a § 3: the named law decides.
    assert _top(lib, "§ 3 IFG")[0][0] == "ifg.pdf"
    assert _top(lib, "§ 3 BRKG")[0][0] == "brkg_2005.pdf"


def test_hits_carry_citation_metadata(lib: Library) -> None:
    hit = lib.search("§ 3 IFG", k=1)[0]
    assert hit.pages and hit.page_label
    assert hit.section.startswith("§ 3")
    assert hit.text.startswith("§ 3")
    assert hit.score > 0


def test_umlauts_and_case_do_not_matter(lib: Library) -> None:
    for query in ("Ausschluss von Doppelanspruchen", "AUSSCHLUSS VON DOPPELANSPRÜCHEN"):
        assert _top(lib, query)[0] == ("burlg.md", "§ 6 Ausschluß von Doppelansprüchen")


def test_compound_parts_find_the_compound(lib: Library) -> None:
    # "Entschädigung" occurs in brkg only inside "Wegstreckenentschädigung".
    texts = [h.text for h in lib.search("Entschädigung", k=3)]
    assert any("Wegstreckenentschädigung" in t for t in texts)
    sections = [s for _, s in _top(lib, "Reisekosten")]
    assert "§ 3 Anspruch auf Reisekostenvergütung" in sections


def test_scope_limits_results(lib: Library, subset_dir: Path) -> None:
    hits = lib.search("Zustellung", k=5, scope=[subset_dir / "ifg.pdf"])
    assert hits and all(Path(h.path).name == "ifg.pdf" for h in hits)


def _copy(src: Path, names: list[str], dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for n in names:
        shutil.copy2(src / n, dst / n)
    return dst


def test_rescan_reindexes_only_changed_files_and_remove(subset_dir: Path, tmp_path: Path) -> None:
    docs = _copy(subset_dir, ["burlg.md", "vwzg_2005.md"], tmp_path / "docs")
    lib = Library.open(tmp_path / "lib")
    try:
        assert len(lib.add([docs])) == 2
        lib.index_pending()
        assert lib.rescan([docs]) == []  # nothing changed
        assert lib.add([docs]) == []
        # Same content, new mtime: still nothing to do (content hash decides).
        os.utime(docs / "burlg.md", (time.time() + 10, time.time() + 10))
        assert lib.rescan([docs]) == []
        # Changed content: only that file is indexed again.
        p = docs / "vwzg_2005.md"
        p.write_text(
            p.read_text("utf-8") + "\n\n## § 99 Zauberformel\n\nQuokkaregel gilt.\n", "utf-8"
        )
        assert lib.rescan([docs]) == [str(p.resolve())]
        report = lib.index_pending()
        assert [o.status for o in report.outcomes] == [INDEXED]
        assert _top(lib, "Quokkaregel")[0] == ("vwzg_2005.md", "§ 99 Zauberformel")
        n_vectors = lib.vectors.count()
        assert n_vectors == sum(d.n_chunks for d in lib.documents())
        # Remove: gone from documents, keyword search and vectors.
        assert lib.remove(docs / "burlg.md")
        assert [Path(d.path).name for d in lib.documents()] == ["vwzg_2005.md"]
        assert all(Path(h.path).name != "burlg.md" for h in lib.search("Urlaub", k=10))
        assert lib.vectors.count() == lib.documents()[0].n_chunks < n_vectors
    finally:
        lib.close()


def test_bad_file_is_rejected_with_message_and_batch_goes_on(
    subset_dir: Path, corpus_dir: Path, tmp_path: Path
) -> None:
    docs = _copy(subset_dir, ["burlg.md"], tmp_path / "docs")
    shutil.copy2(corpus_dir / "wild" / "random-bytes.pdf", docs / "random-bytes.pdf")
    lib = Library.open(tmp_path / "lib", embedder=None)  # statuses only: no vectors needed
    try:
        job = lib.index_job([docs])
        seen: list[int] = []
        job.on_progress(lambda p: seen.append(p.step))
        report = job.run()
        assert report is not None
        status = {Path(d.path).name: (d.status, d.message) for d in lib.documents()}
        assert status["burlg.md"][0] == INDEXED
        assert status["random-bytes.pdf"][0] == REJECTED
        assert "random-bytes.pdf" in status["random-bytes.pdf"][1]
        assert seen and seen[-1] == 2
    finally:
        lib.close()


def test_cancel_leaves_the_rest_pending(subset_dir: Path, tmp_path: Path) -> None:
    lib = Library.open(tmp_path / "lib", embedder=None)  # statuses only: no vectors needed
    try:
        lib.add([subset_dir])
        job: Job = lib.index_job()
        job.on_progress(lambda p: job.cancel() if p.step >= 1 else None)
        job.run()
        states = [d.status for d in lib.documents()]
        assert states.count(INDEXED) >= 1 and states.count(PENDING) >= 1
        lib.index_pending()
        assert {d.status for d in lib.documents()} == {INDEXED}
    finally:
        lib.close()


_CHILD = textwrap.dedent(
    """
    import sys
    from llmoin_desktop.core.library import Library
    lib = Library.open(sys.argv[1])
    lib.add([sys.argv[2]])
    from llmoin_desktop.core.jobs import Job
    job = lib.index_job()
    job.on_progress(lambda p: print("PROGRESS", p.step, flush=True) if p.step else None)
    job.run()
    print("FINISHED", flush=True)
    """
)


def test_sigkill_during_indexing_loses_nothing_and_resumes(
    subset_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "lib"
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(folder), str(subset_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("PROGRESS 1"), line
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    lib = Library.open(folder)
    try:
        docs = lib.documents()
        assert len(docs) == len(SUBSET)
        indexed = [d for d in docs if d.status == INDEXED]
        assert 1 <= len(indexed) < len(SUBSET)  # killed after the first file, before the last
        for d in indexed:  # what was committed is complete
            assert d.n_chunks > 0
            assert (
                len([c for c in lib.store.chunks(lib.store.chunk_ids()) if c.doc_id == d.id])
                == d.n_chunks
            )
        assert lib.vectors.count() == len(lib.store.chunk_ids())  # check() filled any gap
        assert lib.pending()  # the unfinished files are known …
        lib.index_pending()  # … and resumed
        assert {d.status for d in lib.documents()} == {INDEXED}
        assert lib.vectors.count() == sum(d.n_chunks for d in lib.documents())
        assert _top(lib, "§ 7 BUrlG")[0][0] == "burlg.md"
    finally:
        lib.close()


def test_damaged_vector_index_is_rebuilt_on_open(subset_dir: Path, tmp_path: Path) -> None:
    docs = _copy(subset_dir, ["burlg.md"], tmp_path / "docs")
    lib = Library.open(tmp_path / "lib")
    lib.add([docs])
    lib.index_pending()
    n = lib.vectors.count()
    lib.close()
    db = tmp_path / "lib" / "vectors" / "chroma.sqlite3"
    db.write_bytes(b"this is not a database" * 100)

    lib = Library.open(tmp_path / "lib")
    try:
        assert any("beschädigt" in m for m in lib.notices)
        assert lib.wait_repair(120)  # re-embedded in the background (library_vector_repair)
        assert lib.vectors.count() == n
        hits = lib.search("Nebenjob im Urlaub", k=3)
        assert hits and "dense" in {k for h in hits for k in h.sources}
    finally:
        lib.close()


def test_abbreviation_defined_in_one_document_finds_the_long_form(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text(
        "# Vorbemerkung\n\nDas Quokkaschutzgesetz (QSchG) gilt für alle Tierparks.\n", "utf-8"
    )
    (docs / "b.txt").write_text(
        "Fütterung\n\nNach dem Quokkaschutzgesetz ist das Füttern nur mit Blättern erlaubt.\n",
        "utf-8",
    )
    (docs / "c.txt").write_text("Parkordnung: Hunde sind anzuleinen.\n", "utf-8")
    lib = Library.open(tmp_path / "lib", embedder=None)
    try:
        lib.add([docs])
        lib.index_pending()
        # b.txt never says "QSchG": only the expansion learned from a.md finds it
        names = [Path(h.path).name for h in lib.search("QSchG", k=5)]
        assert "b.txt" in names and "c.txt" not in names
    finally:
        lib.close()


def test_unreadable_library_database_is_moved_aside_with_a_notice(tmp_path: Path) -> None:
    # Was: a clear error. Now (issue 14) the damaged file is kept aside and a fresh library
    # opens with a notice; tests/test_library_repair.py covers the salvage in detail.
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "library.sqlite3").write_bytes(b"garbage" * 1000)
    with Library.open(folder, embedder=None) as lib:
        assert any("beschädigt" in n for n in lib.notices)
    assert list(folder.glob("library.sqlite3.damaged-*"))
