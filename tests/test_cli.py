"""The CLI on the real demo model, run as a user would run it (a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(
    *args: str, env_dirs: dict[str, Path], timeout: int = 180
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(
        {
            "LLMOIN_CONFIG_DIR": str(env_dirs["config"]),
            "LLMOIN_DATA_DIR": str(env_dirs["data"]),
            "LLMOIN_POLICY_DIR": str(env_dirs["policy"]),
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "llmoin_desktop", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_models_lists_demo(isolated_dirs: dict[str, Path], demo_model_path: Path) -> None:
    out = run_cli("models", env_dirs=isolated_dirs)
    assert out.returncode == 0, out.stderr
    assert "SmolLM2" in out.stdout and "Q4_1" in out.stdout and "8192" in out.stdout


@pytest.mark.model
def test_chat_streams_answer(isolated_dirs: dict[str, Path], demo_model_path: Path) -> None:
    out = run_cli("chat", "Sag Hallo.", "--max-tokens", "12", "--stats", env_dirs=isolated_dirs)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip()
    assert "Token/s" in out.stderr
    assert "Traceback" not in out.stderr


def test_missing_model_is_a_clear_error(isolated_dirs: dict[str, Path], tmp_path: Path) -> None:
    out = run_cli("chat", "Hallo", "--model", str(tmp_path / "weg.gguf"), env_dirs=isolated_dirs)
    assert out.returncode == 1
    assert "nicht gefunden" in out.stderr
    assert "Traceback" not in out.stderr


def test_corrupt_model_is_a_clear_error(isolated_dirs: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "kaputt.gguf"
    bad.write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 40)
    out = run_cli("chat", "Hallo", "--model", str(bad), env_dirs=isolated_dirs)
    assert out.returncode == 1
    assert "beschädigt" in out.stderr or "unvollständig" in out.stderr
    assert "Traceback" not in out.stderr


def test_doctor_reports_build_and_paths(
    isolated_dirs: dict[str, Path], demo_model_path: Path
) -> None:
    out = run_cli("doctor", env_dirs=isolated_dirs)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "llama-cpp-python" in out.stdout
    assert "Beschleuniger: CPU" in out.stdout
    assert str(isolated_dirs["data"]) in out.stdout
    assert "SmolLM2" in out.stdout


def test_english_output(isolated_dirs: dict[str, Path]) -> None:
    out = run_cli(
        "--lang", "en", "chat", "Hi", "--model", "/nonexistent/x.gguf", env_dirs=isolated_dirs
    )
    assert out.returncode == 1
    assert "not found" in out.stderr


def test_no_command_prints_help_for_unknown(isolated_dirs: dict[str, Path]) -> None:
    out = run_cli("gibtsnicht", env_dirs=isolated_dirs)
    assert out.returncode == 2
