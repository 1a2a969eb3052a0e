"""The shape of one fault case for ``bench/faults.py`` and a helper that runs the real CLI.

Every case gets an empty temp folder, builds its own config/data/policy folders in it, breaks
something (a damaged file, a full disk, a second process …) and runs the real command line as
a child process, the way a clerk or IT would. It answers with a :class:`FaultOutcome`:

- ``survived``: the program did what it must (a clear message, a non-crashing exit, the data
  that could be kept was kept);
- ``lost_items``: how many items the user had before that are gone afterwards (0 is the goal);
- ``traceback``: a Python traceback reached the user (stderr/stdout) — never acceptable;
- ``detail``: one line for the report.

Case modules (``fault_cases_data.py``, ``fault_cases_config.py``) export ``CASES: list[FaultCase]``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class FaultOutcome:
    survived: bool
    lost_items: int = 0
    traceback: bool = False
    detail: str = ""
    skipped: bool = False  # the fault cannot be made on this machine (not counted as tried)


@dataclass
class FaultCase:
    name: str
    run: Callable[[Path], FaultOutcome]


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str
    seconds: float = 0.0
    argv: list[str] = field(default_factory=list)

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.stderr or "Traceback" in self.stdout

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def folders(base: Path) -> dict[str, Path]:
    """config/, data/, policy/ under ``base`` (created)."""
    dirs = {name: base / name for name in ("config", "data", "policy")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    return dirs


def cli_env(base: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a CLI child: its own folders under ``base``, no network, German."""
    dirs = folders(base)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMOIN_")}
    env.update(
        LLMOIN_CONFIG_DIR=str(dirs["config"]),
        LLMOIN_DATA_DIR=str(dirs["data"]),
        LLMOIN_POLICY_DIR=str(dirs["policy"]),
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    env.update(extra or {})
    return env


def run_cli(
    base: Path,
    args: Sequence[str],
    *,
    timeout: float = 300,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> CliResult:
    """``python -m llmoin_desktop ARGS`` with the folders under ``base``; never raises on a
    non-zero exit (a timeout becomes returncode -9 and a note in stderr)."""
    import time

    argv = [sys.executable, "-m", "llmoin_desktop", *args]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            argv,
            cwd=ROOT,
            env=cli_env(base, env),
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - t0, argv)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else ""
        err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else ""
        return CliResult(-9, out, err + f"\n[timeout after {timeout:.0f} s]", timeout, argv)


def start_cli(
    base: Path, args: Sequence[str], env: dict[str, str] | None = None
) -> subprocess.Popen:
    """The CLI as a running child (for kill -9, Ctrl+C and two-process cases)."""
    return subprocess.Popen(
        [sys.executable, "-m", "llmoin_desktop", *args],
        cwd=ROOT,
        env=cli_env(base, env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    )


def outcome(result: CliResult, ok: bool, detail: str, lost_items: int = 0) -> FaultOutcome:
    """A FaultOutcome from one CLI run: survived = ok and no traceback."""
    tb = result.traceback
    return FaultOutcome(ok and not tb, lost_items, tb, detail)


def run_py(base: Path, code: str, *args: str, timeout: float = 300) -> CliResult:
    """A short Python snippet in a child with the same folders as :func:`run_cli`."""
    import time

    argv = [sys.executable, "-c", code, *args]
    t0 = time.perf_counter()
    proc = subprocess.run(
        argv,
        cwd=ROOT,
        env=cli_env(base),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - t0, argv)
