"""Nothing in a document goes unread (issue 20): every case of bench/fidelity.py — forwarded,
nested and digest e-mails, Outlook items in other code pages, contacts and meetings, Word and
OpenDocument notes and comments, Strict OOXML, HEIC/AVIF photos, a photo without text, scans
in 2–5 columns — built by the project's own code and read by the real loaders."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from fidelity import available, judge  # noqa: E402
from fidelity_files import Case, all_cases  # noqa: E402

from llmoin_desktop.core.documents import DocumentError, load_document, parse_document  # noqa: E402

CASES = all_cases()


@dataclass
class _Outcome:
    status: str
    document: Any = None
    message: str = ""


def _read(path: Path) -> _Outcome:
    try:
        return _Outcome("indexed", load_document(path))
    except DocumentError as exc:
        return _Outcome(exc.kind, None, exc.user_message)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fidelity_case(case: Case, tmp_path: Path) -> None:
    if not available(case.needs):
        pytest.skip(f"needs {case.needs}")
    path = tmp_path / case.name
    case.make(path)
    verdict, note = judge(case, _read(path))
    assert verdict == "correct", note


def test_comment_never_in_the_title_or_body_and_notes_follow_their_paragraph(
    tmp_path: Path,
) -> None:
    case = next(c for c in CASES if c.name == "fussnoten-kommentare.docx")
    path = tmp_path / case.name
    case.make(path)
    doc = parse_document(path)  # through the sandbox, as the library reads it
    kinds = [(b.kind, b.text) for b in doc.blocks]
    assert doc.title == "Satzung über Sondernutzungen"
    body = next(i for i, (_k, t) in enumerate(kinds) if t.startswith("Sondernutzungen bedürfen"))
    assert kinds[body][1].endswith("[1]")
    assert kinds[body + 1] == ("note", "Fußnote 1: Vgl. § 18 Straßengesetz.")
    assert ("comment", "Kommentar von Max Beispiel: Bitte Frist mit dem Rechtsamt klären.") in kinds


def test_forwarded_mail_is_its_own_part_with_sender_date_subject(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.name == "weitergeleitet-als-text.eml")
    path = tmp_path / case.name
    case.make(path)
    doc = load_document(path)
    part = "Anhang Lärmbeschwerde Lindenallee.eml"
    inner = [b for b in doc.blocks if b.part == part]
    assert inner and inner[0].kind == "heading"
    head = next(b.text for b in inner if b.text.startswith("Von:"))
    assert "Erika Mustermann" in head and "Datum: 03.03.2026" in head
    assert "Betreff: Lärmbeschwerde Lindenallee" in head
    assert doc.metadata["attachments"] == "Lärmbeschwerde Lindenallee.eml"


def test_attachment_errors_name_the_attachment_not_a_temp_file(tmp_path: Path) -> None:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["Subject"] = "Anhang kaputt"
    msg.set_content("Siehe Anhang.")
    msg.add_attachment(
        b"%PDF-1.4 kaputt", maintype="application", subtype="pdf", filename="Bescheid.pdf"
    )
    msg.add_attachment(b"\x00\x01\x02", maintype="application", subtype="octet-stream")
    path = tmp_path / "mail.eml"
    path.write_bytes(bytes(msg))
    doc = load_document(path)
    assert any("„Bescheid.pdf“" in w for w in doc.warnings)
    assert any("„Anhang 1.bin“" in w for w in doc.warnings)
    assert not any("001" in w or "llmoin-mail" in w for w in doc.warnings)


def test_heic_without_a_decoder_gets_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = next(c for c in CASES if c.name == "iphone-foto.heic")
    if not available(case.needs):
        pytest.skip("needs pillow-heif to build the photo")
    path = tmp_path / case.name
    case.make(path)
    for name in ("pi_heif", "pillow_heif"):  # as if no HEIF decoder were installed
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(DocumentError) as info:
        load_document(path)
    assert info.value.kind == "unsupported"
    assert "HEIC" in info.value.user_message and "JPEG" in info.value.user_message
