"""The department's shared library: one collection on a Chroma server (``chroma run``).

Why a Chroma collection holds everything (chunk text, metadata, embedding): every PC keeps
its own SQLite + FTS5 library as a *mirror* of the collection (keyword search, § search,
citations need the text locally, and search must keep working when the server is down).
So the collection has to carry all a PC needs to rebuild its chunk and document rows; see
:func:`chunk_metadata` for the fields.

Ids are ``<doc key>-<chunk number>`` with the doc key a hash of the document's path and
content: the same file indexed on two PCs gives the same ids (an upsert, not a duplicate),
while SQLite row ids (which collide between PCs) never leave the PC.

Network: ``chromadb.HttpClient`` with telemetry off and our own embeddings (never chromadb's
embedding function), so the configured server is the only host contacted. chromadb's HTTP
session has no timeout; we probe the server with a bounded heartbeat first and then bound
the session's timeouts, so an unreachable or hanging server costs seconds, not minutes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Any, TypeVar

import numpy as np

from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.library.sync_marker import (
    META_GENERATION,
    bumped_metadata,
    valid_count,
    valid_marker,
)
from llmoin_desktop.core.offline.loopback import http_parts, is_loopback_host

log = logging.getLogger(__name__)

DEFAULT_COLLECTION = "llmoin_library"
CONNECT_TIMEOUT_S = 3.0
PROBE_TIMEOUT_S = 5.0  # the heartbeat before anything else: a hanging server costs this
READ_TIMEOUT_S = 20.0  # one page of chunks with embeddings is well under a second on a LAN
ID_PAGE = 5000  # ids per listing request (ids only: ~40 bytes each)
FETCH_PAGE = 250  # chunks with text and embeddings per request
PUSH_PAGE = 250
META_EMBEDDER = "llmoin_embedder"
META_DIM = "llmoin_dim"
META_SCHEMA = "llmoin_schema"
SCHEMA = "1"

_COLLECTION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$")
T = TypeVar("T")


class LibraryServerError(LLMoinError):
    """The shared library's server cannot be used (down, slow, refused, misconfigured)."""


class LibraryServerMismatch(LibraryServerError):
    """The server's collection was built with another embedding model: never mix vectors."""


@dataclass(frozen=True)
class ServerAddress:
    url: str  # scheme://host:port, without the collection
    host: str
    port: int
    ssl: bool
    collection: str

    @property
    def label(self) -> str:
        """What the clerk sees: the address, plus the collection when it is not the default."""
        if self.collection == DEFAULT_COLLECTION:
            return self.url
        return f"{self.url}/{self.collection}"


def parse_server(url: str, *, from_policy: bool) -> ServerAddress:
    """``http://chroma.amt.intern:8000[/sammlung]`` → address; refuses what IT did not set.

    Like the remote inference backend: a server outside this PC receives the department's
    document texts, so only a policy may name one; a user setting may only point at this PC.
    """
    raw = url.strip()
    invalid = tr(
        "Die Adresse des Bibliotheks-Servers „{url}“ ist ungültig "
        "(erwartet z. B. http://chroma-server:8000).",
        url=raw,
    )
    parts = http_parts(raw if "://" in raw else f"http://{raw}", http_port=8000)
    if parts is None:
        raise LibraryServerError(invalid)
    scheme, host, port, path = parts
    collection = path.strip("/") or DEFAULT_COLLECTION
    if not _COLLECTION_NAME.match(collection):
        raise LibraryServerError(
            tr(
                "Der Name der gemeinsamen Bibliothek „{name}“ ist ungültig (3 bis 512 Zeichen: "
                "Buchstaben, Ziffern, Punkt, Binde- oder Unterstrich).",
                name=collection,
            )
        )
    if not (from_policy or is_loopback_host(host)):
        raise LibraryServerError(
            tr(
                "Der Bibliotheks-Server {host} ist nicht von der IT-Abteilung freigegeben. "
                "Server außerhalb dieses Rechners dürfen nur per Richtlinie eingetragen werden.",
                host=host,
            )
        )
    shown = f"[{host}]" if ":" in host else host
    return ServerAddress(f"{scheme}://{shown}:{port}", host, port, scheme == "https", collection)


