"""A damaged library database is salvaged and re-read from its documents; SQLite and the
vectors never disagree; odd file names and failed writes do not cost the rest of a folder.

Real SQLite, real chromadb, real files. Damage is made the way it happens: pages of the file
overwritten with garbage, a 0-byte file, a file that is no database at all.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pytest

from llmoin_desktop.core.library import INDEXED, PENDING, Library, LibraryError
from llmoin_desktop.core.library.vectors import VectorIndex

PAGE = 4096


def make_docs(folder: Path, n: int = 6) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = "\n\n".join(
            f"§ {k} Regelung DOC{i:02d}-PARA{k:02d}. "
            + f"Behördentext zu Vorgang {i} und {k}. " * 30
            for k in range(1, 8)
        )
        (folder / f"dok{i:02d}.md").write_text(f"# Dokument {i}\n\n{body}\n", encoding="utf-8")
    return folder


def damage_page_with(path: Path, marker: bytes) -> None:
    data = bytearray(path.read_bytes())
    page = data.index(marker) // PAGE
    data[page * PAGE : (page + 1) * PAGE] = b"\x5a" * PAGE
    path.write_bytes(bytes(data))


def test_partial_damage_keeps_what_is_readable_and_index_rereads_the_rest(
    tmp_path: Path,
) -> None:
    docs = make_docs(tmp_path / "docs")
    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        lib.add([docs])
        assert lib.index_pending().count(INDEXED) == 6
        vectors_dir = lib.store.get_meta("vectors_dir") or "vectors"
    db = folder / "library.sqlite3"
    damage_page_with(db, b"DOC03-PARA04")

    with Library.open(folder) as lib:
        notice = " ".join(lib.notices)
        assert "wiederhergestellt" in notice and "nicht gelöscht" in notice, lib.notices
        assert list(folder.glob("library.sqlite3.damaged-*"))  # kept for IT
        status = {Path(d.path).name: d.status for d in lib.documents()}
        assert status["dok03.md"] == PENDING and status["dok00.md"] == INDEXED, status
        # SQLite and vectors agree after the repair
        assert lib.vectors is not None and lib.vectors.count() == len(lib.store.chunk_ids())
        # `index` really re-reads what was lost (not "unverändert")
        todo = lib.add([docs])
        assert any(p.endswith("dok03.md") for p in todo)
        report = lib.index_pending()
        assert report.count(INDEXED) >= 1
        assert {d.status for d in lib.documents()} == {INDEXED}
        assert lib.vectors.count() == len(lib.store.chunk_ids())
        hits = lib.search("Regelung Vorgang 3", k=5, scope=[docs / "dok03.md"])
        assert hits and all(Path(h.path).name == "dok03.md" for h in hits)
        # the vectors were kept, not rebuilt from scratch
        assert (lib.store.get_meta("vectors_dir") or "vectors") == vectors_dir
        # remove works on a repaired file (no FOREIGN KEY error)
        assert lib.remove(docs / "dok01.md")


def test_zero_byte_database_is_damage_with_a_notice(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "library.sqlite3").write_bytes(b"")
    with Library.open(folder, embedder=None) as lib:
        assert any("0 Byte" in n for n in lib.notices), lib.notices
        assert list(folder.glob("library.sqlite3.damaged-*"))
        assert lib.documents() == []


def test_not_a_database_is_moved_aside_and_library_works(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "library.sqlite3").write_bytes(b"garbage" * 1000)
    with Library.open(folder, embedder=None) as lib:
        assert any("nichts daraus retten" in n for n in lib.notices), lib.notices
        moved = list(folder.glob("library.sqlite3.damaged-*"))
        assert moved and moved[0].read_bytes().startswith(b"garbage")
        lib.add([make_docs(tmp_path / "docs", 1)])
        assert lib.index_pending().count(INDEXED) == 1


def test_read_only_folder_is_not_damage(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    folder = tmp_path / "lib"
    with Library.open(folder, embedder=None):
        pass
    folder.chmod(0o500)
    (folder / "library.sqlite3").chmod(0o400)
    try:
        with pytest.raises(LibraryError) as err:
            Library.open(folder, embedder=None)
        assert "schreibgeschützt" in err.value.user_message or "Zugriffsrechte" in (
            err.value.user_message
        )
        assert not list(folder.glob("*.damaged-*"))
    finally:
        folder.chmod(0o700)


def test_file_name_in_latin1_does_not_abort_the_folder(tmp_path: Path) -> None:
    if os.name == "nt":
        pytest.skip("Windows file names are always Unicode")
    docs = make_docs(tmp_path / "docs", 2)
    bad = os.path.join(os.fsencode(docs), b"Stra\xdfe.txt")
    try:
        with open(bad, "wb") as fh:
            fh.write("Straßenreinigung: Satzung über die Reinigung.\n".encode())
    except OSError:
        pytest.skip("this file system refuses non-UTF-8 names")
    with Library.open(tmp_path / "lib", embedder=None) as lib:
        job = lib.index_job([docs])
        job.run()
        report = job.result
        assert report is not None, job.error
        assert report.count(INDEXED) == 2
        rejected = [o for o in report.outcomes if o.status == "rejected"]
        assert len(rejected) == 1 and "umbenennen" in rejected[0].message
        assert "Stra?e.txt" in rejected[0].path


def test_more_vectors_than_chromadb_batch_limit(tmp_path: Path) -> None:
    index = VectorIndex(tmp_path / "vec", 8)
    index.open()
    assert 1 <= index.batch <= 5461
    n = index.batch + 700  # more than one write may hold
    ids = list(range(1, n + 1))
    vecs = np.random.default_rng(0).random((n, 8), dtype=np.float32)
    index.add(ids, [1] * n, vecs)
    assert index.count() == n
    index.delete(ids[:-10])
    assert index.count() == 10
    index.close()


def test_failed_vector_write_leaves_document_pending_not_indexed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = make_docs(tmp_path / "docs", 2)
    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        assert lib.vectors is not None

        def full(*_a: object, **_k: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(lib.vectors, "add", full)
        lib.add([docs])
        with pytest.raises(LibraryError) as err:
            lib.index_pending()
        assert "Festplatte ist voll" in err.value.user_message
        first = lib.documents()[0]
        assert first.status == PENDING and lib.store.chunk_ids() == set()
        vectors_dir = lib.store.get_meta("vectors_dir") or "vectors"
    monkeypatch.undo()
    with Library.open(folder) as lib:  # no "damaged", nothing deleted, the rest goes on
        assert not any("beschädigt" in n for n in lib.notices), lib.notices
        assert (lib.store.get_meta("vectors_dir") or "vectors") == vectors_dir
        assert lib.index_pending().count(INDEXED) == 2
        assert lib.vectors.count() == len(lib.store.chunk_ids())


def test_open_on_a_full_disk_reads_on_with_a_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from llmoin_desktop.core.library.store import Store

    docs = make_docs(tmp_path / "docs", 2)
    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        lib.add([docs])
        lib.index_pending()

    def full(*_a: object, **_k: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Store, "set_meta", full)
    with Library.open(folder) as lib:  # tidying up fails; reading and searching do not
        assert any("Festplatte ist voll" in n for n in lib.notices), lib.notices
        assert lib.search("Regelung Vorgang 1", k=3)
        with pytest.raises(LibraryError, match="Festplatte ist voll"):
            lib.remove(docs / "dok00.md")  # a write says why it cannot
