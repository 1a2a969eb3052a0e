"""Very large files (issue 11, part 4): no fixed per-file time limit rejects a legitimate
1,500-page PDF; the stall timeout restarts with every page, progress counts pages, and
Stop ends the parse at once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from llmoin_desktop.core.documents import DocumentParser, ParseTimeout
from llmoin_desktop.core.errors import Cancelled
from llmoin_desktop.core.jobs import CancelToken


def build_big_pdf(path: Path, pages: int, corpus: Path) -> Path:
    sources = [PdfReader(p) for p in sorted((corpus / "gesetze").glob("*.pdf"))]
    writer = PdfWriter()
    n = 0
    while n < pages:
        for reader in sources:
            for page in reader.pages:
                if n < pages:
                    writer.add_page(page)
                    n += 1
    with path.open("wb") as fh:
        writer.write(fh)
    return path


@pytest.fixture(scope="module")
def big_pdf(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_big_pdf(tmp_path_factory.mktemp("big") / "sammlung.pdf", 1500, corpus_dir)


@pytest.mark.slow
def test_1500_pages_are_read_completely_with_page_progress(big_pdf: Path) -> None:
    seen: list[str] = []
    # 20 s without progress would stop it; the whole file takes far longer than that here.
    with DocumentParser(workers=1, timeout_s=20) as parser:
        started = time.perf_counter()
        doc = parser.parse(big_pdf, on_progress=lambda s, t, text: seen.append(text))
        seconds = time.perf_counter() - started
    assert doc.n_pages == 1500
    assert {b.page for b in doc.blocks} == set(range(1, 1501))
    assert "Seite 900 von 1.500" in seen and seen[-1] == "Seite 1.500 von 1.500"
    print(f"1500 pages in {seconds:.1f} s ({1500 / seconds:.1f} pages/s)")


def test_stop_during_a_huge_pdf_ends_within_a_second(big_pdf: Path) -> None:
    cancel = CancelToken()
    pages: list[int] = []
    result: dict[str, str] = {}
    with DocumentParser(workers=1, timeout_s=20) as parser:

        def run() -> None:
            try:
                parser.parse(big_pdf, cancel=cancel, on_progress=lambda s, t, x: pages.append(s))
                result["end"] = "finished"
            except Cancelled:
                result["end"] = "cancelled"

        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + 120
        while len(pages) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        stopped = time.monotonic()
        cancel.cancel()
        thread.join(timeout=10)
        assert time.monotonic() - stopped < 1.0
    assert result["end"] == "cancelled" and 20 <= pages[-1] < 1500


def test_a_stalled_worker_is_stopped_with_a_message_naming_why(tmp_path: Path) -> None:
    path = tmp_path / "haengt.pdf"
    path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    with DocumentParser(workers=1, timeout_s=1.5) as parser, pytest.raises(ParseTimeout) as info:
        parser.parse(path, loader="llmoin_desktop.core.documents.probes:spin")
    assert "1.5 Sekunden lang nicht weiter" in info.value.user_message


def test_a_worker_that_aborts_under_the_memory_cap_is_named_memory(tmp_path: Path) -> None:
    from llmoin_desktop.core.documents import TooLarge

    path = tmp_path / "riesig.pdf"
    path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    with DocumentParser(workers=1) as parser, pytest.raises(TooLarge) as info:
        parser.parse(path, loader="llmoin_desktop.core.documents.probes:abort")
    assert "Arbeitsspeicher" in info.value.user_message


def test_a_step_with_an_announced_budget_may_outlast_the_stall_timeout(tmp_path: Path) -> None:
    path = tmp_path / "langsam.txt"
    path.write_text("x", encoding="utf-8")
    with DocumentParser(workers=1, timeout_s=1) as parser:
        doc = parser.parse(path, loader="llmoin_desktop.core.documents.probes:slow_step")
    assert doc.title == "langsam"
