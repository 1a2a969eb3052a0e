"""Offline guarantee at the operating-system level: the audit-hook guard only sees Python's
``socket`` module, so native code (llama.cpp, chromadb's Rust core) could in principle bypass
it. Here the whole session runs under ``strace -f`` (all child processes included) and the
kernel's record must show no IPv4/IPv6 connect/sendto/sendmsg at all. Linux with strace only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.model, pytest.mark.slow]

NETWORK_CALL = re.compile(r"\b(connect|sendto|sendmsg)\(.*sa_family=AF_INET6?\b")
SESSION = (
    "import sys, tempfile\n"
    "from pathlib import Path\n"
    "from llmoin_desktop.core.checks.offline_session import run_offline_session\n"
    "r = run_offline_session(Path(tempfile.mkdtemp()), Path(sys.argv[1]), max_tokens=8)\n"
    "print('steps_ok', all(s.ok for s in r.steps), len(r.steps), 'attempts', len(r.attempts))\n"
)


def _strace(log: Path, argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-e", "signal=none"]
        + ["-o", str(log), *argv],
        capture_output=True,
        text=True,
        timeout=540,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    )


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not shutil.which("strace"), reason="needs strace"
)
def test_kernel_sees_no_network_call_in_a_full_session(
    demo_model_path: Path, tmp_path: Path
) -> None:
    env = dict(os.environ)
    # Positive control: strace must see a connect of ours (else ptrace is not permitted here).
    control = tmp_path / "control.log"
    _strace(
        control,
        [
            sys.executable,
            "-c",
            "import socket\ntry:\n socket.create_connection(('127.0.0.1', 9), 1)\nexcept OSError: pass",
        ],
        env,
    )
    if not NETWORK_CALL.search(control.read_text()):
        pytest.skip("strace cannot trace here (ptrace restricted)")
    log = tmp_path / "session.log"
    out = _strace(log, [sys.executable, "-c", SESSION, str(demo_model_path)], env)
    assert "steps_ok True 6 attempts 0" in out.stdout, out.stdout + out.stderr[-3000:]
    calls = [line for line in log.read_text().splitlines() if NETWORK_CALL.search(line)]
    assert calls == [], "\n".join(calls[:20])
