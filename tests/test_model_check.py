"""„Modell prüfen“ (issue 12, part 2): the checks on known texts, the report formats, a run
with a canned backend (fast), the dialog, and the CLI with the real demo model (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import FakeBackend

from llmoin_desktop.core.modelcheck import checks as C
from llmoin_desktop.core.modelcheck.report import html_report, key_values, text_table, write_report
from llmoin_desktop.core.modelcheck.run import (
    AMOUNTS,
    DEADLINES,
    EXTRACT_SAMPLE,
    SUMMARY_SAMPLE,
    ModelCheckReport,
    run_model_check,
    samples_dir,
)

LETTER = """Sehr geehrter Herr Muster,

vielen Dank für Ihre Anfrage. Für die Sperrung brauchen Sie eine Anordnung.

Mit freundlichen Grüßen
Ihre Stadtverwaltung"""

TABLE = """| Art | Angabe | Fundstelle |
|---|---|---|
| Frist | Zahlung bis zum 15. April 2025 | Abschnitt 2 |
| Frist | Container entfernen bis 28.03.2025 | Abschnitt 3 |
| Frist | Widerspruch innerhalb eines Monats | Rechtsbehelfsbelehrung |
| Betrag | Gesamtbetrag 256,00 Euro | Abschnitt 1 |
| Betrag | Verwaltungsgebühr 35,00 € | Abschnitt 1 |
| Betrag | Säumniszuschlag 2,50 Euro | |"""


def test_language_check_tells_german_from_english() -> None:
    assert C.is_german(
        "Die Stadt hat im Jahr 2024 mehr Besuche gezählt als im Jahr davor, und das ist gut."
    )
    assert not C.is_german(
        "The library had more visits in 2024 than in the year before, and that is good."
    )
    assert not C.is_german("")


def test_letter_salutation_and_closing() -> None:
    assert C.has_salutation(LETTER) and C.has_closing(LETTER)
    assert not C.has_salutation("Betreff: Straßenfest\n\nWir teilen mit …")
    assert not C.has_closing("Sehr geehrter Herr Muster,\n\nder Antrag ist da.")
    # A small model echoing its instruction does not pass.
    assert not C.has_closing("Schreibe nur den Brieftext: Mit freundlichen Grüßen enden.")


def test_extraction_rows_and_known_facts() -> None:
    assert C.table_rows(TABLE) == (6, 5)  # the last row has no Fundstelle
    assert C.table_rows("Keine Angaben gefunden.") == (0, 0)
    assert sum(C.fact_found(f, TABLE) for f in DEADLINES) == 3
    assert sum(C.fact_found(f, TABLE) for f in AMOUNTS) == 3
    assert not C.fact_found(("2,50",), "25,00 Euro")
    # The sample really holds every fact the check looks for.
    sample = (samples_dir() / EXTRACT_SAMPLE).read_text(encoding="utf-8")
    assert all(C.fact_found(f, sample) for f in DEADLINES + AMOUNTS)


def test_sentence_length_and_reasoning_markers() -> None:
    source = (samples_dir() / SUMMARY_SAMPLE).read_text(encoding="utf-8")
    plain = (
        "Die Bibliothek hatte 2024 viele Besuche. Es kamen mehr Menschen als früher. Das ist gut."
    )
    assert 0 < C.mean_sentence_words(plain) < C.mean_sentence_words(source)
    assert C.reasoning_leak("<think>hmm</think>Antwort") == "<think>"
    assert C.reasoning_leak("<|channel|>analysis<|message|>…") == "<|channel|>"
    assert C.reasoning_leak("Eine saubere Antwort.") == ""
    assert C.cited_sources("Bis 15. April [1], siehe auch [2, 3].") == {1, 2, 3}


def _report() -> ModelCheckReport:
    r = ModelCheckReport(model_path="/m/x.gguf", model_name="X <b>", params="135 Mio.")
    r.add("summary_shorter", "Zusammenfassen", "kürzer", True, "10 von 20 Zeichen")
    r.add("letter_closing", "Entwurf", "Gruß", False)
    r.add("template", "Modell", "Vorlage", None, "nicht ermittelt")
    r.metrics.update({"prompt_tokens_per_s": 120.5, "peak_rss_mb": 300})
    r.outputs["Zusammenfassen"] = "<script>alert(1)</script>"
    return r


def test_report_formats(tmp_path: Path) -> None:
    r = _report()
    kv = key_values(r)
    assert kv["summary_shorter"] == "pass" and kv["letter_closing"] == "fail"
    assert kv["template"] == "info" and kv["prompt_tokens_per_s"] == "120.5"
    page = html_report(r)
    assert "<script>" not in page and "&lt;script&gt;" in page  # the model's text is escaped
    assert "http" not in page.replace("http-equiv", "")  # self-contained: nothing to fetch
    assert "1 Prüfungen bestanden, 1 nicht bestanden." in text_table(r)
    html_path, kv_path = write_report(r, tmp_path / "bericht")
    assert html_path.name == "bericht.html" and "summary_shorter=pass" in kv_path.read_text()


def _fake(tokens: list[str]) -> FakeBackend:
    backend = FakeBackend(token_delay=0, tokens=tokens)
    backend.load(Path(__file__))  # any existing file stands in for the model
    return backend


def test_run_with_a_canned_backend_reports_what_fails() -> None:
    """Every call answers with the same letter: the letter checks pass, the table fails."""
    backend = _fake([LETTER])
    steps: list[tuple[int, int, str]] = []
    report = run_model_check(backend, progress=lambda i, n, t: steps.append((i, n, t)))
    kv = key_values(report)
    assert kv["letter_salutation"] == "pass" and kv["letter_closing"] == "pass"
    assert kv["extract_table"] == "fail"
    assert kv["summary_german"] == "pass"
    assert kv["no_reasoning_leak"] == "pass"
    assert kv["ask_nothing_found"] == "pass"  # the unrelated question finds no passage
    assert "prompt_tokens_per_s" in kv and "peak_rss_mb" in kv
    assert steps[-1][0] == steps[-1][1]
    assert report.failed >= 1 and report.passed >= 4


def test_reasoning_text_in_the_answer_is_a_failure() -> None:
    """Thinking the engine keeps apart passes (and is counted); an unknown format leaks."""
    report = run_model_check(_fake(["<think>Nachdenken … ", "</think>", LETTER]))
    row = next(r for r in report.rows if r.key == "no_reasoning_leak")
    assert row.ok is True and "abgetrennt" in row.detail
    report = run_model_check(_fake(["<reasoning>Nachdenken …</reasoning> ", LETTER]))
    assert key_values(report)["no_reasoning_leak"] == "fail"


def test_dialog_runs_the_check_and_saves_the_report(qtbot, tmp_path: Path) -> None:
    from llmoin_desktop.ui.model_check_dialog import ModelCheckDialog
    from llmoin_desktop.ui.workers import WorkerPool

    pool = WorkerPool()
    dialog = ModelCheckDialog(_fake([LETTER]), pool)
    qtbot.addWidget(dialog)
    assert dialog.start_button.isEnabled()
    assert dialog.start()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=120_000)
    assert dialog.table.rowCount() == len(dialog.report.rows)
    assert dialog.save_button.isEnabled()
    dialog.ask_report_path = lambda: str(tmp_path / "check.html")  # type: ignore[method-assign]
    assert dialog.save() == tmp_path / "check.html"
    pool.shutdown()


def test_dialog_without_a_model_says_so(qtbot) -> None:
    from llmoin_desktop.ui.model_check_dialog import ModelCheckDialog

    backend = FakeBackend()
    dialog = ModelCheckDialog(backend, object())
    qtbot.addWidget(dialog)
    assert not dialog.start_button.isEnabled()
    assert "Modell laden" in dialog.status.text()


def test_settings_dialog_has_the_button(qtbot) -> None:
    from llmoin_desktop.core.settings.config import SettingsStore
    from llmoin_desktop.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(SettingsStore())
    qtbot.addWidget(dialog)
    assert dialog.model_check_button is not None
    assert dialog.editors["long_read_mode"].currentData() == "schnell"


@pytest.mark.slow
@pytest.mark.model
def test_cli_with_the_demo_model(demo_model_path: Path, tmp_path: Path, capsys) -> None:
    """The real check, as IT runs it: it runs through and says honestly what fails."""
    from llmoin_desktop.cli.base import main

    report = str(tmp_path / "r.html")
    rc = main(["model-check", str(demo_model_path), "--report", report, "--max-tokens", "48"])
    out = capsys.readouterr().out
    assert rc in (0, 1)
    assert "Modellprüfung" in out and "Token/s" in out
    last = out.strip().splitlines()[-1]
    assert "prompt_tokens_per_s=" in last and "summary_shorter=" in last
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<table>" in page and (tmp_path / "r.txt").exists()


@pytest.mark.slow
@pytest.mark.model
def test_check_of_a_model_whose_template_rejects_the_system_role(
    demo_model_path: Path, tmp_path: Path
) -> None:
    """Gemma 2's template on the demo weights: the check reports the system role as not
    supported, and every task still runs through (the engine merges the system text)."""
    from chat_template_samples import GEMMA2
    from gguf_copies import copy_with_chat_template

    from llmoin_desktop.core.engine.local import LocalBackend
    from llmoin_desktop.core.settings.config import SettingsStore

    model = copy_with_chat_template(demo_model_path, tmp_path / "gemma2-tmpl.gguf", GEMMA2)
    store = SettingsStore()
    store.set("n_ctx", 4096)
    backend = LocalBackend(store)
    try:
        backend.load(model)
        report = run_model_check(backend, settings=store.settings, max_tokens=16)
    finally:
        backend.close()
    rows = {r.key: r for r in report.rows}
    assert "nicht unterstützt" in rows["template_system_role"].detail
    runs = [r for r in report.rows if r.key.endswith("_runs")]
    assert runs and all(r.ok for r in runs), [(r.key, r.detail) for r in runs]
