"""The clerk's world for ``bench/security_policy.py``: IT's machine folder, her folders, her
process (uid 65534 in a private mount namespace) and a foreign server that counts connections.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv" / "bin"
CLERK_UID = 65534
CODE = ""  # --code (set by security_policy.main): another checkout's package (e.g. the commit before the fixes)
SYSTEM = (
    "Du bist ein sorgfältiger Assistent für die öffentliche Verwaltung in Deutschland. "
    "Du schreibst sachlich, korrekt und auf Deutsch. Du erfindest nichts."
)


def task_toml(task_id_line: str, title: str, user: str, extra: str = "") -> str:
    return (
        f"{task_id_line}\ntitle = {_toml(title)}\n{extra}"
        '[[fields]]\nname = "text"\nkind = "longtext"\nlabel = "Text"\n'
        f"[prompt]\nsystem = {_toml(SYSTEM)}\nuser = {_toml(user)}\n"
    )


def _toml(text: str) -> str:
    """A TOML basic string with the characters as they are (soft hyphens stay soft hyphens)."""
    return json.dumps(text, ensure_ascii=False)


class Listener:
    """A foreign server on 127.0.0.1 that only counts who connects."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


@dataclass
class World:
    """One attack's folders: IT's machine folder and the clerk's own (owned by her)."""

    base: Path
    listener: Listener
    mode: str
    env: dict[str, str] = field(default_factory=dict)

    @property
    def machine(self) -> Path:
        return self.base / "xdg" / "llmoin-desktop"

    @property
    def clerk(self) -> Path:
        return self.base / "clerk"

    def it_policy(self, text: str) -> None:
        self.machine.mkdir(parents=True, exist_ok=True)
        (self.machine / "policy.toml").write_text(text, encoding="utf-8")

    def clerk_file(self, rel: str, text: str) -> Path:
        path = self.clerk / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def own_task(self, name: str, text: str) -> Path:
        return self.clerk_file(f"config/tasks/{name}.toml", text)

    def _give_to_clerk(self) -> None:
        if self.mode != "namespace":
            return
        for dirpath, dirnames, filenames in os.walk(self.clerk):
            for name in [*dirnames, *filenames]:
                os.chown(Path(dirpath) / name, CLERK_UID, CLERK_UID)
        os.chown(self.clerk, CLERK_UID, CLERK_UID)

    def run(self, *args: str, python: str | None = None, timeout: int = 240) -> Result:
        """The CLI (or ``python -c``) as the clerk, with her environment and IT's folder."""
        self._give_to_clerk()
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.clerk),
            "LANG": "C.UTF-8",
            "QT_QPA_PLATFORM": "offscreen",
            "LLMOIN_CONFIG_DIR": str(self.clerk / "config"),
            "LLMOIN_DATA_DIR": str(self.clerk / "data"),
            "PYTHONDONTWRITEBYTECODE": "1",
            **({"PYTHONPATH": CODE} if CODE else {}),
            **self.env,
        }
        if python is not None:
            argv = [str(VENV / "python"), "-c", python, *args]
        else:
            argv = [str(VENV / "llmoin-desktop"), *args]
        if self.mode == "namespace":
            xdg = self.base / "xdg"  # empty when IT set no policy: then /etc/xdg is just empty
            xdg.mkdir(exist_ok=True)
            inner = ["setpriv", f"--reuid={CLERK_UID}", f"--regid={CLERK_UID}", "--clear-groups"]
            # Only to reach the interpreter under /root (0700 on this VM): reading, never writing.
            inner += ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
            inner += ["env", "-i", *(f"{k}={v}" for k, v in env.items()), *argv]
            script = f"mount --bind {shlex.quote(str(xdg))} /etc/xdg && exec {shlex.join(inner)}"
            cmd = ["unshare", "-m", "--propagation", "private", "sh", "-c", script]
            run_env = None
        else:  # no namespaces: the code's fixed folder is replaced inside the process
            patch = (
                "import sys, pathlib, llmoin_desktop.core.paths as p;"
                f"p.machine_policy_dir = lambda: pathlib.Path({str(self.machine)!r});"
            )
            if python is None:
                python = "from llmoin_desktop.cli.base import main; sys.exit(main(sys.argv[1:]))"
            cmd = [str(VENV / "python"), "-c", patch + python, *args]
            run_env = env
        start = time.perf_counter()
        proc = subprocess.run(
            cmd, env=run_env, capture_output=True, text=True, timeout=timeout, cwd=str(self.clerk)
        )
        if proc.returncode in (126, 127) or "mount:" in proc.stderr:
            raise RuntimeError(f"the clerk's process did not start: {proc.stderr.strip()}")
        return Result(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - start)


@dataclass
class Result:
    code: int
    out: str
    err: str
    seconds: float

    @property
    def text(self) -> str:
        return self.out + self.err


@dataclass
class Attack:
    name: str
    what: str
    run: Callable[[World], tuple[bool, str]]  # (held, detail)


def namespace_mode() -> str:
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("setpriv"):
        return "patched"
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    return "namespace" if probe.returncode == 0 else "patched"
