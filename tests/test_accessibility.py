"""Accessibility over every page of the main window: names, keyboard, 200 % fonts, high contrast.

Pages are taken from the window's own stack, so a page added later is checked without
touching this file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QScrollArea,
    QWidget,
)
from ui_helpers import make_window, tab_round

from llmoin_desktop.core.config import SettingsStore
from llmoin_desktop.ui.a11y import is_interactive, missing_accessible_names
from llmoin_desktop.ui.appearance import apply_appearance
from llmoin_desktop.ui.style import HIGH_CONTRAST_STYLE, STYLE


@pytest.fixture
def restore_look():
    """Font scale and palette live on the shared QApplication: put them back afterwards."""
    yield
    app = QApplication.instance()
    apply_appearance(QWidget(), SettingsStore().settings, force=True)
    assert app.font().pointSizeF() > 0


def _page_ids(window) -> list[str]:  # noqa: ANN001
    return list(window.pages)


def _describe(widgets: list[QWidget]) -> list[str]:
    return [f"{type(w).__name__}:{w.objectName()}:{w.accessibleName()}" for w in widgets]


def _show(qtbot, window, page_id: str) -> None:  # noqa: ANN001
    window.show_page(page_id)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.pages[page_id], timeout=2000)
    QApplication.processEvents()


def test_every_page_has_accessible_names(qtbot, tmp_path: Path) -> None:
    window, _b, _i = make_window(qtbot, tmp_path)
    pages = _page_ids(window)
    assert {"gallery", "chat", "history", "zusammenfassen"} <= set(pages)
    problems = {}
    for page_id in pages:
        _show(qtbot, window, page_id)
        missing = [w for w in missing_accessible_names(window) if w.isVisible()]
        if missing:
            problems[page_id] = _describe(missing)
    # the tour's callout and the help menu's button too
    overlay = window.help.start_tutorial("grundkurs")
    if missing_accessible_names(overlay.callout):
        problems["tutorial"] = _describe(missing_accessible_names(overlay.callout))
    overlay.runner.stop()
    assert not problems, problems


def _focusable(window, root: QWidget) -> list[QWidget]:  # noqa: ANN001
    out = []
    for w in [root, *root.findChildren(QWidget)]:
        if not (w.isVisible() and w.isEnabled() and is_interactive(w)):
            continue
        if not w.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        if isinstance(w, QScrollArea) and not isinstance(w, type(window.gallery)):
            continue  # a scroll frame; the controls inside are what Tab must reach
        if w.visibleRegion().isEmpty() and not _in_scroll_area(w):
            continue  # covered (a splitter squeezed it away)
        out.append(w)
    return out


def _in_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def test_tab_reaches_every_enabled_control_on_every_page(qtbot, tmp_path: Path) -> None:
    window, _b, _i = make_window(qtbot, tmp_path)
    problems = {}
    for page_id in _page_ids(window):
        _show(qtbot, window, page_id)
        visited = tab_round(window, window.home_button)
        wanted = [
            *_focusable(window, window.centralWidget()),
            *_focusable(window, window.statusBar()),
        ]
        missing = [w for w in wanted if w not in visited and not _proxy_visited(w, visited)]
        if missing:
            problems[page_id] = _describe(missing)
        header = [window.home_button, window.help.button, window.settings_button]
        assert all(w in visited for w in header), page_id
    assert not problems, problems


def _proxy_visited(widget: QWidget, visited: list[QWidget]) -> bool:
    """A combo box's line edit, a widget whose focus proxy was reached."""
    proxy = widget.focusProxy()
    return proxy is not None and proxy in visited


def _clipped(root: QWidget) -> list[str]:
    bad = []
    for w in root.findChildren(QWidget):
        if not w.isVisible() or w.visibleRegion().isEmpty():
            continue
        if isinstance(w, QLabel) and w.text():
            if w.wordWrap():
                needed = w.heightForWidth(w.width())
                if needed > w.height() + 1:
                    bad.append(
                        f"label {w.objectName()!r} {w.text()[:40]!r}: h {w.height()}<{needed}"
                    )
            else:
                hint = w.sizeHint()
                if hint.width() > w.width() + 1 or hint.height() > w.height() + 1:
                    bad.append(
                        f"label {w.objectName()!r} {w.text()[:40]!r}: {w.size().toTuple()}<{hint.toTuple()}"
                    )
        elif isinstance(w, QAbstractButton) and w.text() and w.objectName() != "taskTile":
            hint = w.sizeHint()
            if hint.width() > w.width() + 1 or hint.height() > w.height() + 1:
                bad.append(f"button {w.text()!r}: {w.size().toTuple()}<{hint.toTuple()}")
        elif isinstance(w, QComboBox) and w.minimumSizeHint().height() > w.height() + 1:
            bad.append(f"combo {w.accessibleName()!r}: height {w.height()}")
    return bad


def test_font_scale_200_percent_clips_no_label_or_button(
    qtbot, tmp_path: Path, restore_look
) -> None:
    store = SettingsStore()
    store.set("font_scale", 200)
    base = QApplication.instance().font().pointSizeF()
    window, _b, _i = make_window(qtbot, tmp_path)
    assert QApplication.instance().font().pointSizeF() == pytest.approx(base * 2, rel=0.01)
    assert "32.0pt" in window.styleSheet()  # the 16 pt title grew as well
    window.resize(1280, 800)
    problems = {}
    for page_id in _page_ids(window):
        _show(qtbot, window, page_id)
        qtbot.wait(50)
        bad = _clipped(window)
        if bad:
            problems[page_id] = bad
    overlay = window.help.start_tutorial("grundkurs")
    overlay.runner.next()
    qtbot.wait(50)
    bad = _clipped(overlay.callout)
    if bad:
        problems["tutorial"] = bad
    overlay.runner.stop()
    assert not problems, problems


def test_high_contrast_theme_switches_at_run_time(qtbot, tmp_path: Path, restore_look) -> None:
    store = SettingsStore()
    store.set("high_contrast", True)
    window, _b, _i = make_window(qtbot, tmp_path)
    assert window.styleSheet() == HIGH_CONTRAST_STYLE
    page = window.tasks.pages["zusammenfassen"]
    assert "#1f5f99" not in page.styleSheet()  # the page's own light colours are out
    assert "#1f5f99" not in page.styleSheet().lower()
    assert QApplication.instance().palette().window().color().name() == "#000000"
    # settings dialog and picker follow the window
    dialog = window.open_settings()
    assert dialog.styleSheet() == HIGH_CONTRAST_STYLE
    dialog.editors["high_contrast"].setChecked(False)
    dialog.save()
    assert window.styleSheet() == STYLE
    assert "#1f5f99" in page.styleSheet().lower() or "background" in page.styleSheet()
    assert QApplication.instance().palette().window().color().name() != "#000000"
