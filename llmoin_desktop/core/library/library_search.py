"""Search over one library: keyword (FTS5), § numbers, titles and vectors, fused.

A mixin of :class:`~llmoin_desktop.core.library.library.Library` (split out of ``library.py``
to keep files short); it only reads, so it never needs the writer lock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from llmoin_desktop.core.library import search as S
from llmoin_desktop.core.library import text as T
from llmoin_desktop.core.library.store import INDEXED

log = logging.getLogger(__name__)


class LibrarySearchMixin:
    store: Any
    vectors: Any
    embedder: Any
    _lock: Any

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

    def _lists(
        self, query: str, doc_ids: list[int] | None, qv_out: list[np.ndarray] | None = None
    ) -> dict[str, list[int]]:
        """Every retriever's ranked chunk ids for a query (fused by :meth:`search`); the query
        vector is appended to ``qv_out`` when there is one."""
        conn = self.store.conn
        abbr_long = self.store.abbreviation_expansions(T.fold(w) for w in T.words(query))
        lists: dict[str, list[int]] = {
            "para": S.paragraph_list(conn, query, doc_ids),
            "title": S.title_list(conn, query, doc_ids),
            "stem": S.bm25_list(
                conn,
                S.stem_query(conn, query, abbr_long),
                "{law section context body}",
                S.BM25_WEIGHTS,
                doc_ids,
            ),
            "gram": S.bm25_list(
                conn, S._quote(T.grams(query)), "{grams title_grams}", S.GRAM_WEIGHTS, doc_ids
            ),
        }
        if self.embedder is not None and self.vectors is not None:
            try:
                # Sentence encoders are case-sensitive; all-caps input reads as noise.
                qv = self.embedder.embed_query(query.lower() if query.isupper() else query)
                lists["dense"] = self.vectors.query(qv, S.CANDIDATES, doc_ids)
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
            lists = self._lists(query, doc_ids, qv)
            if also.strip():
                extra = self._lists(also.strip(), doc_ids)
                lists.update({name + S.EXTRA: ids for name, ids in extra.items()})
            fused = S.fuse(lists)[:k]
            records = {c.id: c for c in self.store.chunks([c for c, _, _ in fused])}
            sims: dict[int, float] = {}
            if qv and self.vectors is not None:
                try:
                    sims = self.vectors.similarities(qv[0], [c for c, _, _ in fused])
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
                hits.append(hit)
            return hits
