"""Helpers for the servers tests and benchmarks start on 127.0.0.1 (llama.cpp's server,
``chroma run``): a free port, and stopping the process without leaving it behind."""

from __future__ import annotations

import socket
import subprocess


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Terminate, and kill if it has not exited after 10 s (a hung server must not linger)."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
