"""The four new tasks end to end with the real demo model (SmolLM2-135M) on real files: each
gives a result, the code-written parts (translation note, diff, synopsis table) are right
whatever the small model writes, and the DOCX export opens and contains the result."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from test_tasks_model import _docx_text

from llmoin_desktop.core.engine.backend import GenerationParams
from llmoin_desktop.core.export import content_from_result, export_docx
from llmoin_desktop.core.settings.config import Settings
from llmoin_desktop.core.tasks.catalog import load_catalog
from llmoin_desktop.core.tasks.proofread import word_diff
from llmoin_desktop.core.tasks.runner import SilentReporter, TaskRunner, run_any

pytestmark = pytest.mark.model

SAMPLES = Path(__file__).resolve().parents[1] / "resources" / "samples"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(Settings())


@pytest.fixture
def runner(engine) -> TaskRunner:
    return TaskRunner(
        engine, params=GenerationParams(max_tokens=48, temperature=0.2, seed=1), map_max_tokens=40
    )


def test_translation_of_a_letter_with_the_demo_model(catalog, runner, tmp_path) -> None:
    spec = catalog.get("uebersetzen")
    letter = SAMPLES / "Buerger-E-Mail_Sperrmuell.txt"
    result = run_any(runner, spec, {"dokument": str(letter), "sprache": "en"}, SilentReporter())
    assert result.answer.strip()
    assert "Maschinelle Übersetzung (Deutsch → Englisch)" in result.text
    out = export_docx(content_from_result(spec, result), tmp_path / "uebersetzung.docx")
    assert "Maschinelle Übersetzung" in _docx_text(out)


def test_proofreading_a_file_with_the_demo_model(catalog, runner, tmp_path) -> None:
    spec = catalog.get("korrekturlesen")
    file = tmp_path / "entwurf.txt"
    file.write_text(
        "Sehr geehrte Frau Berg,\n\nihr Antrag ist bei uns eingegangen wir prüfen ihn "
        "und melden uns inerhalb von zwei Wochen.\n\nMit freundlichen Grüßen",
        encoding="utf-8",
    )
    result = run_any(runner, spec, {"dokument": str(file)}, SilentReporter())
    assert result.answer.strip() and result.original.startswith("Sehr geehrte Frau Berg")
    diff = word_diff(result.original, result.answer)
    # Whatever the model wrote: all changes accepted give its text, none give the original.
    assert " ".join(diff.apply().split()) == " ".join(result.answer.split())
    assert diff.apply([]) == result.original


def test_minutes_from_notes_with_the_demo_model(catalog, runner, tmp_path) -> None:
    spec = catalog.get("protokoll")
    notes = tmp_path / "notizen.txt"
    notes.write_text(
        "Dienstbesprechung Bürgeramt 12.3.\nda: Berg, Yilmaz, Schulz\n"
        "TOP 1 Samstagsöffnung – wird ab April erprobt\n"
        "TOP 2 Terminbuchung online – Yilmaz klärt mit IT bis 31.3.\n",
        encoding="utf-8",
    )
    result = run_any(
        runner, spec, {"dokument": str(notes), "datum": "12.03.2026"}, SilentReporter()
    )
    assert result.answer.strip()
    out = export_docx(content_from_result(spec, result), tmp_path / "protokoll.docx")
    d = docx.Document(str(out))
    assert d.paragraphs[0].text == "Protokoll aus Notizen"  # title on the letterhead
    assert result.answer.split()[0].strip("#*") in _docx_text(out)


def test_synopsis_of_two_law_versions_with_model_notes(catalog, runner, corpus_dir, tmp_path):
    """One real change in a real law, so one short model call (the precision/recall of the
    comparison itself is tested without the model in test_synopsis.py)."""
    spec = catalog.get("synopse")
    old_path = corpus_dir / "gesetze" / "burlg.md"
    new_path = tmp_path / "burlg_neu.md"
    new_path.write_text(
        old_path.read_text(encoding="utf-8").replace(
            "mindestens 24 Werktage", "mindestens 30 Werktage"
        ),
        encoding="utf-8",
    )
    result = run_any(runner, spec, {"alt": str(old_path), "neu": str(new_path)}, SilentReporter())
    assert "Geändert: 1 · Eingefügt: 0 · Gestrichen: 0 · Verschoben: 0" in result.answer
    assert result.stats.calls == 1  # one note per substantive change
    notes = result.answer.split("## Erläuterungen der Änderungen (KI, bitte prüfen)")[1]
    assert notes.strip().startswith("1. § 3 Abs. 1 (geändert): ")
    out = export_docx(content_from_result(spec, result), tmp_path / "synopse.docx")
    table = docx.Document(str(out)).tables[0]
    assert len(table.columns) == 2 and len(table.rows) == 2
    assert "30" in table.rows[1].cells[1].text
