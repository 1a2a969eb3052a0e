"""Fault cases for the data side (issue 14): history, library, full disk, odd names, two
processes, Ctrl+C. Each case makes the fault for real and runs the real CLI (see
``fault_cases_common.py``); ``lost_items`` counts what the user had and no longer has
(readable history entries, indexed documents), beyond what the damage itself destroyed.

Disk full: a small tmpfs is mounted when this process may mount (root, Linux); otherwise the
case runs the CLI through ``bench/fault_inject.py``, which makes the library's SQLite write
fail with SQLITE_FULL after N documents — the same error the real disk gives.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from fault_cases_common import (
    ROOT,
    FaultCase,
    FaultOutcome,
    cli_env,
    folders,
    outcome,
    run_cli,
    run_py,
    start_cli,
)

PAGE = 4096


# Helpers -----------------------------------------------------------------------------------
def make_docs(folder: Path, n: int = 6, prefix: str = "dok") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = "\n\n".join(
            f"§ {k} Regelung {prefix.upper()}{i:02d}-P{k:02d}. "
            + f"Behördentext zu Vorgang {i} und {k}. " * 30
            for k in range(1, 8)
        )
        (folder / f"{prefix}{i:02d}.md").write_text(f"# Dokument {i}\n\n{body}\n", "utf-8")
    return folder


def damage_page_with(path: Path, marker: bytes) -> None:
    data = bytearray(path.read_bytes())
    page = data.index(marker) // PAGE
    data[page * PAGE : (page + 1) * PAGE] = b"\x5a" * PAGE
    path.write_bytes(bytes(data))


def statuses(lib: Path) -> dict[str, str]:
    """path → status, read straight from SQLite (no repair on the way)."""
    con = sqlite3.connect(f"file:{lib / 'library.sqlite3'}?mode=ro", uri=True)
    try:
        return {Path(p).name: s for p, s in con.execute("SELECT path, status FROM documents")}
    finally:
        con.close()


PROBE = """
import json, sys
from llmoin_desktop.core.library import Library
lib = Library.open(sys.argv[1])
lib.wait_repair(600)  # a damaged index is re-embedded in the background (issue 22)
vec = lib.vectors.count() if lib.vectors is not None else -1
print(json.dumps({"vectors": vec, "chunks": len(lib.store.chunk_ids()), "notices": lib.notices,
    "status": {d.path.rsplit('/', 1)[-1]: d.status for d in lib.documents()},
    "vectors_dir": lib.store.get_meta("vectors_dir") or "vectors"}))
