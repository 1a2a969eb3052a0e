"""The model's search terms for "Dokumente fragen": when they are asked for, how they are
cleaned, how they are fused, and the whole path with the real demo model and library."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmoin_desktop.core.engine.backend import EngineStatus, GenerationParams
from llmoin_desktop.core.library import search as S
from llmoin_desktop.core.tasks.search_terms import MIN_PARAMS, clean_terms, wanted
from tests.test_ask import Rep


class StatusOnly:
    def __init__(self, **status: object) -> None:
        self._status = EngineStatus(**status)  # type: ignore[arg-type]

    def status(self) -> EngineStatus:
        return self._status


def test_auto_asks_big_and_server_models_only() -> None:
    small = StatusOnly(n_params=135_000_000)
    big = StatusOnly(n_params=7 * MIN_PARAMS)
    server = StatusOnly(backend="remote")
    assert not wanted("auto", small) and wanted("auto", big) and wanted("auto", server)
    assert wanted("on", small) and not wanted("off", big)
    assert wanted("", big) and not wanted("", small)  # unset → auto
    assert wanted("ja", big) and not wanted("ja", small)  # unknown value → auto


def test_terms_are_cleaned_to_one_short_line() -> None:
    assert clean_terms("Suchbegriffe: „Verlust“, Ausweis\n") == "Verlust“, Ausweis"
    assert clean_terms("- Verlust\n- Personalausweis\n2. Meldepflicht") == (
        "Verlust, Personalausweis, Meldepflicht"
    )
    assert clean_terms("   \n") == ""
    assert len(clean_terms("Wort " * 200)) <= 300


def test_extra_lists_count_half() -> None:
    fused = S.fuse({"stem": [1, 2], "stem" + S.EXTRA: [2, 3]})
    scores = {cid: score for cid, score, _ in fused}
    w = S.LIST_WEIGHTS["stem"]
    assert scores[3] == pytest.approx(w * S.EXTRA_WEIGHT / (S.RRF_K + 2))
    assert scores[2] == pytest.approx(w / (S.RRF_K + 2) + w * S.EXTRA_WEIGHT / (S.RRF_K + 1))


def test_search_also_finds_what_only_the_terms_name(corpus_dir: Path, tmp_path: Path) -> None:
    """Real library: a question in words the law does not use reaches the § through the terms."""
    from llmoin_desktop.core.library import Library
    from llmoin_desktop.core.tasks.ask import relevant_hits

    lib = Library.open(tmp_path / "lib", embedder=None)
    try:
        lib.add([corpus_dir / "gesetze" / "bmg.pdf"])
        assert lib.index_pending().count("indexed") == 1
        question = "Umgezogen, was jetzt?"
        terms = "Anmeldung, Meldebehörde, Einzug in eine Wohnung, zwei Wochen"

        def rank_of_17(hits: list) -> int:  # noqa: ANN001
            return next((i for i, h in enumerate(hits, 1) if "§ 17" in h.section), 99)

        plain = lib.search(question, k=30)
        helped = lib.search(question, k=30, also=terms)
        assert rank_of_17(helped) < rank_of_17(plain)
        assert {"stem+", "gram+"} <= set(helped[rank_of_17(helped) - 1].sources)
        assert not relevant_hits(question, helped[:6])  # the question's words alone: nothing
        assert relevant_hits(question, helped[:6], terms)  # the terms' words count too
    finally:
        lib.close()


@pytest.mark.model
def test_ask_with_search_terms_end_to_end(engine, corpus_dir: Path, tmp_path: Path) -> None:  # noqa: ANN001
    """The demo model writes (poor) terms; the answer still cites real chunks."""
    from llmoin_desktop.core.library import Library
    from llmoin_desktop.core.tasks.ask import DEFAULT_SYSTEM, answer_question

    lib = Library.open(tmp_path / "lib")
    try:
        lib.add([corpus_dir / "gesetze" / "bmg.pdf"])
        lib.index_pending()
        rep = Rep()
        question = "Innerhalb welcher Frist muss man sich nach dem Einzug in eine Wohnung anmelden?"
        result = answer_question(
            engine,
            lib,
            question,
            rep,
            k=3,
            params=GenerationParams(max_tokens=30, temperature=0.2),
            search_message=f"Nenne Fachbegriffe zu diesem Fall, durch Kommas getrennt.\n\nFall: {question}",
        )
        assert "Suchbegriffe werden gebildet …" in rep.steps
        assert isinstance(result.search_terms, str) and result.search_terms.strip()
        assert "\n" not in result.search_terms
        # the terms call carried the answer's system message: the answer reuses it from cache
        system_tokens = engine.count_tokens([{"role": "system", "content": DEFAULT_SYSTEM}])
        assert result.n_cached >= 0.8 * system_tokens, (result.n_cached, system_tokens)
        assert result.found and result.citations
        chunk_ids = {c.id for c in lib.store.chunks([c.chunk_id for c in result.citations])}
        assert chunk_ids == {c.chunk_id for c in result.citations}
    finally:
        lib.close()
