"""Where things live: bundled resources and the per-user / machine-wide folders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "llmoin-desktop"
APP_AUTHOR = "LLMoin"


def resources_dir() -> Path:
    """Bundled resources: a PyInstaller bundle, a source checkout, or an override for tests."""
    override = os.environ.get("LLMOIN_RESOURCES")
    if override:
        return Path(override)
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def user_config_dir() -> Path:
    """User settings; LLMOIN_CONFIG_DIR lets tests and scripts use a temporary folder."""
    return Path(
        os.environ.get("LLMOIN_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)
    )


def user_data_dir() -> Path:
    """History, library, models folder; LLMOIN_DATA_DIR overrides (tests, trainer sandbox)."""
    return Path(
        os.environ.get("LLMOIN_DATA_DIR") or platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)
    )


def site_config_dir() -> Path:
    """Machine-wide policy folder written by IT (/etc/xdg/…, %ProgramData%\\…, /Library/…)."""
    return Path(
        os.environ.get("LLMOIN_POLICY_DIR") or platformdirs.site_config_dir(APP_NAME, APP_AUTHOR)
    )
