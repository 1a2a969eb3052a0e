"""Dates derived from periods (docs/factcheck.md): "in den ersten drei Monaten des folgenden
Kalenderjahrs" and "bis zum 31. März des folgenden Jahres" are one fact; a wrong derived date
is flagged; an unrelated date that only shares "des folgenden Jahres" is no "abweichend"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmoin_desktop.cli.base import main
from llmoin_desktop.core.factcheck import (
    ABWEICHEND,
    BELEGT,
    NICHT_BELEGT,
    SourceIndex,
    SourceText,
    Verdict,
    check_text,
)
from llmoin_desktop.core.factcheck.extract import extract
from llmoin_desktop.core.factcheck.periods import find_anchored
from llmoin_desktop.core.factcheck.sources import load_sources

BURLG_SENTENCE = "Der Urlaub muss bis zum 31. März des folgenden Jahres genommen werden."


def only(result: str, source: str | SourceIndex) -> Verdict:
    index = source if isinstance(source, SourceIndex) else [SourceText("quelle.txt", source)]
    verdicts = check_text(result, index).verdicts
    assert len(verdicts) == 1, [v.fact.text for v in verdicts]
    return verdicts[0]


@pytest.fixture(scope="module")
def burlg(corpus_dir: Path) -> SourceIndex:
    return SourceIndex(load_sources([corpus_dir / "gesetze" / "burlg.md"]))


def test_burlg_derived_date_is_supported(burlg: SourceIndex) -> None:
    """The clerk's sentence against the real BUrlG (§ 7 Abs. 3); it was "abweichend –
    Quelle: 30. April" (the Bauwirtschaft rule of § 13 says "30. April des folgenden
    Jahres")."""
    v = only(BURLG_SENTENCE, burlg)
    assert v.status == BELEGT
    assert "ersten drei Monaten des folgenden" in v.source_text
    assert v.file == "burlg.md"
    assert (
        only("Der Urlaub muss bis Ende März des Folgejahres genommen werden.", burlg).status
        == BELEGT
    )


@pytest.mark.parametrize(
    ("sentence", "shown"),
    [
        ("Der Urlaub muss bis zum 30. April des folgenden Jahres genommen werden.", "31. März"),
        ("Der Urlaub muss bis zum 30. Juni des folgenden Jahres genommen werden.", "31. März"),
        # The right day in the wrong year.
        ("Der Urlaub muss bis zum 31. März des laufenden Jahres genommen werden.", "Folgejahr"),
    ],
)
def test_burlg_wrong_derived_date_is_flagged(burlg: SourceIndex, sentence: str, shown: str) -> None:
    v = only(sentence, burlg)
    assert v.status == ABWEICHEND
    assert shown in v.source_value
    assert "ersten drei Monaten" in v.source_text


def test_burlg_other_dates_stay_supported(burlg: SourceIndex) -> None:
    """The Bauwirtschaft rule's own dates; "1. Mai" is written "1\\. Mai" (a Markdown escape
    at a line start) in the file."""
    sentence = "Die Zeit läuft vom 1. Mai bis zum 30. April des folgenden Jahres."
    verdicts = check_text(sentence, burlg).verdicts
    assert [(v.fact.text, v.status) for v in verdicts] == [
        ("1. Mai", BELEGT),
        ("30. April", BELEGT),
    ]


