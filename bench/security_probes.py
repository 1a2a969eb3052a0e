"""The child side of the security bench (issue 18): each probe runs in its own process,
started by ``bench/security_inputs.py``, and prints one ``RESULT {json}`` line.

    python bench/security_probes.py measure -- CMD …   # run CMD, print its peak RSS (children)
    python bench/security_probes.py gui-task TASKFILE  # gallery tile, task form, import preview
    python bench/security_probes.py gui-library FILE   # library page, ask page, viewer
    python bench/security_probes.py viewer PDF         # the PDF viewer on a hostile page
    python bench/security_probes.py text-cap FILE      # a loader that returns 60 M characters

The GUI probes run offscreen with a real MainWindow (a local backend without a model) and
render every page they open (``grab``), which is when Qt would load an ``<img>``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# LLMOIN_BENCH_CODE: another checkout's package (e.g. the commit before the fixes)
sys.path.insert(0, os.environ.get("LLMOIN_BENCH_CODE") or str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))


def emit(**data: Any) -> None:
    data["self_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    data["children_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    print("RESULT " + json.dumps(data, ensure_ascii=False), flush=True)


def measure(argv: list[str]) -> int:
    """Run ``argv``; report its exit code and the largest RSS of it and its descendants."""
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, errors="replace")
    sys.stdout.write(proc.stdout[-4000:])
    sys.stderr.write(proc.stderr[-4000:])
    emit(code=proc.returncode, seconds=round(time.perf_counter() - started, 2))
    return 0


def _window() -> Any:
    from PySide6.QtWidgets import QApplication

    from llmoin_desktop.core.engine.factory import create_backend
    from llmoin_desktop.core.settings.config import SettingsStore
    from llmoin_desktop.ui.main_window import MainWindow

    QApplication.instance() or QApplication([])
    settings = SettingsStore()
    window = MainWindow(create_backend(settings), settings, scanner=lambda _store: [])
    window.show()
    return window


def _markup_problems(root: Any) -> list[str]:
    """Labels and tooltips under ``root`` that would render a hostile string as markup."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import Qt as GuiQt
    from PySide6.QtWidgets import QLabel, QWidget

    raw = ("<img", "<a ")
    found = []
    for label in root.findChildren(QLabel):
        text, fmt = label.text(), label.textFormat()
        rich = fmt == Qt.TextFormat.RichText or (
            fmt == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text)
        )
        if rich and any(m in text for m in raw):
            found.append(text[:60])
    for widget in [root, *root.findChildren(QWidget)]:
        tip = widget.toolTip()
        if any(m in tip for m in raw) and GuiQt.mightBeRichText(tip):
            found.append(tip[:60])
    return found


def _settle(app_widget: Any, rounds: int = 20) -> None:
    from PySide6.QtWidgets import QApplication

    for _ in range(rounds):
        QApplication.processEvents()
        time.sleep(0.01)
    app_widget.grab()


def gui_task(task_file: str) -> int:
    """A hostile own task in the gallery and on its page, and the same file's import preview."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[QMessageBox] = []

    def no_wait(self: QMessageBox) -> int:
        self.grab()
        shown.append(self)
        return 0

    QMessageBox.exec = no_wait  # type: ignore[method-assign]
    window = _window()
    _settle(window)
    problems = _markup_problems(window)
    tiles = [t for t in window.gallery.tiles if t.startswith("boese")]
    for tile_id in tiles:
        window.gallery.tiles[tile_id].click()
        _settle(window.stack.currentWidget())
        problems += _markup_problems(window.stack.currentWidget())
    window.show_page("gallery")
    window.builder.import_file(task_file)
    problems += [b.text()[:60] for b in shown if b.textFormat().name != "PlainText"]
    emit(tiles=len(tiles), previews=len(shown), problems=problems)
    return 0


def gui_library(hostile_file: str) -> int:
    """A document whose name and text carry markup: library page, ask page, viewer."""
    from llmoin_desktop.core.tasks.ask import Citation
    from llmoin_desktop.core.tasks.library_task import open_library
    from llmoin_desktop.ui.document_viewer import DocumentViewer

    lib = open_library(Path(os.environ["LLMOIN_LIBRARY_DIR"]), embedder=None)
    lib.add([Path(hostile_file)])
    indexed = lib.index_pending().count("indexed")
    window = _window()
    window.library.show_library()
    page = window.stack.currentWidget()
    _settle(page, 60)
    problems = _markup_problems(page)
    name = Path(hostile_file).name
    citation = Citation(1, hostile_file, name, name, [], name, name, cited=True)
    ask = window.library.ask_pages.get("dokumente_fragen")
    if ask is not None:
        ask.set_documents(lib.documents())
        ask.set_answer(f"{name} [1]")
        ask.set_sources([citation])
        window.show_page("dokumente_fragen")
        _settle(ask)
        problems += _markup_problems(ask)
    viewer = DocumentViewer(citation, window)
    viewer.open_source()
    viewer.show()
    _settle(viewer)
    problems += _markup_problems(viewer)
    emit(indexed=indexed, problems=problems)
    return 0


def viewer(pdf: str) -> int:
    """Open the cited page of ``pdf`` in the document viewer; say what the clerk sees."""
    from PySide6.QtWidgets import QApplication

    from llmoin_desktop.core.tasks.ask import Citation
    from llmoin_desktop.ui.document_viewer import DocumentViewer

    QApplication.instance() or QApplication([])
    started = time.perf_counter()
    view = DocumentViewer(Citation(1, pdf, "t", "", [1], "Seite", ""))
    view.show()
    view.open_source()
    _settle(view, 5)
    pixmap = view.image.pixmap()
    emit(
        seconds=round(time.perf_counter() - started, 2),
        message=view.message.text() if view.message.isVisibleTo(view) else "",
        pixels=0 if pixmap is None or pixmap.isNull() else pixmap.width() * pixmap.height(),
    )
    return 0


def text_cap(path: str) -> int:
    from llmoin_desktop.core.documents import DocumentParser
    from llmoin_desktop.core.errors import LLMoinError

    with DocumentParser(workers=1) as parser:
        try:
            doc = parser.parse(path, loader="llmoin_desktop.core.documents.probes:huge_text")
            outcome = f"accepted {len(doc.text)} characters"
        except LLMoinError as exc:
            outcome = exc.user_message
    emit(message=outcome)
    return 0


def main(argv: list[str]) -> int:
    command, args = argv[0], argv[1:]
    if command == "measure":
        return measure(args[1:] if args and args[0] == "--" else args)
    probes = {"gui-task": gui_task, "gui-library": gui_library, "viewer": viewer}
    probes["text-cap"] = text_cap
    return probes[command](*args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
