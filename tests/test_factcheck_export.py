"""Fact-check marks in the Word export: comments on the figures, or none when the clerk
switched them off; the text itself is unchanged."""

from __future__ import annotations

from pathlib import Path

import docx

from llmoin_desktop.core.export import content_from_result, export_docx
from llmoin_desktop.core.factcheck import SourceText, check_text
from llmoin_desktop.core.settings.config import Settings
from llmoin_desktop.core.tasks.catalog import load_catalog
from llmoin_desktop.core.tasks.runner import TaskResult

SOURCE = "Die Gebühr beträgt 37,00 € und ist bis zum 31.03.2026 zu zahlen. Az. VS 23-4711/2026"
ANSWER = "Die Gebühr beträgt **35 Euro** und ist bis zum 31.03.2026 zu zahlen (Az. 9 K 12/26)."


def _result() -> TaskResult:
    result = TaskResult(task_id="zusammenfassen", values={}, answer=ANSWER, output_kind="prose")
    result.factcheck = check_text(ANSWER, [SourceText("bescheid.txt", SOURCE, 1)])
    return result


def _comments(path: Path) -> list[str]:
    document = docx.Document(str(path))
    return [c.text for c in document.comments]


def test_unsupported_figures_become_word_comments(tmp_path: Path) -> None:
    spec = load_catalog().get("zusammenfassen")
    content = content_from_result(spec, _result())
    out = export_docx(content, tmp_path / "e.docx", settings=Settings())
    comments = _comments(out)
    assert any(
        c.startswith("Abweichend von der Quelle: 35 Euro (Quelle: 37,00 €") for c in comments
    )
    assert any("9 K 12/26" in c for c in comments)
    assert len(comments) == 2
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert (
        "Die Gebühr beträgt 35 Euro und ist bis zum 31.03.2026 zu zahlen (Az. 9 K 12/26)." in text
    )


def test_the_clerks_edit_is_checked_and_marks_can_be_left_out(tmp_path: Path) -> None:
    spec = load_catalog().get("zusammenfassen")
    edited = ANSWER.replace("**35 Euro**", "37 Euro")
    content = content_from_result(spec, _result(), edited)
    assert [figure for figure, _c in content.comments] == ["9 K 12/26"]
    out = export_docx(content, tmp_path / "e.docx", settings=Settings())
    assert len(_comments(out)) == 1
    off = Settings(factcheck_export_comments=False)
    out = export_docx(content, tmp_path / "f.docx", settings=off)
    assert _comments(out) == []
