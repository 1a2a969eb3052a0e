"""``llmoin-desktop --self-test``: proves an installation works, without a person at the PC.

IT runs it after a silent install (and our slow test runs it on the PyInstaller bundle): it
starts the real window (offscreen when there is no display), loads a model, reads a small
Word document in the sandboxed parser process and runs the guided task "Zusammenfassen"
end to end. It prints each step with its time and a last machine-readable line
(``SELFTEST ok=1 …``) and exits 0, or 1 with the reason in plain words.

User settings and data are not touched: the run uses a temporary user folder (machine-wide
policy still applies, so a locked ``default_model`` or ``models_dir`` is honoured).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmoin_desktop.core.i18n import _, tr

SAMPLE_TITLE = "Dienstanweisung Aktenführung"
SAMPLE_TEXT = (
    "Akten werden elektronisch geführt. Eingänge sind am Tag des Eingangs zu erfassen und "
    "dem zuständigen Sachgebiet zuzuordnen. Fristen werden im Fristenkalender eingetragen. "
    "Vor dem Versand prüft die Sachbearbeitung, ob alle Anlagen beigefügt sind."
)


@dataclass
class SelfTestReport:
    steps: list[tuple[str, float, str]] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)
    model: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    def summary_line(self) -> str:
        """One line for scripts (bench/bundle.py, monitoring): not translated."""
        parts = [f"ok={int(self.ok)}"]
        parts += [f"{k}={v:.2f}" for k, v in self.figures.items()]
        if self.model:
            parts.append(f"model={Path(self.model).name}")
        return "SELFTEST " + " ".join(parts)


def process_age_s() -> float:
    """Seconds since this process was created: includes interpreter start and imports.

    On Linux from /proc (10 ms ticks): psutil's create_time adds the boot time, which the
    kernel only reports in whole seconds, so its age can be a second off."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        stat = Path("/proc/self/stat").read_text()
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    try:
        import psutil

        return max(0.0, time.time() - psutil.Process().create_time())
    except Exception:  # noqa: BLE001 - a missing figure must not fail the self-test
        return 0.0


def bundled_models_dir() -> Path | None:
    """``models/`` beside the resources of a frozen bundle (build option ``--model``)."""
    base = getattr(sys, "_MEIPASS", None)
    if not base:
        return None
    folder = Path(base) / "models"
    return folder if folder.is_dir() else None


def choose_model(explicit: str, store: Any) -> Path:
    """``--model`` first, then the bundled model, then what the GUI would pick."""
    from llmoin_desktop.core.engine.catalog import inspect_model, scan_models
    from llmoin_desktop.ui.controllers.model_controller import configured_default

    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise RuntimeError(tr("Die Modelldatei „{name}“ wurde nicht gefunden.", name=path))
        return path
    models = scan_models(store)
    bundled = bundled_models_dir()
    if bundled is not None:
        models = [inspect_model(p) for p in sorted(bundled.glob("*.gguf"))] + models
    info = configured_default(models, store)  # IT's default model, or its problem (no stand-in)
    if info is None:
        raise RuntimeError(
            _(
                "Kein nutzbares Sprachmodell gefunden. Bitte ein GGUF-Modell in den Modellordner "
                "legen (Richtlinie models_dir) oder mit --model DATEI angeben."
            )
        )
    return Path(info.path)


def _parse(argv: Sequence[str]) -> tuple[str, int]:
    model, max_tokens = "", 32
    args = [a for a in argv if a != "--self-test"]
    for i, arg in enumerate(args):
        if arg == "--model" and i + 1 < len(args):
            model = args[i + 1]
        elif arg.startswith("--model="):
            model = arg.split("=", 1)[1]
        elif arg == "--max-tokens" and i + 1 < len(args):
            max_tokens = max(1, int(args[i + 1]))
    return model, max_tokens


