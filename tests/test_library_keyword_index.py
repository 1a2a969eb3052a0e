"""The Tantivy keyword cache (``core/library/keyword_index.py``) follows the library: new
chunks are added at the next search, a removal rebuilds it while FTS5 answers, and a search
never returns a removed chunk."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from llmoin_desktop.core.library import Library
from llmoin_desktop.core.library import search as S

pytest.importorskip("tantivy")


def test_keyword_cache_follows_adds_and_removals(
    tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(S, "KEYWORD_INDEX_FROM", 0)  # use it at any size
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(corpus_dir / "gesetze" / "burlg.md", docs)
    with Library.open(tmp_path / "lib", embedder=None) as lib:
        lib.add([docs])
        lib.index_pending()
        kw = lib._keywords()
        assert kw is not None
        monkeypatch.setattr(S, "KEYWORD_INDEX_FROM", 10**9)
        fts_top = lib.search("Wartezeit Urlaubsanspruch", k=3)[0]
        monkeypatch.setattr(S, "KEYWORD_INDEX_FROM", 0)
        assert kw.ready(lib.store.conn)  # a small library: filled at once
        assert lib.search("Wartezeit Urlaubsanspruch", k=3)[0].section == fts_top.section

        shutil.copy(corpus_dir / "gesetze" / "vwzg_2005.md", docs)
        lib.add([docs])
        lib.index_pending()
        kw._checked = (0.0, (0, 0))  # look again now, not in a second
        assert kw.ready(lib.store.conn)  # the new chunks were added inline
        assert "vwzg" in lib.search("Zustellung durch die Post mit Zustellungsurkunde")[0].path

        lib.remove(docs / "vwzg_2005.md")
        kw._checked = (0.0, (0, 0))
        assert not kw.ready(lib.store.conn)  # a removal: rebuilt in the background
        hits = lib.search("Zustellung durch die Post mit Zustellungsurkunde", k=10)
        assert all("vwzg" not in h.path for h in hits)  # removed: never found again
        kw.wait()
        assert kw.ready(lib.store.conn)
        hits = lib.search("Zustellung durch die Post mit Zustellungsurkunde", k=10)
        assert all("vwzg" not in h.path for h in hits)

        scoped = lib.search("Urlaub", k=5, scope=[docs / "burlg.md"])
        assert scoped and all("burlg" in h.path for h in scoped)
