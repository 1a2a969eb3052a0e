"""Search over one library: keyword (FTS5), § numbers, titles and vectors, fused.

A mixin of :class:`~llmoin_desktop.core.library.library.Library` (split out of ``library.py``
to keep files short); it only reads, so it never needs the writer lock.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from llmoin_desktop.core.library import search as S
from llmoin_desktop.core.library import text as T
from llmoin_desktop.core.library.keyword_index import KeywordIndex
from llmoin_desktop.core.library.keyword_index import available as keyword_available
from llmoin_desktop.core.library.store import INDEXED
from llmoin_desktop.core.library.text import FINGERPRINT_CHARS, fingerprint

log = logging.getLogger(__name__)
USE_TANTIVY = True  # the keyword lists through keyword_index.py when tantivy is installed


class LibrarySearchMixin:
    folder: Any
    store: Any
    vectors: Any
    embedder: Any
    _lock: Any
    _search_vectors: Any

    # Search --------------------------------------------------------------------------------
    def _scope_ids(self, scope: Iterable[str | Path | int] | None) -> list[int] | None:
        if scope is None:
            return None
        ids: set[int] = set()
        docs = self.store.documents(INDEXED)
        for item in scope:
            if isinstance(item, int):
                ids.add(item)
                continue
            target = Path(item).expanduser().resolve()
            ids.update(
                d.id for d in docs if Path(d.path) == target or target in Path(d.path).parents
            )
        return sorted(ids)

    def _keywords(self) -> KeywordIndex | None:
        """The Tantivy keyword cache (``keyword_index.py``); None without the package."""
        kw = getattr(self, "_kw", False)
        if kw is False:
            kw = KeywordIndex(self.folder) if keyword_available() and USE_TANTIVY else None
            self._kw = kw
        return kw

    def _chunks(self) -> int:
        """How many chunks the library holds (re-counted every 30 s: it decides strategy)."""
        now = time.monotonic()
        cached = getattr(self, "_chunk_count", None)
        if cached is None or now - cached[1] > 30.0:
            n = int(self.store.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
            cached = (n, now)
            self._chunk_count = cached
        return int(cached[0])

    def _depth(self) -> int:
        """How many candidates each list reads: deeper in a large library (versions)."""
        return S.DEEP_CANDIDATES if self._chunks() >= S.DEEP_FROM_CHUNKS else S.CANDIDATES

    def _lists(
        self,
        query: str,
        doc_ids: list[int] | None,
        qv_out: list[np.ndarray] | None = None,
        depth: int = S.CANDIDATES,
    ) -> dict[str, list[int]]:
        """Every retriever's ranked chunk ids for a query (fused by :meth:`search`); the query
        vector is appended to ``qv_out`` when there is one."""
        conn = self.store.conn
        abbr_long = self.store.abbreviation_expansions(T.fold(w) for w in T.words(query))
        lists: dict[str, list[int]] = {
            "para": S.paragraph_list(conn, query, doc_ids),
            "title": S.title_list(conn, query, doc_ids),
        }
        kw = self._keywords() if self._chunks() >= S.KEYWORD_INDEX_FROM else None
        if kw is not None and kw.ready(conn):
            try:
                stems = T.analyze(query) + [t for e in abbr_long for t in T.analyze(e)]
                lists["stem"] = kw.search("kw", stems, T.prefix_terms(query), doc_ids, depth)
                lists["gram"] = kw.search("gr", T.grams(query), [], doc_ids, depth)
            except Exception:  # noqa: BLE001 - FTS5 answers instead
                log.warning("keyword index search failed", exc_info=True)
        if "stem" not in lists:
            lists["stem"] = S.bm25_list(
                conn,
                S.stem_query(conn, query, abbr_long),
                "{law section context body}",
                S.BM25_WEIGHTS,
                doc_ids,
                depth,
            )
            lists["gram"] = S.bm25_list(
                conn,
                S._quote(T.grams(query)),
                "{grams title_grams}",
                S.GRAM_WEIGHTS,
                doc_ids,
                depth,
            )
        vectors = self._search_vectors()  # none while the vectors are being repaired
        if self.embedder is not None and vectors is not None:
            try:
                # Sentence encoders are case-sensitive; all-caps input reads as noise.
                qv = self.embedder.embed_query(query.lower() if query.isupper() else query)
                lists["dense"] = vectors.query(qv, depth, doc_ids)
                if qv_out is not None:
                    qv_out.append(qv)
            except Exception:  # noqa: BLE001 - keyword search still answers
                log.warning("vector search failed", exc_info=True)
        return lists

    def search(
        self,
        query: str,
        k: int = 5,
        scope: Iterable[str | Path | int] | None = None,
        also: str = "",
    ) -> list[S.Hit]:
        """Best ``k`` chunks for a question, fused from keyword, § and vector search.

        ``also``: more words to search for (the model's legal terms for the question); their
        lists are fused with the question's at half weight (``search.EXTRA_WEIGHT``)."""
        query = query.strip()
        if not query:
            return []
        with self._lock:
            doc_ids = self._scope_ids(scope)
            if doc_ids is not None and not doc_ids:
                return []
            qv: list[np.ndarray] = []
            depth = self._depth()
            lists = self._lists(query, doc_ids, qv, depth)
            if also.strip():
                extra = self._lists(also.strip(), doc_ids, None, depth)
                lists.update({name + S.EXTRA: ids for name, ids in extra.items()})
            lists, versions = collapse_versions(self.store.conn, lists)
            fused = S.fuse(lists)[:k]
            records = {c.id: c for c in self.store.chunks([c for c, _, _ in fused])}
            sims: dict[int, float] = {}
            vectors = self._search_vectors()
            if qv and vectors is not None:
                try:
                    sims = vectors.similarities(qv[0], [c for c, _, _ in fused])
                except Exception:  # noqa: BLE001 - only a relevance hint
                    log.warning("similarities failed", exc_info=True)
            cosines = getattr(self.embedder, "cosines", None)
            hits = []
            for cid, score, ranks in fused:
                c = records.get(cid)
                if c is None:
                    continue
                hit = S.Hit(
                    cid, c.doc_id, c.text, c.path, c.title, c.section, c.pages, score, ranks
                )
                hit.similarity, hit.cosines = sims.get(cid), cosines
                hit.versions = versions.get(cid, [])
                hits.append(hit)
            return hits


PREFER_NEWEST = True  # the version shown for a family: the newest file (else: the best-ranked)


def collapse_versions(
    conn: sqlite3.Connection, lists: dict[str, list[int]]
) -> tuple[dict[str, list[int]], dict[int, list[str]]]:
    """Near-identical passages of different documents (versions of one rule) become one entry
    in every list, taken from the newest document (file date); cut to ``CANDIDATES``.

    Returns the collapsed lists and, per kept chunk, the paths of its other versions. In a
    library without versions nothing changes (each passage is its own family)."""
    ids = sorted({i for ids in lists.values() for i in ids})
    if not ids:
        return lists, {}
    info: dict[int, tuple[str, float, str, int]] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ",".join("?" * len(part))
        for cid, section, head, mtime, path, doc_id in conn.execute(
            "SELECT c.id, c.section, substr(c.text, 1, ?), d.mtime, d.path, c.doc_id"
            f" FROM chunks c JOIN documents d ON d.id=c.doc_id WHERE c.id IN ({marks})",
            [FINGERPRINT_CHARS, *part],
        ):
            info[cid] = (fingerprint(section or "", head or ""), float(mtime or 0.0), path, doc_id)
    first_rank: dict[int, int] = {}
    for ranked in lists.values():
        for r, cid in enumerate(ranked):
            first_rank[cid] = min(first_rank.get(cid, r), r)
    members: dict[str, list[int]] = {}
    for cid in sorted(ids, key=lambda c: first_rank.get(c, 10**9)):
        if cid not in info:
            continue
        fp, doc = info[cid][0], info[cid][3]
        if any(info[m][3] == doc for m in members.get(fp, [])):
            fp = f"{fp}#{cid}"  # two passages of one document are never versions
            info[cid] = (fp, *info[cid][1:])
        members.setdefault(fp, []).append(cid)
    best: dict[str, int] = {}
    versions: dict[int, list[str]] = {}
    for fp, group in members.items():
        if PREFER_NEWEST:
            rep = max(group, key=lambda c: (info[c][1], -c))  # newest document, then oldest id
        else:
            rep = min(group, key=lambda c: first_rank.get(c, 10**9))
        best[fp] = rep
        others = {info[c][2] for c in group if info[c][3] != info[rep][3]}
        if others:
            versions[rep] = sorted(others)
    out: dict[str, list[int]] = {}
    for name, ranked in lists.items():
        seen: set[str] = set()
        kept: list[int] = []
        for cid in ranked:
            fp = info[cid][0] if cid in info else str(cid)
            if fp in seen:
                continue
            seen.add(fp)
            kept.append(best.get(fp, cid))
            if len(kept) >= S.CANDIDATES and name.rstrip(S.EXTRA) != "para":
                break
        out[name] = kept
    return out, versions
