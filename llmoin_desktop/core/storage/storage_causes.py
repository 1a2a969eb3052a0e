"""Why a file or database operation failed, in the clerk's words.

"kann nicht geöffnet werden" alone sends a support desk hunting: a full disk, a read-only
folder, missing permissions and a damaged file need four different fixes. Every store (history,
library) passes its exception through :func:`cause_of` and puts the answer into its message,
and uses :func:`is_damage` to decide whether repairing (moving the file aside, rebuilding) is
right at all: a full disk is *not* damage, and treating it as such deletes good data.
"""

from __future__ import annotations

import errno
import sqlite3

from llmoin_desktop.core.i18n import _

DISK_FULL = "disk_full"
READ_ONLY = "read_only"
PERMISSION = "permission"
DAMAGED = "damaged"
LOCKED = "locked"
MISSING = "missing"
UNKNOWN = "unknown"

_ERRNO = {
    errno.ENOSPC: DISK_FULL,
    errno.EDQUOT: DISK_FULL,
    errno.EROFS: READ_ONLY,
    errno.EACCES: PERMISSION,
    errno.EPERM: PERMISSION,
    errno.ENOENT: MISSING,
}

# sqlite3 and chromadb (Rust) only give text; these are the phrases they use.
_PHRASES = (
    ("database or disk is full", DISK_FULL),
    ("no space left", DISK_FULL),
    ("disk quota", DISK_FULL),
    ("os error 28", DISK_FULL),
    ("sqlite_full", DISK_FULL),
    ("readonly database", READ_ONLY),
    ("read-only file system", READ_ONLY),
    ("os error 30", READ_ONLY),
    ("permission denied", PERMISSION),
    ("os error 13", PERMISSION),
    ("unable to open database file", PERMISSION),
    ("database is locked", LOCKED),
    ("malformed", DAMAGED),
    ("file is not a database", DAMAGED),
    ("not a database", DAMAGED),
    ("corrupt", DAMAGED),
    ("error loading hnsw", DAMAGED),
)


def cause_of(exc: BaseException | None) -> str:
    """One of the constants above, looking through chained exceptions."""
    seen = 0
    while exc is not None and seen < 8:
        seen += 1
        if isinstance(exc, OSError) and exc.errno in _ERRNO:
            return _ERRNO[exc.errno]
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None:
            primary = code & 0xFF
            if primary == sqlite3.SQLITE_FULL:
                return DISK_FULL
            if primary == sqlite3.SQLITE_READONLY:
                return READ_ONLY
            if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
                return DAMAGED
            if primary == sqlite3.SQLITE_PERM:
                return PERMISSION
            if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                return LOCKED
        text = str(exc).lower()
        for phrase, cause in _PHRASES:
            if phrase in text:
                return cause
        exc = exc.__cause__ or exc.__context__
    return UNKNOWN


def is_damage(exc: BaseException | None) -> bool:
    """Only real damage justifies moving a file aside and rebuilding."""
    return cause_of(exc) == DAMAGED


def cause_text(cause: str) -> str:
    """The cause as a short German sentence (translated)."""
    texts = {
        DISK_FULL: _("Die Festplatte ist voll. Bitte Platz schaffen und es erneut versuchen."),
        READ_ONLY: _("Der Ordner ist schreibgeschützt (nur lesbar)."),
        PERMISSION: _("Es fehlen die Zugriffsrechte auf Datei oder Ordner."),
        DAMAGED: _("Die Datei ist beschädigt."),
        LOCKED: _("Die Datei wird gerade von einem anderen Programm benutzt."),
        MISSING: _("Datei oder Ordner wurde nicht gefunden."),
    }
    return texts.get(cause, "")


def explain(exc: BaseException | None) -> str:
    """The cause sentence for ``exc``, or the raw error when no cause is recognised."""
    text = cause_text(cause_of(exc))
    return text or (str(exc) if exc is not None else "")
