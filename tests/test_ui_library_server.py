"""The library page names the server the department's library is shared on, and shows the
documents another PC indexed there (real ``chroma run`` on 127.0.0.1, real main window)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from chroma_server import ChromaServer
from PySide6.QtCore import Qt
from ui_helpers import make_window

from llmoin_desktop.core.library import Library
from llmoin_desktop.core.tasks.library_task import close_all_libraries, open_library
from llmoin_desktop.ui.a11y import missing_accessible_names


def test_library_page_shows_shared_server_and_its_documents(
    qtbot, tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    shutil.copy(corpus_dir / "gesetze" / "burlg.md", share / "burlg.md")
    with ChromaServer(tmp_path / "chroma-data") as chroma:
        url = f"{chroma.url}/ui-test"
        with Library.open(tmp_path / "pc-a", server=url) as a:  # another PC indexes
            if a.embedder is None:
                pytest.skip("no embedding package installed")
            a.add([share])
            assert a.index_pending().count("indexed") == 1
        folder = tmp_path / "pc-b"
        monkeypatch.setenv("LLMOIN_LIBRARY_DIR", str(folder))
        open_library(folder, server=url, embedder=None)  # the window's controller uses it
        try:
            window, _backend, _infos = make_window(qtbot, tmp_path)
            qtbot.mouseClick(window.library_button, Qt.MouseButton.LeftButton)
            page = window.library.page
            qtbot.waitUntil(lambda: page.row_of(str(share / "burlg.md")) >= 0, timeout=10_000)
            assert page.server_label.isVisible()
            assert page.server_label.text() == f"Gemeinsame Bibliothek der Abteilung auf {url}"
            assert "Eingelesen" in page.cell(str(share / "burlg.md"), 1)
            assert missing_accessible_names(page) == []
        finally:
            close_all_libraries()


def test_open_window_picks_up_a_colleagues_document_and_notices_a_server_outage(
    qtbot, tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The periodic sync (5 min; triggered here directly) shows what another PC added; when
    the server is gone, only the server line changes — no error box, the list stays."""
    share = tmp_path / "share"
    share.mkdir()
    shutil.copy(corpus_dir / "gesetze" / "burlg.md", share / "burlg.md")
    with ChromaServer(tmp_path / "chroma-data") as chroma:
        url = f"{chroma.url}/sync-test"
        folder = tmp_path / "pc-b"
        monkeypatch.setenv("LLMOIN_LIBRARY_DIR", str(folder))
        open_library(folder, server=url)
        try:
            window, _backend, _infos = make_window(qtbot, tmp_path)
            qtbot.mouseClick(window.library_button, Qt.MouseButton.LeftButton)
            controller = window.library.controller
            page = controller.page
            qtbot.waitUntil(lambda: page.server_label.isVisible(), timeout=10_000)
            assert controller.sync_timer.isActive()
            assert page.row_of(str(share / "burlg.md")) < 0

            with Library.open(tmp_path / "pc-a", server=url) as a:  # a colleague indexes
                if a.embedder is None:
                    pytest.skip("no embedding package installed")
                a.add([share])
                assert a.index_pending().count("indexed") == 1

            assert controller.sync_now()
            qtbot.waitUntil(lambda: page.row_of(str(share / "burlg.md")) >= 0, timeout=15_000)
            chroma.stop()
            qtbot.waitUntil(lambda: controller._syncing is None, timeout=15_000)
            assert controller.sync_now()
            qtbot.waitUntil(lambda: "nicht erreichbar" in page.server_label.text(), timeout=30_000)
            assert page.row_of(str(share / "burlg.md")) >= 0  # the last state stays visible
        finally:
            close_all_libraries()
