"""Every policy lock holds on every entry point (issue 14, item 14).

Part 1 walks *every* key of ``Settings``: locked by policy to a valid non-default value, with
the user's file saying something else, each entry point must see IT's value — the CLI's
``load_store`` (all commands), the GUI start (``SettingsStore`` + the settings dialog, where
the key is greyed out), the self-test (its own temporary user folder), a save from the
settings dialog (refused). Part 2 checks what the locks *forbid*, door by door: free chat,
allowed/hidden tasks, the default model, and command-line options.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from llmoin_desktop.core.errors import SettingLocked
from llmoin_desktop.core.settings.config import SETTING_KEYS, Settings, SettingsStore
from llmoin_desktop.core.settings.config_validation import RULES


def _toml(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON scalars and lists are valid TOML


def sample_values(key: str) -> tuple[object, object]:
    """A valid policy value and a different valid user value (both unlike the default)."""
    default = getattr(Settings(), key)
    rule = RULES.get(key)
    if isinstance(default, bool):
        return (not default, default)
    if isinstance(default, int):
        low = int(rule.minimum) if rule and rule.minimum is not None else 0
        candidates = [v for v in range(low + 1, low + 10) if v != default]
        return candidates[0], candidates[1]
    if isinstance(default, float):
        return 0.5, 0.9
    if isinstance(default, list):
        return ["entwurf"], ["zusammenfassen"]
    if rule and rule.choices:
        others = [c for c in rule.choices if c != default]
        return others[0], default
    if rule and rule.check:
        return "http://policy.example:8000", "http://user.example:8000"
    return f"policy-{key}", f"user-{key}"


@pytest.mark.parametrize("key", SETTING_KEYS)
def test_every_key_locked_for_every_entry_point(
    key: str, isolated_dirs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy_value, user_value = sample_values(key)
    (isolated_dirs["policy"] / "policy.toml").write_text(
        f"{key} = {_toml(policy_value)}\n", encoding="utf-8"
    )
    (isolated_dirs["config"] / "settings.json").write_text(
        json.dumps({"schema_version": 1, key: user_value}), encoding="utf-8"
    )
    # CLI: every command starts with load_store
    from llmoin_desktop.cli import base as cli

    store = cli.load_store(argparse.Namespace(lang=None))
    assert store.problems == [], store.problems
    assert getattr(store.settings, key) == policy_value and store.is_locked(key)
    # GUI start and settings dialog save: the same store; a change is refused
    with pytest.raises(SettingLocked):
        store.set(key, user_value)
    # self-test: a fresh temporary user folder, the machine policy still applies
    monkeypatch.setenv("LLMOIN_CONFIG_DIR", str(tmp_path / "selftest-config"))
    assert getattr(SettingsStore().settings, key) == policy_value


def test_settings_dialog_greys_out_every_locked_key(qtbot, isolated_dirs: dict[str, Path]) -> None:
    from llmoin_desktop.ui.settings_dialog import SettingsDialog

    lines = [f"{key} = {_toml(sample_values(key)[0])}" for key in SETTING_KEYS]
    (isolated_dirs["policy"] / "policy.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = SettingsStore()
    assert store.problems == [], store.problems
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    for key, editor in dialog.editors.items():
        assert not editor.isEnabled(), key


# Part 2: what the locks forbid -------------------------------------------------------------
def _policy(dirs: dict[str, Path], text: str) -> None:
    (dirs["policy"] / "policy.toml").write_text(text, encoding="utf-8")


def test_free_chat_off_cli_chat_refused(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from llmoin_desktop.cli.base import main

    _policy(isolated_dirs, "free_chat = false\n")
    assert main(["chat", "Hallo"]) == 1
    err = capsys.readouterr().err
    assert "free_chat" in err and "Traceback" not in err


def test_broken_policy_cli_chat_refused(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from llmoin_desktop.cli.base import main

    _policy(isolated_dirs, "free_chat = true\n[defaults]\nmax_tokens = = 3\n")
    assert main(["chat", "Hallo"]) == 1
    err = capsys.readouterr().err
    assert "Zeile 3" in err and "Sicherheitssperren" in err and "free_chat" in err


@pytest.mark.parametrize(
    ("policy", "argv"),
    [
        ("temperature = 0.2\n", ["chat", "Hallo", "--temperature", "1.5"]),
        ("max_tokens = 100\n", ["chat", "Hallo", "--max-tokens", "5000"]),
        ("max_tokens = 100\n", ["summarize", "x.txt", "--max-tokens", "5000"]),
        ("max_tokens = 100\n", ["ask", "Frage", "--max-tokens", "5000"]),
    ],
)
def test_cli_options_do_not_beat_locks(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str], policy: str, argv: list
) -> None:
    from llmoin_desktop.cli.base import main

    _policy(isolated_dirs, policy)
    assert main(argv) == 1
    assert "Administrator" in capsys.readouterr().err


def test_locked_language_beats_lang_option(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from llmoin_desktop.cli.base import main
    from llmoin_desktop.core import i18n

    _policy(isolated_dirs, 'language = "de"\nfree_chat = false\n')
    main(["--lang", "en", "chat", "Hallo"])
    assert "abgeschaltet" in capsys.readouterr().err  # German although --lang en
    i18n.set_language("de")


def test_hidden_tasks_closed_in_cli(
    isolated_dirs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from llmoin_desktop.cli.base import main

    _policy(isolated_dirs, 'hidden_tasks = ["zusammenfassen", "dokumente_fragen"]\n')
    doc = tmp_path / "brief.txt"
    doc.write_text("Sehr geehrte Damen und Herren", encoding="utf-8")
    assert main(["summarize", str(doc)]) == 1
    assert "nicht freigegeben" in capsys.readouterr().err  # not "unknown task"
    assert main(["ask", "Was gilt?"]) != 0
    assert main(["tasks"]) == 0
    out = capsys.readouterr().out
    assert "zusammenfassen" not in out and "entwurf" in out


def test_gui_pages_and_tours_honour_locks(
    qtbot, tmp_path: Path, isolated_dirs: dict[str, Path]
) -> None:
    from ui_helpers import make_window

    _policy(isolated_dirs, 'free_chat = false\nallowed_tasks = ["entwurf"]\n')
    window, _b, _i = make_window(qtbot, tmp_path)
    assert "chat" not in window.gallery.tiles and "zusammenfassen" not in window.gallery.tiles
    for page in ("chat", "zusammenfassen", "dokumente_fragen"):
        window.show_page(page)
        assert window.stack.currentWidget() is window.gallery, page
        assert not window.help._has_page(page), page  # guided tours skip the step
    window.show_page("entwurf")
    assert window.stack.currentWidget() is window.pages["entwurf"]


def test_gui_does_not_replace_missing_default_model_with_demo(
    qtbot, tmp_path: Path, isolated_dirs: dict[str, Path]
) -> None:
    from ui_helpers import make_window

    _policy(isolated_dirs, 'default_model = "/srv/modelle/amt-modell.gguf"\n')
    window, backend, _infos = make_window(qtbot, tmp_path)
    with qtbot.waitSignal(window.models.load_failed, timeout=5000) as blocker:
        window.models.autoload()
    assert "amt-modell.gguf" in blocker.args[0] and "IT" in blocker.args[0]
    assert backend.loaded is None
    assert "kein anderes Modell" in window.banner.text()


def test_gui_refuses_truncated_default_model(
    qtbot, tmp_path: Path, isolated_dirs: dict[str, Path]
) -> None:
    from fakes import fake_model_info
    from ui_helpers import make_window

    from llmoin_desktop.core.engine.catalog import ModelInfo

    broken = tmp_path / "abgeschnitten.gguf"
    broken.write_bytes(b"GGUF\x03\x00")
    _policy(isolated_dirs, f'default_model = "{broken.name}"\n')
    demo = fake_model_info(tmp_path / "demo.gguf", name="Demo")
    demo.is_demo = True
    bad = ModelInfo(path=broken, name="abgeschnitten", problem="Die Modelldatei ist beschädigt.")
    window, backend, _infos = make_window(qtbot, tmp_path, models=[demo, bad])
    with qtbot.waitSignal(window.models.load_failed, timeout=5000) as blocker:
        window.models.autoload()
    assert "beschädigt" in blocker.args[0]
    assert backend.loaded is None


def test_self_test_honours_default_model_and_tasks(isolated_dirs: dict[str, Path]) -> None:
    from llmoin_desktop.core.errors import ModelError
    from llmoin_desktop.core.settings.policy_gate import task_allowed
    from llmoin_desktop.ui.self_test import choose_model

    _policy(
        isolated_dirs,
        'default_model = "/srv/modelle/fehlt.gguf"\nhidden_tasks = ["zusammenfassen"]\n',
    )
    store = SettingsStore()
    with pytest.raises(ModelError, match="fehlt.gguf"):
        choose_model("", store)
    assert not task_allowed(store.settings, "zusammenfassen")


def test_banner_for_broken_config_stays_after_model_load(
    qtbot, tmp_path: Path, isolated_dirs: dict[str, Path]
) -> None:
    from ui_helpers import load_model, make_window

    _policy(isolated_dirs, "free_chat = false\nmax_tokens = = 1\n")
    window, _backend, infos = make_window(qtbot, tmp_path)
    window.start()
    assert window.config_banner.isVisible()
    load_model(qtbot, window, infos[0])
    qtbot.wait(100)
    assert window.config_banner.isVisible()  # item 8: not hidden by the model load
    assert "Zeile 2" in window.config_banner.text()
    window.config_banner.close_button.click()
    assert not window.config_banner.isVisible()


def test_settings_dialog_ranges_follow_the_rules(qtbot, isolated_dirs: dict[str, Path]) -> None:
    from llmoin_desktop.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(SettingsStore())
    qtbot.addWidget(dialog)
    font = dialog.editors["font_scale"]
    assert (font.minimum(), font.maximum()) == (50, 200)
    assert dialog.editors["max_tokens"].minimum() == 1
    assert dialog.editors["n_threads"].minimum() == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["chat", "Hallo", "--temperature", "50"],
        ["chat", "Hallo", "--max-tokens", "-3"],
        ["summarize", "x.txt", "--max-tokens", "-1"],
    ],
)
def test_cli_options_out_of_range_are_refused(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str], argv: list
) -> None:
    from llmoin_desktop.cli.base import main

    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "Ungültiger Wert" in err and "erlaubt" in err


_WALK = r"""
import argparse, contextlib, io, json, sys
from llmoin_desktop.cli import base as cli

