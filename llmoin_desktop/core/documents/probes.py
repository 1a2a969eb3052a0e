"""Loaders that misbehave on purpose, to prove the sandbox contains what real files do.

A hostile PDF can spin forever in pure Python, allocate until the machine swaps, or crash
the interpreter in C code. Reproducing that with crafted files is fragile across pypdf
versions, so tests pass these as ``loader="llmoin_desktop.core.documents.probes:spin"``
and check that the app side gets a clean typed error and a fresh worker afterwards.
"""

from __future__ import annotations

import os

from llmoin_desktop.core.documents.model import Document


def spin(path: str) -> Document:
    """Busy loop that never returns (pure-Python hang, ignores everything but SIGKILL)."""
    n = 0
    while True:
        n += 1


def eat_memory(path: str) -> Document:
    """Allocate until the address-space cap of the worker stops us."""
    hoard = []
    while True:
        hoard.append(bytearray(64 * 1024 * 1024))


def crash(path: str) -> Document:
    """Die without an answer, like a segfault in a C extension."""
    os._exit(70)


def abort(path: str) -> Document:
    """Abort like C++ code whose allocation failed under the memory cap (std::bad_alloc)."""
    os.abort()


def slow_step(path: str) -> Document:
    """Announce a 5-second budget for the next step, then take 2 s (like an OCR page)."""
    import time

    from llmoin_desktop.core.documents import progress

    progress.report(0, 1, "Texterkennung", budget_s=5)
    time.sleep(2)
    progress.report(1, 1, "Texterkennung")
    return Document(path=path, title="langsam", format="txt")


def huge_text(path: str) -> Document:
    """Hand back more text than any real document has (what a decompression bomb yields)."""
    from llmoin_desktop.core.documents.model import Block
    from llmoin_desktop.core.documents.worker import MAX_TEXT_CHARS

    line = "Bombe " * 1_000_000  # 6 M characters per block
    blocks = [Block(text=line) for _ in range(MAX_TEXT_CHARS // len(line) + 1)]
    return Document(path=path, title="Bombe", format="txt", blocks=blocks)


def memory_as_damaged(path: str) -> Document:
    """Run out of memory inside a loader whose broad ``except`` reports "damaged" (as the
    Office loaders do around lxml): the worker must still name the memory."""
    from llmoin_desktop.core.documents.errors import Damaged

    try:
        raise MemoryError("lxml: Memory allocation failed")
    except MemoryError as exc:
        raise Damaged(path, detail=repr(exc)) from exc
