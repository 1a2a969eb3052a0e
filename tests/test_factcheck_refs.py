"""§ references that name the wrong paragraph (issue 19): the claim's words belong to another
paragraph of the source law."""

from __future__ import annotations

from pathlib import Path

from llmoin_desktop.core.factcheck import ABWEICHEND, BELEGT, SourceIndex
from llmoin_desktop.core.factcheck.check import Checker
from llmoin_desktop.core.factcheck.sources import SourceText, load_sources

_FILLER = [
    ("Zuständigkeit", "Zuständig ist die untere Verwaltungsbehörde des Wohnortes."),
    ("Gebühren", "Für Amtshandlungen werden Gebühren nach der Gebührenordnung erhoben."),
    ("Datenschutz", "Personenbezogene Daten dürfen nur zweckgebunden verarbeitet werden."),
    ("Vertretung", "Ein Bevollmächtigter hat seine Vollmacht schriftlich nachzuweisen."),
    ("Zustellung", "Bescheide werden durch die Post mit Zustellungsurkunde zugestellt."),
    ("Inkrafttreten", "Dieses Gesetz tritt am Tage nach der Verkündung in Kraft."),
]

LAW = (
    "# Gesetz über Testfristen\n\n"
    "§ 1 Widerspruch\n\n(1) Der Widerspruch gegen den Gebührenbescheid ist binnen eines "
    "Monats schriftlich bei der Ausgangsbehörde einzulegen, die den Bescheid erlassen hat.\n\n"
    "§ 2 Auskunft\n\n(1) Die Auskunft über gespeicherte Meldedaten ist binnen eines Monats "
    "kostenfrei zu erteilen.\n\n"
    + "".join(
        f"§ {n} {title}\n\n(1) {text}\n\n" for n, (title, text) in enumerate(_FILLER, start=3)
    )
)


def _ref_status(index: SourceIndex, sentence: str) -> str:
    verdicts = Checker(index).check(sentence)
    return next(v.status for v in verdicts if v.fact.kind == "reference")


def test_common_figure_in_cited_paragraph_does_not_save_a_moved_reference() -> None:
    """ "binnen eines Monats" stands in § 2 too, but also in § 1, which the sentence is
    about: the figure says nothing about the paragraph, the words do."""
    index = SourceIndex([SourceText("testg.md", LAW)])
    claim = (
        "Nach § {} ist der Widerspruch gegen den Gebührenbescheid binnen eines Monats "
        "schriftlich bei der Ausgangsbehörde einzulegen, die den Bescheid erlassen hat."
    )
    assert _ref_status(index, claim.format(1)) == BELEGT
    assert _ref_status(index, claim.format(2)) == ABWEICHEND


def test_repealed_paragraph_of_the_source_law_is_compared(corpus_dir: Path) -> None:
    """VwGO §§ 181 and 182 are repealed (the text only names them): a sentence from § 183
    cited as § 182 is about another paragraph, not about a law the source just mentions."""
    index = SourceIndex(load_sources([corpus_dir / "gesetze" / "vwgo.docx"]))
    claim = (
        "Nach § {} VwGO gilt: Hat das Verfassungsgericht eines Landes die Nichtigkeit von "
        "Landesrecht festgestellt oder Vorschriften des Landesrechts für nichtig."
    )
    assert _ref_status(index, claim.format(183)) == BELEGT
    assert _ref_status(index, claim.format(182)) == ABWEICHEND


def test_cited_paragraph_without_a_shared_word_is_flagged() -> None:
    """A short sentence: the cited § (Datenschutz) shares no word with it, § 1 two rare
    ones. Too few for the general margin, but clearly about § 1."""
    index = SourceIndex([SourceText("testg.md", LAW)])
    claim = "Den Widerspruch legt man bei der Ausgangsbehörde ein (§ {})."
    assert _ref_status(index, claim.format(1)) == BELEGT
    assert _ref_status(index, claim.format(5)) == ABWEICHEND


def test_deadline_in_another_unit_found_elsewhere_is_flagged(corpus_dir: Path) -> None:
    """ "zwei Wochen" stands somewhere in the VwGO, but the Widerspruch sentence's passage
    gives "eines Monats": the changed deadline differs although the units differ too."""
    index = SourceIndex(load_sources([corpus_dir / "gesetze" / "vwgo.docx"]))
    claim = (
        "Der Widerspruch ist innerhalb {}, nachdem der Verwaltungsakt dem Beschwerten "
        "bekanntgegeben worden ist, schriftlich zu erheben."
    )
    good = Checker(index).check(claim.format("eines Monats"))
    assert [v.status for v in good if v.fact.kind == "period"] == [BELEGT]
    bad = [
        v for v in Checker(index).check(claim.format("von zwei Wochen")) if v.fact.kind == "period"
    ]
    assert [v.status for v in bad] == [ABWEICHEND]
    assert bad[0].source_value == "eines Monats"


def test_abs_of_a_law_without_abs_markers_is_judged_by_the_whole_paragraph(
    corpus_dir: Path,
) -> None:
    """The VwGO and TzBfG DOCX files have no "(1)" markers: a faithful "§ 74 Abs. 1" or
    "§ 8 Abs. 1" is judged by the words of the whole §, an Abs. beyond its blocks is not."""
    vwgo = SourceIndex(load_sources([corpus_dir / "gesetze" / "vwgo.docx"]))
    claim = (
        "Die Anfechtungsklage ist binnen eines Monats nach Zustellung des "
        "Widerspruchsbescheids zu erheben (§ 74 Abs. {} VwGO)."
    )
    assert _ref_status(vwgo, claim.format(1)) == BELEGT
    assert _ref_status(vwgo, claim.format(5)) != BELEGT
    tzbfg = SourceIndex(load_sources([corpus_dir / "gesetze" / "tzbfg.docx"]))
    faithful = (
        "Ein Arbeitnehmer, dessen Arbeitsverhältnis länger als sechs Monate bestanden hat, "
        "kann verlangen, dass seine Arbeitszeit verringert wird (§ 8 Abs. 1 TzBfG)."
    )
    assert _ref_status(tzbfg, faithful) == BELEGT


def test_letter_date_claim_is_judged_by_the_date_line() -> None:
    """ "Das Schreiben ist vom 5. Januar" while the letter is dated 12 January: the 5th only
    occurs in the letter's text (another event), so the date line decides."""
    from llmoin_desktop.core.factcheck import check_text

    letter = (
        "Familie Weber\nDresden, 12. Januar 2026\n\nSehr geehrte Damen und Herren,\n"
        "seit dem 5. Januar 2026 wird auf der Baustelle nachts gearbeitet. Bitte antworten "
        "Sie uns bis zum 26. Januar 2026.\n"
    )
    sources = [SourceText("beschwerde.txt", letter)]

    def status(claim: str) -> list[tuple[str, str]]:
        return [(v.status, v.source_value) for v in check_text(claim, sources).verdicts]

    assert status("Das Schreiben ist vom 12. Januar 2026.") == [(BELEGT, "")]
    assert status("Das Schreiben ist vom 5. Januar 2026.") == [(ABWEICHEND, "12. Januar 2026")]
    assert status("Seit dem 5. Januar 2026 wird nachts gearbeitet.") == [(BELEGT, "")]
    # The source names the 5th as a letter's date itself: supported.
    reply = letter.replace("seit dem 5. Januar", "mit Schreiben vom 5. Januar")
    assert [
        v.status
        for v in check_text(
            "Das Schreiben ist vom 5. Januar 2026.", [SourceText("b.txt", reply)]
        ).verdicts
    ] == [BELEGT]