parser = cli.build_parser()
sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
results = {}
for name, sp in sub.choices.items():
    argv = [name]
    for action in sp._actions:
        if not action.option_strings and action.nargs not in ("?", "*"):
            argv.append(sys.argv[1])
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()) as out:
        try:
            code = cli.main(argv)
        except SystemExit as exc:
            code = exc.code
    results[name] = [code, err.getvalue() + out.getvalue()]
print(json.dumps(results))
"""


@pytest.mark.slow
def test_every_cli_command_runs_under_the_last_valid_policy(
    isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    """Every subcommand (also ones added later) reports the broken policy, keeps IT's last
    valid locks, and never shows a traceback."""
    import os
    import subprocess
    import sys

    _policy(isolated_dirs, 'free_chat = false\nallowed_tasks = ["keine"]\n')
    assert SettingsStore().policy_mode == "ok"  # cached now
    _policy(isolated_dirs, "free_chat = false\nallowed_tasks = [\n")
    doc = tmp_path / "vermerk.txt"  # every positional argument: an existing small file
    doc.write_text("Vermerk: Die Frist endet am 3. März.", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", _WALK, str(doc)],
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    assert {"chat", "task", "summarize", "ask", "doctor", "models"} <= set(results)
    for name, (_code, output) in results.items():
        assert "Traceback" not in output, (name, output)
        assert "zuletzt gültige Richtlinie" in output, (name, output)
    for name in ("chat", "task", "summarize", "draft", "simplify", "extract", "ask"):
        code, output = results[name]
        assert code == 1 and "IT-Abteilung" in output, (name, output)


def test_cli_library_commands_honour_the_data_dir_lock(
    isolated_dirs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmoin_desktop.cli.base import main

    target = tmp_path / "amt-daten"
    _policy(isolated_dirs, f'data_dir = "{target.as_posix()}"\n')
    monkeypatch.delenv("LLMOIN_DATA_DIR")
    assert main(["library"]) == 0
    assert (target / "library").is_dir()
