"""A Tantivy index of the keyword fields: BM25 top-k that does not score every match.

Why: SQLite FTS5 computes ``bm25()`` for *every* row that matches an OR query before it can
sort; the 4-gram list matches most of a library, so its cost grows with the library (measured:
15 ms p50 at 900 chunks, 128 ms at 18,000, ~0.6 s at 90,000). Tantivy (PyPI ``tantivy``,
Rust, MIT) keeps per-block score bounds and skips blocks that cannot enter the top-k
(block-max WAND): 1–2 ms p50 at 18,000 chunks. Figures and the decision: docs/retrieval.md.

FTS5 stays the source of truth (written in the same transaction as the chunks); this index
is a cache built from FTS5's analysed columns and brought up to date lazily: every search
compares ``(max id, count)`` of the chunks with what the index holds — new chunks are added
(chunk ids only grow), anything else (a removal) rebuilds it in the background. While it is
not in step, search uses FTS5 as before, so results are never stale, only slower.

One field per list, with FTS5's column weights turned into repetition of the tokens (law ×2,
section ×4, context ×1 with body ×2 … see :data:`STEM_REPEAT`), so one BM25 over one field
ranks as FTS5's weighted BM25 over the columns did.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DIR_NAME = "keywords-tantivy"
FORMAT = "2"
# FTS5 column weights (law 2, section 4, context 0.5, body 1) as whole repetitions
STEM_REPEAT = (4, 8, 1, 2)  # law, section, context, body
GRAM_REPEAT = (1, 2)  # grams, title_grams
INLINE_SYNC = 3000  # new chunks added during a search; more go to the background
_SQL = (
    "SELECT f.rowid, c.doc_id, f.law, f.section, f.context, f.body, f.grams, f.title_grams,"
    " c.section, substr(c.text, 1, 300) FROM chunks_fts f JOIN chunks c ON c.id=f.rowid"
)


def available() -> bool:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


def _repeat(parts: Iterable[str], times: Iterable[int]) -> str:
    return " ".join(" ".join([p] * n) for p, n in zip(parts, times, strict=True) if p)


class KeywordIndex:
    """The Tantivy cache of one library folder (used from one process at a time to write)."""

    def __init__(self, folder: Path) -> None:
        import tantivy

        self.path = Path(folder) / DIR_NAME
        sb = tantivy.SchemaBuilder()
        sb.add_integer_field("id", stored=True, indexed=True, fast=True)
        sb.add_integer_field("doc", stored=True, indexed=True, fast=True)
        sb.add_text_field("kw", tokenizer_name="whitespace", index_option="freq")
        sb.add_text_field("gr", tokenizer_name="whitespace", index_option="freq")
        # one chunk per family of versions (text.fingerprint): see _add
        sb.add_text_field("fp", tokenizer_name="raw", index_option="basic")
        self.schema = sb.build()
        self._lock = threading.Lock()
        self._busy = False  # a background rebuild runs
        self.index: Any = None
        self.state = {"max_id": 0, "count": 0, "format": FORMAT, "docs": 0}
        self._checked = (0.0, (0, 0))

    # Opening and syncing ------------------------------------------------------------------
    def _state_file(self) -> Path:
        return self.path / "llmoin-state.json"

    def _open(self, fresh: bool = False) -> None:
        import tantivy

        if fresh:
            shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(self.path))
        try:
            state = json.loads(self._state_file().read_text("utf-8"))
            if state.get("format") == FORMAT:
                self.state = state
        except (OSError, ValueError):
            self.state = {"max_id": 0, "count": 0, "format": FORMAT, "docs": 0}
        self.index.reload()
        if self.index.searcher().num_docs != self.state.get("docs", -1):  # crash in a commit
            self.state = {"max_id": -1, "count": -1, "format": FORMAT, "docs": 0}

    def ready(self, conn: Any) -> bool:
        """In step with the chunks now? Starts catching up when not (never blocks long)."""
        now = time.monotonic()
        if now - self._checked[0] < 1.0:
            truth = self._checked[1]
        else:
            row = conn.execute("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM chunks").fetchone()
            truth = (int(row[0]), int(row[1]))
            self._checked = (now, truth)
        with self._lock:
            if self._busy:
                return False
            try:
                if self.index is None:
                    self._open()
            except Exception:  # noqa: BLE001 - a damaged cache: rebuild it in the background
                log.warning("keyword index unreadable, rebuilding", exc_info=True)
                self.state = {"max_id": -1, "count": -1, "format": FORMAT, "docs": 0}
            have = (int(self.state["max_id"]), int(self.state["count"]))
            if have == truth:
                return True
            if have[0] >= 0 and truth[0] >= have[0] and 0 < truth[1] - have[1] <= INLINE_SYNC:
                added = conn.execute(_SQL + " WHERE f.rowid > ?", (have[0],)).fetchall()
                if len(added) == truth[1] - have[1]:  # only additions since the last sync
                    try:
                        self._add(added, truth)
                        return True
                    except Exception:  # noqa: BLE001 - e.g. another process writes it now
                        log.info("keyword index not updated now", exc_info=True)
                        return False
            self._busy = True
        db = conn.execute("PRAGMA database_list").fetchone()[2]
        threading.Thread(target=self._rebuild, args=(db,), daemon=True).start()
        return False

    def _add(self, rows: list[Any], truth: tuple[int, int]) -> None:
        """Index the rows — only the first chunk of each family of versions (same heading and
        start of text, numbers aside): 100 versions of a section are one entry, so the top-k
        holds 60 different passages instead of 60 copies of three (measured at 100×: 180
        candidates were 3–17 families). The search maps a family to its versions."""
        import tantivy

        from llmoin_desktop.core.library.text import fingerprint

        searcher = self.index.searcher()
        seen: dict[str, int] = {}  # family → the document of its indexed chunk
        writer = self.index.writer(heap_size=50_000_000, num_threads=1)
        added = 0
        for r in rows:
            fp, doc = fingerprint(r[8] or "", r[9] or ""), int(r[1])
            if fp not in seen and searcher.num_docs:
                hits = searcher.search(tantivy.Query.term_query(self.schema, "fp", fp), 1).hits
                if hits:
                    seen[fp] = int(searcher.doc(hits[0][1])["doc"][0])
            if seen.get(fp, doc) != doc:
                continue  # a version in another document is indexed already
            seen.setdefault(fp, doc)  # chunks of one document are never merged
            added += 1
            writer.add_document(
                tantivy.Document(
                    id=int(r[0]),
                    doc=int(r[1]),
                    kw=_repeat(r[2:6], STEM_REPEAT),
                    gr=_repeat(r[6:8], GRAM_REPEAT),
                    fp=fp,
                )
            )
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        docs = int(self.state.get("docs", 0) or 0) + added if added else self.state.get("docs", 0)
        self.state = {"max_id": truth[0], "count": truth[1], "format": FORMAT, "docs": docs}
        self._state_file().write_text(json.dumps(self.state), "utf-8")

    def _rebuild(self, db: str) -> None:
        """The whole index from FTS5's columns (own connection, own thread)."""
        import sqlite3

        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
            try:
                with conn:  # one read snapshot: rows and counts agree
                    conn.execute("BEGIN")
                    row = conn.execute("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM chunks")
                    truth = tuple(int(x) for x in row.fetchone())
                    rows = conn.execute(_SQL).fetchall()
            finally:
                conn.close()
            t0 = time.perf_counter()
            with self._lock:
                self._open(fresh=True)
            self._add(rows, truth)  # type: ignore[arg-type]
            log.info(
                "keyword index rebuilt: %s chunks in %.1f s", truth[1], time.perf_counter() - t0
            )
        except Exception:  # noqa: BLE001 - FTS5 keeps answering; next search tries again
            log.warning("keyword index rebuild failed", exc_info=True)
            self.index = None
        finally:
            with self._lock:
                self._busy = False
                self._checked = (0.0, (0, 0))

    def wait(self, timeout: float = 600.0) -> None:
        """Until a background rebuild is done (benchmarks, tests)."""
        end = time.monotonic() + timeout
        while self._busy and time.monotonic() < end:
            time.sleep(0.05)

    # Searching ----------------------------------------------------------------------------
    def search(
        self,
        field: str,
        tokens: list[str],
        prefixes: list[str],
        doc_ids: list[int] | None,
        n: int,
    ) -> list[int]:
        """Chunk ids by BM25 over ``field`` ("kw" stems, "gr" grams), best first."""
        import tantivy

        should: list[Any] = [
            (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, field, t))
            for t in dict.fromkeys(tokens)
        ]
        for p in dict.fromkeys(p for p in prefixes if re.fullmatch(r"\w+", p)):
            should.append(
                (tantivy.Occur.Should, tantivy.Query.regex_query(self.schema, field, f"{p}.*"))
            )
        if not should:
            return []
        query = tantivy.Query.boolean_query(should)
        if doc_ids is not None:
            scope = tantivy.Query.term_set_query(self.schema, "doc", [int(d) for d in doc_ids])
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.Must, scope)]
            )
        searcher = self.index.searcher()
        hits = searcher.search(query, n).hits
        return [int(searcher.doc(addr)["id"][0]) for _score, addr in hits]
