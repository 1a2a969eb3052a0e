"""Library page on the real main window: real files from the corpus, real sandboxed parser,
real SQLite store (keyword search only, so no embedding model is loaded: faster, and the
vectors do not matter for what the page shows)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from ui_helpers import make_window

from llmoin_desktop.core.tasks.library_task import close_all_libraries, open_library
from llmoin_desktop.ui.a11y import missing_accessible_names


@pytest.fixture
def library_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bibliothek"
    monkeypatch.setenv("LLMOIN_LIBRARY_DIR", str(folder))
    open_library(folder, embedder=None)  # the window's controller picks up this instance
    yield folder
    close_all_libraries()


@pytest.fixture
def office_folder(tmp_path: Path, corpus_dir: Path) -> Path:
    """A clerk's folder: two readable files and one password-protected PDF."""
    folder = tmp_path / "Ablage"
    folder.mkdir()
    for name in ("minimal-document.pdf", "umlaute-cp1252.txt", "encrypted-aes256.pdf"):
        shutil.copy(corpus_dir / "wild" / name, folder / name)
    return folder


def library_window(qtbot, tmp_path: Path):
    window, _backend, _infos = make_window(qtbot, tmp_path)
    qtbot.mouseClick(window.library_button, Qt.MouseButton.LeftButton)
    area = window.library
    assert window.stack.currentWidget() is area.page
    return window, area.page, area.controller


def index_and_wait(qtbot, controller, action) -> object:
    with qtbot.waitSignal(controller.index_finished, timeout=60_000) as blocker:
        assert action()
    return blocker.args[0]


def test_add_folder_shows_progress_and_per_document_status(
    qtbot, tmp_path: Path, library_dir: Path, office_folder: Path
) -> None:
    window, page, controller = library_window(qtbot, tmp_path)
    assert "Noch keine Dokumente" in page.summary.text()
    steps: list[tuple[int, int | None, str]] = []
    original = page.show_progress
    page.show_progress = lambda s, t, text: (steps.append((s, t, text)), original(s, t, text))
    controller.ask_folder = lambda: str(office_folder)
    report = index_and_wait(
        qtbot, controller, lambda: (page.add_folder_button.click(), controller.busy)[1]
    )
    assert report is not None and report.count("indexed") == 2 and report.count("rejected") == 1
    assert steps and steps[-1][0] == steps[-1][1] == 3  # "3 of 3" was shown
    assert page.progress_box.isHidden() and page.add_files_button.isEnabled()
    final = "3 Dokumente: 2 eingelesen, 1 abgelehnt"
    qtbot.waitUntil(lambda: final in page.summary.text(), timeout=5000)  # last table refresh
    secret = str(office_folder / "encrypted-aes256.pdf")
    assert "Abgelehnt" in page.cell(secret, 1)
    assert "Passwort" in page.cell(secret, 3)  # the reason, in words a clerk understands
    ok = str(office_folder / "minimal-document.pdf")
    assert "Eingelesen" in page.cell(ok, 1) and page.cell(ok, 2) == "1"
    assert "2 Dateien eingelesen, 1 abgelehnt" in page.status_label.text()
    assert missing_accessible_names(page) == []
    # the ask page's scope list offers the readable documents only
    ask_page = window.library.ask_pages["dokumente_fragen"]
    assert ask_page.scope_list.count() == 2


def test_drop_remove_and_rescan(
    qtbot, tmp_path: Path, library_dir: Path, office_folder: Path, corpus_dir: Path
) -> None:
    _window, page, controller = library_window(qtbot, tmp_path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(office_folder))])
    enter = QDragEnterEvent(
        QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.NoModifier
    )
    QApplication.sendEvent(page, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.NoModifier
    )
    with qtbot.waitSignal(controller.index_finished, timeout=60_000):
        QApplication.sendEvent(page, drop)
    qtbot.waitUntil(lambda: page.table.rowCount() == 3, timeout=5000)

    # remove: select the row, Entfernen → the row goes, the file stays on disk
    txt = str(office_folder / "umlaute-cp1252.txt")
    page.table.selectRow(page.row_of(txt))
    assert page.remove_button.isEnabled()
    page.remove_button.click()
    qtbot.waitUntil(lambda: page.row_of(txt) < 0, timeout=5000)
    assert Path(txt).exists()

    # re-scan: a new file in the added folder is found; unchanged files are not read again
    shutil.copy(corpus_dir / "wild" / "utf16-bom.txt", office_folder / "neu.txt")
    report = index_and_wait(qtbot, controller, controller.rescan)
    done = {Path(o.path).name: o.status for o in report.outcomes}
    assert done == {"neu.txt": "indexed", "umlaute-cp1252.txt": "indexed"}
    qtbot.waitUntil(lambda: page.table.rowCount() == 4, timeout=5000)


def test_stop_keeps_what_is_done_and_leaves_the_rest_pending(
    qtbot, tmp_path: Path, library_dir: Path, corpus_dir: Path
) -> None:
    _window, page, controller = library_window(qtbot, tmp_path)
    folder = tmp_path / "viele"
    folder.mkdir()
    for i in range(6):
        shutil.copy(corpus_dir / "wild" / "umlaute-cp1252.txt", folder / f"brief{i}.txt")
    with qtbot.waitSignal(controller.index_finished, timeout=60_000) as blocker:
        assert controller.add_paths([str(folder)])
        assert page.stop_button.isEnabled()
        qtbot.keyClick(page.stop_button, Qt.Key.Key_Space)
    report = blocker.args[0]
    assert report is None or report.cancelled
    assert "Angehalten" in page.status_label.text()
    docs = open_library(library_dir).documents()
    assert len(docs) == 6 and {d.status for d in docs} <= {"indexed", "pending"}
    assert any(d.status == "pending" for d in docs)
    # the next run resumes what is pending
    report = index_and_wait(qtbot, controller, controller.rescan)
    assert all(d.status == "indexed" for d in open_library(library_dir).documents())


def test_keyboard_reaches_the_library_controls(qtbot, tmp_path: Path, library_dir: Path) -> None:
    window, page, _controller = library_window(qtbot, tmp_path)
    assert window.focusWidget() is page.add_files_button
    visited = []
    for _ in range(40):
        window.focusNextChild()
        visited.append(window.focusWidget())
    for widget in (page.add_folder_button, page.rescan_button, page.table, page.ask_button):
        assert widget in visited, widget.accessibleName()
