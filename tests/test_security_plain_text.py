"""Issue 18, item 7: strings from task files, file names, documents, citations and servers
are shown as text. Markup in them (``<img src=…>``, ``<a href>``, ``file://``) is never
rendered, and the file it points at is never opened (checked with inotify on Linux)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QMessageBox,
    QTableWidget,
    QTextEdit,
    QWidget,
)
from ui_helpers import make_window

from llmoin_desktop.core.history import HistoryStore
from llmoin_desktop.core.tasks.ask import Citation
from llmoin_desktop.core.tasks.runner import TaskResult

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from security_files import OpenWatch, bait_image, hostile_strings  # noqa: E402

UI = Path(__file__).resolve().parents[1] / "llmoin_desktop" / "ui"
RAW_MARKUP = ("<img", "<a ", "<b>fett")  # the hostile strings, unescaped


def _rich(text: str, fmt: Qt.TextFormat) -> bool:
    if fmt == Qt.TextFormat.RichText:
        return True
    return fmt == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text)


def rendered_markup(root: QWidget) -> list[str]:
    """Every place under ``root`` where a hostile string would be interpreted as markup."""
    problems: list[str] = []
    labels = [root, *root.findChildren(QLabel)] if isinstance(root, QLabel) else []
    labels = labels or root.findChildren(QLabel)
    for label in labels:
        text = label.text()
        if any(m in text for m in RAW_MARKUP) and _rich(text, label.textFormat()):
            problems.append(f"QLabel {label.objectName()!r}: {text[:70]!r}")
    for widget in [root, *root.findChildren(QWidget)]:
        tip = widget.toolTip()
        if any(m in tip for m in RAW_MARKUP) and GuiQt.mightBeRichText(tip):
            problems.append(f"tooltip of {widget.objectName()!r}: {tip[:70]!r}")
    for table in root.findChildren(QTableWidget):
        for r in range(table.rowCount()):
            for c in range(table.columnCount()):
                item = table.item(r, c)
                tip = item.toolTip() if item else ""
                if any(m in tip for m in RAW_MARKUP) and GuiQt.mightBeRichText(tip):
                    problems.append(f"table tooltip: {tip[:70]!r}")
    for lst in root.findChildren(QListWidget):
        for i in range(lst.count()):
            tip = lst.item(i).toolTip()
            if any(m in tip for m in RAW_MARKUP) and GuiQt.mightBeRichText(tip):
                problems.append(f"list tooltip: {tip[:70]!r}")
    for edit in root.findChildren(QTextEdit):
        html = edit.toHtml()
        if "<img" in html or re.search(r'<a href="(?!cite:)', html):
            problems.append(f"{type(edit).__name__} {edit.objectName()!r} holds markup")
    return problems


@pytest.fixture
def bait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A real image that the hostile strings point at (absolutely and, for file names that
    cannot hold a slash, relative to the working folder), watched for any open."""
    folder = tmp_path / "koeder"
    folder.mkdir()
    image = bait_image(folder)
    monkeypatch.chdir(folder)
    with OpenWatch(folder) as watch:
        yield image, watch
    assert image.name not in watch.opened(), "the app opened the file a string pointed at"


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[QMessageBox]:
    """Message boxes are rendered and kept instead of waiting for a click."""
    shown: list[QMessageBox] = []

    def exec_(self: QMessageBox) -> int:
        self.grab()
        shown.append(self)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    monkeypatch.setattr(QMessageBox, "open", exec_)
    return shown


def _task_toml(task_id: str, image: Path) -> str:
    h = hostile_strings(image)
    return (
        f'id = "{task_id}"\n'
        f"title = '{h[0]}'\n"
        f"description = '{h[1]}'\n"
        'output = "prose"\n\n'
        "[[fields]]\n"
        'name = "text"\nkind = "longtext"\n'
        f"label = '{h[2]}'\nhelp = '{h[3]}'\nsource = true\n\n"
        "[[fields]]\n"
        'name = "art"\nkind = "choice"\nlabel = "Art"\n'
        f'options = [{{ value = "a", label = \'{h[4]}\' }}, {{ value = "b", label = "B" }}]\n\n'
        "[prompt]\n"
        'system = "Du bist ein sorgfältiger Assistent für die Verwaltung."\n'
        'user = "Fasse den folgenden Text zusammen und nenne alle Fristen:\\n{text}"\n'
    )


def test_no_bare_labels_and_no_raw_tooltips_in_the_ui_code() -> None:
    """Every label is a PlainLabel (or an escaped rich_label); every computed tooltip goes
    through verbatim(). New code that forgets it fails here."""
    bare, tips = [], []
    for path in UI.rglob("*.py"):
        if path.name == "plain_text.py":
            continue
        text = path.read_text(encoding="utf-8")
        bare += [f"{path.name}:{m.start()}" for m in re.finditer(r"\bQLabel\(", text)]
        for m in re.finditer(r"setToolTip\(\s*([^)\n]*)", text):
            arg = m.group(1).strip()
            if arg and not arg.startswith(("_(", "verbatim(", '"', "'")):
                tips.append(f"{path.name}: setToolTip({arg[:40]}")
    assert bare == [] and tips == []


def test_gallery_tile_and_task_form_show_a_hostile_task_as_text(
    qtbot: Any, tmp_path: Path, isolated_dirs: dict[str, Path], bait
) -> None:
    image, watch = bait
    tasks = isolated_dirs["config"] / "tasks"
    tasks.mkdir(exist_ok=True)
    (tasks / "boese.toml").write_text(_task_toml("boese_aufgabe", image), encoding="utf-8")
    window, _b, _i = make_window(qtbot, tmp_path)
    assert "boese_aufgabe" in window.gallery.tiles, window.banner.label.text()
    tile = window.gallery.tiles["boese_aufgabe"]
    tile.grab()
    assert any(lbl.text() == hostile_strings(image)[0] for lbl in tile.findChildren(QLabel))
    assert rendered_markup(window) == []
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    page = window.stack.currentWidget()
    page.grab()
    assert rendered_markup(page) == []
    assert image.name not in watch.opened()


