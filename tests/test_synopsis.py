"""The synopsis (Fassungen vergleichen) is computed by code: two versions of a real corpus law,
the second made by known seeded edits and read back from a real file, must yield every
changed paragraph and no unchanged one (what bench/synopsis.py measures on a long law)."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from fakes_tasks import FakeBackend

from llmoin_desktop.core.export import content_from_result, export_docx
from llmoin_desktop.core.settings.config import Settings
from llmoin_desktop.core.tasks.catalog import load_catalog
from llmoin_desktop.core.tasks.proofread import word_diff
from llmoin_desktop.core.tasks.runner import SilentReporter, TaskRunner, run_any
from llmoin_desktop.core.tasks.sources import document_from_text, load_document
from llmoin_desktop.core.tasks.synopsis import (
    CHANGED,
    DELETED,
    INSERTED,
    MOVED,
    compare,
    to_markdown,
    units_of,
)
from llmoin_desktop.core.tasks.synopsis_eval import make_version, render_markdown, score

OLD = """§ 1 Geltungsbereich

(1) Dieses Gesetz gilt für die Verwaltungstätigkeit der Behörden des Landes.

(2) Es gilt nicht für die Tätigkeit der Kirchen.

§ 2 Fristen

(1) Der Antrag ist innerhalb von zwei Wochen zu stellen.

(2) Die Behörde entscheidet unverzüglich über den Antrag.

§ 3 Zuständigkeit

Zuständig ist die Gemeinde, in deren Bezirk der Antragsteller wohnt.
"""

NEW = """§ 1 Geltungsbereich

(1) Dieses Gesetz gilt für die Verwaltungstätigkeit der Behörden des Landes.

§ 2 Fristen

(1) Der Antrag ist innerhalb von vier Wochen zu stellen.

(2) Die Behörde entscheidet unverzüglich über den Antrag.

(3) Der Antrag kann auch elektronisch gestellt werden.

§ 3 Zuständigkeit

