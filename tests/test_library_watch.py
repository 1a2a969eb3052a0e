"""Watched folders (issue 11 part 5) with the real OS watcher (watchdog), the real sandboxed
parser and a real library: add, change, unchanged save, rename, delete, a folder that goes
offline and comes back, and the start-up scan for what changed while the app was closed."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from llmoin_desktop.core.library import Library
from llmoin_desktop.core.library import watch as W

TIMEOUT_S = 30.0


def wait_for(check: Callable[[], bool], timeout: float = TIMEOUT_S) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _record(lib: Library, path: Path):  # noqa: ANN202
    with lib._lock:
        return lib.store.document(os.path.realpath(path))


def _indexed_at(lib: Library, path: Path) -> float | None:
    """When the file was last read (a rename or an unchanged save must not change it)."""
    with lib._lock:
        row = lib.store.conn.execute(
            "SELECT indexed_at FROM documents WHERE path=?", (os.path.realpath(path),)
        ).fetchone()
    return row[0] if row else None


def _indexed(lib: Library, path: Path, needle: str = "") -> bool:
    rec = _record(lib, path)
    if rec is None or rec.status != "indexed":
        return False
    if not needle:
        return True
    with lib._lock:
        return any(needle in h.text for h in lib.search(needle, k=5))


@pytest.fixture
def setup(tmp_path: Path):  # noqa: ANN201
    folder = tmp_path / "ablage"
    folder.mkdir()
    _write(
        folder / "vermerk.txt",
        "Vermerk zur Baustelle Hafenstraße. Die Sperrung dauert drei Wochen.",
    )
    lib = Library(tmp_path / "lib", embedder=None)
    lib.index_job([folder]).run()
    W.add_folders(lib.folder, [folder])
    watcher = W.FolderWatcher(lib, debounce_s=0.3, poll_s=0.3)
    watcher.start(scan=False)  # just indexed; the start-up scan has its own test
    yield lib, folder, watcher
    watcher.stop()
    lib.close()


def test_add_change_unchanged_rename_delete(setup) -> None:  # noqa: ANN001
    lib, folder, watcher = setup
    new = folder / "unter" / "antrag.md"
    new.parent.mkdir()
    _write(new, "# Antrag\n\nAntrag auf Sondernutzung für einen Marktstand am Rathausplatz.")
    wait_for(lambda: _indexed(lib, new, "Marktstand"))

    _write(new, "# Antrag\n\nAntrag auf Sondernutzung für ein Straßenfest im Juli.")
    wait_for(lambda: _indexed(lib, new, "Straßenfest"))
    assert not any("Marktstand" in h.text for h in lib.search("Marktstand", k=5))

    before = _record(lib, new)
    read_at = _indexed_at(lib, new)
    assert before is not None and read_at
    indexed_before = watcher.stats.indexed
    _write(new, new.read_text(encoding="utf-8"))  # saved again, same content
    time.sleep(1.5)
    assert _indexed_at(lib, new) == read_at
    assert watcher.stats.indexed == indexed_before  # nothing was read again

    renamed = folder / "antrag-strassenfest.md"
    new.rename(renamed)
    wait_for(lambda: _record(lib, renamed) is not None and _record(lib, new) is None)
    moved = _record(lib, renamed)
    assert moved.id == before.id and _indexed_at(lib, renamed) == read_at  # kept, not re-read
    assert watcher.stats.renamed >= 1

    renamed.unlink()
    wait_for(lambda: _record(lib, renamed) is None)
    assert not any("Straßenfest" in h.text for h in lib.search("Straßenfest", k=5))
    assert _indexed(lib, folder / "vermerk.txt")


def test_offline_folder_keeps_its_documents_and_comes_back(setup, tmp_path: Path) -> None:  # noqa: ANN001
    lib, folder, watcher = setup
    away = tmp_path / "share-unmounted"
    folder.rename(away)  # what an unmounted network share looks like to us
    wait_for(lambda: not watcher.is_online(str(folder)))
    time.sleep(1.0)
    assert _indexed(lib, folder / "vermerk.txt", "Hafenstraße")  # not emptied
    rows = W.watched_folders(lib.folder)
    assert rows[0].online is False
    # "Neu einlesen" while offline must not empty it either.
    W.rescan_folders(lib, rows)
    assert _indexed(lib, folder / "vermerk.txt")

    _write(away / "neu.txt", "Protokoll der Sitzung des Bauausschusses vom Montag.")
    away.rename(folder)  # back online: the start-up scan finds what changed meanwhile
    wait_for(lambda: _indexed(lib, folder / "neu.txt", "Bauausschusses"))
    assert watcher.is_online(str(folder))


def test_startup_scan_finds_changes_made_while_closed(tmp_path: Path) -> None:
    folder = tmp_path / "ablage"
    folder.mkdir()
    _write(folder / "a.txt", "Erstes Dokument über Wohngeld und Mietzuschuss.")
    _write(folder / "b.txt", "Zweites Dokument über die Hundesteuer.")
    _write(folder / "c.txt", "Drittes Dokument über Parkausweise für Anwohner.")
    with Library(tmp_path / "lib", embedder=None) as lib:
        lib.index_job([folder]).run()
        W.add_folders(lib.folder, [folder])
        kept = _record(lib, folder / "a.txt")
        kept_at = _indexed_at(lib, folder / "a.txt")
    # The app is closed: a file renamed, one deleted, one changed, one new.
    (folder / "a.txt").rename(folder / "wohngeld.txt")
    (folder / "b.txt").unlink()
    _write(folder / "c.txt", "Drittes Dokument über Bewohnerparkausweise, neue Gebühren.")
    _write(folder / "d.txt", "Viertes Dokument über Sperrmüll.")
    with Library(tmp_path / "lib", embedder=None) as lib:
        watcher = W.FolderWatcher(lib, debounce_s=0.3, poll_s=0.3)
        watcher.start()
        try:
            wait_for(lambda: _indexed(lib, folder / "d.txt"))
            wait_for(lambda: _indexed(lib, folder / "c.txt", "Bewohnerparkausweise"))
        finally:
            watcher.stop()
        moved = _record(lib, folder / "wohngeld.txt")
        assert moved is not None and moved.id == kept.id
        assert _indexed_at(lib, folder / "wohngeld.txt") == kept_at
        assert _record(lib, folder / "b.txt") is None
        assert sorted(Path(p).name for p in watcher.stats.indexed_paths) == ["c.txt", "d.txt"]


def test_watch_switched_off_and_policy_folders(tmp_path: Path) -> None:
    mine, dept = tmp_path / "meins", tmp_path / "abteilung"
    mine.mkdir()
    dept.mkdir()
    libdir = tmp_path / "lib"
    libdir.mkdir()
    W.add_folders(libdir, [mine])
    W.set_watch(libdir, mine, False)
    rows = W.watched_folders(libdir, policy=[str(dept)])
    assert [(Path(r.path).name, r.watch, r.policy) for r in rows] == [
        ("abteilung", True, True),
        ("meins", False, False),
    ]
    with Library(libdir, embedder=None) as lib:
        watcher = W.FolderWatcher(lib, policy_folders=[str(dept)], debounce_s=0.3, poll_s=0.3)
        watcher.start()
        try:
            _write(mine / "privat.txt", "Nicht überwachter Ordner, bleibt draußen.")
            _write(dept / "rundschreiben.txt", "Rundschreiben der Abteilung zur Urlaubsplanung.")
            wait_for(lambda: _indexed(lib, dept / "rundschreiben.txt"))
            time.sleep(1.0)
            assert _record(lib, mine / "privat.txt") is None
        finally:
            watcher.stop()


def test_library_page_watches_added_folder_and_toggles(qtbot, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """The real main window: a folder added on the library page is listed as watched, a file
    saved into it later appears by itself, and the check box switches watching off."""
    from PySide6.QtCore import Qt
    from ui_helpers import make_window

    from llmoin_desktop.core.tasks.library_task import close_all_libraries, open_library

    libdir = tmp_path / "bibliothek"
    monkeypatch.setenv("LLMOIN_LIBRARY_DIR", str(libdir))
    open_library(libdir, embedder=None)
    folder = tmp_path / "Ablage"
    folder.mkdir()
    _write(folder / "alt.txt", "Ein Vermerk über die Friedhofsgebühren.")
    try:
        window, _backend, _infos = make_window(qtbot, tmp_path)
        qtbot.mouseClick(window.library_button, Qt.MouseButton.LeftButton)
        page, controller = window.library.page, window.library.controller
        controller.ask_folder = lambda: str(folder)
        with qtbot.waitSignal(controller.index_finished, timeout=60_000):
            page.add_folder_button.click()
        box = page.folders_box
        assert box.isVisible() and box.rows() == [f"{os.path.realpath(folder)} – wird überwacht"]
        assert controller.watcher is not None
        _write(folder / "neu.txt", "Neue Satzung über die Benutzung der Stadtbücherei.")
        new = os.path.realpath(folder / "neu.txt")
        qtbot.waitUntil(lambda: "Eingelesen" in page.cell(new, 1), timeout=30_000)
        item = box.list.item(0)
        item.setCheckState(Qt.CheckState.Unchecked)
        assert W.watched_folders(libdir)[0].watch is False
        qtbot.waitUntil(lambda: box.rows()[0].endswith("nicht überwacht"), timeout=5000)
        controller.stop_watching()
    finally:
        close_all_libraries()
