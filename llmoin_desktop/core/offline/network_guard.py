"""Network guard: records, and in ``fail`` mode blocks, every network attempt of this process.

Why an audit hook: ``sys.addaudithook`` sees every ``socket.connect``, name lookup, UDP send
and listening ``bind`` made through Python's ``socket`` module, whichever library makes it
(chromadb, telemetry clients, HTTP libraries), without patching any of them. C libraries that
open sockets on their own would bypass it; llama.cpp, SQLite and numpy do no networking.

An audit hook cannot be removed, so one hook is installed once and dispatches to the guards
that are active at the moment (context managers). Child processes (the document parser
workers) inherit the guard through environment variables and call :func:`install_from_env`
at start; their attempts are appended to a log file that the parent guard reads back.

Local domain sockets (``AF_UNIX``) are inter-process communication on this machine, not
network, and are not counted.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import socket
import sys
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from llmoin_desktop.core.offline.loopback import is_loopback_host

ENV_MODE = "LLMOIN_OFFLINE_GUARD"  # "fail" | "record" in child processes
ENV_LOG = "LLMOIN_OFFLINE_GUARD_LOG"  # JSON lines file the children append to
ENV_LOOPBACK = "LLMOIN_OFFLINE_GUARD_LOOPBACK"  # "1": loopback allowed

# Environment variables that switch off telemetry or downloads in libraries we (or their
# dependencies) may import. Set by :func:`harden_environment` at start-up.
HARDENED_ENV = {
    "ANONYMIZED_TELEMETRY": "False",  # chromadb (we also pass Settings(anonymized_telemetry=False))
    "HF_HUB_OFFLINE": "1",  # huggingface_hub: never download
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",  # common convention (posthog-based clients, many CLIs)
}

_SOCKET_EVENTS = frozenset(
    {
        "socket.connect",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
        "socket.getnameinfo",
        "socket.sendto",
        "socket.sendmsg",
        "socket.bind",
    }
)
_PROCESS_EVENTS = frozenset({"subprocess.Popen", "os.posix_spawn", "os.system", "os.exec"})


class NetworkBlocked(PermissionError):
    """Raised inside the offending call when a ``fail`` guard is active."""


@dataclass
class Attempt:
    event: str  # the audit event, e.g. "socket.connect"
    target: str  # "203.0.113.5:443", "example.org", …
    loopback: bool
    blocked: bool
    thread: str
    where: str  # innermost frames outside the standard library: "module.py:123 < …"
    pid: int = field(default_factory=os.getpid)


_lock = threading.Lock()
_active: list[NetworkGuard] = []
_installed = False
_in_hook = threading.local()


def _install_hook() -> None:
    global _installed
    with _lock:
        if not _installed:
            sys.addaudithook(_hook)
            _installed = True


def _hook(event: str, args: tuple[Any, ...]) -> None:
    # Called for *every* audited event (imports, opens, …): return as fast as possible.
    if not _active:
        return
    is_socket = event in _SOCKET_EVENTS
    if not is_socket and event not in _PROCESS_EVENTS:
        return
    if getattr(_in_hook, "busy", False):
        return
    _in_hook.busy = True
    try:
        guards = list(_active)
        if not is_socket:
            command = _command(event, args)
            for guard in guards:
                guard.processes.append(command)
            return
        target, host = _target(event, args)
        if target is None:
            return  # AF_UNIX or netlink: not network
        loopback = _is_loopback(host)
        blocked = None
        for guard in guards:
            outcome = guard._observe(event, target, host, loopback)
            if outcome is not None:
                blocked = outcome if blocked is None else blocked
    finally:
        _in_hook.busy = False
    if blocked is not None:
        raise blocked


def _target(event: str, args: tuple[Any, ...]) -> tuple[str | None, str]:
    """(printable target, host) for a socket event; (None, "") for local IPC."""
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind"):
        address = args[1] if len(args) > 1 else None
        if address is None or isinstance(address, str | bytes | bytearray):
            return None, ""  # AF_UNIX path (or sendmsg on a connected socket)
        if isinstance(address, tuple) and address and isinstance(address[0], str):
            host = address[0]
            port = address[1] if len(address) > 1 else ""
            return (f"[{host}]:{port}" if ":" in host else f"{host}:{port}"), host
        return None, ""  # AF_NETLINK and friends: (pid, groups)
    if event == "socket.getaddrinfo":
        host = args[0]
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        if host is None:
            return f"(passive):{args[1]}", ""  # a local bind address: no lookup at all
        if _is_ip_literal(str(host)):
            return None, ""  # no lookup happens; the connect that follows is what counts
        return f"{host}:{args[1]}" if args[1] not in (None, 0) else str(host), str(host)
    if event == "socket.getnameinfo":
        sockaddr = args[0]
        host = str(sockaddr[0]) if isinstance(sockaddr, tuple) and sockaddr else str(sockaddr)
        return host, host
    host = args[0].decode() if isinstance(args[0], bytes) else str(args[0])
    return host, host


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    """Literal loopback address or a hosts-file name (core/offline/loopback.py); ``foo.localhost``
    goes to DNS and is therefore a network attempt like any other name."""
    if host.strip("[]") == "":  # passive lookup / bind without an address
        return True
    return is_loopback_host(host)


def _command(event: str, args: tuple[Any, ...]) -> str:
    try:
        if event == "os.system":
            return str(args[0])
        argv = args[1] if len(args) > 1 else args[0]
        if isinstance(argv, str | bytes):
            return str(argv)
        return " ".join(str(a) for a in argv)
    except Exception:  # noqa: BLE001 - never let the hook break the caller
        return event


def _where() -> str:
    """Innermost three frames outside the standard library and this module."""
    stdlib = os.path.dirname(os.__file__)
    frames: list[str] = []
    frame = sys._getframe(1)
    while frame is not None and len(frames) < 3:
        filename = frame.f_code.co_filename
        if not filename.startswith(stdlib) and filename != __file__:
            frames.append(f"{Path(filename).name}:{frame.f_lineno}")
        frame = frame.f_back
    return " < ".join(frames)


class NetworkGuard:
    """Context manager: ``with NetworkGuard("fail") as guard: …; assert not guard.attempts``.

    ``mode``: ``record`` notes attempts, ``fail`` also stops them with :class:`NetworkBlocked`.
    ``allow_loopback``: connections to 127.0.0.1/::1 are permitted (remote backend on this PC).
    ``allow_hosts``: hosts (names or addresses) that may be contacted, e.g. the department's
    inference server in remote mode; names are resolved once, when the guard is created.
    """

    def __init__(
        self,
        mode: str = "fail",
        *,
        allow_loopback: bool = False,
        allow_hosts: tuple[str, ...] | list[str] = (),
        child_log: Path | None = None,
    ) -> None:
        if mode not in ("fail", "record"):
            raise ValueError(mode)
        self.mode = mode
        self.allow_loopback = allow_loopback
        self.allowed = _resolve(allow_hosts)
        self.attempts: list[Attempt] = []  # every attempt that was not allowed
        self.allowed_attempts: list[Attempt] = []  # loopback/allowed ones, for the report
        self.processes: list[str] = []
        self.child_log = child_log
        self._saved_env: dict[str, str | None] = {}
        self._child_lines_read = 0

    # Activation ------------------------------------------------------------------------
    def __enter__(self) -> NetworkGuard:
        _install_hook()
        if self.child_log is not None:
            self._export_env()
        with _lock:
            _active.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        with _lock, contextlib.suppress(ValueError):
            _active.remove(self)
        self.collect_children()
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env = {}

    def _export_env(self) -> None:
        assert self.child_log is not None
        self.child_log.parent.mkdir(parents=True, exist_ok=True)
        self.child_log.touch()
        values = {
            ENV_MODE: self.mode,
            ENV_LOG: str(self.child_log),
            ENV_LOOPBACK: "1" if self.allow_loopback else "0",
        }
        for key, value in values.items():
            self._saved_env[key] = os.environ.get(key)
            os.environ[key] = value

    # Observation -----------------------------------------------------------------------
    def _observe(self, event: str, target: str, host: str, loopback: bool) -> NetworkBlocked | None:
        allowed = (loopback and self.allow_loopback) or host.strip("[]").lower() in self.allowed
        attempt = Attempt(
            event=event,
            target=target,
            loopback=loopback,
            blocked=not allowed and self.mode == "fail",
            thread=threading.current_thread().name,
            where=_where(),
        )
        if allowed:
            self.allowed_attempts.append(attempt)
            return None
        self.attempts.append(attempt)
        if self.mode == "fail":
            return NetworkBlocked(f"network access blocked by LLMoin offline guard: {target}")
        return None

    def collect_children(self) -> list[Attempt]:
        """Read attempts that child processes logged since the last call."""
        if self.child_log is None or not self.child_log.exists():
            return []
        new: list[Attempt] = []
        with contextlib.suppress(OSError):
            lines = self.child_log.read_text(encoding="utf-8").splitlines()
            for line in lines[self._child_lines_read :]:
                with contextlib.suppress(ValueError, TypeError):
                    new.append(Attempt(**json.loads(line)))
            self._child_lines_read = len(lines)
        self.attempts.extend(new)
        return new

    @property
    def clean(self) -> bool:
        self.collect_children()
        return not self.attempts


def _resolve(hosts: tuple[str, ...] | list[str]) -> frozenset[str]:
    names: set[str] = set()
    for host in hosts:
        host = host.strip("[]").lower()
        if not host:
            continue
        names.add(host)
        with contextlib.suppress(OSError, UnicodeError):
            for info in socket.getaddrinfo(host, None):
                names.add(str(info[4][0]).lower())
    return frozenset(names)


def install_from_env() -> NetworkGuard | None:
    """Called by child processes at start: adopt the parent's guard for this process's life."""
    mode = os.environ.get(ENV_MODE, "")
    if mode not in ("fail", "record"):
        return None
    log = os.environ.get(ENV_LOG, "")
    guard = _ChildGuard(
        mode, allow_loopback=os.environ.get(ENV_LOOPBACK) == "1", log=Path(log) if log else None
    )
    _install_hook()
    with _lock:
        _active.append(guard)
    return guard


class _ChildGuard(NetworkGuard):
    def __init__(self, mode: str, *, allow_loopback: bool, log: Path | None) -> None:
        super().__init__(mode, allow_loopback=allow_loopback)
        self._log = log

    def _observe(self, event: str, target: str, host: str, loopback: bool) -> NetworkBlocked | None:
        before = len(self.attempts)
        outcome = super()._observe(event, target, host, loopback)
        if len(self.attempts) > before and self._log is not None:
            with contextlib.suppress(OSError), self._log.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(asdict(self.attempts[-1])) + "\n")
        return outcome


def harden_environment() -> dict[str, str]:
    """Switch off telemetry/downloads of third-party libraries (before they are imported).

    Existing values set by IT are kept. Returns what is in effect, for the audit report.
    """
    for key, value in HARDENED_ENV.items():
        os.environ.setdefault(key, value)
    return {key: os.environ.get(key, "") for key in HARDENED_ENV}