def test_burlg_sentence_through_the_cli(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = tmp_path / "ergebnis.txt"
    result.write_text(BURLG_SENTENCE, encoding="utf-8")
    source = corpus_dir / "gesetze" / "burlg.md"
    assert main(["check", str(result), "--source", str(source), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["text"], r["status"]) for r in rows] == [("31. März", "belegt")]


@pytest.mark.parametrize(
    ("source", "result"),
    [
        # Month counts from the start of a year.
        ("Der Antrag ist in den ersten drei Monaten des Kalenderjahres zu stellen.",
         "Der Antrag ist bis zum 31.03. zu stellen."),
        ("Der Antrag ist in den ersten drei Monaten des folgenden Kalenderjahres zu stellen.",
         "Der Antrag ist bis Ende März des Folgejahres zu stellen."),
        ("Der Bericht ist im ersten Halbjahr des Jahres vorzulegen.",
         "Der Bericht ist bis zum 30. Juni vorzulegen."),
        ("Die Meldung erfolgt in den ersten zwei Quartalen des Haushaltsjahres.",
         "Die Meldung erfolgt bis zum 30.06."),
        # The end of an ordinal month or quarter.
        ("Die Erklärung ist bis zum Ende des dritten Monats des Kalenderjahres abzugeben.",
         "Die Erklärung ist bis zum 31. März abzugeben."),
        ("Die Abrechnung ist bis zum Ablauf des zweiten Kalendervierteljahres einzureichen.",
         "Die Abrechnung ist bis 30.6. einzureichen."),
        # The end of the year, both ways round.
        ("Die Daten sind bis zum Ablauf des Kalenderjahres zu löschen.",
         "Die Daten sind bis 31.12. zu löschen."),
        ("Die Daten sind am Ende des Kalenderjahres zu löschen.",
         "Die Daten sind zum 31. Dezember zu löschen."),
        ("Die Daten sind bis zum 31. Dezember zu löschen.",
         "Die Daten sind bis zum Jahresende zu löschen."),
        ("Die Daten sind bis zum 31.12. zu löschen.",
         "Die Daten sind bis zum Ablauf des Kalenderjahres zu löschen."),
        ("Die Frist endet am 31. März 2026.", "Die Frist endet Ende März."),
        # Periods from an event.
        ("Der Widerspruch ist binnen eines Monats nach Zugang zu erheben.",
         "Der Widerspruch ist einen Monat nach Zugang zu erheben."),
        ("Die Anzeige ist innerhalb von zwei Wochen nach dem Umzug zu erstatten.",
         "Die Anzeige ist 14 Tage nach dem Umzug zu erstatten."),
        ("Die Elternzeit ist spätestens sechs Wochen vor ihrem Beginn zu verlangen.",
         "Die Elternzeit ist 42 Tage vor ihrem Beginn zu verlangen."),
        ("Die Arbeit ist nach Ablauf des fünften Monats der Schwangerschaft verboten.",
         "Die Arbeit ist nach fünf Monaten der Schwangerschaft verboten."),
    ],
)  # fmt: skip
def test_derived_dates_and_periods_are_the_same_fact(source: str, result: str) -> None:
    assert only(result, source).status == BELEGT


@pytest.mark.parametrize(
    ("source", "result"),
    [
        ("Der Antrag ist in den ersten drei Monaten des Kalenderjahres zu stellen.",
         "Der Antrag ist bis zum 30. April zu stellen."),
        ("Der Antrag ist in den ersten drei Monaten des Kalenderjahres zu stellen.",
         "Der Antrag ist bis Ende Februar zu stellen."),
        ("Die Daten sind bis zum Ablauf des Kalenderjahres zu löschen.",
         "Die Daten sind bis zum 30. November zu löschen."),
        ("Die Abrechnung ist bis zum Ablauf des zweiten Kalendervierteljahres einzureichen.",
         "Die Abrechnung ist bis 31.3. einzureichen."),
        ("Die Anzeige ist innerhalb von zwei Wochen nach dem Umzug zu erstatten.",
         "Die Anzeige ist 21 Tage nach dem Umzug zu erstatten."),
    ],
)  # fmt: skip
def test_wrong_derived_date_is_flagged(source: str, result: str) -> None:
    v = only(result, source)
    assert v.status == ABWEICHEND  # the period is about the same thing: show it


def test_unrelated_date_sharing_only_date_words_is_not_abweichend() -> None:
    """Before: "31. Mai" was "abweichend – Quelle: 30. April" because both stand next to
    "des folgenden Jahres"; they are about different things, so it is just not found."""
    source = "Das Entgelt wird für die Zeit bis zum 30. April des folgenden Jahres berechnet."
    v = only("Der Urlaub muss bis zum 31. Mai des folgenden Jahres genommen werden.", source)
    assert v.status == NICHT_BELEGT
    # With the thing in common it still is.
    v = only("Das Entgelt wird bis zum 31. Mai des folgenden Jahres berechnet.", source)
    assert v.status == ABWEICHEND and v.source_value == "30. April"


def test_unrelated_absolute_date_does_not_overrule_the_derived_one() -> None:
    source = (
        "Das Urlaubsentgelt wird für die Zeit vom 1. Mai bis zum 30. April des folgenden "
        "Jahres berechnet.\n\nIm Fall der Übertragung muss der Urlaub in den ersten drei "
        "Monaten des folgenden Kalenderjahrs gewährt und genommen werden."
    )
    assert only(BURLG_SENTENCE, source).status == BELEGT
    wrong = BURLG_SENTENCE.replace("31. März", "30. April")
    assert only(wrong, source).status == ABWEICHEND


@pytest.mark.parametrize(
    ("text", "value", "rel"),
    [
        ("in den ersten drei Monaten des folgenden Kalenderjahrs", (3, 31), "next"),
        ("in den ersten 3 Monaten des Jahres", (3, 31), None),
        ("im ersten Quartal des Folgejahres", (3, 31), "next"),
        ("bis zum Ende des neunten Monats des laufenden Kalenderjahres", (9, 30), "this"),
        ("mit Ablauf des dritten Quartals", (9, 30), None),
        ("nach Ablauf des auf den Wegzug folgenden Kalenderjahres", (12, 31), "next"),
        ("zum Jahresende", (12, 31), None),
        ("bis Ende Februar", (2, 28), None),
        ("bis Ende des ersten Quartals des Folgejahres", (3, 31), "next"),
    ],
)
def test_anchored_phrases_give_the_date_they_end_on(
    text: str, value: tuple[int, int], rel: str | None
) -> None:
    dates = [f for f in extract(text) if f.kind == "date"]  # overlaps resolved as in a check
    assert len(dates) == 1
    assert dates[0].value == ("date", None, *value)
    assert dates[0].extra["rel"] == rel
    assert text.endswith(dates[0].text)  # the whole phrase, not a part


@pytest.mark.parametrize(
    "text",
    [
        "nach Ablauf eines Jahres seit Bekanntgabe",  # a period, not the year's end
        "bis zum Ende des Monats, in dem der Antrag gestellt wurde",  # no fixed date
        "bis zum Ende des Schuljahres",
        "im laufenden Kalenderjahr",  # only a source supports with it
    ],
)
def test_not_computable_phrases_give_no_date(text: str) -> None:
    assert [h for h in find_anchored(text) if h[2] == "date"] == []


def test_one_fact_is_counted_in_the_singular() -> None:
    from llmoin_desktop.core.factcheck import SourceText, check_text

    report = check_text("Die Gebühr beträgt 37 Euro.", [SourceText("Formular", "Gebühr: 37,00 €.")])
    assert report.summary() == "1 Angabe geprüft: 1 belegt, 0 abweichend, 0 nicht gefunden"
