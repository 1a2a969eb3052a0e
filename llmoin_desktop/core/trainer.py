"""Trainer mode: a separate practice folder so a course never touches the clerk's own data.

The sandbox has its own data folder (history, library) and a copy of the sample documents
from ``resources/samples``. It lives *beside* the normal data folder, never inside it, and is
switched on by pointing ``LLMOIN_DATA_DIR`` at it before anything opens a file. "Zurücksetzen"
only marks the sandbox; it is wiped at the next start, when no database is open in it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

from llmoin_desktop.core import paths
from llmoin_desktop.core.settings.config import _atomic_write_text

MARKER = ".llmoin-training"  # only a folder with this file is ever wiped
RESET_PENDING = ".reset-pending"
STATE_FILE = "training.json"


def samples_dir() -> Path:
    return paths.resources_dir() / "samples"


def default_root() -> Path:
    """``LLMOIN_TRAINER_DIR`` or the normal data folder's name + ``-training`` beside it."""
    override = os.environ.get("LLMOIN_TRAINER_DIR")
    if override:
        return Path(override)
    data = paths.user_data_dir()
    return data.with_name(data.name + "-training")


class TrainerSandbox:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root else default_root()

    @property
    def data_dir(self) -> Path:
        return self.root / "daten"

    @property
    def samples(self) -> Path:
        return self.root / "Beispiele"

    @property
    def state_file(self) -> Path:
        return self.root / STATE_FILE

    def prepare(self) -> TrainerSandbox:
        """Create the folders, wipe first if a reset is pending, copy missing samples."""
        if (self.root / RESET_PENDING).exists():
            self.wipe()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.samples.mkdir(parents=True, exist_ok=True)
        (self.root / MARKER).touch()
        source = samples_dir()
        if source.is_dir():
            for sample in sorted(source.iterdir()):
                target = self.samples / sample.name
                if sample.is_file() and not target.exists():
                    shutil.copy2(sample, target)
        return self

    def wipe(self) -> None:
        """Delete the sandbox (only ours: the marker file must be there)."""
        if self.root.is_dir() and (self.root / MARKER).is_file():
            shutil.rmtree(self.root)

    def request_reset(self) -> None:
        (self.root / RESET_PENDING).touch()

    def activate(self) -> str | None:
        """Point this process (and its child processes) at the sandbox; returns the old value."""
        previous = os.environ.get("LLMOIN_DATA_DIR")
        os.environ["LLMOIN_DATA_DIR"] = str(self.data_dir)
        # A library folder chosen by environment (scripts, IT) must not leak into the course.
        os.environ["LLMOIN_LIBRARY_DIR"] = str(self.data_dir / "library")
        return previous

    # Small per-course switches (not user settings: they must not leak into normal work)
    def state(self) -> dict:
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def set_state(self, key: str, value: object) -> None:
        data = {**self.state(), key: value}
        with contextlib.suppress(OSError):  # a forgotten switch must not interrupt a course
            _atomic_write_text(self.state_file, json.dumps(data, indent=2))

    def sample_files(self) -> list[Path]:
        return (
            sorted(p for p in self.samples.iterdir() if p.is_file())
            if self.samples.is_dir()
            else []
        )
