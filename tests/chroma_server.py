"""A real Chroma server (``chroma run``) on 127.0.0.1 for the shared-library tests.

Used as a context manager; the server is always stopped on exit (also when a test fails).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType

import pytest

from llmoin_desktop.core.offline.loopback import free_port, stop_process


def chroma_cli() -> str | None:
    local = Path(sys.executable).parent / "chroma"
    return str(local) if local.exists() else shutil.which("chroma")


class ChromaServer:
    """``chroma run --path DATA --host 127.0.0.1 --port FREE``; skips the test without the CLI."""

    def __init__(self, data: Path) -> None:
        cli = chroma_cli()
        if cli is None:
            pytest.skip("chromadb CLI (chroma) not installed: pip install chromadb")
        self.cli = cli
        self.data = data
        self.port = free_port()
        self.host = "127.0.0.1"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data.parent / f"chroma-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ChromaServer:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    self.cli,
                    "run",
                    "--path",
                    str(self.data),
                    "--host",
                    self.host,
                    "--port",
                    str(self.port),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
            )
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            assert self.proc is not None
            if self.proc.poll() is not None:
                pytest.fail("chroma run exited:\n" + self.log.read_text(errors="replace")[-2000:])
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("chroma server not ready after 60 s")
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is None:
            return
        stop_process(self.proc)
        self.proc = None

    def __enter__(self) -> ChromaServer:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