Zuständig ist die Gemeinde, in deren Bezirk der Antragsteller wohnt.
"""


def _statuses(syn) -> dict[str, str]:
    return {r.ref: r.status for r in syn.differences}


def test_small_law_changed_inserted_deleted_with_references() -> None:
    syn = compare(document_from_text(OLD), document_from_text(NEW), "alt.txt", "neu.txt")
    assert _statuses(syn) == {"§ 1 Abs. 2": DELETED, "§ 2 Abs. 1": CHANGED, "§ 2 Abs. 3": INSERTED}
    text = to_markdown(syn)
    assert "~~zwei~~" in text and "**vier**" in text
    assert "| Bisherige Fassung | Neue Fassung |" in text
    assert "(entfällt)" in text
    assert "Geändert: 1 · Eingefügt: 1 · Gestrichen: 1 · Verschoben: 0 · Unverändert: 6" in text


def test_identical_versions_and_rewrapped_lines_are_not_changes() -> None:
    rewrapped = OLD.replace("der Behörden des Landes.", "der Behörden\ndes Landes.")
    syn = compare(document_from_text(OLD), document_from_text(rewrapped))
    assert syn.differences == []
    assert "stimmen im Wortlaut überein" in to_markdown(syn)


def test_moved_paragraph_is_one_move_not_a_delete_and_insert() -> None:
    moved = NEW.replace(
        "(2) Die Behörde entscheidet unverzüglich über den Antrag.\n\n", ""
    ).replace("wohnt.\n", "wohnt.\n\n(2) Die Behörde entscheidet unverzüglich über den Antrag.\n")
    syn = compare(document_from_text(NEW), document_from_text(moved))
    rows = syn.differences
    assert [(r.status, r.old.ref, r.new.ref) for r in rows] == [(MOVED, "§ 2 Abs. 2", "§ 3 Abs. 2")]
    assert "verschoben aus § 2 Abs. 2" in to_markdown(syn)


def test_word_diff_applies_accepted_changes_only() -> None:
    diff = word_diff(
        "Der Antrag wurde gestellt am Montag.", "Die Anträge wurden am Montag gestellt."
    )
    assert diff.apply() == "Die Anträge wurden am Montag gestellt."
    assert diff.apply([]) == "Der Antrag wurde gestellt am Montag."
    assert len(diff.changes) >= 2


@pytest.mark.parametrize("law", ["burlg.md", "egovg.md"])
def test_law_with_seeded_edits_precision_and_recall_are_one(
    corpus_dir: Path, tmp_path: Path, law: str
) -> None:
    old = load_document(corpus_dir / "gesetze" / law)
    units = units_of(old)
    # The unedited law written back and read again: no differences (the file trip is clean).
    same = tmp_path / "same.md"
    same.write_text(render_markdown(units), encoding="utf-8")
    assert compare(old, load_document(same)).differences == []
    new_units, truth = make_version(units, 2, seed=7)
    new_file = tmp_path / "neu.md"
    new_file.write_text(render_markdown(new_units), encoding="utf-8")
    syn = compare(old, load_document(new_file))
    result = score(syn, truth)
    assert result.missed == [] and result.false == []
    assert (result.precision, result.recall) == (1.0, 1.0)
    assert result.by_kind == {k: (2, 2) for k in (CHANGED, INSERTED, DELETED, MOVED)}


def test_synopsis_task_two_documents_fake_explanations_and_docx(
    corpus_dir: Path, tmp_path: Path
) -> None:
    old = load_document(corpus_dir / "gesetze" / "burlg.md")
    units = units_of(old)
    new_units, _truth = make_version(units, 1, seed=3)
    new_file = tmp_path / "burlg_neu.md"
    new_file.write_text(render_markdown(new_units), encoding="utf-8")
    spec = load_catalog(Settings()).get("synopse")
    backend = FakeBackend(reply=lambda m: "Die Frist wird verlängert.")
    values = {"alt": str(corpus_dir / "gesetze" / "burlg.md"), "neu": str(new_file)}
    result = run_any(TaskRunner(backend), spec, values, SilentReporter())
    # One model call per substantive change (changed, inserted, deleted; not the plain move).
    assert len(backend.calls) == 3
    assert all("Bisherige Fassung:" in c[-1]["content"] for c in backend.calls)
    assert result.sources == ["burlg.md", "burlg_neu.md"]
    assert result.answer.count("Die Frist wird verlängert.") == 3
    assert "Erläuterungen der Änderungen" in result.answer
    out = export_docx(content_from_result(spec, result), tmp_path / "synopse.docx")
    doc = docx.Document(str(out))
    table = doc.tables[0]
    assert len(table.columns) == 2
    assert [c.text for c in table.rows[0].cells] == ["Bisherige Fassung", "Neue Fassung"]
    assert len(table.rows) == 1 + 4
    runs = [r for row in table.rows[1:] for c in row.cells for p in c.paragraphs for r in p.runs]
    assert any(r.font.strike for r in runs) and any(r.bold for r in runs)


def test_synopsis_without_explanations_makes_no_model_call_and_pasted_texts_work() -> None:
    spec = load_catalog(Settings()).get("synopse")
    backend = FakeBackend()
    values = {"alt_text": OLD, "neu_text": NEW, "erlaeuterung": "nein", "darstellung": "alles"}
    result = run_any(TaskRunner(backend), spec, values, SilentReporter())
    assert backend.calls == []
    assert result.answer.startswith("Synopse: Bisherige Fassung → Neue Fassung")
    assert result.sources == []
    assert result.answer.count("\n| ") == 1 + 9  # header + every row, unchanged ones too


def test_synopsis_needs_both_versions() -> None:
    from llmoin_desktop.core.tasks.spec import TaskInputError

    spec = load_catalog(Settings()).get("synopse")
    with pytest.raises(TaskInputError, match="Neue Fassung"):
        run_any(TaskRunner(FakeBackend()), spec, {"alt_text": OLD}, SilentReporter())


def test_stop_during_the_notes_cancels_and_a_broken_file_gives_a_plain_message(
    tmp_path: Path,
) -> None:
    from llmoin_desktop.core.documents.errors import DocumentError
    from llmoin_desktop.core.errors import Cancelled

    spec = load_catalog(Settings()).get("synopse")
    rep = SilentReporter()

    def reply(messages):
        rep.cancel.cancel()  # the clerk presses Stop while the first note is written
        return "Eine Erläuterung."

    with pytest.raises(Cancelled):
        run_any(TaskRunner(FakeBackend(reply=reply)), spec, {"alt_text": OLD, "neu_text": NEW}, rep)
    broken = tmp_path / "neu.pdf"
    broken.write_bytes(b"%PDF-1.4 kaputt")
    with pytest.raises(DocumentError) as info:
        run_any(
            TaskRunner(FakeBackend()),
            spec,
            {"alt_text": OLD, "neu": str(broken)},
            SilentReporter(),
        )
    assert "neu.pdf" in info.value.user_message and "Traceback" not in info.value.user_message
