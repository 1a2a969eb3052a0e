"""A cheap "nothing changed" check for the shared library (issue 22): a *generation marker*
in the server collection's metadata, bumped by every PC that changes the collection.

Why: listing every chunk id on each open costs 18 requests and 1.6 s at 100× the corpus
(89,853 chunks), and grows with the library. Reading the collection (its metadata) and its
count costs two small requests whatever the size. A PC lists ids only when

- the marker differs from the one it saw at its last full listing, or the count differs, or
- there is no marker (an old server or an older app version pushed): the old full listing, or
- its last full listing is older than :data:`FULL_LIST_EVERY_S` (a safety net for a pusher
  that changed the collection without bumping, e.g. an older app version).

A pusher bumps the marker *before* and *after* its change: a crash in the middle leaves the
first bump, so readers still see "changed" (a reader that listed between the two bumps sees
the second one next time). A bump writes a fresh random value, not a counter: two PCs that
bump at once never need to read-modify-write, and any new value means "changed".

The marker comes from the server, so it is untrusted input: only short ASCII tokens count;
anything else is treated as "no marker" (full listing), never trusted or stored as is.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

META_GENERATION = "llmoin_generation"
FULL_LIST_EVERY_S = 6 * 3600.0  # list all ids at least this often, marker or not
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def valid_marker(value: Any) -> str | None:
    """The marker if it is a short token we could have written, else ``None``."""
    if isinstance(value, str) and _TOKEN.match(value):
        return value
    return None


def valid_count(value: Any) -> int | None:
    """A collection count from the server: a non-negative int (bool is no count)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**12:
        return value
    return None


def new_marker() -> str:
    return secrets.token_hex(8)


def bumped_metadata(current: dict[str, Any] | None) -> dict[str, Any]:
    """The collection's metadata with a new marker. Chroma's ``modify`` replaces the whole
    metadata and refuses ``hnsw:*`` keys (the distance lives in the configuration), so every
    other key (embedding model, dimension, schema) is carried over."""
    meta = {k: v for k, v in (current or {}).items() if not str(k).startswith("hnsw:")}
    meta[META_GENERATION] = new_marker()
    return meta


def must_list(
    last: dict[str, Any] | None, marker: str | None, count: int | None, now: float
) -> bool:
    """Whether a full id listing is needed, given what the last full listing recorded."""
    if marker is None or count is None or not isinstance(last, dict):
        return True
    at = last.get("listed_at")
    if not isinstance(at, (int, float)) or not 0 <= now - float(at) < FULL_LIST_EVERY_S:
        return True
    return last.get("generation") != marker or last.get("count") != count