lib.close()
"""


def probe(base: Path, lib: Path) -> dict:
    res = run_py(base, PROBE, str(lib))
    try:
        return json.loads(res.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": res.stderr[-500:]}


def indexed_count(state: dict) -> int:
    return sum(1 for s in state.get("status", {}).values() if s == "indexed")


def summarize_args(doc: Path, out: Path) -> list[str]:
    return ["summarize", str(doc), "--export", str(out), "--max-tokens", "16", "--quiet"]


def small_doc(base: Path) -> Path:
    doc = base / "brief.txt"
    doc.write_text("Sehr geehrte Damen und Herren, die Frist endet am 3. März.\n", "utf-8")
    return doc


def fill_history(path: Path, n: int = 200) -> None:
    sys.path.insert(0, str(ROOT))
    from llmoin_desktop.core.history import HistoryStore
    from llmoin_desktop.core.tasks.runner import TaskResult

    store = HistoryStore(path)
    for i in range(n):
        store.add(
            TaskResult(
                task_id="zusammenfassen",
                values={},
                answer=f"ENTRY-{i:04d} " + "Verwaltungstext " * 55,
                output_kind="prose",
                sources=[],
                coverage="",
                messages=[],
            ),
            title="Zusammenfassen",
        )


def readable_rows(path: Path) -> int:
    sys.path.insert(0, str(ROOT))
    from llmoin_desktop.core.storage.sqlite_salvage import read_readable

    return len(read_readable(path, ["history"]).rows.get("history", []))


def history_count(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute("SELECT COUNT(*) FROM history").fetchone()[0])
    finally:
        con.close()


# History -----------------------------------------------------------------------------------
def history_page_damage(base: Path) -> FaultOutcome:
    data = folders(base)["data"]
    hist = data / "history.sqlite3"
    fill_history(hist)
    damage_page_with(hist, b"ENTRY-0100")
    readable = readable_rows(hist)
    out = base / "ergebnis.docx"
    res = run_cli(base, summarize_args(small_doc(base), out))
    kept = history_count(hist) - 1  # minus the new entry
    lost = max(0, readable - kept)
    moved = list(data.glob("history.sqlite3.damaged-*"))
    ok = res.returncode == 0 and out.exists() and bool(moved) and "gerettet" in res.stderr
    return outcome(res, ok, f"rc={res.returncode} kept={kept}/200 readable={readable}", lost)


def history_unopenable_export(base: Path) -> FaultOutcome:
    data = folders(base)["data"]
    (data / "history.sqlite3").mkdir()  # cannot be opened as a file
    out = base / "ergebnis.docx"
    res = run_cli(base, summarize_args(small_doc(base), out))
    ok = res.returncode == 0 and out.exists() and "nicht im Verlauf gespeichert" in res.stderr
    return outcome(res, ok, f"rc={res.returncode} docx={out.exists()}", 0 if out.exists() else 1)


def history_zero_byte(base: Path) -> FaultOutcome:
    data = folders(base)["data"]
    (data / "history.sqlite3").write_bytes(b"")
    out = base / "ergebnis.docx"
    res = run_cli(base, summarize_args(small_doc(base), out))
    moved = list(data.glob("history.sqlite3.damaged-*"))
    ok = res.returncode == 0 and out.exists() and bool(moved)
    return outcome(res, ok, f"rc={res.returncode} moved_aside={bool(moved)}")


# Library -----------------------------------------------------------------------------------
def _indexed_library(base: Path, n: int = 6) -> tuple[Path, Path, dict]:
    docs = make_docs(base / "docs", n)
    lib = base / "lib"
    res = run_cli(base, ["index", str(docs), "--library", str(lib), "--quiet"])
    if res.returncode != 0:
        raise RuntimeError(f"setup index failed: {res.stderr[-400:]}")
    return docs, lib, statuses(lib)


def library_page_damage(base: Path) -> FaultOutcome:
    docs, lib, before = _indexed_library(base)
    damage_page_with(lib / "library.sqlite3", b"DOK03-P04")
    res = run_cli(base, ["library", "--library", str(lib)])
    res2 = run_cli(base, ["index", str(docs), "--library", str(lib), "--quiet"])
    state = probe(base, lib)
    lost = sum(1 for _ in before) - indexed_count(state)
    consistent = state.get("vectors") == state.get("chunks")
    ok = (
        res.returncode == 0
        and "wiederhergestellt" in res.stderr
        and res2.returncode == 0
        and consistent
        and not res2.traceback
    )
    detail = f"notice={'wiederhergestellt' in res.stderr} reindex_rc={res2.returncode}"
    return FaultOutcome(ok and not res.traceback, lost, res.traceback or res2.traceback, detail)


def library_zero_byte(base: Path) -> FaultOutcome:
    docs, lib, before = _indexed_library(base, 3)
    (lib / "library.sqlite3").write_bytes(b"")
    for side in ("library.sqlite3-wal", "library.sqlite3-shm"):
        (lib / side).unlink(missing_ok=True)
    res = run_cli(base, ["library", "--library", str(lib)])
    moved = list(lib.glob("library.sqlite3.damaged-*"))
    res2 = run_cli(base, ["index", str(docs), "--library", str(lib), "--quiet"])
    lost = len(before) - indexed_count(probe(base, lib))
    ok = "0 Byte" in res.stderr and bool(moved) and res2.returncode == 0
    return FaultOutcome(
        ok and not res.traceback,
        lost,
        res.traceback or res2.traceback,
        f"notice={'0 Byte' in res.stderr} moved_aside={bool(moved)}",
    )


def library_remove_after_damage(base: Path) -> FaultOutcome:
    docs, lib, _before = _indexed_library(base)
    damage_page_with(lib / "library.sqlite3", b"DOK02-P03")
    res = run_cli(base, ["library", "--library", str(lib), "--remove", str(docs / "dok01.md")])
    ok = res.returncode == 0 and "Entfernt" in res.stderr
    return outcome(res, ok, f"rc={res.returncode}")


def library_two_writers(base: Path) -> FaultOutcome:
    a = make_docs(base / "a", 5, "aa")
    b = make_docs(base / "b", 5, "bb")
    lib = base / "lib"
    procs = [
        start_cli(base, ["index", str(a), "--library", str(lib), "--quiet"]),
        start_cli(base, ["index", str(b), "--library", str(lib), "--quiet"]),
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    tb = any("Traceback" in err for _o, err in outs)
    state = probe(base, lib)
    damaged = any("beschädigt" in n for n in state.get("notices", []))
    lost = 10 - indexed_count(state)
    ok = all(p.returncode == 0 for p in procs) and not damaged
    ok = ok and state.get("vectors") == state.get("chunks")
    waited = any("anderen Programm aktualisiert" in err for _o, err in outs)
    return FaultOutcome(ok and not tb, lost, tb, f"waited={waited} damaged_notice={damaged}")


def library_kill9_then_index(base: Path) -> FaultOutcome:
    docs = make_docs(base / "docs", 8)
    lib = base / "lib"
    proc = start_cli(base, ["index", str(docs), "--library", str(lib)])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until it is writing
        if (lib / "library.sqlite3").exists() and any(
            s == "indexed" for s in _safe_statuses(lib).values()
        ):
            break
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    t0 = time.perf_counter()
    res = run_cli(base, ["index", str(docs), "--library", str(lib), "--quiet"])
    state = probe(base, lib)
    lost = 8 - indexed_count(state)
    ok = res.returncode == 0 and "anderen Programm" not in res.stderr
    return outcome(res, ok, f"rc={res.returncode} rerun={time.perf_counter() - t0:.1f}s", lost)


def _safe_statuses(lib: Path) -> dict[str, str]:
    try:
        return statuses(lib)
    except sqlite3.Error:
        return {}


def library_two_repairers(base: Path) -> FaultOutcome:
    _docs, lib, before = _indexed_library(base, 3)
    current = probe(base, lib).get("vectors_dir", "vectors")
    (lib / current / "chroma.sqlite3").write_bytes(b"kaputt" * 1000)
    procs = [start_cli(base, ["library", "--library", str(lib)]) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    tb = any("Traceback" in err for _o, err in outs)
    state = probe(base, lib)
    folders_left = [p.name for p in lib.iterdir() if p.is_dir() and p.name.startswith("vectors")]
    ok = all(p.returncode == 0 for p in procs) and len(folders_left) == 1
    ok = ok and state.get("vectors") == state.get("chunks")
    lost = len(before) - indexed_count(state)
    return FaultOutcome(ok and not tb, lost, tb, f"vector_folders={folders_left}")


def library_latin1_name(base: Path) -> FaultOutcome:
    docs = make_docs(base / "docs", 3)
    bad = os.path.join(os.fsencode(docs), b"Stra\xdfe.txt")
    try:
        with open(bad, "wb") as fh:
            fh.write("Straßenreinigungssatzung.\n".encode())
    except OSError as exc:
        return FaultOutcome(True, 0, False, f"skipped: {exc}", skipped=True)
    lib = base / "lib"
    res = run_cli(base, ["index", str(docs), "--library", str(lib), "--quiet"])
    st = _safe_statuses(lib)
    lost = 3 - sum(1 for s in st.values() if s == "indexed")
    ok = res.returncode in (0, 3) and "umbenennen" in res.stdout + res.stderr
    return outcome(res, ok, f"rc={res.returncode} indexed={3 - lost}/3", lost)


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    if sys.platform != "linux":
        return False
    res = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
    )
    return res.returncode == 0


def _umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def library_disk_full(base: Path) -> FaultOutcome:
    small = base / "small"
    if not _mount_tmpfs(small, "40m"):
        return library_disk_full_injected(base)
    try:
        docs_a = make_docs(base / "a", 3, "aa")
        docs_b = make_docs(base / "b", 12, "bb")
        lib = small / "lib"
        res0 = run_cli(base, ["index", str(docs_a), "--library", str(lib), "--quiet"])
        if res0.returncode != 0:
            return outcome(res0, False, f"setup failed: {res0.stderr[-200:]}")
        before = probe(base, lib)
        filler = small / "filler"
        with open(filler, "wb") as fh:  # leave a few hundred KB
            try:
                while True:
                    fh.write(b"\0" * (1 << 20))
                    fh.flush()
            except OSError:
                pass
        os.truncate(filler, max(0, filler.stat().st_size - 300 * 1024))
        res = run_cli(base, ["index", str(docs_b), "--library", str(lib), "--quiet"], timeout=120)
        clear = "Festplatte" in res.stderr
        still_full = run_cli(base, ["library", "--library", str(lib)])
        filler.unlink()
        after = probe(base, lib)
        damaged = any("beschädigt" in n for n in after.get("notices", [])) or (
            "beschädigt" in still_full.stderr
        )
        kept_dir = after.get("vectors_dir") == before.get("vectors_dir")
        lost = indexed_count(before) - sum(
            1 for n, s in after.get("status", {}).items() if s == "indexed" and n.startswith("aa")
        )
        res2 = run_cli(base, ["index", str(docs_b), "--library", str(lib), "--quiet"])
        for name, r in (("full", res), ("still_full", still_full), ("freed", res2)):
            (base / f"stderr-{name}.txt").write_text(r.stderr, "utf-8")  # kept with --keep
        ok = clear and not damaged and kept_dir and res2.returncode == 0
        tb = res.traceback or still_full.traceback or res2.traceback
        return FaultOutcome(
            ok and not tb,
            max(0, lost),
            tb,
            f"tmpfs rc={res.returncode} message={clear} damaged_notice={damaged} "
            f"vectors_kept={kept_dir}",
        )
    finally:
        _umount(small)


def library_disk_full_injected(base: Path) -> FaultOutcome:
    """No mount possible: the CLI runs with SQLite writes failing as SQLITE_FULL."""
    docs = make_docs(base / "docs", 5)
    lib = base / "lib"
    argv = [sys.executable, str(ROOT / "bench" / "fault_inject.py"), "--enospc-after", "2", "--"]
    argv += ["index", str(docs), "--library", str(lib), "--quiet"]
    proc = subprocess.run(argv, cwd=ROOT, env=cli_env(base), capture_output=True, text=True)
    tb = "Traceback" in proc.stderr
    state = probe(base, lib)
    damaged = any("beschädigt" in n for n in state.get("notices", []))
    res2 = run_cli(base, ["index", str(docs), "--library", str(lib), "--quiet"])
    lost = 5 - indexed_count(probe(base, lib))
    ok = "Festplatte" in proc.stderr and not damaged and res2.returncode == 0
    return FaultOutcome(
        ok and not tb,
        lost,
        tb or res2.traceback,
        f"injected rc={proc.returncode} damaged_notice={damaged}",
    )


def library_read_only(base: Path) -> FaultOutcome:
    _docs, lib, before = _indexed_library(base, 2)
    ro = base / "ro"
    ro.mkdir()
    bind = subprocess.run(["mount", "--bind", str(lib), str(ro)], capture_output=True)
    if bind.returncode != 0:
        return FaultOutcome(True, 0, False, "skipped: cannot bind-mount", skipped=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(ro)], capture_output=True)
        more = make_docs(base / "more", 1, "mm")
        res = run_cli(base, ["index", str(more), "--library", str(ro), "--quiet"])
        ok = res.returncode == 1 and "schreibgeschützt" in res.stderr
        return outcome(
            res, ok, f"rc={res.returncode} cause_named={'schreibgeschützt' in res.stderr}"
        )
    finally:
        subprocess.run(["umount", "-l", str(ro)], capture_output=True)


def _ctrl_c(base: Path, args: list[str]) -> FaultOutcome:
    proc = start_cli(base, args)
    time.sleep(float(os.environ.get("FAULT_CTRL_C_AFTER", "6")))
    t0 = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    try:
        _out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
    took = time.perf_counter() - t0
    tb = "Traceback" in err
    ok = proc.returncode == 130 and took < 1.0 and "unbekannt" not in err
    return FaultOutcome(ok and not tb, 0, tb, f"rc={proc.returncode} exit_after={took:.2f}s")


def big_text(base: Path, mb: int = 20) -> Path:
    path = base / "gross.txt"
    para = ("Die Behörde prüft den Antrag nach § 35 VwVfG und entscheidet. " * 12 + "\n\n").encode()
    with open(path, "wb") as fh:
        for _ in range(mb * 2**20 // len(para)):
            fh.write(para)
    return path


def ctrl_c_summarize_large_file(base: Path) -> FaultOutcome:
    return _ctrl_c(base, ["summarize", str(big_text(base)), "--quiet"])


def ctrl_c_index_large_file(base: Path) -> FaultOutcome:
    return _ctrl_c(base, ["index", str(big_text(base)), "--library", str(base / "lib")])


def library_big_document(base: Path) -> FaultOutcome:
    """A 20 MB text (~17,000 chunks, over chromadb's 5,461 per write). ~12 min on 2 busy
    cores, so only with FAULTS_BIG=1."""
    if os.environ.get("FAULTS_BIG") != "1":
        return FaultOutcome(True, 0, False, "skipped: set FAULTS_BIG=1 (about 12 min)", True)
    lib = base / "lib"
    res = run_cli(
        base, ["index", str(big_text(base)), "--library", str(lib), "--quiet"], timeout=3600
    )
    state = probe(base, lib)
    rebuilt = any("beschädigt" in n for n in state.get("notices", []))
    ok = res.returncode == 0 and state.get("vectors") == state.get("chunks") and not rebuilt
    lost = 1 - indexed_count(state)
    return outcome(res, ok, f"chunks={state.get('chunks')} vectors={state.get('vectors')}", lost)


CASES = [
    FaultCase("history_page_damage", history_page_damage),
    FaultCase("history_unopenable_export", history_unopenable_export),
    FaultCase("history_zero_byte", history_zero_byte),
    FaultCase("library_page_damage", library_page_damage),
    FaultCase("library_zero_byte", library_zero_byte),
    FaultCase("library_remove_after_damage", library_remove_after_damage),
    FaultCase("library_two_writers", library_two_writers),
    FaultCase("library_kill9_then_index", library_kill9_then_index),
    FaultCase("library_two_repairers", library_two_repairers),
    FaultCase("library_latin1_name", library_latin1_name),
    FaultCase("library_disk_full", library_disk_full),
    FaultCase("library_read_only", library_read_only),
    FaultCase("ctrl_c_summarize_large_file", ctrl_c_summarize_large_file),
    FaultCase("ctrl_c_index_large_file", ctrl_c_index_large_file),
    FaultCase("library_big_document", library_big_document),
]
