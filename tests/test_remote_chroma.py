"""Shared vector collection on a Chroma server (``chroma run`` on 127.0.0.1), the building
block for a department-wide library: two clients (two PCs) see the same vectors, our
VectorIndex operations work on a server collection unchanged, and with telemetry off the
client contacts nothing but the server (guard allows loopback only).

What the Library still lacks for a shared library is in docs/rollout.md ("Shared library").
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from llmoin_desktop.core.offline import NetworkGuard


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chroma_cli() -> str | None:
    local = Path(sys.executable).parent / "chroma"
    return str(local) if local.exists() else shutil.which("chroma")


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    cli = _chroma_cli()
    if cli is None:
        pytest.skip("chromadb CLI (chroma) not installed")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-data")
    log = data.parent / "chroma.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [cli, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail("chroma run exited:\n" + log.read_text(errors="replace")[-2000:])
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("chroma server not ready after 60 s")
                time.sleep(0.3)
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


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
