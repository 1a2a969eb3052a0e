"""Screenshots of the task editor and the gallery with own and department tasks (offscreen).

    .venv/bin/python scripts/screenshots_task_builder.py --out docs/screenshots

Settings, data, policy and the department folder live in a temporary folder; the backend is
the fake one (the editor's pictures do not depend on a model).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="llmoin-shots-"))
    for name in ("config", "data", "policy", "abteilung"):
        (tmp / name).mkdir()
    os.environ.update(
        LLMOIN_CONFIG_DIR=str(tmp / "config"),
        LLMOIN_DATA_DIR=str(tmp / "data"),
        LLMOIN_POLICY_DIR=str(tmp / "policy"),
        QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
    )
    (tmp / "policy" / "policy.toml").write_text(
        f'department_tasks_dir = "{(tmp / "abteilung").as_posix()}"\ntask_publishing = "alle"\n',
        encoding="utf-8",
    )
    sys.path.insert(0, str(ROOT / "tests"))
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from fakes import FakeBackend

    from llmoin_desktop.core.settings.config import SettingsStore
    from llmoin_desktop.core.tasks import builder, sharing
    from llmoin_desktop.core.tasks.builder import DraftField, TaskDraft
    from llmoin_desktop.core.tasks.catalog import load_catalog
    from llmoin_desktop.ui.main_window import MainWindow

    draft = TaskDraft(
        title="Antwort auf Akteneinsicht (IFG)",
        description="Beantwortet einen Antrag auf Informationszugang.",
        icon="draft",
        category="Schreiben",
        fields=[
            DraftField("Anfrage", "longtext", required=True, help="Der Antrag im Wortlaut."),
            DraftField("Ergebnis", "choice", options=["Zugang gewährt", "Zugang abgelehnt"]),
            DraftField(
                "Ablehnungsgrund",
                "text",
                show_if_field="Ergebnis",
                show_if_values=["Zugang abgelehnt"],
            ),
        ],
        instructions=(
            "Schreibe eine bürgernahe Antwort auf «Anfrage». Ergebnis: «Ergebnis». "
            "Wenn abgelehnt, nenne den Grund: «Ablehnungsgrund». Datum: «Heutiges Datum»."
        ),
        output="letter",
    )
    path = builder.save(draft)
    spec = load_catalog(dirs=[path.parent]).get(path.stem)
    sharing.publish(spec, SettingsStore().settings, user="mmuster")
    window = MainWindow(FakeBackend(), SettingsStore(), scanner=lambda _s: [])
    window.resize(1200, 800)
    window.show()

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    args.out.mkdir(parents=True, exist_ok=True)
    settle()
    window.gallery.verticalScrollBar().setValue(window.gallery.verticalScrollBar().maximum())
    settle()
    window.grab().save(str(args.out / "14-gallery-own-tasks.png"))
    window.builder.edit(window.pages[spec.id].spec)
    window.builder.page.show_step(2)
    window.builder.page.preview.set_values({"ergebnis": "zugang_abgelehnt"})
    settle()
    window.grab().save(str(args.out / "15-task-builder.png"))
    print(f"files={args.out / '14-gallery-own-tasks.png'},{args.out / '15-task-builder.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
