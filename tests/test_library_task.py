"""The "Dokumente fragen" task kind: task file + library runner over a real library (real
parser, SQLite, keyword search), FakeBackend or the real demo model; history and DOCX export
carry the sources with their quotes."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import FakeBackend

from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.history import HistoryStore
from llmoin_desktop.core.jobs import JobState
from llmoin_desktop.core.library import LibraryError
from llmoin_desktop.core.tasks.catalog import load_catalog
from llmoin_desktop.core.tasks.library_task import (
    TASK_ID,
    close_library,
    open_library,
    run_library_task,
    split_paths,
    user_template_for,
)
from llmoin_desktop.core.tasks.runner import RUNNERS, SilentReporter, TaskRunner, task_job
from llmoin_desktop.core.tasks.spec import TaskInputError

QUESTION = "Innerhalb welcher Frist muss man sich nach dem Einzug in eine Wohnung anmelden?"


@pytest.fixture(scope="module")
def library(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    folder = tmp_path_factory.mktemp("lib")
    lib = open_library(folder, embedder=None)
    lib.add([corpus_dir / "gesetze" / "bmg.pdf", corpus_dir / "gesetze" / "burlg.md"])
    assert lib.index_pending().count("indexed") == 2
    yield lib
    close_library(folder)


@pytest.fixture
def spec():  # noqa: ANN201
    s = load_catalog().get(TASK_ID)
    assert s is not None and s.runner == "library"
    return s


def fake(tokens: list[str]) -> FakeBackend:
    backend = FakeBackend(token_delay=0, tokens=tokens)
    backend.loaded = Path("fake.gguf")
    return backend


def test_runner_is_registered_and_prompt_comes_from_the_task_file(spec) -> None:
    assert RUNNERS["library"]
    template = user_template_for(spec, {"frage": "F", "umfang": "bibliothek"})
    assert template.format(quellen="Q", frage="F?").endswith("Q\n\nFrage: F?")
    assert split_paths("a.pdf\n b.docx ; c.md") == ["a.pdf", "b.docx", "c.md"]


def test_answer_with_sources_history_and_docx(spec, library, tmp_path: Path, monkeypatch) -> None:
    from llmoin_desktop.core.export import build_docx, content_from_result

    monkeypatch.setenv("LLMOIN_LIBRARY_DIR", str(library.folder))  # what the task job opens

    backend = fake(["Innerhalb ", "von ", "zwei ", "Wochen ", "[1]."])
    history = HistoryStore(tmp_path / "h.sqlite3")
    job = task_job(TaskRunner(backend), spec, {"frage": QUESTION}, history=history)
    streamed: list[str] = []
    job.on_token(streamed.append)
    job.run()
    assert job.state is JobState.DONE, job.error
    result = job.result
    system, user = backend.calls[0]
    assert "Quellen, die zwischen den Markierungen" in system["content"]
    assert user["content"].startswith("Quellen:\n\n<<<QUELLE 1: bmg.pdf, Seite 13")
    assert result.answer == "Innerhalb von zwei Wochen [1]."
    first = result.citations[0]
    assert first.cited and first.pages == [13, 14] and "§ 17" in first.section
    chunk_texts = {c.text for c in library.store.chunks([c.chunk_id for c in result.citations])}
    assert all(c.passage in chunk_texts for c in result.citations)  # real chunks
    # the sources block follows the answer: streamed, stored in the history, exported
    assert result.coverage.startswith("Quellen:") and "Weitere Fundstellen:" in result.coverage
    assert "".join(streamed).endswith(result.coverage)
    assert result.sources[0] == "bmg.pdf"
    entry = history.get(result.history_id)
    assert "bmg.pdf, S. 13–14, § 17" in entry.result and "zwei Wochen nach" in entry.result
    import io

    import docx

    data = build_docx(content_from_result(spec, result))
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    cited = next(p for p in paragraphs if p.startswith("[1] bmg.pdf"))
    assert cited == f"[1] {first.label()}"
    quote = paragraphs[paragraphs.index(cited) + 1]
    assert quote == f"„{' '.join(first.quote.split())}“"


def test_scope_and_library_problems_are_clear(spec, library, corpus_dir: Path, tmp_path) -> None:
    runner = TaskRunner(fake(["x"]))
    rep = SilentReporter()
    with pytest.raises(TaskInputError, match="Pflichtfeld"):
        run_library_task(
            runner, spec, {"frage": QUESTION, "umfang": "auswahl"}, rep, library=library
        )
    other = str(corpus_dir / "gesetze" / "vwvfg.pdf")
    with pytest.raises(TaskInputError, match="nicht .*in der Bibliothek"):
        run_library_task(
            runner,
            spec,
            {"frage": QUESTION, "umfang": "auswahl", "dokumente": other},
            rep,
            library=library,
        )
    burlg = str(corpus_dir / "gesetze" / "burlg.md")
    result = run_library_task(
        runner,
        spec,
        {"frage": "Wie viele Werktage Urlaub?", "umfang": "auswahl", "dokumente": burlg},
        rep,
        library=library,
    )
    assert {c.file_name for c in result.citations} == {"burlg.md"}
    empty = open_library(tmp_path / "leer", embedder=None)
    try:
        with pytest.raises(LibraryError) as info:
            run_library_task(runner, spec, {"frage": QUESTION}, rep, library=empty)
        assert "noch keine lesbaren Dokumente" in info.value.user_message
    finally:
        close_library(tmp_path / "leer")
    assert issubclass(LibraryError, LLMoinError)


@pytest.mark.model
def test_real_model_answer_cites_real_chunks(engine, spec, library, monkeypatch) -> None:  # noqa: ANN001
    from llmoin_desktop.core.engine.backend import GenerationParams
    from llmoin_desktop.core.tasks import library_task

    monkeypatch.setattr(library_task, "PASSAGES", 3)  # a shorter prompt on 2 shared cores

    runner = TaskRunner(engine, params=GenerationParams(max_tokens=60, temperature=0.2))
    result = run_library_task(runner, spec, {"frage": QUESTION}, SilentReporter(), library=library)
    assert result.answer.strip() and result.citations
    records = {c.id: c for c in library.store.chunks([c.chunk_id for c in result.citations])}
    for c in result.citations:
        rec = records[c.chunk_id]
        assert rec.text == c.passage and Path(rec.path).name == c.file_name
        assert rec.pages == c.pages and c.quote.rstrip("…")[:60] in c.passage
    meldung = next(c for c in result.citations if "§ 17" in c.section)
    assert meldung.file_name == "bmg.pdf" and 13 in meldung.pages


def test_setting_on_asks_the_model_for_search_terms_first(spec, library) -> None:  # noqa: ANN001
    """ask_search_terms = on: a first, short call with the task file's search prompt; the
    terms are searched for too and named under the sources. auto skips the fake (0 params)."""
    from llmoin_desktop.core.settings.config import SettingsStore

    backend = fake(["Meldepflicht, ", "Anmeldung"])
    run_library_task(
        TaskRunner(backend), spec, {"frage": QUESTION}, SilentReporter(), library=library
    )
    assert len(backend.calls) == 1  # auto: no terms for a model of unknown, small size

    SettingsStore().set("ask_search_terms", "on")
    backend = fake(["Meldepflicht, ", "Anmeldung"])
    result = run_library_task(
        TaskRunner(backend), spec, {"frage": QUESTION}, SilentReporter(), library=library
    )
    assert len(backend.calls) == 2
    system, terms_call = backend.calls[0]
    assert terms_call["role"] == "user" and terms_call["content"].endswith(f"Fall: {QUESTION}")
    assert system == backend.calls[1][0]  # same system message as the answer (KV cache)
    assert "Zusätzlich gesucht nach: Meldepflicht, Anmeldung" in result.coverage
    assert any("§ 17" in c.section for c in result.citations)
