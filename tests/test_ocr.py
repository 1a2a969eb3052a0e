"""Text recognition with the real engine on real scans, through the sandboxed parser."""

from __future__ import annotations

import struct
import threading
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from llmoin_desktop.core.documents import (
    DocumentParser,
    NoTextLayer,
    TooLarge,
    load_document,
    parse_document,
)
from llmoin_desktop.core.documents import ocr as ocr_module
from llmoin_desktop.core.documents.ocr_quality import cer
from llmoin_desktop.core.errors import Cancelled
from llmoin_desktop.core.jobs import CancelToken

SCANS = ["antrag-sondernutzung-scan.pdf", "beschwerde-laerm-foto.jpg", "bmg-fax.tiff"]


@pytest.fixture
def scans(corpus_dir: Path) -> Path:
    return corpus_dir / "scans"


def _truth(scans: Path, name: str) -> str:
    return (scans / "truth" / f"{name}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", SCANS)
def test_each_scan_is_read_within_the_error_bound(scans: Path, name: str) -> None:
    seen: list[str] = []
    doc = parse_document(scans / name, on_progress=lambda s, t, text: seen.append(text))
    assert cer(doc.text, _truth(scans, name)) <= 0.02
    assert doc.ocr_pages == list(range(1, (doc.n_pages or 1) + 1))
    assert doc.ocr_confidence is not None and doc.ocr_confidence > 70
    assert all(b.ocr for b in doc.blocks)
    assert any(w.startswith("Per Texterkennung gelesen") for w in doc.warnings)
    total = doc.n_pages or 1
    assert f"Texterkennung: Seite {total} von {total}" in seen


def test_fax_is_a_two_page_ccitt_g4_tiff(scans: Path) -> None:
    with Image.open(scans / "bmg-fax.tiff") as img:
        assert img.info.get("compression") == "group4" and img.n_frames == 2
    doc = parse_document(scans / "bmg-fax.tiff")
    assert doc.n_pages == 2
    assert {b.page for b in doc.blocks} == {1, 2}
    assert "§ 139b" in doc.text  # the section sign, not "$"


def test_a_page_turned_by_90_degrees_comes_out_right(scans: Path, tmp_path: Path) -> None:
    img = Image.open(scans / "beschwerde-laerm-foto.jpg").convert("L").rotate(90, expand=True)
    path = tmp_path / "quer.png"
    img.save(path)
    doc = parse_document(path)
    assert cer(doc.text, _truth(scans, "beschwerde-laerm-foto.jpg")) <= 0.02


def test_mixed_pdf_keeps_its_text_layer_and_recognises_only_the_scan(
    corpus_dir: Path, scans: Path, tmp_path: Path
) -> None:
    writer = PdfWriter()
    writer.add_page(PdfReader(corpus_dir / "gesetze" / "beeg.pdf").pages[0])
    writer.add_page(PdfReader(scans / "antrag-sondernutzung-scan.pdf").pages[0])
    path = tmp_path / "gemischt.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    doc = parse_document(path)
    assert doc.ocr_pages == [2]
    text_page = [b for b in doc.blocks if b.page == 1]
    scan_page = [b for b in doc.blocks if b.page == 2]
    assert text_page and not any(b.ocr for b in text_page)
    assert scan_page and all(b.ocr for b in scan_page)
    recognised = "\n".join(b.text for b in scan_page)
    assert cer(recognised, _truth(scans, "antrag-sondernutzung-scan.pdf")) <= 0.02


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_image_bomb_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "bombe.png"
    path.write_bytes(_png_header_only(60_000, 60_000))  # 3.6 billion pixels in 1 kB
    with pytest.raises(TooLarge) as info:
        parse_document(path)
    assert "zu groß" in info.value.user_message and "bombe.png" in info.value.user_message


def test_images_without_text_still_end_with_no_readable_text(corpus_dir: Path) -> None:
    with pytest.raises(NoTextLayer) as info:
        parse_document(corpus_dir / "wild" / "imagemagick-images.pdf")
    assert "kein lesbarer Text" in info.value.user_message


def test_recognised_text_is_cached_per_content(scans: Path, tmp_path: Path, monkeypatch) -> None:
    copy = tmp_path / "kopie.jpg"
    copy.write_bytes((scans / "beschwerde-laerm-foto.jpg").read_bytes())
    first = load_document(copy)

    def must_not_run(*args, **kwargs):
        raise AssertionError("recognised again")

    monkeypatch.setattr(ocr_module, "recognise", must_not_run)
    other_name = tmp_path / "anderer-name.jpg"
    other_name.write_bytes(copy.read_bytes())
    again = load_document(other_name)
    assert again.text == first.text and again.ocr_confidence == first.ocr_confidence


def test_ocr_switched_off_by_policy_rejects_images_clearly(
    scans: Path, isolated_dirs: dict[str, Path]
) -> None:
    (isolated_dirs["policy"] / "policy.toml").write_text("ocr_enabled = false\n", "utf-8")
    with pytest.raises(NoTextLayer) as info:
        parse_document(scans / "beschwerde-laerm-foto.jpg")
    assert "ausgeschaltet" in info.value.user_message
    with pytest.raises(NoTextLayer):
        parse_document(scans / "antrag-sondernutzung-scan.pdf")


def test_stop_ends_recognition_within_a_second(scans: Path, tmp_path: Path) -> None:
    with Image.open(scans / "bmg-fax.tiff") as img:
        frames = []
        for i in range(img.n_frames):
            img.seek(i)
            frames.append(img.copy())
    path = tmp_path / "langes-fax.tiff"
    many = frames * 6
    many[0].save(path, save_all=True, append_images=many[1:], compression="group4")
    cancel = CancelToken()
    pages: list[int] = []
    outcome: dict[str, object] = {}

    def on_progress(step: int, total: int, text: str) -> None:
        pages.append(step)

    with DocumentParser(workers=1) as parser:

        def run() -> None:
            try:
                parser.parse(path, cancel=cancel, on_progress=on_progress)
                outcome["result"] = "finished"
            except Cancelled:
                outcome["result"] = "cancelled"

        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + 120
        while not pages and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pages, "no progress"
        stopped = time.monotonic()
        cancel.cancel()
        thread.join(timeout=5)
        assert time.monotonic() - stopped < 1.0
    assert outcome["result"] == "cancelled"


def test_languages_setting_is_sanitised() -> None:
    assert ocr_module.normalise_languages("DEU, eng") == "deu+eng"
    assert ocr_module.normalise_languages("../../etc/passwd") == "deu+eng"
    assert ocr_module.usable_languages("fra+deu") == "deu"


def test_columns_are_told_from_list_numbers() -> None:
    page = 2000
    two_columns = [(100, 100, 950, 1800), (1050, 100, 1900, 1800)]
    list_number = [(100, 300, 150, 340), (200, 300, 1900, 700)]
    assert ocr_module.has_columns(two_columns, page)
    assert not ocr_module.has_columns(list_number, page)


def test_library_indexes_a_scan_with_page_progress_and_the_ocr_note(
    scans: Path, tmp_path: Path
) -> None:
    from llmoin_desktop.core.jobs import Job
    from llmoin_desktop.core.library.library import Library

    lib = Library.open(tmp_path / "lib", embedder=None)
    lib.add([scans / "bmg-fax.tiff"])
    seen: list[str] = []
    job = Job(lib.index_pending).on_progress(lambda p: seen.append(p.text))
    report = job.run()
    assert report is not None and report.outcomes[0].status == "indexed"
    assert "bmg-fax.tiff: Texterkennung: Seite 2 von 2" in seen
    (doc,) = lib.documents()
    assert doc.warnings and doc.warnings[0].startswith("Per Texterkennung gelesen")


def test_citation_of_a_recognised_page_says_so(scans: Path, tmp_path: Path) -> None:
    from fakes import FakeBackend

    from llmoin_desktop.core.library.library import Library
    from llmoin_desktop.core.tasks.ask import answer_question

    class Rep:
        cancel = CancelToken()

        def progress(self, step: int, total: int | None, text: str = "") -> None:
            pass

        def token(self, text: str) -> None:
            pass

    lib = Library.open(tmp_path / "lib", embedder=None)
    lib.add([scans / "antrag-sondernutzung-scan.pdf"])
    lib.index_pending()
    backend = FakeBackend(token_delay=0, tokens=["Etwa ", "12 ", "Quadratmeter ", "[1]."])
    fake_model = tmp_path / "fake.gguf"
    fake_model.write_bytes(b"GGUF")
    backend.load(fake_model)
    result = answer_question(
        backend, lib, "Wie groß ist die Fläche für Tische und Stühle auf dem Gehweg?", Rep()
    )
    assert result.citations, result.answer
    first = result.citations[0]
    assert first.ocr and first.pages == [1]
    assert "S. 1, per Texterkennung gelesen" in first.label()


def test_a_scan_pasted_into_word_is_read_from_its_image(scans: Path, tmp_path: Path) -> None:
    import docx

    image = tmp_path / "brief.png"
    Image.open(scans / "beschwerde-laerm-foto.jpg").save(image)
    word = docx.Document()
    word.add_picture(str(image))
    path = tmp_path / "eingescannt.docx"
    word.save(str(path))
    doc = parse_document(path)
    assert all(b.ocr and b.part == "Bild 1" for b in doc.blocks)
    assert cer(doc.text, _truth(scans, "beschwerde-laerm-foto.jpg")) <= 0.02
    assert doc.warnings[0].startswith("Per Texterkennung gelesen")


def test_an_e_mail_with_a_scanned_attachment_keeps_the_ocr_marks(
    scans: Path, tmp_path: Path
) -> None:
    from email.message import EmailMessage

    from llmoin_desktop.core.documents.ocr_notes import result_note

    mail = EmailMessage()
    mail["From"] = "Familie Özdemir <oezdemir@example.org>"
    mail["To"] = "ordnungsamt@dresden.example"
    mail["Subject"] = "Beschwerde Baulärm"
    mail.set_content("Sehr geehrte Frau Weiß,\nanbei unser Schreiben.\n")
    photo = (scans / "beschwerde-laerm-foto.jpg").read_bytes()
    mail.add_attachment(photo, maintype="image", subtype="jpeg", filename="brief.jpg")
    path = tmp_path / "beschwerde.eml"
    path.write_bytes(bytes(mail))
    doc = parse_document(path)
    recognised = [b for b in doc.blocks if b.ocr]
    assert recognised and all("brief.jpg" in (b.part or "") for b in recognised)
    assert "Ordnungsamt" in "\n".join(b.text for b in recognised)
    assert "Texterkennung" in result_note(doc)
