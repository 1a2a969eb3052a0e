"""Settings dialog: layered values, policy-locked keys greyed out, saving the user layer."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QSpinBox

from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.ui.settings_dialog import SettingsDialog


def test_locked_key_is_disabled_and_says_administrator(qtbot, isolated_dirs) -> None:
    (isolated_dirs["policy"] / "policy.toml").write_text(
        "temperature = 0.1\nfree_chat = false\n[defaults]\nmax_tokens = 512\n", encoding="utf-8"
    )
    store = SettingsStore()
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    temp = dialog.editors["temperature"]
    assert isinstance(temp, QDoubleSpinBox)
    assert not temp.isEnabled()
    assert temp.value() == 0.1
    assert "vom Administrator festgelegt" in temp.accessibleName()
    assert not dialog.editors["free_chat"].isEnabled()
    # a policy *default* stays editable
    tokens = dialog.editors["max_tokens"]
    assert isinstance(tokens, QSpinBox) and tokens.isEnabled() and tokens.value() == 512
    # keys only IT sets (issue 18) are greyed out even without a policy value
    from llmoin_desktop.core.settings.config import POLICY_ONLY_KEYS

    assert set(dialog.locked_editors()) == {"temperature", "free_chat", *POLICY_ONLY_KEYS}


def test_saving_changes_writes_user_layer_and_skips_locked(qtbot, isolated_dirs) -> None:
    (isolated_dirs["policy"] / "policy.toml").write_text("temperature = 0.1\n", encoding="utf-8")
    store = SettingsStore()
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    box = dialog.editors["high_contrast"]
    assert isinstance(box, QCheckBox)
    box.setChecked(True)
    dialog.editors["max_tokens"].setValue(300)
    dialog.save()
    reread = SettingsStore()
    assert reread.settings.high_contrast is True
    assert reread.settings.max_tokens == 300
    assert reread.source("temperature") == "policy"
    assert "temperature" not in reread.user
