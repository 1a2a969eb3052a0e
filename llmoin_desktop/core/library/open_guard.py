"""May this document path be opened (in the viewer, or by the system's program)?

Paths in the library are *data*: in a shared library they come from the Chroma server,
where anybody who can write to the collection can rewrite them (issue 18, docs/rollout.md
"Threat model"). A rewritten path must not make a clerk's PC open another file: a
``\\\\host\\share`` path makes Windows connect with the clerk's credentials, a program
(``.exe``, ``.lnk``, ``.desktop``) handed to the system opener runs, a ``file://`` or
``http://`` address opens a browser.

The rule: a path is opened only when it is an absolute local path of an existing regular
file with a document extension the library reads, and it lies (after resolving links and
``..``) inside a folder the clerk or IT chose — the library's watched folders (the clerk's
own and IT's ``watched_folders``) — or its content is the very document the library indexed
(its SHA-256 equals the recorded one: a single file the clerk added; a path rewritten to
another file cannot match). Everything else gets a plain-German reason and is not opened.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from llmoin_desktop.core.i18n import _

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:(//|\\\\)?")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def _is_network(path: str) -> bool:
    return path.startswith(("\\\\", "//"))


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # other drive, mixed absolute/relative
        return False


def _real(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def open_refusal(
    path: str,
    roots: Iterable[str] | None,
    *,
    sha256: str | None = None,
    extensions: Iterable[str] | None = None,
) -> str:
    """ "" when ``path`` may be opened, else why not (for the clerk).

    ``roots``: folders the clerk or IT chose (watched folders); ``None``: a path the clerk
    chose herself, only the form is checked. ``sha256``: the content hash
    the library recorded for this document (a file outside the roots must match it)."""
    raw = str(path or "")
    if not raw or any(ord(c) < 32 for c in raw):
        return _("Der Pfad des Dokuments ist ungültig.")
    if _SCHEME.match(raw) and not _DRIVE.match(raw):
        return _("Der Pfad des Dokuments ist eine Internet- oder Dateiadresse, keine Datei.")
    if not (os.path.isabs(raw) or _DRIVE.match(raw) or _is_network(raw)):
        return _("Der Pfad des Dokuments ist kein vollständiger Pfad.")
    if extensions is None:
        from llmoin_desktop.core.library.library import supported_extensions

        extensions = supported_extensions()
    if Path(raw).suffix.lower() not in set(extensions):
        return _("Nur Dokumente werden geöffnet, keine Programme oder Verknüpfungen.")
    if roots is None:
        return ""
    real_roots = [_real(r) for r in roots if r]
    if _is_network(raw) and not any(_inside(os.path.normcase(raw), r) for r in real_roots):
        # Checked before touching the path: even a stat() would open an SMB connection.
        return _(
            "Das Dokument liegt auf einem Netzlaufwerk außerhalb der Ordner dieser Bibliothek "
            "und wird nicht geöffnet."
        )
    real = _real(raw)
    try:
        if not os.path.isfile(real):
            return _("Das Dokument ist auf diesem Rechner nicht vorhanden.")
    except OSError:
        return _("Das Dokument ist auf diesem Rechner nicht erreichbar.")
    if any(_inside(real, r) for r in real_roots):
        return ""
    if sha256 and not _is_network(real) and _same_content(real, sha256):
        return ""
    return _(
        "Das Dokument liegt außerhalb der Ordner, die Sie oder die IT-Abteilung für diese "
        "Bibliothek gewählt haben, und wird nicht geöffnet."
    )


def _same_content(path: str, sha256: str) -> bool:
    from llmoin_desktop.core.library.library import file_sha256

    try:
        return file_sha256(Path(path)) == sha256
    except OSError:
        return False


def library_open_refusal(
    path: str, library: Any = None, policy_folders: Iterable[str] | None = None
) -> str:
    """:func:`open_refusal` for a document the app shows (viewer, "open in program").

    ``library`` is the library the path came from (the caller hands it in: the viewer asks the
    task layer for the open one; this module sits below tasks and never looks it up itself).
    A path that came from the shared library's server (the document has server ids) must lie
    in the library's folders or still be the very file indexed. Paths the clerk chose on
    this PC (a local library, a file picked for a task) only get the form checks: they are
    hers, nobody else could have written them."""
    from llmoin_desktop.core.library.watch_folders import watched_folders

    rec = library.store.document(str(path)) if library is not None else None
    if rec is None or not library.store.server_ids_of(rec.id):
        return open_refusal(path, None)
    if policy_folders is None:
        from llmoin_desktop.core.settings.config import SettingsStore

        policy_folders = SettingsStore().settings.watched_folders
    roots = [f.path for f in watched_folders(library.folder, policy_folders)]
    return open_refusal(path, roots, sha256=rec.sha256)
