"""What counts as "this PC" for network addresses, and helpers for the servers tests and
benchmarks start on 127.0.0.1 (llama.cpp's server, ``chroma run``): a free port, and stopping
the process without leaving it behind."""

from __future__ import annotations

import ipaddress
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


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


# Which hosts count as "this PC" ------------------------------------------------------------
#
# Decision (issue 18, item 13): a host is loopback only when that is certain without asking
# DNS — a literal loopback address (127.0.0.0/8, ::1, ::ffff:127.x), or a name the hosts file
# maps to loopback addresses only. ``foo.localhost`` is *not* loopback by its name: glibc and
# most resolvers send it to the DNS server, which may answer with any address, so treating it
# as local both leaked the name to the network and let a server outside the PC pass as
# "on this PC". The bare name ``localhost`` counts when the hosts file maps it, and on
# Windows also without an entry, because Windows answers ``localhost`` itself (its default
# hosts file has the entry commented out) and never asks DNS for it.
# The hosts file's location is fixed (not taken from environment variables a user can set).

_HOSTS_REFRESH_S = 2.0
_hosts_cache: dict[str, Any] = {"checked": 0.0, "stamp": None, "names": {}}
_hosts_lock = threading.Lock()


def hosts_file() -> Path:
    """/etc/hosts, or ``<Windows>\\System32\\drivers\\etc\\hosts`` from the Windows API."""
    if sys.platform != "win32":
        return Path("/etc/hosts")
    windir = "C:\\Windows"
    try:
        import ctypes

        buf = ctypes.create_unicode_buffer(260)
        if ctypes.windll.kernel32.GetSystemWindowsDirectoryW(buf, 260):  # type: ignore[attr-defined]
            windir = buf.value
    except (AttributeError, OSError):
        pass
    return Path(windir) / "System32" / "drivers" / "etc" / "hosts"


def parse_hosts(text: str) -> dict[str, set[str]]:
    """Hosts-file text → name (lower case) → the addresses it is mapped to."""
    names: dict[str, set[str]] = {}
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2:
            continue
        address = fields[0]
        for name in fields[1:]:
            names.setdefault(name.lower(), set()).add(address)
    return names


def _hosts_names(path: Path | None = None) -> dict[str, set[str]]:
    """The parsed hosts file, re-read when it changes (checked at most every 2 s)."""
    if path is not None:
        try:
            return parse_hosts(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return {}
    now = time.monotonic()
    with _hosts_lock:
        if now - _hosts_cache["checked"] < _HOSTS_REFRESH_S and _hosts_cache["stamp"] is not None:
            return dict(_hosts_cache["names"])
        _hosts_cache["checked"] = now
        file = hosts_file()
        try:
            st = file.stat()
            stamp = (st.st_size, st.st_mtime_ns)
        except OSError:
            stamp = (0, 0)
        if stamp != _hosts_cache["stamp"]:
            _hosts_cache["stamp"] = stamp
            _hosts_cache["names"] = _hosts_names(file) if stamp != (0, 0) else {}
        return dict(_hosts_cache["names"])


def http_parts(url: str, http_port: int = 80) -> tuple[str, str, int, str] | None:
    """``(scheme, host, port, path)`` of an http(s) URL, or ``None`` when it is none.

    One parser for every server address the app is given (inference server, library server),
    so both refuse the same things before the loopback/policy rule is applied."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    try:
        port = parts.port or (443 if parts.scheme == "https" else http_port)
    except ValueError:
        return None
    return parts.scheme, parts.hostname, port, parts.path


def is_loopback_address(host: str) -> bool:
    """A literal 127.x / ::1 / ::ffff:127.x address (brackets and zone index allowed)."""
    text = host.strip().strip("[]").split("%")[0]
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return False
    if addr.is_loopback:
        return True
    return addr.version == 6 and addr.ipv4_mapped is not None and addr.ipv4_mapped.is_loopback


def is_loopback_host(host: str | None, *, hosts: Path | None = None) -> bool:
    """True only when ``host`` surely means this PC without a DNS query (see above).

    ``hosts`` reads another hosts file (tests)."""
    if not host:
        return False
    name = host.strip().strip("[]").lower()
    if is_loopback_address(name):
        return True
    # "localhost." (a fully qualified name) is not what the hosts file lists: resolvers may
    # send it to DNS, so only the exact names of the hosts file count.
    mapped = _hosts_names(hosts).get(name)
    if mapped:
        return all(is_loopback_address(a) for a in mapped)
    return name == "localhost" and sys.platform == "win32"
