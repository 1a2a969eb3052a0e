"""One writer per library across real processes; readers keep working; kill -9 frees the lock;
two processes repairing at once leave one vector folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from llmoin_desktop.core.library import INDEXED, Library
from llmoin_desktop.core.library.library_lock import LibraryLock

ROOT = Path(__file__).resolve().parents[1]

HOLDER = """
import sys, time
from pathlib import Path
from llmoin_desktop.core.library.library_lock import LibraryLock
lock = LibraryLock(Path(sys.argv[1]))
lock.acquire(5)
print("LOCKED", flush=True)
sys.stdin.readline()
lock.release()
"""


def _holder(folder: Path) -> subprocess.Popen:
    folder.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "LOCKED"
    return proc


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "llmoin_desktop", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _docs(folder: Path, n: int = 2) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"d{i}.txt").write_text(f"Vermerk {i}: Frist bis zum {i + 1}. März.\n", "utf-8")
    return folder


def test_lock_is_exclusive_between_processes_and_reports_the_holder(tmp_path: Path) -> None:
    holder = _holder(tmp_path)
    try:
        mine = LibraryLock(tmp_path)
        assert not mine.try_acquire()
        assert f"Prozess {holder.pid}" in mine.holder()
    finally:
        holder.communicate("\n", timeout=10)
    assert mine.try_acquire()
    mine.release()


def test_second_index_waits_for_the_first_and_then_runs(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    docs = _docs(tmp_path / "docs")
    holder = _holder(folder)
    proc = _cli("index", str(docs), "--library", str(folder))
    lines: list[str] = []
    reader_thread = threading.Thread(
        target=lambda: lines.extend(iter(proc.stderr.readline, "")),
        daemon=True,  # type: ignore[union-attr]
    )
    reader_thread.start()
    try:
        # while the other "program" writes: the CLI says why it waits, and waits
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if any("anderen Programm aktualisiert" in line for line in lines):
                break
            time.sleep(0.2)
        assert any("anderen Programm aktualisiert" in line for line in lines), lines
        assert f"Prozess {holder.pid}" in "".join(lines)
        with Library(folder, embedder=None) as reader:  # a reader is not blocked
            assert all(d.status != INDEXED for d in reader.documents())
        time.sleep(1)
        assert proc.poll() is None  # still waiting
    finally:
        holder.communicate("\n", timeout=10)
    proc.wait(timeout=180)
    reader_thread.join(timeout=10)
    assert proc.returncode == 0, lines
    assert not any("Traceback" in line for line in lines)
    with Library(folder, embedder=None) as lib:
        assert {d.status for d in lib.documents()} == {INDEXED}


def test_kill_9_of_the_writer_frees_the_lock(tmp_path: Path) -> None:
    holder = _holder(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    lock = LibraryLock(tmp_path)
    lock.acquire(5)  # the OS dropped it: no stale lock to clean up
    lock.release()


def test_two_processes_repairing_at_once_leave_one_vector_folder(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    docs = _docs(tmp_path / "docs", 3)
    with Library.open(folder) as lib:
        lib.add([docs])
        lib.index_pending()
        current = lib.store.get_meta("vectors_dir") or "vectors"
    (folder / current / "chroma.sqlite3").write_bytes(b"kaputt" * 1000)
    procs = [_cli("library", "--library", str(folder)) for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert "Traceback" not in err
    with Library.open(folder) as lib:
        assert lib.wait_repair(120)  # the repair resumes in the background where they stopped
        assert lib.vectors is not None and lib.vectors.count() == len(lib.store.chunk_ids())
        names = sorted(p.name for p in folder.iterdir() if p.is_dir())
    assert len([n for n in names if n.startswith("vectors")]) == 1, names


def test_gui_indexing_waits_for_another_program_and_says_so(
    qtbot,
    tmp_path: Path,
    monkeypatch,  # noqa: ANN001
) -> None:
    from PySide6.QtCore import Qt
    from ui_helpers import make_window

    from llmoin_desktop.core.tasks.library_task import close_all_libraries, open_library

    folder = tmp_path / "bibliothek"
    monkeypatch.setenv("LLMOIN_LIBRARY_DIR", str(folder))
    open_library(folder, embedder=None)
    docs = _docs(tmp_path / "Ablage", 2)
    holder = _holder(folder)  # e.g. the nightly `index` of IT
    try:
        window, _backend, _infos = make_window(qtbot, tmp_path)
        qtbot.mouseClick(window.library_button, Qt.MouseButton.LeftButton)
        page, controller = window.library.page, window.library.controller
        texts: list[str] = []
        original = page.show_progress
        page.show_progress = lambda s, t, text: (texts.append(text), original(s, t, text))
        with qtbot.waitSignal(controller.index_finished, timeout=120_000) as blocker:
            assert controller.add_paths([str(docs)])
            qtbot.waitUntil(
                lambda: any("anderen Programm aktualisiert" in t for t in texts), timeout=60_000
            )
            assert controller.busy  # waiting, not failed
            holder.communicate("\n", timeout=10)
        report = blocker.args[0]
        assert report is not None and report.count("indexed") == 2
    finally:
        if holder.poll() is None:
            holder.communicate("\n", timeout=10)
        close_all_libraries()
