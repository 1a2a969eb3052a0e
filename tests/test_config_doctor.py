"""``doctor`` finds unwritable folders and broken configuration; CLI messages, no tracebacks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from llmoin_desktop.core.storage.folder_checks import check_writable

ROOT = Path(__file__).resolve().parents[1]


def test_write_check_by_writing(tmp_path: Path) -> None:
    assert check_writable("Daten", tmp_path).ok
    assert check_writable("Daten", tmp_path / "neu" / "tief").ok  # creatable later
    blocker = tmp_path / "datei"
    blocker.write_text("x", encoding="utf-8")
    check = check_writable("Daten", blocker / "unter")
    assert not check.ok and "Datei" in check.problem
    assert not list(tmp_path.glob(".llmoin-write-check-*"))


def test_doctor_fails_with_problem_list(
    isolated_dirs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from llmoin_desktop.cli.base import main

    blocker = tmp_path / "keine-ordner"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("LLMOIN_DATA_DIR", str(blocker / "daten"))
    (isolated_dirs["policy"] / "policy.toml").write_text("free_chat = nein\n", encoding="utf-8")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "Richtlinie: FEHLERHAFT" in out
    tail = out.split("Gefundene Probleme")[1]
    assert "Zeile 1" in tail and "nicht beschreibbar" in tail and "Daten" in tail


def _env(dirs: dict[str, Path]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMOIN_")}
    env.update(
        LLMOIN_CONFIG_DIR=str(dirs["config"]),
        LLMOIN_DATA_DIR=str(dirs["data"]),
        LLMOIN_POLICY_DIR=str(dirs["policy"]),
    )
    return env


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare (util-linux)")
def test_doctor_read_only_data_folder_real_mount(isolated_dirs: dict[str, Path]) -> None:
    """A real read-only mount (root ignores permission bits, a mount it cannot)."""
    data = isolated_dirs["data"]
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "mount", "--bind", "-o", "ro",
         str(data), str(data)],
        capture_output=True, text=True,
    )  # fmt: skip
    if probe.returncode != 0:
        pytest.skip("no private mount namespace here: " + probe.stderr.strip())
    command = f"mount --bind -o ro {data} {data} && exec {sys.executable} -m llmoin_desktop doctor"
    proc = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", command],
        cwd=ROOT, env=_env(isolated_dirs), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "schreibgeschützt" in proc.stdout and "Traceback" not in proc.stderr


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux)")
def test_chat_model_in_unreadable_folder(isolated_dirs: dict[str, Path], tmp_path: Path) -> None:
    secret = tmp_path / "gesperrt"
    secret.mkdir()
    (secret / "modell.gguf").write_bytes(b"GGUF")
    os.chmod(secret, 0)
    try:  # as root, drop the permission override so the folder is really unreadable
        proc = subprocess.run(
            ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", sys.executable,
             "-m", "llmoin_desktop", "chat", "Hallo", "--model", str(secret / "modell.gguf")],
            cwd=ROOT, env=_env(isolated_dirs), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    finally:
        os.chmod(secret, 0o755)
    assert proc.returncode == 1, proc.stderr
    assert "kann nicht gelesen werden" in proc.stderr and "Traceback" not in proc.stderr


def test_chat_model_permission_error_in_process(
    isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from llmoin_desktop.cli.base import main

    real_exists = Path.exists

    def exists(self: Path, *args: object, **kwargs: object) -> bool:
        if self.name == "gesperrt.gguf":
            raise PermissionError(13, "Permission denied", str(self))
        return real_exists(self, *args, **kwargs)

    monkeypatch.setattr(Path, "exists", exists)
    assert main(["chat", "Hallo", "--model", "/srv/zu/gesperrt.gguf"]) == 1
    err = capsys.readouterr().err
    assert "kann nicht gelesen werden" in err and "Permission denied" in err
