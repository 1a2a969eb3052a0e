"""llama-cpp-python's OpenAI-compatible server (``python -m llama_cpp.server``, the ``server``
extra) on 127.0.0.1: the kind of server :class:`RemoteBackend` talks to, for the tests and
benchmarks that need a real one. The app never starts it; it only ever binds loopback.
"""

from __future__ import annotations

import contextlib
import importlib.util
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from llmoin_desktop.core.loopback import free_port, stop_process


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
