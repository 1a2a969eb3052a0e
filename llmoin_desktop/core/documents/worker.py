"""The child side of the parsing sandbox: read requests on stdin, answer on stdout.

Run as ``python -m llmoin_desktop.core.documents.worker --memory-mb N``. It imports only the
loaders (no Qt, no llama.cpp), so it starts fast, caps its own address space (POSIX), and
exits when its parent goes away. One JSON object per line each way; answers hold plain data,
never pickles, so a hostile file cannot smuggle objects into the app.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

# The most text a worker hands back for one document (characters, ~50 MB): far above any
# real file (the 1,500-page bench PDF has ~4 M), far below what a hostile archive can expand
# to. Larger documents are refused with a clear message (errors.TooLarge, "text:").
MAX_TEXT_CHARS = 50_000_000


def _limit_memory(memory_mb: int) -> None:
    """RLIMIT_AS on POSIX, a Job Object memory limit on Windows (job_limits.py)."""
    from llmoin_desktop.core.documents.job_limits import limit_memory

    limit_memory(memory_mb)


def _exit_with_parent() -> None:
    """Die when the app dies, even in the middle of a hanging parse."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _resolve(name: str | None) -> Callable[[str], Any]:
    if not name:
        from llmoin_desktop.core.documents.loaders import load_document

        return load_document
    module, _, func = name.partition(":")
    return getattr(importlib.import_module(module), func)


def handle(request: dict[str, Any]) -> dict[str, Any]:
    """Parse one file; the answer is ``{"ok": true, "document": …}`` or an error kind."""
    from llmoin_desktop.core import i18n
    from llmoin_desktop.core.documents.errors import DocumentError

    i18n.set_language(str(request.get("lang") or "de"))
    from llmoin_desktop.core.documents import scan_text
    from llmoin_desktop.core.documents.ocr import OcrOptions

    scan_text.set_options(OcrOptions.from_dict(request.get("ocr")))
    path = str(request["path"])
    try:
        doc = _resolve(request.get("loader"))(path)
        chars = sum(len(b.text) for b in doc.blocks) + sum(len(w) for w in doc.warnings)
        if chars > MAX_TEXT_CHARS:
            # A tiny archive can expand to gigabytes of text; none of it is handed back.
            return {
                "ok": False,
                "kind": "too_large",
                "detail": f"text:{MAX_TEXT_CHARS}",
                "restart": True,  # its heap is large now: the next file gets a fresh worker
            }
        return {"ok": True, "document": dataclasses.asdict(doc)}
    except DocumentError as exc:
        if _out_of_memory(exc):  # a loader's broad except turned the memory cap into "damaged"
            return {"ok": False, "kind": "too_large", "detail": "memory", "restart": True}
        detail = getattr(exc, "actual", "") or exc.detail
        return {"ok": False, "kind": exc.kind, "detail": str(detail)[:2000]}
    except MemoryError:
        return {"ok": False, "kind": "too_large", "detail": "memory", "restart": True}
    except RecursionError:
        return {"ok": False, "kind": "damaged", "detail": "recursion too deep"}
    except Exception as exc:  # noqa: BLE001 - never let a file kill the loop
        return {"ok": False, "kind": "damaged", "detail": f"{type(exc).__name__}: {exc}"[:2000]}


_MEMORY_WORDS = ("memory allocation failed", "out of memory", "cannot allocate memory")


def _out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` was caused by the memory cap: a MemoryError, or lxml/zlib saying so,
    anywhere in its chain (loaders wrap parser errors as Damaged)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, MemoryError):
            return True
        if any(w in str(current).lower() for w in _MEMORY_WORDS):
            return True
        current = current.__cause__ or current.__context__
    return False


def _progress_writer(out: TextIO) -> Callable[..., None]:
    """Progress lines on the answer channel; the parent reads them as signs of life."""

    def write(step: int, total: int, text: str, budget_s: float | None = None) -> None:
        message: dict[str, Any] = {"progress": [step, total, text]}
        if budget_s:
            message["budget"] = budget_s
        out.write(json.dumps(message) + "\n")
        out.flush()

    return write


def serve(inp: TextIO, out: TextIO) -> None:
    from llmoin_desktop.core.documents import progress

    progress.set_reporter(_progress_writer(out))
    for line in inp:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError:
            continue
        answer = handle(request)
        try:
            payload = json.dumps(answer)
        except (TypeError, ValueError, MemoryError):
            payload = json.dumps({"ok": False, "kind": "damaged", "detail": "unserialisable"})
        out.write(payload + "\n")
        out.flush()
        if answer.get("restart"):
            return  # after a MemoryError the heap may be fragmented: start fresh


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="llmoin-document-worker")
    parser.add_argument("--memory-mb", type=int, default=0)
    # Background work (indexing, watched folders): below normal priority, OCR threads too.
    parser.add_argument("--background", action="store_true")
    args = parser.parse_args(argv)
    if args.background:
        from llmoin_desktop.core import priority

        priority.lower_process()
    from llmoin_desktop.core.offline.network_guard import install_from_env

    install_from_env()  # the parent's network guard (offline check) covers this process too
    # Keep our answer channel private: anything a library prints goes to stderr instead.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="ascii", newline="\n")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _exit_with_parent()
    _limit_memory(args.memory_mb)
    serve(sys.stdin, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
