"""``run_gui``: the terms of use come before anything else; declining quits, accepting opens.

Child processes, as in test_ui_app.py (a nested ``exec()`` inside pytest's QApplication would
disturb later tests).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from llmoin_desktop.ui.app import run_gui
from llmoin_desktop.ui.main_window import MainWindow
from llmoin_desktop.ui.terms_dialog import TermsDialog

app = QApplication(["llmoin-desktop"])
answer = sys.argv[1]
seen = []

def look():
    dialogs = [w for w in app.topLevelWidgets() if isinstance(w, TermsDialog) and w.isVisible()]
    windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    seen.append((len(dialogs), len(windows)))
    if dialogs:
        if answer == "accept":
            dialogs[0].read_box.setChecked(True)
            dialogs[0].accept_button.click()
        else:
            dialogs[0].decline_button.click()
        QTimer.singleShot(500, look)
    else:
        app.quit()

QTimer.singleShot(500, look)
rc = run_gui(["llmoin-desktop", *sys.argv[2:]])
print("RESULT", rc, seen)
"""


def _run(answer: str, *args: str) -> str:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, answer, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    return proc.stdout


def test_declining_the_terms_quits_before_the_window(isolated_dirs: dict[str, Path]) -> None:
    out = _run("decline")
    assert "RESULT 0 [(1, 0)]" in out, out  # dialog shown, no main window, then the app ended
    assert not (isolated_dirs["data"] / "terms_accepted.json").exists()


def test_accepting_the_terms_opens_the_window(isolated_dirs: dict[str, Path]) -> None:
    out = _run("accept")
    assert "RESULT 0 [(1, 0), (0, 1)]" in out, out
    assert (isolated_dirs["data"] / "terms_accepted.json").is_file()
