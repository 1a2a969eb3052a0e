"""The task kinds Übersetzen, Korrekturlesen and Protokoll aus Notizen against a deterministic
fake backend, on real files: prompts, parts in order for long documents, the machine-translation
note, languages as data, the word diff of a proofreading, the minutes' DOCX table."""

from __future__ import annotations

import re
from pathlib import Path

import docx
from fakes_tasks import FakeBackend

from llmoin_desktop.core.export import content_from_result, export_docx
from llmoin_desktop.core.settings.config import Settings
from llmoin_desktop.core.tasks.catalog import load_catalog
from llmoin_desktop.core.tasks.proofread import clean_answer, word_diff
from llmoin_desktop.core.tasks.runner import RUNNERS, SilentReporter, TaskRunner, run_any
from llmoin_desktop.core.tasks.translate import languages

NEW_TASKS = ["uebersetzen", "korrekturlesen", "protokoll", "synopse"]


def catalog():
    return load_catalog(Settings())


def test_the_four_tasks_load_with_their_runners_and_english_texts() -> None:
    from llmoin_desktop.core import i18n

    cat = catalog()
    assert cat.problems == []
    for task_id in NEW_TASKS:
        spec = cat.get(task_id)
        assert spec is not None, task_id
        assert spec.runner == "standard" or spec.runner in RUNNERS
        i18n.set_language("en")
        try:
            missing = [s for s in spec.ui_strings() if spec.t(s) == s and s not in ("Text",)]
        finally:
            i18n.set_language("de")
        assert missing == [], (task_id, missing)
    synopse = cat.get("synopse")
    assert [f.name for f in synopse.fields if f.kind == "document"] == ["alt", "neu"]


def test_translation_prompt_note_and_direction(corpus_dir: Path) -> None:
    spec = catalog().get("uebersetzen")
    assert [v for v, _label in languages(spec)] == [
        "en", "fr", "tr", "ar", "uk", "ru", "pl", "es", "it"
    ]  # fmt: skip
    backend = FakeBackend(reply=lambda m: "Here is the translation:\nThe deadline ends on 3 May.")
    runner = TaskRunner(backend)
    result = run_any(runner, spec, {"text": "Die Frist endet am 3. Mai."}, SilentReporter())
    prompt = backend.calls[0][-1]["content"]
    assert "in diese Sprache: Englisch (English)" in prompt and "Die Frist endet" in prompt
    assert result.answer == "The deadline ends on 3 May."  # the chatty first line is dropped
    assert "Maschinelle Übersetzung (Deutsch → Englisch)" in result.coverage
    assert result.text.endswith(result.coverage)
    back = run_any(
        runner,
        spec,
        {"text": "Le délai expire le 3 mai.", "richtung": "nach_de", "sprache": "fr"},
        SilentReporter(),
    )
    assert "ins Deutsche: Französisch (français)" in backend.calls[-1][-1]["content"]
    assert "(Französisch → Deutsch)" in back.coverage


def test_long_document_is_translated_in_parts_in_order_without_page_markers(
    corpus_dir: Path,
) -> None:
    spec = catalog().get("uebersetzen")
    seen: list[str] = []

    def reply(messages):
        part = messages[-1]["content"].split("Text:\n", 1)[-1]
        seen.append(part)
        return f"PART{len(seen)} " + part[:40]

    backend = FakeBackend(n_ctx=1500, reply=reply)
    law = corpus_dir / "gesetze" / "ifg.pdf"
    result = run_any(TaskRunner(backend), spec, {"dokument": str(law)}, SilentReporter())
    assert result.parts == len(seen) > 3
    assert "[Seite" not in "".join(seen)  # the model gets the text only
    numbers = [int(n) for n in re.findall(r"PART(\d+)", result.answer)]
    assert numbers == list(range(1, len(seen) + 1))  # joined in document order
    assert "Maschinelle Übersetzung" in result.coverage and "Teilen gelesen" in result.coverage


def test_languages_are_data_a_new_option_needs_no_code(tmp_path: Path) -> None:
    bundled = Path(catalog().get("uebersetzen").path).read_text(encoding="utf-8")
    extended = bundled.replace(
        '  { value = "it", label = "Italienisch", prompt = "Italienisch (italiano)" },\n',
        '  { value = "it", label = "Italienisch", prompt = "Italienisch (italiano)" },\n'
        '  { value = "nl", label = "Niederländisch", prompt = "Niederländisch (Nederlands)" },\n',
    )
    assert extended != bundled
    (tmp_path / "uebersetzen.toml").write_text(extended, encoding="utf-8")
    spec = load_catalog(Settings(extra_tasks_dir=str(tmp_path))).get("uebersetzen")
    backend = FakeBackend(reply=lambda m: "De termijn loopt af op 3 mei.")
    result = run_any(
        TaskRunner(backend), spec, {"text": "Die Frist endet.", "sprache": "nl"}, SilentReporter()
    )
    assert "Niederländisch (Nederlands)" in backend.calls[0][-1]["content"]
    assert "(Deutsch → Niederländisch)" in result.coverage


