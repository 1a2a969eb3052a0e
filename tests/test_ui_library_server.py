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
