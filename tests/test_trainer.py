"""Trainer mode: the course works in a sandbox; the clerk's data folder stays byte for byte the same."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from fakes import FakeBackend, fake_model_info
from PySide6.QtCore import Qt
from ui_helpers import load_model

from llmoin_desktop.core.documents.loaders import load_document
from llmoin_desktop.core.history import HistoryStore
from llmoin_desktop.core.paths import resources_dir, user_data_dir
from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.core.trainer import MARKER, TrainerSandbox
from llmoin_desktop.ui.a11y import missing_accessible_names
from llmoin_desktop.ui.tutorial.trainer import start_trainer_session


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` with its SHA-256 (and the empty folders)."""
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "<dir>"
    return out


def _clerks_own_data(data: Path) -> None:
    """What a clerk's folder holds after some work: history, a model, library files."""
    HistoryStore(data / "history.sqlite3").list()
    (data / "models").mkdir()
    (data / "models" / "eigenes-modell.gguf").write_bytes(b"GGUF own model")
    (data / "library").mkdir()
    (data / "library" / "notiz.txt").write_text("Meine Akte", encoding="utf-8")


def test_samples_are_real_documents() -> None:
    samples = sorted((resources_dir() / "samples").iterdir())
    assert {p.suffix for p in samples} >= {".txt", ".md", ".docx"}
    assert len(samples) >= 3
    for path in samples:
        document = load_document(path)
        assert len(document.text) > 300, path.name
    texts = " ".join(load_document(p).text for p in samples)
    for needle in ("Sehr geehrte", "Vermerk", "§ 5 Fälligkeit"):
        assert needle in texts


def test_trainer_session_leaves_the_normal_data_folder_untouched(
    qtbot, tmp_path: Path, isolated_dirs: dict[str, Path]
) -> None:
    from llmoin_desktop.ui.main_window import MainWindow

    normal = isolated_dirs["data"]
    _clerks_own_data(normal)
    before = snapshot(normal)
    store = SettingsStore()
    sandbox, scanner = start_trainer_session(store)
    assert os.environ["LLMOIN_DATA_DIR"] == str(sandbox.data_dir)
    assert user_data_dir() == sandbox.data_dir
    assert not sandbox.root.is_relative_to(normal) and not normal.is_relative_to(sandbox.root)
    # the clerk's own models are still offered in the course
    found = scanner(store)
    assert any(m.path.name == "eigenes-modell.gguf" for m in found)

    model = tmp_path / "fake.gguf"
    model.write_bytes(b"GGUF fake")
    info = fake_model_info(model)
    window = MainWindow(FakeBackend(), store, scanner=lambda _s: [info])
    qtbot.addWidget(window)
    trainer = window.start_trainer(sandbox)
    # the practice library is filled with the samples, in the sandbox
    with qtbot.waitSignal(window.library.controller.index_finished, timeout=120000) as indexed:
        window.show()
    assert indexed.args[0] is not None
    assert any(sandbox.data_dir.joinpath("library").rglob("*"))
    assert window.centralWidget().layout().itemAt(1).widget() is trainer.bar
    assert not missing_accessible_names(trainer.bar)
    load_model(qtbot, window, info)

    # a full exercise in the sandbox: sample document, summary, refinement, prompt shown
    sample = sandbox.samples / "Buergeranfrage_Hundesteuer.txt"
    assert sample.is_file()
    window.activate_tile("zusammenfassen")
    page = window.tasks.pages["zusammenfassen"]
    controller = window.tasks.controllers["zusammenfassen"]
    page.form.set_values({"dokument": str(sample)})
    view = trainer.prompt_views["zusammenfassen"]
    assert not view.isVisible()
    qtbot.mouseClick(trainer.bar.show_prompt, Qt.MouseButton.LeftButton)
    assert view.isVisible()
    with qtbot.waitSignal(controller.finished, timeout=10000):
        page.generate_button.click()
    prompt = view.text.toPlainText()
    assert "Fasse den folgenden Text zusammen" in prompt and "Hundesteuer" in prompt
    assert "── System ──" in prompt
    with qtbot.waitSignal(controller.finished, timeout=10000):
        page.result.refine_buttons["kuerzer"].click()
    window.close()

    assert (sandbox.data_dir / "history.sqlite3").is_file()
    assert len(HistoryStore(sandbox.data_dir / "history.sqlite3").list()) >= 1
    assert snapshot(normal) == before  # nothing added, changed or removed
    assert TrainerSandbox(sandbox.root).state()["show_prompt"] is True


def test_reset_wipes_practice_data_at_the_next_start(qtbot, tmp_path: Path) -> None:
    from llmoin_desktop.ui.main_window import MainWindow

    sandbox = TrainerSandbox(tmp_path / "kurs").prepare()
    (sandbox.data_dir / "history.sqlite3").write_bytes(b"practice")
    (sandbox.samples / "Buergeranfrage_Hundesteuer.txt").write_text("überschrieben", "utf-8")
    window = MainWindow(FakeBackend(), SettingsStore(), scanner=lambda _s: [])
    qtbot.addWidget(window)
    trainer = window.start_trainer(sandbox)
    restarts: list[bool] = []
    trainer.restart = lambda trainer_mode: restarts.append(trainer_mode) or True
    assert trainer.ask_reset(confirm=False)
    assert restarts == [True]  # restarts into trainer mode; nothing deleted under open files
    assert (sandbox.data_dir / "history.sqlite3").exists()
    sandbox.prepare()  # what the next start does
    assert not (sandbox.data_dir / "history.sqlite3").exists()
    original = (resources_dir() / "samples" / "Buergeranfrage_Hundesteuer.txt").read_bytes()
    assert (sandbox.samples / "Buergeranfrage_Hundesteuer.txt").read_bytes() == original
    qtbot.mouseClick(trainer.bar.exit_button, Qt.MouseButton.LeftButton)
    assert restarts == [True, False]


def test_wipe_never_deletes_a_folder_that_is_not_a_sandbox(tmp_path: Path) -> None:
    precious = tmp_path / "akten"
    precious.mkdir()
    (precious / "wichtig.txt").write_text("bitte behalten", "utf-8")
    sandbox = TrainerSandbox(precious)
    sandbox.wipe()
    assert (precious / "wichtig.txt").is_file()
    sandbox.prepare()
    assert (precious / MARKER).is_file()  # now it is one, and only then can be wiped
