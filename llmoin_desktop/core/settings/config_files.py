"""Reading and keeping configuration files the way Windows offices actually write them.

Notepad and PowerShell 5.1 write UTF-8 *with* a BOM or UTF-16; old editors write Windows-1252
("ü" as one byte). Each of these is a valid file for the person who saved it, so all of them
are simply read. A file that still cannot be understood is never deleted or overwritten: it
is renamed to ``<name>.broken-<timestamp>`` first, so IT or the user can recover it by hand.

The user settings file's own format is here too: a JSON object with a ``schema_version``, and
the migrations of older versions (``config.SettingsStore`` reads and layers it).
"""

from __future__ import annotations

import codecs
import datetime as _dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from llmoin_desktop.core.errors import SettingsError
from llmoin_desktop.core.i18n import _, tr


def decode_text(raw: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with: BOMs first, then UTF-8, then Windows-1252."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw.decode(name), name
            except UnicodeDecodeError:
                break  # a BOM followed by garbage: fall through to the byte-wise readers
    if len(raw) >= 4 and raw[1::2].count(0) > len(raw) // 4 and raw[0::2].count(0) == 0:
        try:  # UTF-16-LE without BOM (some PowerShell redirects): every second byte is 0
            return raw.decode("utf-16-le"), "utf-16-le"
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"  # cp1252 leaves five bytes undefined


def read_text_any(path: Path) -> tuple[str, str]:
    """``decode_text`` of a file; OSError (missing, permission, …) propagates to the caller."""
    return decode_text(path.read_bytes())


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file so a full disk or a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def broken_name(path: Path, now: _dt.datetime | None = None) -> Path:
    """``settings.json.broken-20260129-101500`` (``-2``, ``-3`` … when that name is taken)."""
    stamp = (now or _dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.name}.broken-{stamp}")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.broken-{stamp}-{n}")
        n += 1
    return candidate


def move_aside(path: Path) -> Path | None:
    """Rename a damaged file out of the way (never over another file); None if it is gone.

    ``os.link`` + ``unlink`` instead of ``rename``: rename would silently replace a file of the
    chosen name that another process created a moment ago; link fails instead, and we retry.
    Raises OSError when the folder is not writable (the caller must then not write either).
    """
    for _attempt in range(20):
        if not path.exists():
            return None
        target = broken_name(path)
        try:
            os.link(path, target)
        except FileExistsError:
            continue
        except OSError:
            if target.exists():
                continue
            os.replace(path, target)  # file systems without hard links (FAT, some shares)
            return target
        path.unlink(missing_ok=True)
        return target
    raise OSError(f"no free name beside {path}")


# The settings file's format (split from config.py, issue 23) ---------------------------------
SCHEMA_VERSION = 1


def parse_settings_file(path: Path) -> dict[str, Any]:
    """JSON object of a settings file in any encoding Windows editors write.

    OSError: cannot be read (missing, permission); ValueError: not an intact settings file."""
    text, _encoding = read_text_any(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            tr(
                "kein gültiges JSON, Zeile {line}, Spalte {column}",
                line=exc.lineno,
                column=exc.colno,
            )
        ) from exc
    if not isinstance(data, dict):
        raise ValueError(_("kein JSON-Objekt"))
    return data


def schema_version(data: dict[str, Any]) -> int:
    """The file's schema version; raises ``SettingsError`` when it is not a whole number."""
    raw = data.get("schema_version", 0)
    try:
        if isinstance(raw, bool) or isinstance(raw, float) and not raw.is_integer():
            raise ValueError(raw)
        return int(raw or 0)
    except (TypeError, ValueError) as exc:
        raise SettingsError(
            tr(
                "„schema_version“ in den Einstellungen ist keine Zahl ({value}); die Datei wird "
                "wie die aktuelle Version gelesen.",
                value=raw,
            )
        ) from exc


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring an older user file up to ``SCHEMA_VERSION`` (version 0 = files without a version)."""
    try:
        version = schema_version(data)
    except SettingsError:
        version = SCHEMA_VERSION
    if version < 1:
        # v0 called the idle timeout "unload_minutes".
        if "unload_minutes" in data and "idle_unload_minutes" not in data:
            data["idle_unload_minutes"] = data.pop("unload_minutes")
        data["schema_version"] = 1
    return data