def _use_offscreen_without_display() -> None:
    """A server or CI runner has no display: Qt's offscreen platform still builds every widget."""
    if os.environ.get("QT_QPA_PLATFORM") or not sys.platform.startswith("linux"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


# Builds the QApplication for a settings store: app.create_application, handed in by app.py so
# that the self-test does not import the start-up module back (issue 23: no import circle).
MakeApp = Callable[[Sequence[str], Any], Any]


def run_self_test(
    argv: Sequence[str], make_app: MakeApp, out: Callable[[str], None] = print
) -> int:
    """Returns the exit code: 0 everything worked, 1 a step failed (message printed).

    ``make_app`` is called once the temporary user folders are set, so the application reads
    the self-test's settings, not the clerk's."""
    report = SelfTestReport()
    report.figures["start_s"] = process_age_s()  # interpreter + imports up to here
    model_arg, max_tokens = _parse(argv)
    _use_offscreen_without_display()
    with tempfile.TemporaryDirectory(prefix="llmoin-selftest-") as tmp:
        work = Path(tmp)
        for name in ("config", "data"):
            (work / name).mkdir()
        os.environ["LLMOIN_CONFIG_DIR"] = str(work / "config")
        os.environ["LLMOIN_DATA_DIR"] = str(work / "data")
        try:
            _run_steps(report, work, model_arg, max_tokens, out, make_app)
        except Exception as exc:  # noqa: BLE001 - the one place that turns any failure into a message
            report.error = getattr(exc, "user_message", "") or f"{type(exc).__name__}: {exc}"
    if report.ok:
        out(_("Selbsttest bestanden."))
    else:
        out(tr("Selbsttest FEHLGESCHLAGEN: {error}", error=report.error))
    out(report.summary_line())
    return 0 if report.ok else 1


def _run_steps(
    report: SelfTestReport,
    work: Path,
    model_arg: str,
    max_tokens: int,
    out: Callable[[str], None],
    make_app: MakeApp,
) -> None:
    objects: dict[str, Any] = {}

    def step(label: str, fn: Callable[[], str]) -> None:
        t0 = time.perf_counter()
        detail = fn()
        seconds = time.perf_counter() - t0
        report.steps.append((label, seconds, detail))
        out(f"  OK {label} ({seconds:.2f} s){' — ' + detail if detail else ''}")

    def start_window() -> str:
        from llmoin_desktop.core import i18n
        from llmoin_desktop.core.engine.factory import create_backend
        from llmoin_desktop.core.settings.config import SettingsStore
        from llmoin_desktop.ui.main_window import MainWindow
        from llmoin_desktop.ui.offscreen import wait_until

        store = SettingsStore()
        i18n.set_language(store.settings.language)
        objects["store"] = store
        objects["app"] = make_app(["llmoin-desktop"], store)
        objects["backend"] = create_backend(store)
        window = MainWindow(objects["backend"], store)
        objects["window"] = window
        window.show()
        exposed = wait_until(
            lambda: window.windowHandle() is not None and window.windowHandle().isExposed(), 15
        )
        if not exposed:
            raise RuntimeError(_("Das Hauptfenster wurde nicht angezeigt."))
        report.figures["window_s"] = process_age_s()  # cold start to a usable window
        if window.gallery.first_tile() is None:
            raise RuntimeError(_("Die Aufgabenübersicht ist leer."))
        return tr("Anzeige: {platform}", platform=objects["app"].platformName())

    def load_model() -> str:
        path = choose_model(model_arg, objects["store"])
        report.model = str(path)
        t0 = time.perf_counter()
        objects["backend"].load(path)
        report.figures["load_s"] = time.perf_counter() - t0
        status = objects["backend"].status()
        from llmoin_desktop.core.engine.sampling import fast_sampling_available

        parts = [getattr(status, "device", "") or ""]
        if fast_sampling_available():  # the bundle must carry the compiled extension
            parts.append(_("schnelle Token-Auswahl"))
        detail = ", ".join(p for p in parts if p)
        return f"{path.name}{' (' + detail + ')' if detail else ''}"

    def read_document() -> str:
        import docx

        from llmoin_desktop.core.tasks.sources import load_document

        word = docx.Document()
        word.add_heading(SAMPLE_TITLE, level=1)
        word.add_paragraph(SAMPLE_TEXT)
        path = work / "aktenfuehrung.docx"
        word.save(str(path))
        objects["doc_path"] = path
        doc = load_document(path)
        if SAMPLE_TEXT[:40] not in doc.text:
            raise RuntimeError(_("Der Text des Beispieldokuments fehlt nach dem Lesen."))
        return tr("{name}, {blocks} Abschnitte", name=path.name, blocks=len(doc.blocks))

    def run_task() -> str:
        from llmoin_desktop.core.engine.backend import GenerationParams
        from llmoin_desktop.core.settings.policy_gate import task_allowed
        from llmoin_desktop.core.tasks.catalog import bundled_tasks_dir, load_catalog
        from llmoin_desktop.core.tasks.runner import TaskRunner

        if not task_allowed(objects["store"].settings, "zusammenfassen"):
            return _("übersprungen: die Aufgabe ist durch die Richtlinie nicht freigegeben")
        spec = load_catalog(dirs=[bundled_tasks_dir()]).get("zusammenfassen")
        if spec is None:
            raise RuntimeError(_("Die mitgelieferte Aufgabe „Zusammenfassen“ fehlt."))
        params = GenerationParams(max_tokens=max_tokens, temperature=0.0, seed=1)
        runner = TaskRunner(objects["backend"], params=params, map_max_tokens=max_tokens)
        t0 = time.perf_counter()
        result = runner.run(spec, {"dokument": str(objects["doc_path"]), "laenge": "kurz"})
        report.figures["task_s"] = time.perf_counter() - t0
        if not result.answer.strip():
            raise RuntimeError(_("Das Modell hat eine leere Antwort geliefert."))
        stats = result.stats
        if stats.decode_s > 0:
            report.figures["decode_tok_s"] = stats.n_generated / stats.decode_s
        preview = " ".join(result.answer.split())[:80]
        return tr(
            "{tokens} Token erzeugt: „{preview} …“", tokens=stats.n_generated, preview=preview
        )

    out(_("LLMoin Desktop – Selbsttest"))
    try:
        step(_("Oberfläche und Hauptfenster starten"), start_window)
        step(_("Modell laden"), load_model)
        step(_("Dokument im geschützten Hilfsprozess lesen"), read_document)
        step(_("Geführte Aufgabe „Zusammenfassen“ ausführen"), run_task)
    finally:
        _close(objects)
    report.figures["total_s"] = process_age_s()


def _close(objects: dict[str, Any]) -> None:
    window = objects.get("window")
    if window is not None:
        window.hide()
        with contextlib.suppress(Exception):
            window.pool.shutdown(timeout_ms=3000)
    if objects.get("backend") is not None:
        with contextlib.suppress(Exception):
            objects["backend"].close()
    from llmoin_desktop.core.documents import sandbox

    with contextlib.suppress(Exception):
        sandbox._close_shared()  # the parser process, before the temporary folder goes
