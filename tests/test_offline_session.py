"""The offline guarantee: a whole session in local mode (start, load the model, index real
corpus files, ask, summarise, export DOCX) with every network attempt blocked — and none made,
in this process or in the document workers. chromadb telemetry is off wherever we create a
client."""

from __future__ import annotations

import contextlib
from pathlib import Path

import docx
import pytest

from llmoin_desktop.core.checks.offline_session import run_offline_session, scan_chromadb_clients

pytestmark = pytest.mark.model


def test_full_local_session_makes_no_network_connection(
    demo_model_path: Path, corpus_dir: Path, tmp_path: Path
) -> None:
    files = [
        corpus_dir / "gesetze" / "burlg.md",
        corpus_dir / "gesetze" / "tzbfg.docx",
        corpus_dir / "gesetze" / "ifg.pdf",
    ]
    report = run_offline_session(
        tmp_path / "session",
        demo_model_path,
        files=files,
        summary_file=corpus_dir / "wild" / "umlaute-cp1252.txt",
        max_tokens=16,
    )
    text = report.text()
    assert [s.ok for s in report.steps] == [True] * 6, text
    assert report.attempts == [], text
    assert "Verbindungsversuche: 0" in text
    # the document workers ran under the guard too
    assert any("documents.worker" in p for p in report.processes), report.processes
    assert report.telemetry["chromadb Settings.anonymized_telemetry"] == "False"
    assert report.passed, text
    out = tmp_path / "session" / "zusammenfassung.docx"
    assert any(p.text.strip() for p in docx.Document(str(out)).paragraphs)


def test_the_guard_in_the_session_really_blocks(
    demo_model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counter-test: a step that opens a connection (and swallows the error) fails the check."""
    import socket

    from llmoin_desktop.core.tasks import catalog

    original = catalog.load_catalog

    def leaky_load_catalog(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        # swallowed, like telemetry clients do — the report still counts it
        with contextlib.suppress(OSError):
            socket.create_connection(("192.0.2.1", 443), timeout=1)
        return original(*args, **kwargs)

    monkeypatch.setattr(catalog, "load_catalog", leaky_load_catalog)
    report = run_offline_session(tmp_path / "s", demo_model_path, steps=1)
    assert report.steps[0].ok
    assert not report.passed
    assert [a.target for a in report.attempts] == ["192.0.2.1:443"]
    assert "test_offline_session.py" in report.attempts[0].where
    assert "NICHT BESTANDEN" in report.text()


def test_every_chromadb_client_switches_telemetry_off(tmp_path: Path) -> None:
    assert scan_chromadb_clients() == []
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "bad.py").write_text(
        "import chromadb\nc = chromadb.HttpClient(host='x')\n", encoding="utf-8"
    )
    assert scan_chromadb_clients(pkg) == ["pkg/bad.py:2"]
