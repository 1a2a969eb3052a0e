"""Issue 22: chromadb calls go in pages (no "too many SQL variables" at 32,767 chunks), and a
vector index is only called damaged — and rebuilt — after a real integrity check."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from llmoin_desktop.core.library import Library
from llmoin_desktop.core.library import vectors as V


def test_reads_and_deletes_go_in_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(V, "ID_PAGE", 7)  # as if 7 were SQLite's variable limit
    index = V.VectorIndex(tmp_path / "v", 8)
    index.open()
    index.batch = 5
    n = 40
    vecs = np.random.default_rng(1).random((n, 8), dtype=np.float32)
    index.add(list(range(1, n + 1)), [1 + i % 4 for i in range(n)], vecs)
    calls: list[int] = []
    real_get = index._col.get

    def counting_get(*args: object, **kwargs: object) -> dict:
        ids = kwargs.get("ids")
        calls.append(len(ids) if ids is not None else int(kwargs.get("limit") or 0))
        return real_get(*args, **kwargs)

    monkeypatch.setattr(index._col, "get", counting_get)
    assert len(V.all_ids(index._col)) == n and max(calls) <= 7
    calls.clear()
    sims = index.similarities(vecs[0], list(range(1, n + 1)))
    assert len(sims) == n and max(calls) <= 7
    index.close()
    reopened = V.VectorIndex(tmp_path / "v", 8)
    assert reopened.open() == set(range(1, n + 1))
    reopened.delete(list(range(1, n + 1)))
    assert reopened.count() == 0
    reopened.close()


def _library_with_vectors(tmp_path: Path, corpus_dir: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(corpus_dir / "gesetze" / "burlg.md", docs)
    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        lib.add([docs])
        lib.index_pending()
        assert lib.vectors is not None and lib.vectors.count() > 0
    return folder


def test_a_failing_open_of_a_sound_index_is_no_damage(
    tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _library_with_vectors(tmp_path, corpus_dir)
    real_open = V.VectorIndex.open
    failures = {"left": 1}

    def flaky_open(self: V.VectorIndex, list_ids: bool = True) -> set[int] | None:
        if failures["left"]:
            failures["left"] -= 1
            raise V.VectorIndexDamaged("too many SQL variables")  # the 32,767 symptom
        return real_open(self, list_ids)

    monkeypatch.setattr(V.VectorIndex, "open", flaky_open)
    with Library.open(folder) as lib:
        assert not any("beschädigt" in n for n in lib.notices), lib.notices
        assert lib.vectors is not None and lib.vectors.count() > 0  # kept, not re-embedded
        assert lib.store.get_meta("vectors_dir") in (None, "vectors")


def test_a_really_damaged_index_is_rebuilt(tmp_path: Path, corpus_dir: Path) -> None:
    folder = _library_with_vectors(tmp_path, corpus_dir)
    db = folder / "vectors" / "chroma.sqlite3"
    db.write_bytes(b"kein SQLite" * 1000)
    with Library.open(folder) as lib:
        assert any("beschädigt" in n for n in lib.notices), lib.notices
        assert lib.wait_repair(120)  # re-embedded in the background (library_vector_repair)
        assert lib.vectors is not None and lib.vectors.count() == len(lib.store.chunk_ids())


def test_opening_compares_ids_only_when_the_counts_or_the_week_say_so(
    tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _library_with_vectors(tmp_path, corpus_dir)
    listed: list[int] = []
    real_ids = V.VectorIndex.ids
    monkeypatch.setattr(V.VectorIndex, "ids", lambda self: listed.append(1) or real_ids(self))
    with Library.open(folder) as lib:  # in step: no listing of every id
        assert listed == []
        victim = min(lib.store.chunk_ids())
        lib.vectors.delete([victim])  # a vector lost (e.g. a crash between the two writes)
    with Library.open(folder) as lib:  # counts differ: full comparison, the gap is filled
        assert listed == [1]
        assert lib.vectors.count() == len(lib.store.chunk_ids())
        lib.store.set_meta("vectors_full_check", "0")  # last full comparison long ago
    with Library.open(folder) as lib:
        assert listed == [1, 1]
