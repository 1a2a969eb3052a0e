"""Run every built-in guided task on the bundled samples and check the results (issue 12, 2).

The model is used exactly as the app uses it: the task files, the task runner with the
settings' answer length and temperature, the library runner for "Dokumente fragen" over a
temporary library of the samples. A :class:`RecordingBackend` in between keeps every call's
token counts and raw text, so the report can say how much context was used and whether
thinking text came out of the model (and whether the engine kept it out of the answer).
"""

from __future__ import annotations

import contextlib
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmoin_desktop.core import paths
from llmoin_desktop.core.engine.template_probe import vocab_mismatch_note
from llmoin_desktop.core.errors import Cancelled, LLMoinError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import CancelToken
from llmoin_desktop.core.modelcheck import checks as C
from llmoin_desktop.core.tasks import eta
from llmoin_desktop.core.tasks.runner import SilentReporter, TaskRunner, run_any

# The samples and what they are known to contain (resources/samples/).
SUMMARY_SAMPLE = "Bericht_Stadtbibliothek_2024.txt"
EXTRACT_SAMPLE = "Gebuehrenbescheid_Fristen.txt"
LETTER_SAMPLE = "Anfrage_Strassenfest.txt"
DEADLINES: tuple[tuple[str, ...], ...] = (
    ("15. April 2025", "15.04.2025", "15.4.2025", "15.04.25"),
    ("28. März 2025", "28.03.2025", "28.3.2025", "28.03.25"),
    ("4. April 2025", "04.04.2025", "4.4.2025", "04.04.25"),
    ("eines Monats", "ein Monat", "einen Monat", "1 Monat", "einem Monat"),
)
AMOUNTS: tuple[tuple[str, ...], ...] = (
    ("256,00", "256 €", "256 Euro", "256,- ", "256 EUR"),
    ("221,00", "221 €", "221 Euro", "221 EUR"),
    ("35,00", "35 €", "35 Euro", "35 EUR"),
    ("2,50",),
)
ASK_QUESTION = "Bis wann muss die Gebühr für den Baucontainer in der Ahornstraße bezahlt werden?"
ASK_UNRELATED = "Wie viele Monde hat der Planet Jupiter und wie heißt der größte davon?"
LETTER_VALUES = {
    "art": "antwort",
    "empfaenger": "Herr Karl Muster, Nachbarschaftsinitiative Lindenviertel e. V.",
    "anschrift": "Lindenweg 3\n12345 Musterstadt",
    "betreff": "Ihr Straßenfest im Lindenweg am 21. Juni 2025",
    "kernpunkte": (
        "Für die Sperrung ist eine verkehrsrechtliche Anordnung nötig; Antrag bis 23. Mai 2025 "
        "stellen. Beizufügen: Lageplan, Name der verantwortlichen Person, Zahl der Tische. "
        "Gebühr: 60 Euro. Kuchenverkauf ohne Erlaubnis möglich."
    ),
    "ton": "buergernah",
    "laenge": "kurz",
}
# Answers in the check stay short enough that a slow PC finishes in minutes.
CHECK_MAX_TOKENS = 400

Progress = Callable[[int, int, str], None]


@dataclass
class CheckRow:
    key: str  # machine name (key=value report)
    task: str  # task title or "Modell"
    check: str  # what was checked, in the user's language
    ok: bool | None  # None: information, not a pass/fail check
    detail: str = ""


@dataclass
class ModelCheckReport:
    model_path: str
    model_name: str = ""
    params: str = ""
    quantization: str = ""
    file_mb: float = 0.0
    machine: str = ""
    started: str = ""
    rows: list[CheckRow] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # task title → the answer

    @property
    def passed(self) -> int:
        return sum(1 for r in self.rows if r.ok is True)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rows if r.ok is False)

    def add(self, key: str, task: str, check: str, ok: bool | None, detail: str = "") -> None:
        self.rows.append(CheckRow(key, task, check, ok, detail))


