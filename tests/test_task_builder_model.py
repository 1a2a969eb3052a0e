"""A task built in the editor runs with the real demo model: "Ausprobieren" in the window, then
the saved file through the unchanged CLI (``llmoin-desktop task ID``) and its task list."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from test_task_builder_ui import answers, build_through_ui  # noqa: F401 - fixture
from ui_helpers import make_window

from llmoin_desktop.cli import base as cli
from llmoin_desktop.core.tasks import builder

pytestmark = [pytest.mark.model, pytest.mark.slow]


def test_try_out_and_cli_with_the_demo_model(
    qtbot,  # noqa: ANN001
    tmp_path: Path,
    engine,  # noqa: ANN001
    demo_model_path: Path,
    answers,  # noqa: ANN001, F811
    capsys,  # noqa: ANN001
) -> None:
    window, _b, _i = make_window(qtbot, tmp_path, backend=engine)
    build_through_ui(qtbot, window)
    page = window.builder.page
    form = page.preview
    form.set_values(
        {
            "anfrage": "Bitte um Einsicht in die Akte zum Bebauungsplan Nr. 12.",
            "ergebnis": "zugang_abgelehnt",
            "ablehnungsgrund": "Laufendes Verfahren.",
        }
    )
    window.settings.set("max_tokens", 16)  # the 2-core CI machine: tokens, not prose
    page.show_step(4)
    qtbot.mouseClick(page.try_button, Qt.MouseButton.LeftButton)
    assert window.builder.try_handle is not None, page.message.text()
    qtbot.waitUntil(lambda: window.builder.try_handle is None, timeout=600_000)
    assert page.try_output.toPlainText().strip(), page.message.text()
    assert engine.status().backend == "local"  # the real engine answered, not a fake
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert (builder.user_tasks_dir() / "antwort_auf_akteneinsicht.toml").is_file()
    # the CLI reads the same folder, unchanged
    assert cli.main(["tasks"]) == 0
    assert "antwort_auf_akteneinsicht" in capsys.readouterr().out
    code = cli.main(
        [
            "task",
            "antwort_auf_akteneinsicht",
            "--set",
            "anfrage=Akteneinsicht Bebauungsplan 12",
            "--set",
            "ergebnis=Zugang gewährt",
            "--max-tokens",
            "12",
            "--model",
            str(demo_model_path),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.strip()
