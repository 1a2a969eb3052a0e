"""A whole working session under the network guard, with a report a data-protection officer
can read: which steps ran, how many network attempts were seen (must be 0), which child
processes were started, and the telemetry settings in effect.

Used by ``llmoin-desktop doctor --offline-check`` and by tests/test_offline_session.py.
"""

from __future__ import annotations

import ast
import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.offline.network_guard import HARDENED_ENV, Attempt, NetworkGuard

QUESTION = "Wie viele Tage Urlaub stehen einem Arbeitnehmer mindestens zu?"

SAMPLE_MD = """# Mindesturlaubsgesetz für Arbeitnehmer (Beispiel)

## § 1 Urlaubsanspruch
Jeder Arbeitnehmer hat in jedem Kalenderjahr Anspruch auf bezahlten Erholungsurlaub.

## § 3 Dauer des Urlaubs
Der Urlaub beträgt jährlich mindestens 24 Werktage. Als Werktage gelten alle
Kalendertage, die nicht Sonn- oder gesetzliche Feiertage sind.
"""

SAMPLE_TXT = (
    "Bürgerbüro der Stadt Musterstadt. Anträge auf einen Personalausweis werden montags bis "
    "freitags von 8 bis 12 Uhr angenommen. Bitte bringen Sie ein biometrisches Lichtbild mit."
)


@dataclass
class Step:
    name: str
    ok: bool
    seconds: float
    detail: str = ""


@dataclass
class OfflineReport:
    steps: list[Step] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    processes: list[str] = field(default_factory=list)
    telemetry: dict[str, str] = field(default_factory=dict)
    source_scan: list[str] = field(default_factory=list)  # chromadb clients without the flag

    @property
    def passed(self) -> bool:
        return (
            len(self.steps) == 6
            and all(s.ok for s in self.steps)
            and not self.attempts
            and not self.source_scan
        )

    def text(self) -> str:
        """Plain-text report (German or English, following the UI language)."""
        lines = [_("Offline-Prüfung (Netzwerkwächter im Modus „blockieren“)"), ""]
        lines.append(_("Geprüfte Schritte:"))
        for s in self.steps:
            mark = "OK " if s.ok else "!! "
            lines.append(
                f"  {mark}{s.name} ({s.seconds:.1f} s){' — ' + s.detail if s.detail else ''}"
            )
        lines.append("")
        lines.append(tr("Verbindungsversuche: {n}", n=len(self.attempts)))
        for a in self.attempts:
            lines.append(
                f"  !! {a.event} → {a.target} (pid {a.pid}, {a.thread}) {a.where}".rstrip()
            )
        lines.append("")
        lines.append(_("Gestartete Hilfsprozesse (ebenfalls überwacht):"))
        for cmd in self.processes or [_("keine")]:
            lines.append(f"  {cmd[:160]}")
        lines.append("")
        lines.append(_("Telemetrie:"))
        for key, value in self.telemetry.items():
            lines.append(f"  {key} = {value}")
        if self.source_scan:
            lines.append(_("  Chroma-Clients ohne anonymized_telemetry=False:"))
            lines.extend(f"  !! {where}" for where in self.source_scan)
        lines.append("")
        lines.append(
            _("Ergebnis: BESTANDEN — keine Netzwerkverbindung.")
            if self.passed
            else _("Ergebnis: NICHT BESTANDEN")
        )
        return "\n".join(lines)


def write_sample_documents(folder: Path) -> list[Path]:
    """Three small documents (Markdown, text, Word) for sites without test files."""
    import docx

    folder.mkdir(parents=True, exist_ok=True)
    md = folder / "urlaub.md"
    md.write_text(SAMPLE_MD, encoding="utf-8")
    txt = folder / "buergerbuero.txt"
    txt.write_text(SAMPLE_TXT, encoding="utf-8")
    word = docx.Document()
    word.add_heading("Dienstanweisung Aktenführung", level=1)
    word.add_paragraph(
        "Akten werden elektronisch geführt. Eingänge sind am Tag des Eingangs zu erfassen "
        "und dem zuständigen Sachgebiet zuzuordnen."
    )
    doc_path = folder / "aktenfuehrung.docx"
    word.save(str(doc_path))
    return [md, txt, doc_path]