def test_import_preview_shows_a_hostile_task_as_text(
    qtbot: Any, tmp_path: Path, bait, boxes: list[QMessageBox]
) -> None:
    image, watch = bait
    task = tmp_path / "Bescheid.llmoin-task"
    task.write_text(_task_toml("importiert_boese", image), encoding="utf-8")
    window, _b, _i = make_window(qtbot, tmp_path)
    assert window.builder.import_file(str(task)) is None  # the box was not confirmed
    assert boxes, window.banner.label.text()
    for box in boxes:
        assert hostile_strings(image)[0] in box.text()
        assert box.textFormat() == Qt.TextFormat.PlainText or not GuiQt.mightBeRichText(box.text())
    assert image.name not in watch.opened()


def test_messages_banner_history_and_errors_show_hostile_names_as_text(
    qtbot: Any, tmp_path: Path, bait
) -> None:
    image, watch = bait
    h = hostile_strings(image)
    store = HistoryStore()
    result = TaskResult(task_id="zusammenfassen", values={}, answer=h[1], output_kind="prose")
    result.sources = [h[0]]
    store.add(result, title=h[0])
    window, _b, _i = make_window(qtbot, tmp_path)
    for text in h:
        window.show_error(f"Die Datei „{text}“ fehlt.")
        window.banner.grab()
        assert rendered_markup(window.banner) == []
        assert text in window.banner.label.accessibleName()
    window.tasks.show_history()
    page = window.stack.currentWidget()
    qtbot.waitUntil(lambda: page.findChildren(QTableWidget)[0].rowCount() > 0, timeout=5000)
    page.grab()
    assert rendered_markup(page) == []
    assert image.name not in watch.opened()


def test_library_and_ask_page_show_hostile_file_names_and_citations_as_text(
    qtbot: Any, tmp_path: Path, bait, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmoin_desktop.core.tasks.library_task import close_all_libraries, open_library

    image, watch = bait
    docs = tmp_path / "ablage"
    docs.mkdir()
    hostile_file = docs / f"<img src={image.name}> Bescheid.txt"  # relative: cwd is the bait
    hostile_file.write_text(
        f'Frist: zwei Wochen. <img src="{image}"> <a href="file://{image}">x</a>\n',
        encoding="utf-8",
    )
    folder = tmp_path / "bibliothek"
    lib = open_library(folder, embedder=None)
    lib.add([hostile_file])
    assert lib.index_pending().count("indexed") == 1
    monkeypatch.setenv("LLMOIN_LIBRARY_DIR", str(folder))
    try:
        window, _b, _i = make_window(qtbot, tmp_path)
        window.library.show_library()
        page = window.stack.currentWidget()
        qtbot.waitUntil(lambda: page.findChildren(QTableWidget)[0].rowCount() == 1, timeout=5000)
        page.grab()
        assert rendered_markup(page) == []
        ask = window.library.ask_pages["dokumente_fragen"]
        ask.set_documents(lib.documents())
        h = hostile_strings(image)
        citation = Citation(
            n=1,
            path=str(hostile_file),
            title=h[0],
            section=h[1],
            pages=[],
            quote=h[2],
            passage=h[3],
            cited=True,
        )
        ask.set_answer(f"Antwort {h[0]} {h[1]} [1]")
        ask.set_sources([citation])
        window.show_page("dokumente_fragen")
        ask.grab()
        assert rendered_markup(ask) == []
        assert h[0] in ask.answer_text()
        from llmoin_desktop.ui.document_viewer import DocumentViewer

        viewer = DocumentViewer(citation, window)
        qtbot.addWidget(viewer)
        viewer.open_source()
        viewer.grab()
        assert rendered_markup(viewer) == []
        assert h[2] in viewer.quote_label.text()
        assert "<img" in viewer.text.toPlainText()  # the document's text, shown as text
        viewer.close()
    finally:
        close_all_libraries()
    assert image.name not in watch.opened()


def test_model_output_model_names_and_paths_show_as_text(qtbot: Any, tmp_path: Path, bait) -> None:
    """A document can make the model echo markup (prompt injection); a GGUF names itself."""
    from fakes import fake_model_info

    from llmoin_desktop.ui.chat_view import ChatView
    from llmoin_desktop.ui.model_picker import ModelPicker
    from llmoin_desktop.ui.reasoning_box import ReasoningBox
    from llmoin_desktop.ui.result_synopsis import SynopsisView

    image, watch = bait
    h = hostile_strings(image)
    synopsis = SynopsisView()
    qtbot.addWidget(synopsis)
    synopsis.set_markdown(
        "## " + h[0] + "\n\n| Bisher | Neu |\n|---|---|\n| " + h[1] + " | ~~" + h[2] + "~~ |\n"
    )
    chat = ChatView()
    qtbot.addWidget(chat)
    chat.begin_message(h[0])
    chat.append_text(h[1] + h[2])
    chat.set_status(h[3])
    box = ReasoningBox()
    qtbot.addWidget(box)
    box.set_text(h[0])
    picker = ModelPicker()
    qtbot.addWidget(picker)
    picker.set_models([fake_model_info(tmp_path / (h[4].replace("/", "_") + ".gguf"), name=h[0])])
    for widget in (synopsis, chat, box, picker):
        widget.show()
        widget.grab()
        assert rendered_markup(widget) == [], type(widget).__name__
    assert h[0] in synopsis.browser.toPlainText()
    assert image.name not in watch.opened()
