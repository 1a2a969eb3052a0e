"""A reasoning model in the GUI: its thinking streams into the collapsed "Überlegungen des
Modells", the result, the history and the export hold only the answer. The backend streams
real ``<think>`` text through the real splitter (FakeBackend), as DeepSeek-R1/Qwen3 do."""

from __future__ import annotations

from pathlib import Path

import docx
from fakes import FakeBackend
from PySide6.QtCore import Qt
from ui_helpers import load_model, make_window

from llmoin_desktop.core.history import HistoryStore

THINKING = "Der Bürger will einen Termin. Ich schreibe höflich."
TOKENS = [
    "<thi",
    "nk>",
    *[w + " " for w in THINKING.split()],
    "</th",
    "ink>\n\n",
    "Guten ",
    "Tag, ",
    "Frau ",
    "Meier.",
]


def test_thinking_collapsed_and_never_in_result_history_or_export(qtbot, tmp_path: Path) -> None:
    window, backend, infos = make_window(
        qtbot, tmp_path, backend=FakeBackend(token_delay=0.005, tokens=TOKENS)
    )
    load_model(qtbot, window, infos[0])
    qtbot.mouseClick(window.gallery.tiles["zusammenfassen"], Qt.MouseButton.LeftButton)
    page = window.tasks.pages["zusammenfassen"]
    controller = window.tasks.controllers["zusammenfassen"]
    page.form.set_values({page.form.spec.source_field.name: "Bitte um einen Termin."})
    box = page.result.reasoning
    assert box.isHidden()  # nothing to show before a model thinks
    with qtbot.waitSignal(controller.finished, timeout=10_000) as blocker:
        qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    result = blocker.args[0]
    assert result.answer.startswith("Guten Tag, Frau Meier.")
    assert "<think>" not in page.result.text() and "Bürger will" not in page.result.text()
    assert result.reasoning == THINKING
    assert not box.isHidden() and box.content() == THINKING
    assert box.text.isHidden()  # collapsed until the clerk opens it
    box.toggle.click()
    assert not box.text.isHidden()
    (entry,) = HistoryStore().list()
    assert "Bürger will" not in str(vars(entry)) and "Guten Tag" in entry.result
    out = tmp_path / "antwort.docx"
    with qtbot.waitSignal(controller.exported, timeout=10_000):
        assert controller.export_to(out)
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "Guten Tag" in text and "Bürger will" not in text
    # A new run starts with the box cleared and collapsed.
    with qtbot.waitSignal(controller.finished, timeout=10_000):
        qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    assert box.content() == THINKING and box.text.isHidden()
