"""Task runners against a deterministic fake backend: single pass, map-reduce on a real long
document, splitting on ContextOverflow, concat tables, refinements, cancel → no history."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fakes_tasks import FakeBackend

from llmoin_desktop.core.engine.backend import GenerationParams
from llmoin_desktop.core.history import HistoryStore
from llmoin_desktop.core.jobs import JobState
from llmoin_desktop.core.settings.config import Settings
from llmoin_desktop.core.tasks.catalog import load_catalog
from llmoin_desktop.core.tasks.runner import SilentReporter, TaskRunner, task_job
from llmoin_desktop.core.tasks.spec import STANDARD_REFINEMENTS


class Recorder(SilentReporter):
    def __init__(self) -> None:
        super().__init__()
        self.progress_texts: list[str] = []
        self.streamed: list[str] = []

    def progress(self, step: int, total: int | None, text: str = "") -> None:
        self.progress_texts.append(text)

    def token(self, text: str) -> None:
        self.streamed.append(text)


@pytest.fixture
def catalog():
    return load_catalog(Settings())


def test_single_pass_streams_the_answer(catalog) -> None:
    backend = FakeBackend()
    rep = Recorder()
    spec = catalog.get("zusammenfassen")
    result = TaskRunner(backend).run(
        spec, {"text": "Die Frist endet am 3. Mai. Der Antrag ist vollständig."}, ctx=rep
    )
    assert len(backend.calls) == 1
    assert "Die Frist endet" in result.answer
    assert "".join(rep.streamed) == result.text
    assert result.coverage == "" and result.parts == 1


def test_map_reduce_on_a_document_larger_than_the_context(catalog, corpus_dir: Path) -> None:
    backend = FakeBackend(n_ctx=4096)
    rep = Recorder()
    spec = catalog.get("zusammenfassen")
    path = corpus_dir / "gesetze" / "vwvfg.pdf"
    runner = TaskRunner(backend, params=GenerationParams(max_tokens=300), map_max_tokens=120)
    result = runner.run(spec, {"dokument": str(path)}, ctx=rep)
    assert result.parts > 5
    assert len(backend.calls) == result.parts + 1  # one per part, one to combine
    systems = {c[0]["content"] for c in backend.calls}
    assert len(systems) == 1, "the preamble must be identical in every call (KV prefix cache)"
    for call in backend.calls:
        assert backend.count_tokens(call) <= backend.n_ctx
    assert any(f"Teil 7 von {result.parts}" in t for t in rep.progress_texts)
    assert any("Seite" in t for t in rep.progress_texts)
    assert "vwvfg.pdf" in result.coverage and "Seiten 1–" in result.coverage
    assert f"in {result.parts} Teilen" in result.coverage
    assert result.text.endswith(result.coverage)
    final_prompt = backend.calls[-1][1]["content"]
    assert "Teil 1 (Seite" in final_prompt
    assert "".join(rep.streamed) == result.text


def test_notes_too_long_for_one_call_are_condensed_again(catalog, corpus_dir: Path) -> None:
    backend = FakeBackend(n_ctx=2048)
    rep = Recorder()
    runner = TaskRunner(
        backend, params=GenerationParams(max_tokens=300), map_max_tokens=120, max_read_tokens=None
    )
    result = runner.run(
        catalog.get("zusammenfassen"),
        {"dokument": str(corpus_dir / "gesetze" / "vwvfg.pdf")},
        ctx=rep,
    )
    assert len(backend.calls) > result.parts + 1
    assert any("Zwischenergebnisse werden verdichtet" in t for t in rep.progress_texts)
    assert result.answer and result.parts > 20


def test_context_overflow_splits_the_part_further(catalog, corpus_dir: Path) -> None:
    class Optimistic(FakeBackend):
        """Counts only half the tokens: the runner's plan is too big and chat overflows."""

        def count_tokens(self, messages):  # type: ignore[override]
            return super().count_tokens(messages) // 2

        def chat(self, messages, params=None, **kw):  # type: ignore[override]
            real = FakeBackend.count_tokens(self, messages)
            if real + 16 > self.n_ctx:
                from llmoin_desktop.core.errors import ContextOverflow

                raise ContextOverflow("zu lang", n_prompt=real, n_ctx=self.n_ctx)
            return super().chat(messages, params, **kw)

    backend = Optimistic(n_ctx=1500)
    spec = catalog.get("zusammenfassen")
    runner = TaskRunner(backend, params=GenerationParams(max_tokens=200), map_max_tokens=100)
    result = runner.run(spec, {"dokument": str(corpus_dir / "gesetze" / "vwzg_2005.md")})
    assert result.answer and result.parts >= 2
    assert len(backend.calls) > result.parts  # overflowing parts were split and retried


