"""Our own embedders (never chromadb's default): the built-in USE and a GGUF via llama.cpp."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from llmoin_desktop.core.library.embed import (
    LlamaCppEmbedder,
    default_embedder,
    resolve_embedding_model,
    select_embedder,
)


def test_default_embedder_is_offline_and_normalised() -> None:
    emb = default_embedder()
    assert emb is not None and emb.name == "use-multilingual-v3"
    docs = emb.embed_documents(
        ["Der Urlaub beträgt jährlich 24 Werktage.", "Zustellung durch die Post."]
    )
    q = emb.embed_query("Wie viele Urlaubstage gibt es?")
    assert docs.shape == (2, emb.dim)
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-4)
    assert float(docs[0] @ q) > float(docs[1] @ q)


def test_without_a_configured_embedding_model_the_default_is_used(tmp_path: Path) -> None:
    (tmp_path / "multilingual-e5-small.gguf").write_bytes(b"GGUF")
    assert select_embedder("", [tmp_path]) is default_embedder()  # lying there is not enough
    assert select_embedder("fehlt.gguf", [tmp_path]) is default_embedder()


def test_broken_gguf_embedding_model_falls_back(tmp_path: Path) -> None:
    (tmp_path / "multilingual-e5-small.gguf").write_bytes(b"GGUF\x03\x00\x00\x00broken")
    assert select_embedder("multilingual-e5-small.gguf", [tmp_path]) is default_embedder()


def test_embedding_model_setting_is_looked_up_in_every_models_folder(tmp_path: Path) -> None:
    user_dir, it_dir = tmp_path / "user", tmp_path / "it"
    user_dir.mkdir()
    it_dir.mkdir()
    model = it_dir / "e5-base.gguf"
    model.write_bytes(b"GGUF")
    assert resolve_embedding_model("e5-base.gguf", [user_dir, it_dir]) == model
    assert resolve_embedding_model(str(model), []) == model
    assert resolve_embedding_model("", [it_dir]) is None
    assert resolve_embedding_model("andere.gguf", [user_dir, it_dir]) is None


@pytest.mark.model
def test_open_library_uses_the_configured_embedding_model(
    demo_model_path: Path, isolated_dirs: dict[str, Path], corpus_dir: Path, tmp_path: Path
) -> None:
    """IT puts a GGUF embedding model into the models folder and names it: the app uses it."""
    from llmoin_desktop.core.settings.config import SettingsStore
    from llmoin_desktop.core.tasks.library_task import close_library, open_library

    models = isolated_dirs["data"] / "models"
    models.mkdir()
    # Any GGUF llama.cpp can embed with proves the path (the demo chat model, mean-pooled).
    (models / "demo-embed.gguf").symlink_to(demo_model_path)
    SettingsStore().set("embedding_model", "demo-embed.gguf")
    lib = open_library(tmp_path / "lib")
    try:
        assert lib.embedder is not None and lib.embedder.name == "gguf:demo-embed.gguf"
        lib.add([corpus_dir / "gesetze" / "burlg.md"])
        lib.index_pending()
        assert lib.vectors is not None and lib.vectors.count() > 0
        assert lib.vectors.count() == sum(d.n_chunks for d in lib.documents())
        assert lib.search("Wie viele Urlaubstage stehen Beschäftigten zu?")
        assert "dense" in lib._lists("Erholungsurlaub", None)
    finally:
        close_library(tmp_path / "lib")


@pytest.mark.model
def test_llama_cpp_embedder_with_a_real_gguf(demo_model_path: Path) -> None:
    emb = LlamaCppEmbedder(demo_model_path, n_threads=2)
    try:
        v = emb.embed_documents(["Elternzeit beantragen", "Zustellung eines Bescheids"])
        assert v.shape == (2, emb.dim) and emb.dim > 0
        assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
        assert emb.name.startswith("gguf:")
    finally:
        emb.close()


def test_vector_index_follows_add_and_delete_and_reopens(tmp_path: Path) -> None:
    """Search goes through chromadb's HNSW index; on a small index it agrees with brute force,
    follows deletes, honours a scope and answers the same after a reopen."""
    from llmoin_desktop.core.library.vectors import VectorIndex

    emb = default_embedder()
    assert emb is not None
    texts = [f"Absatz {i}: Urlaub, Reisekosten und Meldepflicht Nummer {i * 7}" for i in range(40)]
    vecs = emb.embed_documents(texts)
    index = VectorIndex(tmp_path / "v", emb.dim)
    index.open()
    index.add(list(range(1, 41)), [1 + i % 3 for i in range(40)], vecs)
    q = emb.embed_query("Reisekosten Nummer 70")
    want = [int(i) + 1 for i in np.argsort(-(vecs @ q), kind="stable")[:5]]
    assert index.query(q, 5) == want
    index.delete([want[0]])
    assert index.query(q, 4) == want[1:5]
    scoped = index.query(q, 50, doc_ids=[2])
    assert scoped and all((i - 1) % 3 == 1 for i in scoped)
    index.close()
    reopened = VectorIndex(tmp_path / "v", emb.dim)
    assert len(reopened.open()) == 39
    assert reopened.query(q, 4) == want[1:5]
    sims = reopened.similarities(q, [want[1], want[2], want[0]])  # want[0] was deleted
    assert set(sims) == {want[1], want[2]}
    assert abs(sims[want[1]] - float(vecs[want[1] - 1] @ q)) < 1e-4
    fresh = VectorIndex(tmp_path / "v", emb.dim)  # no query before: read from chromadb
    fresh._col = reopened._col
    from_chroma = fresh.similarities(q, [want[1], want[2]])
    assert all(abs(from_chroma[i] - sims[i]) < 1e-4 for i in sims)
    reopened.close()
