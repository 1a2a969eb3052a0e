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

from llmoin_desktop.core.settings.config import SettingsStore
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


# Issue 15: what Orca needs, checked in-process (tests/test_atspi.py checks it over AT-SPI) ----


def _visible_text(widget: QWidget) -> str:
    return widget.text() if isinstance(widget, QAbstractButton) else ""


def _norm(text: str) -> str:
    import re

    text = text.replace("&", "").lower()
    return " ".join(re.sub(r"[…←→✔*:()]|\.\.\.", " ", text).split())


def test_button_names_contain_their_visible_label(qtbot, tmp_path: Path) -> None:
    """WCAG 2.5.3: what is seen is part of what is said ("Durchsuchen …", "Modell wählen …")."""
    window, _b, _i = make_window(qtbot, tmp_path)
    problems = {}
    for page_id in _page_ids(window):
        _show(qtbot, window, page_id)
        bad = [
            f"{w.text()!r} → {w.accessibleName()!r}"
            for w in window.findChildren(QAbstractButton)
            if w.isVisible()
            and _visible_text(w).strip()
            and w.accessibleName()
            and _norm(w.text()) not in _norm(w.accessibleName())
        ]
        if bad:
            problems[page_id] = bad
    assert not problems, problems


@pytest.fixture
def announced():
    from llmoin_desktop.ui.a11y import add_announcement_listener

    said: list[tuple[str, bool]] = []
    remove = add_announcement_listener(lambda _w, text, assertive: said.append((text, assertive)))
    yield said
    remove()


def test_status_changes_errors_and_tour_steps_are_announced(
    qtbot, tmp_path: Path, announced
) -> None:
    from fakes import FakeBackend
    from ui_helpers import load_model

    window, _b, infos = make_window(qtbot, tmp_path, backend=FakeBackend(token_delay=0.005))
    load_model(qtbot, window, infos[0])
    window.show_page("zusammenfassen")
    page = window.tasks.pages["zusammenfassen"]
    controller = window.tasks.controllers["zusammenfassen"]
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)  # nothing filled in
    assert any(a and text.startswith("Fehler:") for text, a in announced), announced
    page.form.set_values({"text": "Dienstreisen sind vorher schriftlich zu beantragen."})
    announced.clear()
    with qtbot.waitSignal(controller.finished, timeout=10_000):
        qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    texts = [t for t, _a in announced]
    assert any("vorbereitet" in t or "schreib" in t for t in texts), texts
    assert any(t.startswith("Fertig") for t in texts), texts
    assert len(texts) == len(set(texts))  # the same line is said once, not per token
    window.show_error("Die Bibliothek ist noch leer.")
    assert ("Fehler: Die Bibliothek ist noch leer.", True) in announced
    announced.clear()
    overlay = window.help.start_tutorial("grundkurs")
    assert any(t.startswith("Schritt 1 von") for t, _a in announced), announced
    overlay.runner.next()
    assert any(t.startswith("Schritt 2 von") and "Übung" in t for t, _a in announced), announced
    overlay.runner.stop()


