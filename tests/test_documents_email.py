"""E-mails with attachments (issue 11 part 2): .eml and Outlook .msg built in the test,
read through the real sandbox, indexed, cited into an attachment page, used by the tasks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from doc_builders import (
    BESCHEID_PAGES,
    email_with_attachments,
    text_pdf,
    text_png,
    write_msg,
)

from llmoin_desktop.core.documents import load_document, parse_document
from llmoin_desktop.core.documents.email_loader import MsgSupportMissing
from llmoin_desktop.core.library.chunking import chunk_document


def _eml(tmp_path: Path, **kwargs: object) -> Path:
    path = tmp_path / "widerspruch.eml"
    path.write_bytes(bytes(email_with_attachments(**kwargs)))  # type: ignore[arg-type]
    return path


def _ocr_available(tmp_path: Path) -> bool:
    probe = tmp_path / "probe.png"
    probe.write_bytes(text_png(["Probe"]))
    try:
        load_document(probe)
        return True
    except Exception:  # noqa: BLE001 - no image loader (text recognition) installed
        return False


def test_eml_metadata_body_and_attachments_with_provenance(tmp_path: Path) -> None:
    image = text_png(["Sehr geehrte Damen und Herren,", "ich bitte um Ratenzahlung."])
    doc = parse_document(_eml(tmp_path, image=image))
    assert doc.format == "eml" and doc.title == "Widerspruch gegen den Gebührenbescheid"
    meta = doc.metadata
    assert meta["from_name"] == "Erika Mustermann"
    assert meta["from_address"] == "erika.mustermann@example.org"
    assert "ordnungsamt@musterstadt.example" in meta["to"]
    assert "max@example.org" in meta["cc"]
    assert meta["date_text"] == "03.03.2026" and meta["date"].startswith("2026-03-03T10:15")
    assert meta["subject"] == "Widerspruch gegen den Gebührenbescheid"
    assert meta["attachments"] == "Bescheid.pdf, Foto Brief.png"
    body = [b for b in doc.blocks if b.part is None]
    assert "Von: Erika Mustermann" in body[1].text and "Datum: 03.03.2026" in body[1].text
    assert any("ich lege Widerspruch" in b.text for b in body)
    pdf_blocks = [b for b in doc.blocks if b.part == "Anhang Bescheid.pdf"]
    assert pdf_blocks[0].kind == "heading" and pdf_blocks[0].text == "Anhang Bescheid.pdf"
    page2 = " ".join(b.text for b in pdf_blocks if b.page == 2)
    assert "Sondernutzungsgebühr beträgt 240 Euro" in page2
    if _ocr_available(tmp_path):
        photo = " ".join(b.text for b in doc.blocks if b.part == "Anhang Foto Brief.png")
        assert "Ratenzahlung" in photo
    else:  # without text recognition the photo is named, never silently dropped
        assert any("Foto Brief.png" in w for w in doc.warnings)


def test_html_body_becomes_clean_text_and_nested_mail_is_read(tmp_path: Path) -> None:
    inner = email_with_attachments(html=True)
    doc = load_document(_eml(tmp_path, nested=inner))
    text = doc.text
    assert "ich lege Widerspruch gegen den beigefügten Bescheid ein." in text
    assert "<b>" not in text and "alert(1)" not in text and "color:red" not in text
    nested = "Anhang Widerspruch gegen den Gebührenbescheid.eml"
    assert any(b.part == nested for b in doc.blocks)
    deep = [
        b.text for b in doc.blocks if b.part == f"{nested} › Anhang Bescheid.pdf" and b.page == 2
    ]
    assert "240 Euro" in " ".join(deep)


def test_chunks_and_citation_name_the_attachment_and_its_page(tmp_path: Path) -> None:
    from llmoin_desktop.core.library import Library
    from llmoin_desktop.core.tasks.ask import Citation

    doc = load_document(_eml(tmp_path))
    chunks = chunk_document(doc)
    fee = next(c for c in chunks if "240 Euro" in c.text)
    assert fee.section == "Anhang Bescheid.pdf › § 3 Gebühren" and fee.pages == [2]
    first = next(c for c in chunks if "Ordnungsamt" in c.text and c.pages)
    assert first.section == "Anhang Bescheid.pdf" and first.pages == [1]
    body = next(c for c in chunks if "ich lege Widerspruch" in c.text)
    assert body.section == "Widerspruch gegen den Gebührenbescheid" and body.pages == []

    with Library(tmp_path / "lib", embedder=None) as lib:
        report = lib.index_job([tmp_path / "widerspruch.eml"]).run()
        assert report.count("indexed") == 1
        hits = lib.search("Sondernutzungsgebühr 240 Euro Stand", k=3)
    top = hits[0]
    assert top.section == "Anhang Bescheid.pdf › § 3 Gebühren" and top.pages == [2]
    citation = Citation(1, top.path, top.title, top.section, top.pages, "", top.text)
    label = citation.label()
    assert label == "widerspruch.eml, S. 2, Anhang Bescheid.pdf › § 3 Gebühren"


def test_attachment_limits_and_unreadable_attachments_become_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmoin_desktop.core.documents import email_loader

    msg = email_with_attachments()
    msg.add_attachment(b"\x00\x01binary", maintype="application", subtype="x-foo", filename="x.exe")
    path = tmp_path / "mail.eml"
    path.write_bytes(bytes(msg))
    doc = load_document(path)
    assert any("x.exe" in w for w in doc.warnings)
    monkeypatch.setattr(email_loader, "MAX_ATTACHMENT_BYTES", 100)
    doc = load_document(path)
    assert any("Bescheid.pdf" in w and "zu groß" in w for w in doc.warnings)
    assert "240 Euro" not in doc.text  # the oversized attachment was not read


def test_msg_with_pdf_attachment(tmp_path: Path) -> None:
    pytest.importorskip("extract_msg", reason="optional extra 'msg' (extract-msg, GPL-3.0)")
    photo = text_png(["Lageplan Marktstand", "Rathausplatz Nord"])
    path = write_msg(
        tmp_path / "antrag.msg",
        attachments=[("Bescheid.pdf", text_pdf(BESCHEID_PAGES)), ("Lageplan.png", photo)],
    )
    doc = parse_document(path)
    assert doc.format == "msg" and doc.title == "Antrag auf Sondernutzung"
    assert doc.metadata["from_name"] == "Erika Mustermann"
    assert doc.metadata["date_text"] == "03.03.2026"
    assert "anbei mein Antrag" in doc.text
    fee = next(c for c in chunk_document(doc) if "240 Euro" in c.text)
    assert fee.section == "Anhang Bescheid.pdf › § 3 Gebühren" and fee.pages == [2]
    assert doc.metadata["attachments"] == "Bescheid.pdf, Lageplan.png"
    if _ocr_available(tmp_path):
        plan = " ".join(b.text for b in doc.blocks if b.part == "Anhang Lageplan.png")
        assert "Rathausplatz" in plan
    else:
        assert any("Lageplan.png" in w for w in doc.warnings)


def test_msg_without_the_optional_extra_gets_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "antrag.msg"
    # An OLE file with MSG stream names is enough to reach the reader.
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "__substg1.0_0037001F".encode("utf-16-le")
    )
    monkeypatch.setitem(sys.modules, "extract_msg", None)  # import fails as if not installed
    with pytest.raises(MsgSupportMissing) as info:
        load_document(path)
    assert "antrag.msg" in info.value.user_message
    assert ".eml" in info.value.user_message and "IT" in info.value.user_message


def test_reply_draft_fills_recipient_subject_and_reference(tmp_path: Path) -> None:
    from llmoin_desktop.core.tasks.email_fill import fill_from_email

    spec = _spec("entwurf")
    doc = load_document(_eml(tmp_path))
    values = fill_from_email(spec, {"art": "antwort", "empfaenger": ""}, doc)
    assert values["empfaenger"] == "Erika Mustermann"
    assert values["betreff"] == "Widerspruch gegen den Gebührenbescheid"
    assert values["ihr_zeichen"] == "Ihre E-Mail vom 03.03.2026"
    typed = fill_from_email(spec, {"empfaenger": "Frau Dr. Mustermann"}, doc)
    assert typed["empfaenger"] == "Frau Dr. Mustermann"  # what the clerk typed wins


def _spec(task_id: str):  # noqa: ANN202
    from llmoin_desktop.core.tasks.catalog import load_catalog

    spec = load_catalog().get(task_id)
    assert spec is not None
    return spec


@pytest.mark.model
def test_email_through_guided_tasks_with_demo_model(tmp_path: Path, engine) -> None:  # noqa: ANN001
    from llmoin_desktop.core.engine.backend import GenerationParams
    from llmoin_desktop.core.tasks.runner import TaskRunner

    path = _eml(tmp_path)
    # Few tokens: the test is about what reaches the model, not how well 135M writes.
    runner = TaskRunner(engine, params=GenerationParams(max_tokens=32, temperature=0.0, seed=1))
    summary = runner.run(_spec("zusammenfassen"), {"dokument": str(path)})
    prompt = summary.messages[-1]["content"] if summary.messages else ""
    assert summary.answer.strip()
    assert "Anhang Bescheid.pdf" in prompt and "240 Euro" in prompt  # attachment read along
    assert "Erika Mustermann" in prompt
    # "Entwurf schreiben → Antwort": recipient and subject come from the e-mail.
    draft = runner.run(
        _spec("entwurf"),
        {"art": "antwort", "dokument": str(path), "kernpunkte": "Widerspruch wird geprüft"},
    )
    assert draft.values["empfaenger"] == "Erika Mustermann"
    assert draft.values["betreff"] == "Widerspruch gegen den Gebührenbescheid"
    assert "Empfänger: Erika Mustermann" in draft.messages[-1]["content"]
    assert draft.answer.strip()


def test_task_form_fills_reply_fields_when_an_email_is_chosen(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    """GUI: "Entwurf schreiben" → Antwort, the e-mail dropped on the page fills recipient,
    subject and "Ihr Schreiben vom" (parsed in the sandbox, off the GUI thread)."""
    from PySide6.QtCore import Qt
    from ui_helpers import make_window

    path = _eml(tmp_path)
    window, _backend, _infos = make_window(qtbot, tmp_path)
    qtbot.mouseClick(window.gallery.tiles["entwurf"], Qt.MouseButton.LeftButton)
    page, controller = window.tasks.pages["entwurf"], window.tasks.controllers["entwurf"]
    page.form.set_values({"art": "antwort", "empfaenger": ""})
    with qtbot.waitSignal(controller.email_prefill.filled, timeout=30_000) as blocker:
        page.file_dropped.emit(str(path))
    values = page.form.values()
    assert values["empfaenger"] == "Erika Mustermann"
    assert values["betreff"] == "Widerspruch gegen den Gebührenbescheid"
    assert values["ihr_zeichen"] == "Ihre E-Mail vom 03.03.2026"
    assert set(blocker.args[0]) == {"empfaenger", "betreff", "ihr_zeichen"}


def test_cli_reply_to_an_email_needs_no_subject(tmp_path: Path) -> None:
    """`llmoin-desktop task entwurf --file mail.eml --set art=antwort --set kernpunkte=…`:
    the required subject comes from the mail, so the command line stays short."""
    import argparse

    from llmoin_desktop.cli.tasks import collect_values

    args = argparse.Namespace(
        sets=["art=antwort", "kernpunkte=Widerspruch wird geprüft"],
        file=str(_eml(tmp_path)),
        text=None,
    )
    values = collect_values(_spec("entwurf"), args)
    assert values["empfaenger"] == "Erika Mustermann"
    assert values["betreff"] == "Widerspruch gegen den Gebührenbescheid"