def scan_chromadb_clients(package_dir: Path | None = None) -> list[str]:
    """Every chromadb client construction in our code must pass anonymized_telemetry=False.

    Returns the places that do not (empty = fine). In a frozen bundle without sources the
    scan is skipped and says so in the telemetry section instead.
    """
    root = package_dir or Path(__file__).resolve().parents[1]
    bad: list[str] = []
    for path in sorted(root.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in ("PersistentClient", "HttpClient", "EphemeralClient", "CloudClient"):
                continue
            source = ast.unparse(node)
            if "anonymized_telemetry=False" not in source.replace(" ", ""):
                bad.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return bad


def _telemetry_state(library: Any) -> dict[str, str]:
    state = {key: os.environ.get(key, _("(nicht gesetzt)")) for key in HARDENED_ENV}
    client_flag = _("(keine Vektordatenbank geöffnet)")
    with contextlib.suppress(Exception):
        from llmoin_desktop.core.library.vectors import _client

        if library is not None and library.vectors is not None:
            settings = _client(library.vectors.path).get_settings()
            client_flag = str(settings.anonymized_telemetry)
    state["chromadb Settings.anonymized_telemetry"] = client_flag
    return state


def run_offline_session(
    workdir: Path,
    model_path: Path,
    *,
    files: list[Path] | None = None,
    summary_file: Path | None = None,
    on_step: Callable[[Step], None] | None = None,
    max_tokens: int = 48,
    steps: int = 6,
) -> OfflineReport:
    """Start, load the model, index, ask, summarise, export — with all networking blocked."""
    report = OfflineReport()
    workdir.mkdir(parents=True, exist_ok=True)
    guard = NetworkGuard("fail", child_log=workdir / "child-network-attempts.jsonl")
    objects: dict[str, Any] = {}

    def step(name: str, fn: Callable[[], str]) -> bool:
        t0 = time.perf_counter()
        try:
            detail = fn() or ""
            ok = True
        except Exception as exc:  # noqa: BLE001 - reported, never a traceback for the auditor
            detail = getattr(exc, "user_message", "") or f"{type(exc).__name__}: {exc}"
            ok = False
        s = Step(name, ok, time.perf_counter() - t0, detail)
        report.steps.append(s)
        if on_step is not None:
            on_step(s)
        return ok

    def start() -> str:
        from llmoin_desktop.core.engine.local import LocalBackend
        from llmoin_desktop.core.settings.config import SettingsStore
        from llmoin_desktop.core.tasks.catalog import load_catalog

        store = SettingsStore()
        objects["store"] = store
        objects["catalog"] = load_catalog(store.settings)
        objects["backend"] = LocalBackend(store)
        return tr("{n} Aufgaben geladen", n=len(objects["catalog"].tasks))

    def load_model() -> str:
        objects["backend"].load(model_path)
        return model_path.name

    def index() -> str:
        from llmoin_desktop.core.documents.sandbox import DocumentParser
        from llmoin_desktop.core.library import Library

        docs = files or write_sample_documents(workdir / "dokumente")
        objects["docs"] = docs
        parser = DocumentParser(workers=1)
        objects["parser"] = parser
        lib = Library.open(workdir / "bibliothek", parser=parser)
        objects["library"] = lib
        lib.add(docs)
        result = lib.index_pending()
        indexed = result.count("indexed")
        if indexed != len(docs):
            raise RuntimeError(
                tr("nur {n} von {total} Dateien indiziert", n=indexed, total=len(docs))
            )
        return tr(
            "{n} Dateien, {chunks} Abschnitte",
            n=indexed,
            chunks=sum(o.chunks for o in result.outcomes),
        )

    def ask() -> str:
        from llmoin_desktop.core.engine.backend import GenerationParams

        hits = objects["library"].search(QUESTION, k=3)
        if not hits:
            raise RuntimeError(_("keine Fundstelle gefunden"))
        context = "\n\n".join(f"[{i}] {h.title}: {h.text[:400]}" for i, h in enumerate(hits, 1))
        result = objects["backend"].chat(
            [
                {"role": "system", "content": "Antworte kurz und nenne die Quelle in [n]."},
                {"role": "user", "content": f"{context}\n\nFrage: {QUESTION}"},
            ],
            GenerationParams(max_tokens=max_tokens, temperature=0.0, seed=1),
        )
        if not result.text.strip():
            raise RuntimeError(_("leere Antwort"))
        return tr("{n} Fundstellen, {tokens} Token Antwort", n=len(hits), tokens=result.n_generated)

    def summarise() -> str:
        from llmoin_desktop.core.engine.backend import GenerationParams
        from llmoin_desktop.core.tasks.runner import TaskRunner

        spec = objects["catalog"].get("zusammenfassen")
        runner = TaskRunner(
            objects["backend"],
            params=GenerationParams(max_tokens=max_tokens, temperature=0.0, seed=1),
            map_max_tokens=max_tokens,
        )
        source = summary_file or min(objects["docs"], key=lambda p: p.stat().st_size)
        result = runner.run(spec, {"dokument": str(source), "laenge": "kurz"})
        objects["summary"] = (spec, result)
        return tr("„{name}“ in {parts} Teil(en)", name=source.name, parts=result.parts)

    def export() -> str:
        from llmoin_desktop.core.export import content_from_result, export_docx

        spec, result = objects["summary"]
        out = export_docx(content_from_result(spec, result), workdir / "zusammenfassung.docx")
        return tr("{name}, {kb} KB", name=out.name, kb=f"{out.stat().st_size / 1024:.0f}")

    with guard:
        for name, fn in (
            (_("Programmstart (Einstellungen, Aufgaben, Engine)"), start),
            (_("Modell laden"), load_model),
            (_("Dokumente indizieren (Bibliothek, Suchindex)"), index),
            (_("Frage an die Bibliothek mit Antwort des Modells"), ask),
            (_("Geführte Aufgabe „Zusammenfassen“"), summarise),
            (_("Export als DOCX"), export),
        )[:steps]:
            if not step(name, fn):
                break
        report.telemetry = _telemetry_state(objects.get("library"))
        for key in ("library", "parser", "backend"):
            with contextlib.suppress(Exception):
                objects[key].close()
    report.attempts = list(guard.attempts)
    report.processes = list(guard.processes)
    report.source_scan = scan_chromadb_clients()
    return report