class RecordingBackend:
    """Passes every call to the real backend and keeps its result (tokens, raw text)."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend
        self.results: list[Any] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)

    def chat(self, messages: Any, params: Any = None, **kwargs: Any) -> Any:
        result = self._backend.chat(messages, params, **kwargs)
        self.results.append(result)
        return result


def samples_dir() -> Path:
    return paths.resources_dir() / "samples"


def peak_rss_mb() -> float:
    """Peak resident memory of this process (the model is mapped into it)."""
    with contextlib.suppress(ImportError, AttributeError, OSError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 1024 if sys.platform != "darwin" else peak / 2**20
    with contextlib.suppress(Exception):
        import psutil

        info = psutil.Process().memory_info()
        return getattr(info, "peak_wset", info.rss) / 2**20
    return 0.0


def _template_rows(report: ModelCheckReport, backend: Any) -> None:
    task = _("Modell")
    profile_fn = getattr(backend, "template_profile", None)
    profile = None
    with contextlib.suppress(Exception):
        profile = profile_fn() if callable(profile_fn) else None
    if profile is None:
        report.add("template", task, _("Chat-Vorlage"), None, _("nicht ermittelt"))
        return
    system = bool(getattr(profile, "system_role", True))
    strict = bool(getattr(profile, "strict_alternation", False))
    reasoning = str(getattr(profile, "reasoning", "") or "")
    report.add(
        "template_system_role",
        task,
        _("Systemrolle der Vorlage"),
        None,
        _("unterstützt")
        if system
        else _("nicht unterstützt – Anweisungen werden in die erste Nachricht übernommen"),
    )
    report.add(
        "template_strict_alternation",
        task,
        _("Strikter Wechsel Nutzer/Assistent"),
        None,
        _("ja") if strict else _("nein"),
    )
    missing = list(getattr(profile, "vocab_missing", None) or [])
    report.add(
        "template_vocab",
        task,
        _("Chat-Vorlage und Vokabular"),
        None,
        vocab_mismatch_note(missing) if missing else _("passen zusammen"),
    )
    kinds = {"think": "<think>…</think>", "harmony": _("Kanäle (analysis/final)")}
    report.add(
        "template_reasoning",
        task,
        _("Denkmodell (Überlegungen vor der Antwort)"),
        None,
        tr("ja: {kind}", kind=kinds.get(reasoning, reasoning)) if reasoning else _("nein"),
    )


def run_model_check(
    backend: Any,
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    settings: Any = None,
    model_path: str | Path | None = None,
    max_tokens: int = CHECK_MAX_TOKENS,
) -> ModelCheckReport:
    """Check the loaded model; ``backend`` must already hold it (``load`` as the app does)."""
    from llmoin_desktop.core.settings.config import SettingsStore
    from llmoin_desktop.core.tasks.catalog import load_catalog

    cancel = cancel or CancelToken()
    settings = settings or SettingsStore().settings
    status = backend.status()
    path = str(model_path or status.model_path)
    report = ModelCheckReport(
        model_path=path,
        model_name=status.model_name or Path(path).name,
        machine=f"{platform.system()} {platform.machine()}, {_cpu_count()} CPU",
        started=time.strftime("%Y-%m-%d %H:%M"),
    )
    info = getattr(backend, "model_info", None)
    if info is not None:
        report.params = info.params_label
        report.quantization = info.quantization
        report.file_mb = round(info.file_size / 2**20, 1)
    rec = RecordingBackend(backend)
    runner = TaskRunner.from_settings(rec, settings)
    runner.params.max_tokens = min(runner.params.max_tokens, max_tokens)
    report.metrics["max_tokens"] = runner.params.max_tokens
    runner.params.seed = 1234
    catalog = load_catalog(settings)
    steps = 7
    done = 0

    def step(text: str) -> None:
        nonlocal done
        if cancel.cancelled:
            raise Cancelled(_("Abgebrochen."))
        if progress is not None:
            progress(done, steps, text)
        done += 1

    started = time.perf_counter()
    step(_("Geschwindigkeit wird gemessen …"))
    _template_rows(report, backend)
    rates = eta.calibrate(backend, cancel)
    with contextlib.suppress(Exception):
        eta.RateStore().put(path, rates)
    report.metrics["prompt_tokens_per_s"] = round(rates.prompt_tps, 1)
    report.metrics["gen_tokens_per_s"] = round(rates.gen_tps, 1)

    def run_task(task_id: str, values: dict[str, Any]) -> str | None:
        spec = catalog.get(task_id)
        title = spec.t(spec.title) if spec else task_id
        if spec is None:
            report.add(f"{task_id}_available", title, _("Aufgabe vorhanden"), False, _("fehlt"))
            return None
        try:
            result = run_any(runner, spec, values, SilentReporter(cancel))
        except Cancelled:
            raise
        except LLMoinError as exc:
            report.add(f"{task_id}_runs", title, _("Aufgabe läuft durch"), False, exc.user_message)
            return None
        except Exception as exc:  # noqa: BLE001 - the report says what broke
            report.add(f"{task_id}_runs", title, _("Aufgabe läuft durch"), False, repr(exc))
            return None
        report.outputs[title] = result.answer
        report.add(f"{task_id}_runs", title, _("Aufgabe läuft durch"), True)
        return result.answer

    sample = samples_dir()
    source = (sample / SUMMARY_SAMPLE).read_text(encoding="utf-8")

    step(_("Zusammenfassen …"))
    title = _task_title(catalog, "zusammenfassen")
    text = run_task("zusammenfassen", {"dokument": str(sample / SUMMARY_SAMPLE), "laenge": "kurz"})
    if text is not None:
        report.add(
            "summary_shorter",
            title,
            _("kürzer als die Vorlage"),
            len(text) < len(source),
            tr("{a} von {b} Zeichen", a=len(text), b=len(source)),
        )
        de, en = C.german_share(text)
        report.add(
            "summary_german",
            title,
            _("auf Deutsch"),
            C.is_german(text),
            tr(
                "deutsche Funktionswörter {de} %, englische {en} %",
                de=round(de * 100),
                en=round(en * 100),
            ),
        )

    step(_("Schreiben entwerfen …"))
    title = _task_title(catalog, "entwurf")
    text = run_task("entwurf", LETTER_VALUES)
    if text is not None:
        report.add(
            "letter_salutation", title, _("beginnt mit einer Anrede"), C.has_salutation(text)
        )
        report.add("letter_closing", title, _("endet mit einer Grußformel"), C.has_closing(text))
        report.add("letter_german", title, _("auf Deutsch"), C.is_german(text))

    step(_("Informationen herausziehen …"))
    title = _task_title(catalog, "extrahieren")
    text = run_task("extrahieren", {"dokument": str(sample / EXTRACT_SAMPLE)})
    if text is not None:
        rows, good = C.table_rows(text)
        report.add(
            "extract_table",
            title,
            _("Tabelle mit lesbaren Zeilen"),
            rows > 0 and good == rows,
            tr("{good} von {rows} Zeilen vollständig", good=good, rows=rows),
        )
        found_d = sum(C.fact_found(f, text) for f in DEADLINES)
        found_a = sum(C.fact_found(f, text) for f in AMOUNTS)
        report.add(
            "extract_deadlines",
            title,
            _("Fristen der Vorlage gefunden"),
            found_d >= len(DEADLINES) - 1,
            tr("{n} von {m}", n=found_d, m=len(DEADLINES)),
        )
        report.add(
            "extract_amounts",
            title,
            _("Beträge der Vorlage gefunden"),
            found_a >= len(AMOUNTS) - 1,
            tr("{n} von {m}", n=found_a, m=len(AMOUNTS)),
        )

    step(_("Einfache Sprache …"))
    title = _task_title(catalog, "einfache_sprache")
    text = run_task("einfache_sprache", {"dokument": str(sample / SUMMARY_SAMPLE)})
    if text is not None:
        before, after = C.mean_sentence_words(source), C.mean_sentence_words(text)
        report.add(
            "plain_shorter_sentences",
            title,
            _("kürzere Sätze als die Vorlage"),
            0 < after < before,
            tr("{a} statt {b} Wörter je Satz", a=f"{after:.1f}", b=f"{before:.1f}"),
        )
        report.add("plain_german", title, _("auf Deutsch"), C.is_german(text))

    step(_("Dokumente fragen …"))
    _ask_checks(report, catalog, runner, cancel, sample)

    step(_("Bericht wird erstellt …"))
    leaks = [(r.text, C.reasoning_leak(r.text)) for r in rec.results]
    leaked = [m for _t, m in leaks if m]
    answers_leak = [C.reasoning_leak(t) for t in report.outputs.values()]
    separated = sum(len(str(getattr(r, "reasoning", "") or "")) for r in rec.results)
    report.add(
        "no_reasoning_leak",
        _("Alle Aufgaben"),
        _("keine Überlegungen im Ergebnis"),
        not any(answers_leak) and not leaked,
        tr("Markierung „{m}“ gefunden", m=(leaked or [a for a in answers_leak if a])[0])
        if leaked or any(answers_leak)
        else (tr("{n} Zeichen Überlegungen abgetrennt", n=separated) if separated else ""),
    )
    n_ctx = backend.context_size()
    used = max((r.n_prompt + r.n_generated for r in rec.results), default=0)
    report.metrics["context_used_tokens"] = used
    report.metrics["context_tokens"] = n_ctx
    report.metrics["calls"] = len(rec.results)
    report.metrics["generated_tokens"] = sum(r.n_generated for r in rec.results)
    decode = sum(r.decode_s for r in rec.results)
    timed = sum(r.n_timed for r in rec.results)
    if decode > 0 and timed:
        report.metrics["task_gen_tokens_per_s"] = round(timed / decode, 1)
    report.metrics["peak_rss_mb"] = round(peak_rss_mb())
    report.metrics["check_s"] = round(time.perf_counter() - started, 1)
    report.metrics["passed"] = report.passed
    report.metrics["failed"] = report.failed
    if progress is not None:
        progress(steps, steps, _("Fertig."))
    return report


def _task_title(catalog: Any, task_id: str) -> str:
    spec = catalog.get(task_id)
    return spec.t(spec.title) if spec else task_id


def _ask_checks(
    report: ModelCheckReport, catalog: Any, runner: TaskRunner, cancel: CancelToken, sample: Path
) -> None:
    from llmoin_desktop.core.tasks.library_task import (
        close_library,
        open_library,
        run_library_task,
    )

    spec = catalog.get("dokumente_fragen")
    title = _task_title(catalog, "dokumente_fragen")
    if spec is None:
        report.add("ask_available", title, _("Aufgabe vorhanden"), False, _("fehlt"))
        return
    with tempfile.TemporaryDirectory(prefix="llmoin-check-") as folder:
        try:
            lib = open_library(folder, server="")
            lib.add(sorted(p for p in sample.iterdir() if p.is_file()))
            lib.index_pending()
            rep = SilentReporter(cancel)
            result = run_library_task(runner, spec, {"frage": ASK_QUESTION}, rep, library=lib)
            report.outputs[title] = result.answer
            cited = C.cited_sources(result.answer)
            real = {c.n for c in result.citations}
            right = {c.n for c in result.citations if Path(c.path).name == EXTRACT_SAMPLE}
            report.add(
                "ask_citations",
                title,
                _("Antwort nennt Quellen [n], die es gibt"),
                bool(cited) and cited <= real,
                tr("zitiert: {cited}; Quellen: {real}", cited=_nums(cited), real=_nums(real)),
            )
            report.add(
                "ask_right_source",
                title,
                _("zitiert das Dokument mit der Antwort"),
                bool(cited & right),
                EXTRACT_SAMPLE,
            )
            unrelated = run_library_task(runner, spec, {"frage": ASK_UNRELATED}, rep, library=lib)
            report.add(
                "ask_nothing_found",
                title,
                _("sagt „nichts gefunden“ bei einer fremden Frage"),
                not unrelated.citations,
                unrelated.answer[:120],
            )
        except Cancelled:
            raise
        except LLMoinError as exc:
            report.add("ask_runs", title, _("Aufgabe läuft durch"), False, exc.user_message)
        except Exception as exc:  # noqa: BLE001 - the report says what broke
            report.add("ask_runs", title, _("Aufgabe läuft durch"), False, repr(exc))
        finally:
            close_library(folder)


def _nums(values: set[int]) -> str:
    return ", ".join(f"[{n}]" for n in sorted(values)) or "–"


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 0