def doc_key(path: str, sha256: str) -> str:
    """Stable across PCs: the same file at the same path has the same key everywhere."""
    return hashlib.sha256(f"{path}\n{sha256}".encode()).hexdigest()[:32]


def chunk_id(key: str, ord_: int) -> str:
    return f"{key}-{ord_:05d}"


def file_name(path: str) -> str:
    """The file name of a path from any PC (a UNC path read on Linux, too)."""
    return PureWindowsPath(path).name if "\\" in path else Path(path).name


@dataclass
class ServerChunk:
    """One chunk as stored on (or fetched from) the server."""

    id: str
    text: str
    meta: dict[str, Any]
    embedding: np.ndarray | None = None


def chunk_metadata(
    *,
    path: str,
    sha256: str,
    title: str,
    fmt: str,
    law: str,
    n_pages: int | None,
    n_chunks: int,
    warnings: list[str],
    size: int | None,
    mtime: float | None,
    indexed_at: float,
    ord_: int,
    section: str,
    section_no: str,
    context: str,
    pages: list[int],
    abbreviations: list[tuple[str, str]] | None,
) -> dict[str, Any]:
    """Everything a PC needs to rebuild its chunk row and the document row (no ``None``:
    Chroma metadata values must be str, int, float or bool)."""
    meta: dict[str, Any] = {
        "path": path,
        "file_name": file_name(path),
        "doc_key": doc_key(path, sha256),
        "sha256": sha256,
        "title": title,
        "format": fmt,
        "law": law,
        "n_pages": -1 if n_pages is None else int(n_pages),
        "n_chunks": n_chunks,
        "warnings": json.dumps(warnings, ensure_ascii=False),
        "status": "indexed",
        "size": int(size or 0),
        "mtime": float(mtime or 0.0),
        "indexed_at": float(indexed_at),
        "ord": ord_,
        "section": section,
        "section_no": section_no,
        "context": context,
        "pages": json.dumps(pages),
    }
    if abbreviations:  # once per document (on its first chunk)
        meta["abbreviations"] = json.dumps(sorted(set(abbreviations)), ensure_ascii=False)
    return meta


def _bound_session(client: Any, timeout: Any) -> None:
    """Give chromadb's HTTP session our timeouts and no proxy from the environment.

    chromadb creates an ``httpx.Client(timeout=None)`` that honours HTTP(S)_PROXY; we swap
    it for one with bounded timeouts that talks to the configured server only. (The few
    requests chromadb makes while constructing the client still use its own session.)
    """
    import httpx

    api = getattr(client, "_server", None)
    old = getattr(api, "_session", None)
    if api is None or old is None:  # another chromadb layout: keep its session
        log.warning("chromadb client layout changed; its HTTP session keeps no timeout")
        return
    api._session = httpx.Client(
        timeout=timeout, limits=api.http_limits, headers=old.headers, trust_env=False
    )
    old.close()


TOKEN_HEADER = "X-Chroma-Token"


def _auth_refused(exc: BaseException) -> bool:
    """A 401/403 from the server (Chroma's token auth), in any of the shapes it arrives."""
    import httpx

    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code in (401, 403)
    name = type(exc).__name__
    if name in ("ChromaAuthError", "AuthorizationError", "AuthenticationError"):
        return True
    text = str(exc)
    return any(m in text for m in ("AuthError", "Forbidden", "Unauthorized", " 401", " 403"))


