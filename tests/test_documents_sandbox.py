"""The sandbox on real and hostile input: every wild file ends as expected, hangs are killed."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from llmoin_desktop.core.documents import (
    Damaged,
    DocumentParser,
    ParseTimeout,
    TooLarge,
    parse_document,
)
from llmoin_desktop.core.errors import Cancelled
from llmoin_desktop.core.jobs import CancelToken

PROBES = "llmoin_desktop.core.documents.probes"
# What wild-expected.json calls each outcome, in terms of ParseOutcome.status.
EXPECTED_STATUS = {
    "text": {"indexed"},
    "password_protected": {"password_protected"},
    "no_text_layer": {"no_text_layer"},
    "damaged_or_wrong_format": {"damaged", "wrong_format"},
}


@pytest.fixture(scope="module")
def parser():
    with DocumentParser(workers=2, timeout_s=30) as p:
        yield p


def test_every_wild_file_ends_as_expected(corpus_dir: Path, parser: DocumentParser) -> None:
    expected = json.loads((corpus_dir / "wild-expected.json").read_text(encoding="utf-8"))
    files = sorted((corpus_dir / "wild").iterdir())
    assert {f.name for f in files} == set(expected)
    outcomes = parser.parse_many(files)
    assert [o.path for o in outcomes] == [str(f) for f in files]
    wrong = []
    for outcome in outcomes:
        name = Path(outcome.path).name
        want = EXPECTED_STATUS[expected[name]]
        partial = name == "truncated.pdf" and outcome.ok and outcome.document.warnings
        if outcome.status not in want and not partial:
            wrong.append((name, outcome.status, outcome.message))
        assert outcome.seconds < 30
        if not outcome.ok:
            # The clerk's message names the file and is not a traceback.
            assert name in outcome.message and "Traceback" not in outcome.message
    assert wrong == []
    pdf = next(o for o in outcomes if o.path.endswith("pdflatex-4-pages.pdf"))
    assert pdf.document is not None and pdf.document.n_pages == 4
    assert sorted({b.page for b in pdf.document.blocks}) == [1, 2, 3, 4]


def test_parse_document_keeps_pages(corpus_dir: Path) -> None:
    doc = parse_document(corpus_dir / "gesetze" / "bmg.pdf")
    heading = next(b for b in doc.blocks if b.text == "§ 17 Anmeldung, Abmeldung")
    assert heading.page == 13 and heading.kind == "heading"


def test_hang_is_killed_within_the_limit(corpus_dir: Path, parser: DocumentParser) -> None:
    path = corpus_dir / "wild" / "minimal-document.pdf"
    started = time.perf_counter()
    with pytest.raises(ParseTimeout) as info:
        parser.parse(path, timeout_s=1.5, loader=f"{PROBES}:spin")
    elapsed = time.perf_counter() - started
    assert 1.5 <= elapsed < 6, elapsed
    assert "minimal-document.pdf" in info.value.user_message
    # The next file gets a fresh worker and works.
    assert parser.parse(path).format == "pdf"


def test_crash_and_memory_are_contained(corpus_dir: Path) -> None:
    path = corpus_dir / "wild" / "minimal-document.pdf"
    with DocumentParser(workers=1, memory_mb=512) as small:
        with pytest.raises(Damaged):
            small.parse(path, loader=f"{PROBES}:crash")
        if os.name == "posix":
            with pytest.raises(TooLarge) as info:
                small.parse(path, loader=f"{PROBES}:eat_memory", timeout_s=20)
            assert "Arbeitsspeicher" in info.value.user_message
        assert small.parse(path).format == "pdf"


def test_too_large_and_missing(tmp_path: Path) -> None:
    big = tmp_path / "riesig.pdf"
    with big.open("wb") as fh:
        fh.truncate(3 * 1024 * 1024)
    with DocumentParser(max_file_mb=2) as small:
        with pytest.raises(TooLarge, match="höchstens 2 MB"):
            small.parse(big)
        from llmoin_desktop.core.documents import FileUnreadable

        with pytest.raises(FileUnreadable):
            small.parse(tmp_path / "fehlt.pdf")


def test_batch_survives_bad_files_and_honours_cancel(corpus_dir: Path) -> None:
    good = corpus_dir / "wild" / "minimal-document.pdf"
    token = CancelToken()
    seen = []

    def on_outcome(outcome) -> None:  # noqa: ANN001
        seen.append(outcome.status)
        if len(seen) == 2:
            token.cancel()

    with DocumentParser(workers=1, timeout_s=20) as p:
        paths = [corpus_dir / "wild" / "random-bytes.pdf", good, good, good, good, good]
        started = time.perf_counter()
        outcomes = p.parse_many(paths, cancel=token, on_outcome=on_outcome)
        assert time.perf_counter() - started < 15
    statuses = [o.status for o in outcomes]
    assert statuses[:2] == ["damaged", "indexed"]
    # The file after the cancel may already have finished; the rest must not run.
    assert statuses[2] in ("indexed", "cancelled")
    assert statuses[3:] == ["cancelled"] * 3
    assert all(isinstance(o.error, Cancelled) for o in outcomes[3:])


def test_cancel_kills_a_hanging_parse(corpus_dir: Path) -> None:
    token = CancelToken()
    with DocumentParser(workers=1, timeout_s=60) as p:
        import threading

        threading.Timer(1.0, token.cancel).start()
        started = time.perf_counter()
        out = list(
            p.iter_parse(
                [corpus_dir / "wild" / "habibi.pdf"], cancel=token, loader=f"{PROBES}:spin"
            )
        )
        assert time.perf_counter() - started < 10
    assert [o.status for o in out] == ["cancelled"]
