"""The library's command line under faults, as real processes: Ctrl+C while a large file is
read, `library --remove` on a repaired database, a Latin-1 file name in the folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "llmoin_desktop", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _docs(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        text = "\n\n".join(f"§ {k} Vorgang {i}-{k}. " + "Behördentext. " * 80 for k in range(8))
        (folder / f"dok{i}.md").write_text(text, "utf-8")
    return folder


def test_ctrl_c_while_a_large_file_is_read_exits_130_at_once(tmp_path: Path) -> None:
    big = tmp_path / "gross.txt"
    para = ("Die Behörde prüft den Antrag nach § 35 VwVfG. " * 12 + "\n\n").encode()
    big.write_bytes(para * (20 * 2**20 // len(para)))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llmoin_desktop",
            "index",
            str(big),
            "--library",
            str(tmp_path / "l"),
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # wait until it is reading the file
        if "Dokumente werden gelesen" in line:
            break
    time.sleep(1.0)
    t0 = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    err = proc.stderr.read()
    proc.wait(timeout=30)
    took = time.perf_counter() - t0
    assert proc.returncode == 130, err
    assert "unbekannt" not in err and "Traceback" not in err
    assert took < 2.0, took  # ~0.1 s measured; CI machines are slower


def test_remove_after_page_damage_gives_no_traceback(tmp_path: Path) -> None:
    docs = _docs(tmp_path / "docs", 4)
    lib = tmp_path / "lib"
    assert _cli("index", str(docs), "--library", str(lib), "--quiet").returncode == 0
    db = lib / "library.sqlite3"
    data = bytearray(db.read_bytes())
    page = data.index(b"Vorgang 2-3") // 4096
    data[page * 4096 : (page + 1) * 4096] = b"\x5a" * 4096
    db.write_bytes(bytes(data))
    res = _cli("library", "--library", str(lib), "--remove", str(docs / "dok1.md"))
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr and "FOREIGN KEY" not in res.stderr
    assert "wiederhergestellt" in res.stderr and "Entfernt" in res.stderr
    res = _cli("index", str(docs), "--library", str(lib), "--quiet")
    assert res.returncode == 0, res.stderr
    assert "wartet" not in res.stdout


def test_latin1_file_name_is_listed_and_the_rest_indexed(tmp_path: Path) -> None:
    if os.name == "nt":
        pytest.skip("Windows file names are always Unicode")
    docs = _docs(tmp_path / "docs", 2)
    try:
        with open(os.path.join(os.fsencode(docs), b"Geb\xfchren.txt"), "wb") as fh:
            fh.write("Gebührensatzung.\n".encode())
    except OSError:
        pytest.skip("this file system refuses non-UTF-8 names")
    res = _cli("index", str(docs), "--library", str(tmp_path / "lib"))
    assert res.returncode == 3, res.stderr  # 3: some files need attention
    assert "Geb?hren.txt" in res.stdout and "umbenennen" in res.stdout
    assert res.stdout.count("eingelesen") >= 2 and "Traceback" not in res.stderr
