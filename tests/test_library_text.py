"""German analysis for the keyword index and structure-aware chunking on real law files."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from llmoin_desktop.core.library import text as T
from llmoin_desktop.core.library.chunking import MAX_CHARS, chunk_document

ROOT = Path(__file__).resolve().parents[1]


def test_umlauts_case_and_eszett_fold_to_the_same_token() -> None:
    assert T.analyze("Ausschluß von Doppelansprüchen") == T.analyze(
        "AUSSCHLUSS VON DOPPELANSPRUCHEN"
    )
    assert T.analyze("Erholungsurlaubs") == T.analyze("Erholungsurlaub")


def test_inflected_forms_share_a_stem() -> None:
    assert T.analyze("Kündigung")[0] == T.analyze("Kündigungen")[0]
    assert T.analyze("Behörde")[0] == T.analyze("Behörden")[0]


def test_paragraph_reference_is_one_token_and_stopwords_go() -> None:
    assert T.analyze("nach § 17 BMG") == ["par17", "bmg"]
    assert T.analyze("§17a") == ["par17a"]
    assert T.paragraph_refs("siehe § 3 und §§ 12a") == [("3", ""), ("12", "a")]


def test_compound_parts_share_character_grams() -> None:
    whole = set(T.grams("Reisekostenvergütung"))
    assert set(T.grams("Reisekosten")) <= whole
    assert set(T.grams("Vergütung")) & whole
    # hyphenated compounds also index their parts
    assert "behord" in T.analyze("Personalausweis-Behörde")


def test_abbreviations_are_learned_from_the_text() -> None:
    found = dict(T.abbreviation_definitions("Das Bundesmeldegesetz (BMG) gilt; siehe (Nr. 3)."))
    assert found == {"bmg": "Bundesmeldegesetz"}


@pytest.mark.parametrize("name", ["burlg.md", "ifg.pdf", "tzbfg.docx"])
def test_chunks_follow_sections_and_keep_pages(corpus_dir: Path, name: str) -> None:
    from llmoin_desktop.core.documents import load_document

    doc = load_document(corpus_dir / "gesetze" / name)
    chunks = chunk_document(doc)
    assert chunks
    assert all(len(c.text) <= MAX_CHARS * 1.3 for c in chunks)
    numbered = [c for c in chunks if c.section_no]
    assert len({c.section_no for c in numbered}) >= 10
    for c in numbered:  # every chunk of a § section starts with its heading
        assert c.text.startswith(c.section)
        assert c.section.startswith("§")
    if name.endswith(".pdf"):
        assert all(c.pages for c in numbered)
        assert max(p for c in chunks for p in c.pages) == doc.n_pages
        last = [c for c in chunks if c.section_no == "15"]
        assert last and last[0].pages[-1] == doc.n_pages


def test_library_messages_translated() -> None:
    found: set[str] = set()
    for path in sorted((ROOT / "llmoin_desktop" / "core" / "library").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "tr")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    catalogue: dict[str, str] = {}
    # the shared library and the data-safety layer (repair, lock) have their own files;
    # general words ("Abgebrochen.") come from core
    en = ROOT / "resources" / "i18n" / "en"
    for name in [p.name for p in sorted(en.glob("library*.toml"))] + [
        "data_safety.toml",
        "core.toml",
    ]:
        with (ROOT / "resources" / "i18n" / "en" / name).open("rb") as fh:
            catalogue.update(tomllib.load(fh))
    assert len(found) >= 5
    assert sorted(found - set(catalogue)) == []
