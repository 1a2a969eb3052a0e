"""Terms of use: first start asks, acceptance is stored with the version, a changed text asks again."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from llmoin_desktop.core import i18n
from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.core.terms import (
    accept_current,
    acceptance_file,
    current_terms,
    needs_acceptance,
)
from llmoin_desktop.ui.a11y import missing_accessible_names
from llmoin_desktop.ui.terms_dialog import TermsDialog


def _policy(dirs: dict[str, Path], text: str) -> None:
    (dirs["policy"] / "policy.toml").write_text(
        f"usage_terms_text = '''{text}'''\n", encoding="utf-8"
    )


def test_default_terms_cover_the_guardrails() -> None:
    text = current_terms(SettingsStore()).text
    for needle in ("entscheidet nichts", "verantwortlich", "Sozialleistungen", "Art. 9 DSGVO"):
        assert needle in text
    i18n.set_language("en")
    english = current_terms(SettingsStore())
    assert "decides nothing" in english.text
    # switching the language is not a new version of the terms
    i18n.set_language("de")
    assert english.version == current_terms(SettingsStore()).version


def test_accept_then_policy_change_asks_again(isolated_dirs: dict[str, Path]) -> None:
    store = SettingsStore()
    assert needs_acceptance(store)
    path = accept_current(store)
    assert path == acceptance_file() and path.parent == isolated_dirs["data"]
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["version"] == current_terms(store).version
    assert not needs_acceptance(SettingsStore())

    _policy(isolated_dirs, "Nur für den Dienstgebrauch. Keine Gesundheitsdaten.")
    changed = SettingsStore()
    assert current_terms(changed).from_policy
    assert "Dienstgebrauch" in current_terms(changed).text
    assert needs_acceptance(changed)
    accept_current(changed)
    assert not needs_acceptance(SettingsStore())
    # whitespace at line ends is not a new version; a changed word is
    _policy(isolated_dirs, "Nur für den Dienstgebrauch. Keine Gesundheitsdaten.  ")
    assert not needs_acceptance(SettingsStore())
    _policy(isolated_dirs, "Nur für den Dienstgebrauch. Keine Sozialdaten.")
    assert needs_acceptance(SettingsStore())


def test_broken_acceptance_file_asks_again(isolated_dirs: dict[str, Path]) -> None:
    acceptance_file().write_text("{kaputt", encoding="utf-8")
    assert needs_acceptance(SettingsStore())


def test_dialog_accepts_only_after_the_tick(qtbot, isolated_dirs: dict[str, Path]) -> None:
    store = SettingsStore()
    dialog = TermsDialog(current_terms(store))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not missing_accessible_names(dialog)
    assert not dialog.accept_button.isEnabled()
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert needs_acceptance(store)
    dialog.read_box.setFocus()
    qtbot.keyClick(dialog.read_box, Qt.Key.Key_Space)  # keyboard alone
    assert dialog.accept_button.isEnabled()
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not needs_acceptance(store)


def test_dialog_decline_records_nothing(qtbot) -> None:
    store = SettingsStore()
    dialog = TermsDialog(current_terms(store))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.decline_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not acceptance_file().exists()
    assert needs_acceptance(store)
