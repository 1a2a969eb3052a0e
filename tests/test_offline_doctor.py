"""``llmoin-desktop doctor --offline-check``: the auditor's report, end to end in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmoin_desktop.cli.base import main

pytestmark = pytest.mark.model


def test_doctor_offline_check_reports_zero_connections(
    demo_model_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "bericht.txt"
    code = main(["doctor", "--offline-check", "--report", str(report)])
    out = capsys.readouterr().out
    assert "Verbindungsversuche: 0" in out, out
    assert "Ergebnis: BESTANDEN" in out
    assert "documents.worker" in out  # the auditor sees the helper processes
    assert "chromadb Settings.anonymized_telemetry = False" in out
    assert report.read_text(encoding="utf-8").startswith("Offline-Prüfung")
    assert code == 0, out
