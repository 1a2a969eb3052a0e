"""The PyInstaller one-folder bundle builds, and the frozen app passes its own --self-test.

Slow (about a minute to build on two cores, plus the self-test): it freezes the current
environment with installers/build.py, then starts the bundle offscreen with ``--self-test``,
which opens the main window, loads the demo model, parses a Word file in the sandboxed
document worker (the frozen ``--document-worker`` path) and runs "Zusammenfassen".
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.model
def test_bundle_builds_and_passes_self_test(
    tmp_path: Path, demo_model_path: Path, isolated_dirs: dict[str, Path]
) -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller not installed (pip install pyinstaller)")
    out = tmp_path / "build"
    build = subprocess.run(
        [sys.executable, str(ROOT / "installers" / "build.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=ROOT,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    exe = (
        out
        / "dist"
        / "llmoin-desktop"
        / ("llmoin-desktop.exe" if sys.platform == "win32" else "llmoin-desktop")
    )
    assert exe.is_file()
    assert list((exe.parent / "_internal" / "llama_cpp" / "lib").glob("*llama*")), "llama.cpp libs"
    assert (exe.parent / "_internal" / "resources" / "tasks" / "zusammenfassen.toml").is_file()
    assert not list(exe.parent.rglob("*.gguf")), "models are not bundled by default"
    for lang in ("deu", "eng", "osd"):  # text recognition data travels with the engine
        assert (exe.parent / "_internal" / "tessdata" / f"{lang}.traineddata").is_file(), lang

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)
    run = subprocess.run(
        [str(exe), "--self-test", "--model", str(demo_model_path), "--max-tokens", "16"],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=tmp_path,  # not the checkout: the bundle must not need the sources
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    assert "SELFTEST ok=1" in run.stdout, output[-4000:]
    assert "schnelle Token-Auswahl" in run.stdout, output[-4000:]  # _topk was bundled
    assert "--document-worker" not in run.stderr  # the worker started without complaint
    assert "Traceback" not in output

    # Text recognition works inside the bundle (engine, language data, document worker).
    fax = ROOT.parent / "shared" / "corpus" / "scans" / "bmg-fax.tiff"
    scan = subprocess.run(
        [str(exe), "read", str(fax)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,
    )
    assert scan.returncode == 0, scan.stdout[-2000:] + scan.stderr[-2000:]
    assert "[Texterkennung]" in scan.stdout and "Bearbeitungsmerkmal" in scan.stdout

    # A failing self-test says why and exits 1 (not a traceback, not 0).
    bad = subprocess.run(
        [str(exe), "--self-test", "--model", str(tmp_path / "fehlt.gguf")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,
    )
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "fehlt.gguf" in bad.stdout and "SELFTEST ok=0" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr
