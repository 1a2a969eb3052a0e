"""Issue 18, item 8: the PDF viewer renders within a pixel budget; a 600-byte PDF with a
30000-pt page gets a clear message instead of a frozen app and gigabytes of memory."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest

from llmoin_desktop.core.tasks.ask import Citation
from llmoin_desktop.ui import document_viewer as V

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from security_files import pdf_with_page  # noqa: E402


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Pixels of every page render; a render over the budget fails the test before it runs."""
    seen: list[int] = []
    real = pdfium.PdfPage.render

    def render(page: Any, *args: Any, scale: float = 1, **kwargs: Any) -> Any:
        pixels = int(page.get_width() * scale) * int(page.get_height() * scale)
        seen.append(pixels)
        assert pixels <= V.MAX_RENDER_PIXELS, f"render of {pixels} pixels requested"
        return real(page, *args, scale=scale, **kwargs)

    monkeypatch.setattr(pdfium.PdfPage, "render", render)
    return seen


def _viewer(qtbot: Any, path: Path) -> V.DocumentViewer:
    citation = Citation(
        n=1, path=str(path), title="t", section="", pages=[1], quote="Seite", passage=""
    )
    viewer = V.DocumentViewer(citation)
    qtbot.addWidget(viewer)
    viewer.open_source()
    return viewer


def test_huge_page_gets_a_message_not_a_render(
    qtbot: Any, tmp_path: Path, renders: list[int]
) -> None:
    path = pdf_with_page(tmp_path / "riesig.pdf", 30000, 30000)
    assert path.stat().st_size < 700
    viewer = _viewer(qtbot, path)
    assert renders == []
    assert viewer.message.isVisibleTo(viewer)
    assert "ungewöhnlich groß" in viewer.message.text()
    assert "1058 × 1058 cm" in viewer.message.text()
    assert viewer.image.pixmap() is None or viewer.image.pixmap().isNull()
    viewer.close()


def test_long_page_is_rendered_smaller_within_the_budget(
    qtbot: Any, tmp_path: Path, renders: list[int]
) -> None:
    path = pdf_with_page(tmp_path / "lang.pdf", 600, 20000)
    viewer = _viewer(qtbot, path)
    assert len(renders) == 1 and renders[0] <= V.MAX_RENDER_PIXELS
    pixmap = viewer.image.pixmap()
    assert max(pixmap.width(), pixmap.height()) <= V.MAX_RENDER_SIDE
    assert not viewer.message.isVisibleTo(viewer)
    viewer.close()


def test_ordinary_page_keeps_its_zoom(tmp_path: Path) -> None:
    assert V.render_scale(595, 842, 1.4) == 1.4  # A4
    assert V.render_scale(2384, 3370, 0.8) == 0.8  # A0 poster
    assert V.render_scale(30000, 30000, 0.8) is None
    assert V.render_scale(float("nan"), 10, 1.0) is None
    assert V.render_scale(0, 10, 1.0) is None