def test_proofreading_returns_corrected_text_and_a_word_diff(tmp_path: Path) -> None:
    spec = catalog().get("korrekturlesen")
    original = "Sehr geehrte Damen und Herren,\n\nder Antrag wurde leider nicht fristgerecht eingereicht weil die Unterlagen fehlten.\n\n- Personalausweis\n- Meldebescheinigung"
    corrected = "Sehr geehrte Damen und Herren,\n\nder Antrag wurde leider nicht fristgerecht eingereicht, weil die Unterlagen fehlten.\n\n- Personalausweis\n- Meldebescheinigung"
    file = tmp_path / "brief.txt"
    file.write_text(original, encoding="utf-8")
    backend = FakeBackend(reply=lambda m: "Hier ist der korrigierte Text:\n" + corrected)
    result = run_any(
        TaskRunner(backend),
        spec,
        {"dokument": str(file), "pruefen": ["rechtschreibung", "gendergerecht"]},
        SilentReporter(),
    )
    prompt = backend.calls[0][-1]["content"]
    assert "geschlechtergerechte Sprache" in prompt and "[Seite" not in prompt
    assert result.answer == corrected and result.coverage == ""
    diff = word_diff(result.original, result.answer)
    assert [(c.old, c.new) for c in diff.changes] == [("", ",")]
    assert diff.apply() == corrected and diff.apply([]) == result.original


def test_word_diff_merges_neighbouring_words_and_keeps_the_layout() -> None:
    diff = word_diff("Der Antrag wurde\nabgelehnt.", "Die Anträge wurden abgelehnt.")
    assert [(c.old, c.new) for c in diff.changes] == [("Der Antrag wurde", "Die Anträge wurden")]
    assert diff.apply() == "Die Anträge wurden\nabgelehnt."  # the line break stays
    assert diff.changes[0].describe() == "„Der Antrag wurde“ → „Die Anträge wurden“"


def test_clean_answer_drops_preamble_and_fences() -> None:
    assert clean_answer("Korrigierter Text:\n```\nGuten Tag.\n```") == "Guten Tag."
    assert (
        clean_answer("Guten Tag.\nHier ist nichts zu tun.") == "Guten Tag.\nHier ist nichts zu tun."
    )


MINUTES = """# Protokoll: Dienstbesprechung Bürgeramt
**Datum:** 12.03.2026
**Teilnehmende:** Frau Berg, Herr Yilmaz

## TOP 1 Öffnungszeiten
Die Samstagsöffnung wird erprobt.

## Beschlüsse
- Samstagsöffnung ab April

## Aufgaben
| Aufgabe | Zuständig | Frist |
|---|---|---|
| Aushang erstellen | Herr Yilmaz | 20.03.2026 |
"""


def test_minutes_prompt_has_the_form_values_and_the_docx_has_the_task_table(
    tmp_path: Path,
) -> None:
    spec = catalog().get("protokoll")
    backend = FakeBackend(reply=lambda m: MINUTES)
    notes = "TOP 1 Öffnungszeiten: Samstag testen. Yilmaz macht Aushang bis 20.3."
    values = {
        "notizen": notes,
        "anlass": "Dienstbesprechung Bürgeramt",
        "datum": "12.03.2026",
        "teilnehmende": "Frau Berg, Herr Yilmaz",
    }
    result = run_any(TaskRunner(backend), spec, values, SilentReporter())
    prompt = backend.calls[0][-1]["content"]
    assert "# Protokoll: Dienstbesprechung Bürgeramt" in prompt
    assert "**Datum:** 12.03.2026" in prompt and "Frau Berg, Herr Yilmaz" in prompt
    assert "| Aufgabe | Zuständig | Frist |" in prompt and notes in prompt
    out = export_docx(content_from_result(spec, result), tmp_path / "protokoll.docx")
    d = docx.Document(str(out))
    table = d.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Aufgabe", "Zuständig", "Frist"]
    assert [c.text for c in table.rows[1].cells] == [
        "Aushang erstellen",
        "Herr Yilmaz",
        "20.03.2026",
    ]
    assert any(p.style.name.startswith("Heading") and "TOP 1" in p.text for p in d.paragraphs)
    assert d.sections[0].header.paragraphs  # the letterhead's header is kept
