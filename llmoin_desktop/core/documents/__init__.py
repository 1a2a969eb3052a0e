"""Document loaders (PDF, DOCX, ODT, TXT/MD, HTML, EML) that keep pages and sections,
parsed in a sandboxed child process.

Public API (everything a caller needs; import from here):

- ``parse_document(path, timeout_s=30, memory_mb=1536, *, cancel=None) -> Document``
  parses one file in a worker process (hard kill on timeout, address-space cap on POSIX);
  raises a :class:`DocumentError` subclass with a German ``user_message`` naming the file.
- ``parse_documents(paths, *, cancel=None, on_outcome=None, timeout_s=30) -> list[ParseOutcome]``
  parses many files with a small pool; never raises for a bad file; honours a ``CancelToken``
  (in-flight workers are killed, the rest come back as ``status == "cancelled"``).
- ``DocumentParser(workers=…, timeout_s=…, memory_mb=…, max_file_mb=…)`` — an own pool with
  ``parse``, ``parse_many``, ``iter_parse`` (completion order), ``close``.
- ``ParseOutcome``: ``path``, ``document``, ``error``, ``seconds``, ``ok``, ``status``
  (``indexed`` or an error kind), ``message``.
- ``Document`` / ``Block`` (model.py): blocks in reading order with ``page`` (1-based, PDF),
  ``section`` (nearest heading, e.g. "§ 17 Allgemeine Meldepflicht"), ``kind``, ``level``;
  ``Document.warnings`` holds e.g. "Datei unvollständig …" for truncated PDFs.
- Errors (errors.py, all ``DocumentError(LLMoinError)`` with ``kind``): PasswordProtected,
  NoTextLayer, Damaged, WrongFormat, TooLarge, ParseTimeout, UnsupportedFormat,
  FileUnreadable.
- ``load_document(path)`` parses in-process (no sandbox): only for trusted files and tests.
- ``SUPPORTED_EXTENSIONS``: file name endings a folder scan should pick up.

May import only the core foundations (config, errors, i18n, jobs, offline, paths, …): reading a
file knows nothing of models, the library or tasks (docs/architecture.md; ``lint-imports``).
"""

from llmoin_desktop.core.documents.detect import EXTENSIONS
from llmoin_desktop.core.documents.errors import (
    Damaged,
    DocumentError,
    FileUnreadable,
    NoTextLayer,
    ParseTimeout,
    PasswordProtected,
    TooLarge,
    UnsupportedFormat,
    WrongFormat,
)
from llmoin_desktop.core.documents.loaders import load_document
from llmoin_desktop.core.documents.model import Block, Document
from llmoin_desktop.core.documents.sandbox import (
    MAX_FILE_MB,
    DocumentParser,
    ParseOutcome,
    parse_document,
    parse_documents,
)

SUPPORTED_EXTENSIONS = frozenset(EXTENSIONS)

__all__ = [
    "MAX_FILE_MB",
    "SUPPORTED_EXTENSIONS",
    "Block",
    "Damaged",
    "Document",
    "DocumentError",
    "DocumentParser",
    "FileUnreadable",
    "NoTextLayer",
    "ParseOutcome",
    "ParseTimeout",
    "PasswordProtected",
    "TooLarge",
    "UnsupportedFormat",
    "WrongFormat",
    "load_document",
    "parse_document",
    "parse_documents",
]
