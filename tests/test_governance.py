"""High-risk check of own tasks: the transparent rules, IT's extension, the model's verdict."""

from __future__ import annotations

from pathlib import Path

from fakes import FakeBackend

from llmoin_desktop.core.tasks import governance
from llmoin_desktop.core.tasks.builder import DraftField, TaskDraft


def draft(title: str, instructions: str, fields: list[DraftField] | None = None) -> TaskDraft:
    return TaskDraft(title=title, instructions=instructions, fields=fields or [])


def test_harmless_task_is_ok() -> None:
    verdict = governance.check(
        draft("Pressemitteilung aus Vermerk", "Schreibe aus «Vermerk» eine Pressemitteilung."),
        use_model=False,
    )
    assert verdict.level == "ok" and not verdict.reasons


def test_social_benefit_decision_is_blocked_with_a_readable_reason() -> None:
    verdict = governance.check(
        draft(
            "Wohngeldantrag prüfen",
            "Entscheide anhand von «Antrag», ob der Antrag auf Wohngeld bewilligt oder abgelehnt wird.",
        ),
        use_model=False,
    )
    assert verdict.blocked and "sozialleistungen" in verdict.rules
    assert "Sozialleistungen" in verdict.reasons[0] and "„wohngeld“" in verdict.reasons[0]


def test_personnel_selection_is_a_warning() -> None:
    verdict = governance.check(
        draft(
            "Bewerbungen sichten",
            "Bewerte die Bewerbungen und bilde eine Rangfolge der Kandidaten.",
            [DraftField("Bewerbung", "document")],
        ),
        use_model=False,
    )
    assert verdict.level == "warnung" and verdict.rules == ["personal"]


def test_it_extends_and_switches_off_rules(tmp_path: Path) -> None:
    extra = tmp_path / "regeln.toml"
    extra.write_text(
        """
[[rules]]
id = "personal"
level = "aus"

[[rules]]
id = "pressestelle"
level = "blockiert"
area = "Hausregel"
reason = "Pressemitteilungen schreibt nur die Pressestelle."
terms = [["pressemitteilung"]]
""",
        encoding="utf-8",
    )
    rules, problems = governance.load_rules(str(extra))
    assert not problems
    ids = {r.id for r in rules}
    assert "personal" not in ids and "pressestelle" in ids
    assert governance.check(draft("Pressemitteilung", "Schreibe sie."), rules=rules).blocked
    broken = tmp_path / "kaputt.toml"
    broken.write_text("[[rules]\n", encoding="utf-8")
    rules, problems = governance.load_rules(str(broken))
    assert rules and "kaputt.toml" in problems[0]


def test_model_path_raises_to_warning_with_its_reasoning() -> None:
    backend = FakeBackend(
        token_delay=0,
        tokens=["Einstufung: hohes Risiko\n", "Begründung: Es geht um die Auswahl von Personen."],
    )
    backend.load(Path(__file__))  # any existing file: the fake only checks it exists
    d = draft("Teamvorschlag", "Schlage vor, wer aus «Liste» in das Projektteam kommt.")
    assert governance.check(d, use_model=False).level == "ok"
    verdict = governance.check(d, backend=backend, use_model=True)
    assert verdict.level == "warnung"
    assert verdict.model_reason == "Es geht um die Auswahl von Personen."
    assert "Einschätzung des Modells: hohes Risiko" in verdict.reasons[-1]
    assert "Modell" in verdict.checked_by
    stored = verdict.to_governance()
    assert stored.level == "warnung" and stored.reasons == verdict.reasons


def test_model_cannot_block_and_nonsense_is_ignored() -> None:
    assert governance.parse_model_answer("Einstufung: verboten\nBegründung: x") == ("warnung", "x")
    assert governance.parse_model_answer("Einstufung: unbedenklich\nBegründung: y") == ("ok", "y")
    assert governance.parse_model_answer("Das ist eine schöne Aufgabe.") is None
    backend = FakeBackend(token_delay=0, tokens=["Hallo ", "Welt"])
    backend.load(Path(__file__))
    verdict = governance.check(
        draft("Brief", "Schreibe einen Brief."), backend=backend, use_model=True
    )
    assert verdict.level == "ok"
    assert "keine verwertbare Einschätzung" in verdict.reasons[-1]


def test_small_models_are_not_asked() -> None:
    backend = FakeBackend(token_delay=0)
    assert not governance.model_capable(backend)  # nothing loaded
    backend.load(Path(__file__))
    assert not governance.model_capable(
        backend
    )  # size unknown (0) for a local model: below the bar


def test_rule_texts_follow_the_ui_language() -> None:
    from llmoin_desktop.core import i18n

    i18n.set_language("en")
    verdict = governance.check(
        draft("Wohngeld", "Entscheide, ob Wohngeld bewilligt wird."), use_model=False
    )
    assert verdict.reasons[0].startswith("Decisions on social benefits")
    assert "(found: „wohngeld“" in verdict.reasons[0]