def test_extraction_tables_from_parts_are_merged(catalog, corpus_dir: Path) -> None:
    def reply(messages):
        user = messages[-1]["content"]
        page = user.split("[Seite ", 1)[1].split("]", 1)[0] if "[Seite " in user else "?"
        return (
            "| Art | Angabe | Fundstelle |\n|---|---|---|\n"
            f"| Frist | Ein Monat | Seite {page} |\n| Frist | Ein Monat | Seite {page} |\n"
            "| Beteiligte | Behörde | § 1 |"
        )

    backend = FakeBackend(n_ctx=2048, reply=reply)
    spec = catalog.get("extrahieren")
    result = TaskRunner(backend, map_max_tokens=200).run(
        spec, {"dokument": str(corpus_dir / "gesetze" / "ifg.pdf")}
    )
    lines = result.answer.splitlines()
    assert lines[0] == "| Art | Angabe | Fundstelle |"
    assert sum("Behörde" in ln for ln in lines) == 1  # duplicates across parts removed
    assert len({ln for ln in lines if "Frist" in ln}) >= 2  # rows from parts on different pages
    assert result.output_kind == "table" and result.parts > 1


def test_refinement_continues_the_conversation(catalog) -> None:
    backend = FakeBackend()
    spec = catalog.get("zusammenfassen")
    runner = TaskRunner(backend)
    first = runner.run(spec, {"text": "Ein langer Text über Fristen."})
    second = runner.refine(first, STANDARD_REFINEMENTS["kuerzer"], answer="Meine Fassung.")
    last = backend.calls[-1]
    assert last[: len(first.messages)] == first.messages
    assert last[-2] == {"role": "assistant", "content": "Meine Fassung."}
    assert last[-1]["content"] == STANDARD_REFINEMENTS["kuerzer"].instruction
    assert second.refinements == ["kuerzer"]


def test_cancel_mid_way_ends_fast_and_writes_no_history(catalog, corpus_dir: Path) -> None:
    backend = FakeBackend(n_ctx=2048, token_delay=0.02)
    history = HistoryStore()
    spec = catalog.get("zusammenfassen")
    job = task_job(
        TaskRunner(backend, map_max_tokens=120),
        spec,
        {"dokument": str(corpus_dir / "gesetze" / "vwvfg.pdf")},
        history=history,
    )
    seen: list[str] = []
    job.on_progress(lambda p: seen.append(p.text))
    thread = threading.Thread(target=job.run)
    thread.start()
    deadline = time.monotonic() + 60
    while not any("Teil 3 von" in t for t in seen) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert any("Teil 3 von" in t for t in seen)
    t0 = time.perf_counter()
    job.cancel()
    thread.join(5)
    assert not thread.is_alive()
    assert time.perf_counter() - t0 < 1.0
    assert job.state is JobState.CANCELLED
    assert history.count() == 0


def test_finished_job_is_stored_in_history(catalog) -> None:
    history = HistoryStore()
    spec = catalog.get("zusammenfassen")
    job = task_job(TaskRunner(FakeBackend()), spec, {"text": "Kurzer Text."}, history=history)
    job.run()
    assert job.state is JobState.DONE
    [entry] = history.list()
    assert entry.task_id == "zusammenfassen" and entry.result == job.result.text
    assert entry.values["text"] == "Kurzer Text." and entry.values["laenge"] == "mittel"