class LibraryServer:
    """One collection on one Chroma server; every call raises :class:`LibraryServerError`.

    ``token``: Chroma's token authentication (policy ``library_server_token``), sent as
    ``X-Chroma-Token`` with every request — the server compares it with its
    ``CHROMA_SERVER_AUTHN_CREDENTIALS`` (docs/rollout.md). It lives in memory only.
    """

    def __init__(
        self, address: ServerAddress, embedder_key: str | None, dim: int | None, token: str = ""
    ) -> None:
        self.address = address
        self.embedder_key = embedder_key
        self.dim = dim
        self._headers = {TOKEN_HEADER: token.strip()} if token.strip() else {}
        self._client: Any = None
        self._col: Any = None

    def _refused(self, exc: BaseException) -> LibraryServerError:
        if self._headers:
            text = tr(
                "Der Bibliotheks-Server {server} hat den Zugang verweigert: der Schlüssel "
                "(library_server_token) ist falsch oder abgelaufen. Bitte die IT-Abteilung "
                "informieren.",
                server=self.address.label,
            )
        else:
            text = tr(
                "Der Bibliotheks-Server {server} verlangt einen Schlüssel, auf diesem Rechner "
                "ist aber keiner eingerichtet (library_server_token). Bitte die IT-Abteilung "
                "informieren.",
                server=self.address.label,
            )
        return LibraryServerError(text, detail=repr(exc))

    @property
    def connected(self) -> bool:
        return self._col is not None

    # Errors --------------------------------------------------------------------------------
    def _unreachable(
        self, exc: BaseException | None = None, seconds: float | None = None
    ) -> LibraryServerError:
        import httpx

        if isinstance(exc, httpx.TimeoutException):
            message = tr(
                "Der Bibliotheks-Server {server} antwortet nicht (keine Antwort nach {s} s). "
                "Bitte die IT-Abteilung fragen, ob der Server läuft.",
                server=self.address.label,
                s=f"{seconds or READ_TIMEOUT_S:g}",
            )
        else:
            message = tr(
                "Der Bibliotheks-Server {server} ist nicht erreichbar. Bitte die IT-Abteilung "
                "fragen, ob der Server läuft und die Adresse stimmt.",
                server=self.address.label,
            )
        return LibraryServerError(message, detail=repr(exc) if exc else "")

    def _call(self, fn: Callable[[], T]) -> T:
        """Run one server operation; any failure becomes a typed error and drops the link."""
        if self._col is None:
            self.connect()
        try:
            return fn()
        except LibraryServerError:
            raise
        except Exception as exc:  # noqa: BLE001 - httpx, chromadb and ValueError alike
            log.warning("library server call failed: %r", exc)
            self.close()
            if _auth_refused(exc):
                raise self._refused(exc) from exc
            raise self._unreachable(exc) from exc

    # Connecting ----------------------------------------------------------------------------
    def connect(self) -> None:
        """Probe the server (bounded), open the collection, check the embedding model."""
        import chromadb
        import httpx
        from chromadb.config import Settings
        from chromadb.errors import NotFoundError

        timeout = httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
        probe_timeout = httpx.Timeout(PROBE_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
        try:
            with httpx.Client(
                timeout=probe_timeout, trust_env=False, headers=self._headers
            ) as probe:
                probe.get(f"{self.address.url}/api/v2/heartbeat").raise_for_status()
        except Exception as exc:  # noqa: BLE001 - down, refused, hanging, not a Chroma server
            log.warning("library server %s unreachable: %r", self.address.url, exc)
            if _auth_refused(exc):
                raise self._refused(exc) from exc
            raise self._unreachable(exc, PROBE_TIMEOUT_S) from exc
        try:
            client = chromadb.HttpClient(
                host=self.address.host,
                port=self.address.port,
                ssl=self.address.ssl,
                headers=dict(self._headers),
                settings=Settings(anonymized_telemetry=False),
            )
            _bound_session(client, timeout)
            try:
                col = client.get_collection(self.address.collection, embedding_function=None)
            except NotFoundError:
                if self.embedder_key is None:
                    raise LibraryServerError(
                        _(
                            "Die gemeinsame Bibliothek ist noch leer, und auf diesem Rechner "
                            "fehlt das Modell für die Bedeutungssuche, um sie anzulegen."
                        )
                    ) from None
                col = client.get_or_create_collection(
                    self.address.collection,
                    embedding_function=None,
                    metadata={
                        "hnsw:space": "cosine",
                        META_EMBEDDER: self.embedder_key,
                        META_DIM: int(self.dim or 0),
                        META_SCHEMA: SCHEMA,
                    },
                )
        except LibraryServerError:
            raise
        except Exception as exc:  # noqa: BLE001
            log.warning("library server %s unreachable: %r", self.address.url, exc)
            if _auth_refused(exc):
                raise self._refused(exc) from exc
            raise self._unreachable(exc) from exc
        meta = col.metadata or {}
        theirs = meta.get(META_EMBEDDER)
        if self.embedder_key is not None and theirs not in (None, self.embedder_key):
            raise LibraryServerMismatch(
                tr(
                    "Die gemeinsame Bibliothek auf {server} wurde mit einem anderen Modell für "
                    "die Bedeutungssuche angelegt ({theirs}) als dem auf diesem Rechner "
                    "({ours}). Bitte die IT-Abteilung bitten, auf allen Rechnern dasselbe "
                    "Einbettungsmodell einzurichten.",
                    server=self.address.label,
                    theirs=str(theirs),
                    ours=self.embedder_key,
                )
            )
        self._client, self._col = client, col

    def close(self) -> None:
        self._col = None
        self._client = None

    # Reading -------------------------------------------------------------------------------
    def state(self) -> tuple[str | None, int | None]:
        """The collection's change marker and chunk count (sync_marker.py): two small
        requests; ``None`` for a missing or malformed value (then the caller lists ids)."""

        def run() -> tuple[str | None, int | None]:
            meta = (
                self._client.get_collection(
                    self.address.collection, embedding_function=None
                ).metadata
                or {}
            )
            return valid_marker(meta.get(META_GENERATION)), valid_count(self._col.count())

        return self._call(run)

    def _bump(self) -> None:
        """Tell other PCs the collection changes (before and after every push/delete)."""
        current = self._client.get_collection(
            self.address.collection, embedding_function=None
        ).metadata
        self._col.modify(metadata=bumped_metadata(current))

    def ids(self) -> set[str]:
        """Every chunk id in the collection (ids only: cheap when nothing changed)."""

        def run() -> set[str]:
            out: set[str] = set()
            offset = 0
            while True:
                got = self._col.get(include=[], limit=ID_PAGE, offset=offset)
                out.update(got["ids"])
                if len(got["ids"]) < ID_PAGE:
                    return out
                offset += ID_PAGE

        return self._call(run)

    def fetch(self, ids: Iterable[str]) -> list[ServerChunk]:
        """Text, metadata and embedding of these chunks (those that still exist)."""
        ids = list(ids)

        def run() -> list[ServerChunk]:
            out: list[ServerChunk] = []
            for start in range(0, len(ids), FETCH_PAGE):
                got = self._col.get(
                    ids=ids[start : start + FETCH_PAGE],
                    include=["documents", "metadatas", "embeddings"],
                )
                embs = got.get("embeddings")
                for j, cid in enumerate(got["ids"]):
                    emb = None if embs is None else np.asarray(embs[j], dtype=np.float32)
                    out.append(
                        ServerChunk(cid, got["documents"][j] or "", got["metadatas"][j], emb)
                    )
            return out

        return self._call(run)

    # Writing -------------------------------------------------------------------------------
    def replace_document(self, path: str, chunks: list[ServerChunk]) -> None:
        """Upsert a document's chunks, then drop what the path held before (another version)."""

        def run() -> None:
            self._bump()
            old = set(self._col.get(where={"path": path}, include=[])["ids"])
            for start in range(0, len(chunks), PUSH_PAGE):
                part = chunks[start : start + PUSH_PAGE]
                self._col.upsert(
                    ids=[c.id for c in part],
                    embeddings=np.stack([np.asarray(c.embedding, np.float32) for c in part]),
                    documents=[c.text for c in part],
                    metadatas=[c.meta for c in part],
                )
            stale = sorted(old - {c.id for c in chunks})
            for start in range(0, len(stale), ID_PAGE):
                self._col.delete(ids=stale[start : start + ID_PAGE])
            self._bump()

        self._call(run)

    def delete_paths(self, paths: Iterable[str]) -> None:
        paths = list(paths)

        def run() -> None:
            self._bump()
            for path in paths:
                self._col.delete(where={"path": path})
            self._bump()

        if paths:
            self._call(run)