def test_focus_stays_after_ctrl_enter_and_stop(qtbot, tmp_path: Path) -> None:
    from fakes import FakeBackend
    from ui_helpers import load_model

    window, _b, infos = make_window(qtbot, tmp_path, backend=FakeBackend(token_delay=0.05))
    load_model(qtbot, window, infos[0])
    window.show_page("zusammenfassen")
    page = window.tasks.pages["zusammenfassen"]
    controller = window.tasks.controllers["zusammenfassen"]
    field = page.form.field_widget("text")
    field.setFocus()
    qtbot.keyClicks(field, "Ein kurzer Text.")
    qtbot.keyClick(field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert controller.busy
    assert QApplication.focusWidget() is page.stop_button  # not nothing, for the whole run
    with qtbot.waitSignal(controller.stopped, timeout=5000):
        qtbot.keyClick(page.stop_button, Qt.Key.Key_Space)
    assert QApplication.focusWidget() is page.generate_button
    # the chat and "Dokumente fragen" keep it too: the same run block (page_parts.RunPage)
    ask = window.pages["dokumente_fragen"]
    window.show_page("dokumente_fragen")
    ask.question.setFocus()
    ask.set_busy(True)
    assert QApplication.focusWidget() is ask.stop_button
    ask.set_busy(False)
    assert QApplication.focusWidget() is not None


def test_no_keyboard_trap_in_model_picker_and_result_table(qtbot, tmp_path: Path) -> None:
    from fakes import fake_model_info

    window, _b, infos = make_window(qtbot, tmp_path)
    picker = window.open_model_picker()
    picker.set_models([*infos, fake_model_info(tmp_path / "fake.gguf", "Zweites Modell")])
    qtbot.waitUntil(picker.isVisible, timeout=2000)
    assert not picker.table.tabKeyNavigation()
    picker.table.setFocus()
    visited = tab_round(picker, picker.table, limit=20)
    for button in (picker.rescan_button, picker.load_button, picker.close_button):
        assert button in visited or not button.isEnabled(), button.text()
    picker.reject()
    table = window.tasks.pages["extrahieren"].result.table
    assert not table.tabKeyNavigation()  # library and history tables: the same


def test_enter_opens_a_tile_and_f1_menu_has_an_active_entry(qtbot, tmp_path: Path) -> None:
    window, _b, _i = make_window(qtbot, tmp_path)
    tile = window.gallery.tiles["zusammenfassen"]
    tile.setFocus()
    qtbot.keyClick(tile, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.tasks.pages["zusammenfassen"]
    window.show_page("gallery")
    seen = []

    def check() -> None:
        seen.append(window.help.menu.activeAction())
        window.help.menu.close()

    from PySide6.QtCore import QTimer

    window.help.menu.aboutToShow.connect(lambda: QTimer.singleShot(50, check))
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: bool(seen), timeout=3000)
    assert seen[0] is not None and seen[0].text().startswith("Einführung")


def test_header_tab_order_follows_the_screen(qtbot, tmp_path: Path) -> None:
    window, _b, _i = make_window(qtbot, tmp_path)
    visited = tab_round(window, window.home_button)
    header = [
        window.home_button,
        window.library_button,
        window.history_button,
        window.model_button,
        window.help.button,
        window.settings_button,
    ]
    positions = [visited.index(w) for w in header]
    assert positions == sorted(positions), [w.text() for w in header]


def test_answer_of_dokumente_fragen_is_appended_not_rewritten(qtbot, tmp_path: Path) -> None:
    window, _b, _i = make_window(qtbot, tmp_path)
    page = window.pages["dokumente_fragen"]
    changes: list[tuple[int, int]] = []
    page.answer.document().contentsChange.connect(lambda _p, r, a: changes.append((r, a)))
    page.begin_answer()
    changes.clear()
    pieces = [" Der Antrag ", "ist binnen ", "sechs Monaten ", "zu stellen [1]", ".\n"] * 20
    for piece in pieces:
        page.append_answer(piece)
    streamed = "".join(pieces)
    assert page.answer_text() == streamed
    assert all(removed == 0 for removed, _a in changes), changes[:5]  # only insertions
    assert sum(a for _r, a in changes) == len(streamed)
    changes.clear()
    page.set_answer(streamed.strip())  # [n] become links in place: no second reading
    assert page.answer_text() == streamed.strip()
    assert sum(r for r, _a in changes) <= 2 * 20  # only the link digits are re-formatted
    assert 'href="cite:1"' in page.answer.toHtml()
    # the runner's final text drops a sources list the model wrote: only that tail changes
    page.begin_answer()
    page.append_answer("Der Antrag ist zu stellen [1].\n\nQuellen:\n[1] merkblatt.txt")
    changes.clear()
    page.set_answer("Der Antrag ist zu stellen [1].")
    assert page.answer_text() == "Der Antrag ist zu stellen [1]."
    assert sum(r for r, _a in changes) <= len("\n\nQuellen:\n[1] merkblatt.txt") + 2


def test_status_bar_values_reach_the_screen_reader(qtbot, tmp_path: Path) -> None:
    from ui_helpers import load_model

    window, _b, infos = make_window(qtbot, tmp_path)
    load_model(qtbot, window, infos[0])
    bar = window.status
    bar.set_tokens_per_s(12.5)
    bar.refresh_ram()
    assert "12,5" in bar.speed_label.accessibleName()
    assert "GB" in bar.ram_label.accessibleName()
    assert bar.device_label.accessibleName().startswith("Gerät: ")
    assert window.backend.status().model_name in bar.model_label.accessibleName()
    for label in (bar.model_label, bar.device_label, bar.ram_label, bar.speed_label):
        assert label.text() in label.accessibleName()


def test_every_setting_has_a_label_not_its_key_name() -> None:
    from llmoin_desktop.core.settings.config import SETTING_KEYS
    from llmoin_desktop.ui.settings_dialog import setting_labels

    unlabelled = [k for k in SETTING_KEYS if k not in setting_labels()]
    assert not unlabelled, (
        "Settings shown with their raw key name (visible and to screen readers); add a German "
        f"label in ui/settings_dialog.py setting_labels(): {unlabelled}"
    )


def test_settings_dialog_tab_order_and_no_unnamed_stop(qtbot, tmp_path: Path) -> None:
    window, _b, _i = make_window(qtbot, tmp_path)
    dialog = window.open_settings()
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    scrolls = dialog.findChildren(QScrollArea)
    assert scrolls and all(s.focusPolicy() == Qt.FocusPolicy.NoFocus for s in scrolls)
    assert all(s.accessibleName() for s in scrolls)
    editors = [w for w in dialog.editors.values() if w.isEnabled()]
    first = editors[0]
    visited = tab_round(dialog, first, limit=200)
    order = [visited.index(w) if w in visited else -1 for w in editors]
    assert -1 not in order
    assert order == sorted(order)  # one group after the other, as shown
    dialog.reject()
    # task pages and the gallery: their scroll frames are no Tab stop either
    for page_id in _page_ids(window):
        for area in window.pages[page_id].findChildren(QScrollArea):
            if area.widget() is not None and area.widget().findChildren(QAbstractButton):
                assert area.focusPolicy() == Qt.FocusPolicy.NoFocus, page_id
    assert window.gallery.focusPolicy() == Qt.FocusPolicy.NoFocus


def test_labels_browse_buttons_scope_radios_and_required_fields(qtbot, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QGroupBox

    window, _b, _i = make_window(qtbot, tmp_path)
    page = window.tasks.pages["zusammenfassen"]
    browse = page.form.rows["dokument"].browse
    assert browse.accessibleName().startswith(browse.text())
    ask = window.pages["dokumente_fragen"]
    group = ask.scope_all.parentWidget()
    assert isinstance(group, QGroupBox) and group.title()
    assert ask.scope_selected.parentWidget() is group
    assert "Pflichtfeld" in ask.question.accessibleDescription()
    required = [
        row
        for task_page in window.tasks.pages.values()
        for row in task_page.form.rows.values()
        if row.field.required
    ]
    for row in required:
        target = row.path_edit if row.field.kind == "document" else row.input
        assert "Pflichtfeld" in target.accessibleDescription(), row.field.name


def test_qt_dialogs_speak_german(qtbot) -> None:
    from PySide6.QtCore import QCoreApplication

    from llmoin_desktop.ui.app import install_qt_translations

    app = QApplication.instance()
    try:
        assert install_qt_translations(app, "de")
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Abbrechen"
        assert QCoreApplication.translate("QFileDialog", "File &name:") != "File &name:"
    finally:
        install_qt_translations(app, "en")
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"


def test_doctor_names_missing_xcb_libraries(monkeypatch) -> None:
    from llmoin_desktop.core import system_libs

    monkeypatch.setattr(system_libs, "has_library", lambda stem: stem != "xcb-cursor")
    check = system_libs.check_xcb("linux")
    assert check.missing == ("libxcb-cursor0",)
    assert check.apt_line() == "sudo apt-get install -y libxcb-cursor0"
    assert system_libs.check_xcb("win32").applies is False
