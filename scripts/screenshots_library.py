"""Render the document library views offscreen to PNG files (not committed).

Usage: .venv/bin/python scripts/screenshots_library.py [--real] [--out screenshots]

Shots: the library page with indexed and rejected documents (the reason shown), the
"Dokumente fragen" page with an answer and its sources, and the document viewer at the cited
PDF page with the quote highlighted. Uses the shared corpus (../shared/corpus) when present,
else the bundled samples. The model is the canned FakeBackend unless ``--real`` (demo model):
the views are the point here, and the demo model's German is not. Settings, data and the
library live in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
ANSWER = (
    "Wer eine Wohnung bezieht, muss sich innerhalb von zwei Wochen nach dem Einzug bei der "
    "Meldebehörde anmelden [1]. Der Wohnungsgeber bestätigt den Einzug innerhalb dieser "
    "Frist [2]."
)
QUESTION = "Innerhalb welcher Frist muss man sich nach dem Einzug in eine Wohnung anmelden?"


def documents() -> list[Path]:
    if CORPUS.is_dir():
        g, w = CORPUS / "gesetze", CORPUS / "wild"
        return [
            g / "bmg.pdf",
            g / "burlg.md",
            g / "pauswg.docx",
            g / "ifg.pdf",
            w / "encrypted-aes256.pdf",
            w / "imagemagick-images.pdf",
            w / "umlaute-cp1252.txt",
        ]
    return sorted((ROOT / "resources" / "samples").iterdir())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--real", action="store_true", help="the demo model instead of canned text")
    parser.add_argument("--lang", default="de", choices=["de", "en"])
    args = parser.parse_args()

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="llmoin-libshots-"))
    for sub in ("config", "data", "policy"):
        (tmp / sub).mkdir()
    os.environ["LLMOIN_CONFIG_DIR"] = str(tmp / "config")
    os.environ["LLMOIN_DATA_DIR"] = str(tmp / "data")
    os.environ["LLMOIN_POLICY_DIR"] = str(tmp / "policy")
    os.environ["LLMOIN_LIBRARY_DIR"] = str(tmp / "data" / "library")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))

    from llmoin_desktop.core import i18n
    from llmoin_desktop.core.config import SettingsStore
    from llmoin_desktop.core.engine.catalog import find_demo_model, inspect_model
    from llmoin_desktop.ui.app import create_application
    from llmoin_desktop.ui.main_window import MainWindow
    from llmoin_desktop.ui.offscreen import wait_signal, wait_until

    i18n.set_language(args.lang)
    store = SettingsStore()
    store.set("max_tokens", 120, save=False)
    app = create_application(["screenshots"], store)
    if args.real:
        from llmoin_desktop.core.engine.local import LocalBackend

        backend = LocalBackend(store)
        demo = find_demo_model()
        infos = [inspect_model(demo, is_demo=True)] if demo else []
    else:
        from fakes import FakeBackend, fake_model_info

        model = tmp / "data" / "Beispielmodell.gguf"
        model.write_bytes(b"GGUF")
        backend = FakeBackend(token_delay=0.005, tokens=[w + " " for w in ANSWER.split()])
        infos = [fake_model_info(model, "SmolLM2 135M Instruct")]
    window = MainWindow(backend, store, scanner=lambda _s: infos)
    window.resize(1100, 720)
    window.show()
    if infos:
        window.models.load(infos[0])
        wait_signal(window.models.loaded, timeout_s=120)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    def shot(widget, name: str) -> None:  # noqa: ANN001
        app.processEvents()
        path = out / name
        widget.grab().save(str(path))
        print(path)

    area = window.library
    window.library_button.click()
    area.controller.add_paths([str(p) for p in documents() if p.exists()])
    wait_signal(area.controller.index_finished, timeout_s=600)
    wait_until(lambda: bool(area.controller.documents), 10)
    wait_until(lambda: False, 0.5)
    shot(window, "20-library.png")

    window.activate_tile("dokumente_fragen")
    page = area.ask_pages["dokumente_fragen"]
    controller = area.ask_controllers["dokumente_fragen"]
    wait_until(lambda: page.scope_list.count() > 0, 10)
    page.question.setPlainText(QUESTION)
    page.ask_button.click()
    wait_until(lambda: controller.result is not None and not controller.busy, 900)
    shot(window, "21-ask-citations.png")

    viewer = controller.open_citation(1) if controller.result else None
    if viewer is not None:
        wait_until(lambda: viewer.highlight_count > 0, 20)
        shot(viewer, "22-document-viewer.png")
        viewer.close()

    window.pool.shutdown()
    window.close()
    backend.close()
    from llmoin_desktop.core.tasks.library_task import close_all_libraries

    close_all_libraries()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
