"""Shared vector collection on a Chroma server (``chroma run`` on 127.0.0.1), the building
block for a department-wide library: two clients (two PCs) see the same vectors, our
VectorIndex operations work on a server collection unchanged, and with telemetry off the
client contacts nothing but the server (guard allows loopback only).

The shared library itself (Library with ``library_server``) is tested in
tests/test_library_server.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from chroma_server import ChromaServer

from llmoin_desktop.core.offline.network_guard import NetworkGuard


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    with ChromaServer(tmp_path_factory.mktemp("chroma-data")) as server:
        yield server.host, server.port


def _http_client(host: str, port: int):  # noqa: ANN202
    import chromadb
    from chromadb.config import Settings

    return chromadb.HttpClient(host=host, port=port, settings=Settings(anonymized_telemetry=False))


def test_two_clients_share_one_collection_without_outside_connections(
    chroma_server: tuple[str, int], corpus_dir: Path
) -> None:
    from llmoin_desktop.core.library.embed import default_embedder
    from llmoin_desktop.core.library.vectors import COLLECTION, VectorIndex

    embedder = default_embedder()
    if embedder is None:
        pytest.skip("no embedding package installed")
    text = (corpus_dir / "gesetze" / "burlg.md").read_text(encoding="utf-8")
    passages = [p for p in text.split("\n\n") if len(p) > 200][:12]
    vectors = embedder.embed_documents(passages)
    host, port = chroma_server
    with NetworkGuard("fail", allow_loopback=True) as guard:
        # PC 1 indexes
        writer = VectorIndex(Path("(server)"), embedder.dim)
        writer._col = _http_client(host, port).get_or_create_collection(
            COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
        ids = list(range(1, len(passages) + 1))
        writer.add(ids, [1] * len(ids), vectors)
        # PC 2 searches the same collection
        reader = VectorIndex(Path("(server)"), embedder.dim)
        reader._col = _http_client(host, port).get_collection(COLLECTION, embedding_function=None)
        assert reader.count() == len(passages)
        wanted = 3
        found = reader.query(embedder.embed_query(passages[wanted - 1][:300]), 3)
        assert found[0] == wanted
        writer.delete([wanted])
        assert wanted not in reader.query(np.asarray(vectors[wanted - 1]), 3)
    assert guard.attempts == [], guard.attempts  # telemetry off: only the server was contacted
    assert guard.allowed_attempts and all(a.loopback for a in guard.allowed_attempts)
