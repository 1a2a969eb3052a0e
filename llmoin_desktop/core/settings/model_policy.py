"""``allowed_models``: which GGUF files may be loaded at all (issue 18).

IT may allow-list models by file name (``mistral-7b-instruct-v0.3.Q4_K_M.gguf``) or by SHA-256
(64 hex digits). A name is convenient; a checksum also holds when a clerk renames another
file to an allowed name. Checked in ``LocalBackend.load`` — the one door every model passes
(GUI, CLI ``--model``, self-test, model check) — and by the CLI's model choice, so that the
default model skips files that are not allowed.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from llmoin_desktop.core.errors import SettingLocked
from llmoin_desktop.core.i18n import tr
from llmoin_desktop.core.settings.config import Settings

_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_digests: dict[tuple[str, int, int], str] = {}


def sha256_of(path: Path) -> str:
    """The file's SHA-256 (cached per path, size and modification time: a model is GBs)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _digests:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        _digests[key] = digest.hexdigest()
    return _digests[key]


def model_allowed(settings: Settings, path: Path | str) -> bool:
    entries = [e.strip() for e in settings.allowed_models if e.strip()]
    if not entries:
        return True
    path = Path(path)
    names = {e.casefold() for e in entries if not _SHA256.fullmatch(e)}
    if path.name.casefold() in names:
        return True
    sums = {e.lower() for e in entries if _SHA256.fullmatch(e)}
    if not sums:
        return False
    try:
        return sha256_of(path) in sums
    except OSError:
        return False


def require_model_allowed(settings: Settings, path: Path | str) -> None:
    if not model_allowed(settings, path):
        raise SettingLocked(
            tr(
                "Das Modell „{name}“ ist von Ihrer IT-Abteilung nicht freigegeben "
                "(Richtlinie allowed_models). Erlaubt: {allowed}",
                name=Path(path).name,
                allowed=", ".join(settings.allowed_models),
            )
        )
