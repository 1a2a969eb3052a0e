"""Real OpenAI-compatible servers on 127.0.0.1 for the tests and benchmarks that need one:
llama-cpp-python's (``python -m llama_cpp.server``, the ``server`` extra; one answer at a time)
and llama.cpp's own ``llama-server`` (parallel slots, continuous batching: what docs/rollout.md
recommends for several clerks; built by ``scripts/build_llama_server.sh``). The app never starts
either; both only ever bind loopback.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from llmoin_desktop.core.offline.loopback import free_port, stop_process


class ServerNotReady(RuntimeError):
    """The server exited or did not answer in time; the message ends with its log."""


def server_installed() -> bool:
    return importlib.util.find_spec("sse_starlette") is not None  # only the extra brings it


@contextlib.contextmanager
def running_llama_server(
    model: Path,
    log: Path,
    *,
    threads: int = 2,
    n_ctx: int = 2048,
    alias: str = "demo",
    verbose: bool = False,
    ready_s: float = 90,
    extra: tuple[str, ...] = (),
) -> Iterator[str]:
    """Start, wait until ``/v1/models`` answers, yield the base URL; always stopped after.

    ``verbose`` makes the server print llama.cpp's own timings per request into ``log``."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        alias,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
        "--n_threads",
        str(threads),
    ]
    if verbose:
        command += ["--verbose", "True"]
    command += list(extra)  # e.g. ("--interrupt_requests", "False") for several clients
    with _serving(command, port, log, ready_s) as url:
        yield url


@contextlib.contextmanager
def _serving(command: list[str], port: int, log: Path, ready_s: float) -> Iterator[str]:
    """Start ``command`` (output into ``log``), wait until it answers, always stop it."""
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(proc, url, log, ready_s)
        yield url
    finally:
        stop_process(proc)


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path, ready_s: float) -> None:
    deadline = time.monotonic() + ready_s
    while True:
        if proc.poll() is not None:
            raise ServerNotReady(
                "llama.cpp server exited:\n" + log.read_text(errors="replace")[-2000:]
            )
        try:
            with urllib.request.urlopen(url + "/v1/models", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ServerNotReady(f"llama.cpp server did not become ready in {ready_s:.0f} s")
        time.sleep(0.3)


def find_cpp_server() -> Path | None:
    """llama.cpp's ``llama-server``: ``LLMOIN_LLAMA_SERVER``, the build script's place, or PATH.

    Only tests and benchmarks look for it; nothing is downloaded."""
    candidates = [
        os.environ.get("LLMOIN_LLAMA_SERVER", ""),
        str(Path.home() / ".cache" / "llmoin-bench" / "llama-server" / "bin" / "llama-server"),
        shutil.which("llama-server") or "",
    ]
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return Path(c)
    return None


@contextlib.contextmanager
def running_cpp_server(
    binary: Path,
    model: Path,
    log: Path,
    *,
    parallel: int = 4,
    ctx_per_slot: int = 2048,
    threads: int = 2,
    alias: str = "demo",
    ready_s: float = 90,
    extra: tuple[str, ...] = (),
) -> Iterator[str]:
    """llama.cpp's ``llama-server`` with ``parallel`` slots, each ``ctx_per_slot`` tokens
    (``-c`` is the total it splits between the slots); yields the base URL, always stopped.

    Why a second server: llama-cpp-python's serves one answer at a time and cuts off a running
    answer when another request waits (issue 22); llama-server decodes the slots together."""
    port = free_port()
    command = [
        str(binary),
        "-m",
        str(model),
        "--alias",
        alias,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "-c",
        str(ctx_per_slot * parallel),
        "--parallel",
        str(parallel),
        "-t",
        str(threads),
        *extra,
    ]
    with _serving(command, port, log, ready_s) as url:
        yield url
