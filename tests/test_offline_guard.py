"""The network guard itself: it sees and stops connections, name lookups and UDP, in this
process and in the document workers; loopback only where allowed; local IPC is not network."""

from __future__ import annotations

import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from llmoin_desktop.core.offline.network_guard import (
    NetworkBlocked,
    NetworkGuard,
    harden_environment,
)

TEST_NET = "192.0.2.1"  # RFC 5737 documentation address: never routed


def test_fail_mode_blocks_before_anything_leaves() -> None:
    with NetworkGuard("fail") as guard:
        with pytest.raises(NetworkBlocked), socket.create_connection((TEST_NET, 443), timeout=1):
            pass
        with pytest.raises(NetworkBlocked):
            socket.getaddrinfo("example.org", 443)
        with pytest.raises(OSError):  # urllib wraps it, but the guard still saw it
            urllib.request.urlopen("http://example.org/", timeout=1)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        with pytest.raises(NetworkBlocked):
            udp.sendto(b"x", (TEST_NET, 53))
        udp.close()
    events = [(a.event, a.target) for a in guard.attempts]
    assert ("socket.connect", f"{TEST_NET}:443") in events
    assert ("socket.getaddrinfo", "example.org:443") in events
    assert ("socket.sendto", f"{TEST_NET}:53") in events
    assert all(a.blocked for a in guard.attempts)
    assert any("test_offline_guard.py" in a.where for a in guard.attempts)


def test_loopback_counts_unless_allowed() -> None:
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        with NetworkGuard("fail") as strict, pytest.raises(NetworkBlocked):
            socket.create_connection(("127.0.0.1", port), timeout=1)
        assert [a.target for a in strict.attempts] == [f"127.0.0.1:{port}"]
        with NetworkGuard("fail", allow_loopback=True) as relaxed:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            with pytest.raises(NetworkBlocked):
                socket.create_connection((TEST_NET, 80), timeout=1)
        assert [a.target for a in relaxed.attempts] == [f"{TEST_NET}:80"]
        assert relaxed.allowed_attempts and relaxed.allowed_attempts[0].loopback


def test_record_mode_notes_without_blocking() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, not listening: connection refused
    with NetworkGuard("record") as guard, pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
    assert len(guard.attempts) == 1 and not guard.attempts[0].blocked


def test_allowed_hosts_for_the_remote_server() -> None:
    with NetworkGuard("fail", allow_hosts=["192.0.2.7"]) as guard:
        with pytest.raises(OSError):  # allowed, so it really tries (and times out fast)
            socket.create_connection(("192.0.2.7", 9), timeout=0.05)
        with pytest.raises(NetworkBlocked):
            socket.create_connection(("192.0.2.8", 9), timeout=0.05)
    assert [a.target for a in guard.attempts] == ["192.0.2.8:9"]


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no AF_UNIX")
def test_local_ipc_is_not_network(tmp_path: Path) -> None:
    a, b = socket.socketpair()
    with NetworkGuard("fail") as guard:
        a.sendall(b"ping")
        assert b.recv(4) == b"ping"
    a.close()
    b.close()
    assert guard.attempts == []


def test_child_processes_inherit_the_guard(tmp_path: Path) -> None:
    """The document workers call install_from_env(); their attempts reach the parent."""
    code = (
        "import socket\n"
        "from llmoin_desktop.core.offline.network_guard import install_from_env\n"
        "install_from_env()\n"
        "try:\n"
        f"    socket.create_connection(('{TEST_NET}', 443), timeout=1)\n"
        "except PermissionError:\n"
        "    print('blocked')\n"
    )
    root = Path(__file__).resolve().parents[1]
    with NetworkGuard("fail", child_log=tmp_path / "child.jsonl") as guard:
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=60
        )
    assert out.stdout.strip() == "blocked", out.stderr
    assert [a.target for a in guard.attempts] == [f"{TEST_NET}:443"]
    assert guard.attempts[0].pid != __import__("os").getpid()
    assert any("-c" in p for p in guard.processes)


def test_harden_environment_keeps_it_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANONYMIZED_TELEMETRY", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    state = harden_environment()
    assert state["ANONYMIZED_TELEMETRY"] == "False"
    monkeypatch.setenv("DO_NOT_TRACK", "yes")
    assert harden_environment()["DO_NOT_TRACK"] == "yes"
