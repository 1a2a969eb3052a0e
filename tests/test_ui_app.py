"""``run_gui`` (what ``python -m llmoin_desktop`` calls) starts the real window and exits cleanly.

Runs in a child process: ``QApplication.exec()`` and its quit inside the pytest process would
leave the shared QApplication in a state that disturbs the following tests' event loops.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from llmoin_desktop.ui.app import run_gui
from llmoin_desktop.ui.main_window import MainWindow

app = QApplication(["llmoin-desktop"])
from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.core.terms import accept_current
accept_current(SettingsStore())  # else the terms of use come first (tests/test_terms_start.py)
seen = []

def look_and_quit():
    seen.extend(w.windowTitle() for w in app.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible())
    app.quit()

QTimer.singleShot(800, look_and_quit)
rc = run_gui(["llmoin-desktop"])
print("RESULT", rc, seen)
"""


def test_run_gui_opens_main_window_and_returns_exit_code(isolated_dirs: dict[str, Path]) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "RESULT 0 ['LLMoin Desktop']" in proc.stdout, proc.stdout + proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