def test_bad_input_gives_a_clear_message(catalog, corpus_dir: Path) -> None:
    spec = catalog.get("zusammenfassen")
    job = task_job(
        TaskRunner(FakeBackend()),
        spec,
        {"dokument": str(corpus_dir / "wild" / "encrypted-aes256.pdf")},
    )
    job.run()
    assert job.state is JobState.FAILED
    assert "passwort" in job.error.user_message.lower()
    job = task_job(TaskRunner(FakeBackend()), spec, {})
    job.run()
    assert job.state is JobState.FAILED and "Bitte eines ausfüllen" in job.error.user_message


def test_other_task_kinds_plug_in_by_runner_name(tmp_path: Path, monkeypatch) -> None:
    from llmoin_desktop.core.tasks import runner as runner_mod
    from llmoin_desktop.core.tasks.runner import TaskResult
    from llmoin_desktop.core.tasks.spec import load_task_file

    path = tmp_path / "fragen.toml"
    path.write_text(
        'id = "dokumente_fragen"\ntitle = "Dokumente fragen"\nrunner = "library"\n'
        '[[fields]]\nname = "frage"\nkind = "text"\nlabel = "Frage"\nrequired = true\n'
        '[prompt]\nsystem = "S"\nuser = "{frage}"\n',
        encoding="utf-8",
    )
    spec = load_task_file(path)
    monkeypatch.delitem(runner_mod.RUNNERS, "library", raising=False)  # as if not installed
    job = task_job(TaskRunner(FakeBackend()), spec, {"frage": "Wie lange?"})
    job.run()
    assert job.state is JobState.FAILED and "nicht verfügbar" in job.error.user_message

    def library(run, spec, values, ctx):
        return TaskResult(spec.id, values, answer="Antwort [1]", output_kind="prose")

    monkeypatch.setitem(runner_mod.RUNNERS, "library", library)
    job = task_job(TaskRunner(FakeBackend()), spec, {"frage": "Wie lange?"}, history=HistoryStore())
    job.run()
    assert job.state is JobState.DONE and job.result.answer == "Antwort [1]"


def test_very_long_summaries_skim_every_section(catalog, corpus_dir: Path) -> None:
    from llmoin_desktop.core.tasks.sources import load_document
    from llmoin_desktop.core.tasks.splitter import skim

    doc = load_document(corpus_dir / "gesetze" / "vwvfg.pdf")
    short = skim(doc, 40_000)
    assert 30_000 < len(short.text) <= 40_000 < len(doc.text)
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert [b.text for b in short.blocks if b.kind == "heading"] == headings
    assert {b.page for b in short.blocks} == {b.page for b in doc.blocks}

    spec = catalog.get("zusammenfassen")
    values = {"dokument": str(corpus_dir / "gesetze" / "vwvfg.pdf")}
    skimmed = TaskRunner(FakeBackend(n_ctx=4096), max_read_tokens=8000).run(spec, values)
    assert "nur der Anfang" in skimmed.coverage and "§ 103" in skimmed.coverage
    full_backend = FakeBackend(n_ctx=4096)
    full = TaskRunner(full_backend, max_read_tokens=None).run(spec, values)
    assert "nur der Anfang" not in full.coverage and full.parts > skimmed.parts


def test_repetition_loops_are_removed_from_the_result() -> None:
    from llmoin_desktop.core.tasks.runner import drop_repeats

    loop = "Die Frist beträgt einen Monat.\n\nDer Antrag ist schriftlich zu stellen."
    text = f"{loop}\n\nDie  Frist beträgt einen Monat.\n\n{loop}\n\nDer Antrag ist schriftlich"
    assert drop_repeats(text) == loop
    assert drop_repeats("Eins.\n\nZwei.") == "Eins.\n\nZwei."
    table = "| Art | Angabe |\n|---|---|\n| Frist | 1 Monat |"
    assert drop_repeats(table) == table
