"""The test-case record of bench/fidelity.py and what every builder module shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

SENT = datetime(2026, 3, 3, 10, 15, tzinfo=UTC)


@dataclass
class Case:
    name: str
    make: Callable[[Path], None]
    group: str
    expect: str = "read"  # read | refused:<kind>
    facts: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)  # not in body blocks (headings, text)
    marked: dict[str, str] = field(default_factory=dict)  # text → block kind (note/comment)
    truth: str = ""  # OCR: the text in reading order (CER ≤ cer_max)
    cer_max: float = 0.02
    needs: str = ""  # a module the case needs (optional extras): skipped without it
    no_warning: list[str] = field(default_factory=list)  # must not appear in any warning


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)
