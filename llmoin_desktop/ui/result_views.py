"""Extra result views for task kinds whose result is more than text: the proofreading diff
(accept/reject per change) and the synopsis table. Chosen by the task's runner, added as a
tab of the result pane next to "Text", and shown first once a result is there.

The views follow the pane's ``text_replaced`` signal (a new result, a refinement, a history
entry) and never replace the editor's role: copy, export and history still use its text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from llmoin_desktop.core.i18n import _
from llmoin_desktop.core.tasks.spec import TaskSpec
from llmoin_desktop.ui.result_diff import DiffView
from llmoin_desktop.ui.result_pane import ResultPane
from llmoin_desktop.ui.result_synopsis import SynopsisView


def _add_tab(pane: ResultPane, view: QWidget, label: str) -> None:
    pane.tabs.addTab(view, label)
    pane.tabs.tabBar().setVisible(True)
    pane.tabs.setFocusPolicy(Qt.FocusPolicy.TabFocus)


def attach_result_view(pane: ResultPane, spec: TaskSpec) -> QWidget | None:
    """Add the view this task kind needs (None for plain text results)."""
    if spec.runner == "proofread":
        diff = DiffView(pane)
        _add_tab(pane, diff, _("Änderungen"))

        def on_text(text: str) -> None:
            diff.set_corrected(text)
            if text.strip():
                pane.tabs.setCurrentWidget(diff)

        pane.text_replaced.connect(on_text)
        return diff
    if spec.runner == "synopsis":
        synopsis = SynopsisView()
        _add_tab(pane, synopsis, _("Synopse"))

        def on_synopsis(text: str) -> None:
            synopsis.set_markdown(text)
            if synopsis.has_table():
                pane.tabs.setCurrentWidget(synopsis)

        def on_tab(index: int) -> None:
            # The clerk may have edited the text: draw what the editor holds now.
            if pane.tabs.widget(index) is synopsis and synopsis.text != pane.text():
                synopsis.set_markdown(pane.text())

        pane.text_replaced.connect(on_synopsis)
        pane.tabs.currentChanged.connect(on_tab)
        return synopsis
    return None
