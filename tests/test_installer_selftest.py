"""``llmoin-desktop --self-test`` from a normal install: what IT runs after a silent install.

(The slow bundle test runs the same on the frozen build.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "llmoin_desktop", "--self-test", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=cwd,
    )


@pytest.mark.model
def test_self_test_runs_a_guided_task_and_reports_timings(
    tmp_path: Path, demo_model_path: Path, isolated_dirs: dict[str, Path]
) -> None:
    run = _run(["--model", str(demo_model_path), "--max-tokens", "8"], tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    lines = run.stdout.splitlines()
    assert sum(line.startswith("  OK ") for line in lines) == 4, run.stdout
    summary = lines[-1]
    assert summary.startswith("SELFTEST ok=1 ")
    figures = dict(part.split("=", 1) for part in summary.split()[1:])
    assert 0 < float(figures["window_s"]) < float(figures["total_s"])
    assert float(figures["load_s"]) > 0 and float(figures["task_s"]) > 0
    assert figures["model"] == demo_model_path.name
    # The user's real folders were not used: the run had its own temporary ones.
    assert not any(isolated_dirs["data"].iterdir())
    assert not any(isolated_dirs["config"].iterdir())


def test_self_test_with_a_missing_model_fails_with_a_clear_message(tmp_path: Path) -> None:
    run = _run(["--model", str(tmp_path / "nicht-da.gguf")], tmp_path)
    assert run.returncode == 1
    assert "Selbsttest FEHLGESCHLAGEN" in run.stdout and "nicht-da.gguf" in run.stdout
    assert run.stdout.splitlines()[-1].startswith("SELFTEST ok=0")
    assert "Traceback" not in run.stdout + run.stderr
