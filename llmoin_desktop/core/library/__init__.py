"""Document library: structure-aware chunks, SQLite + FTS5 store, chromadb vectors, hybrid search.

Public API::

    lib = Library.open(folder)          # checks the index, repairs it; lib.notices says what
    lib.repair_state()                  # a damaged vector index: rebuilt in the background
    lib.add([file_or_folder, ...])      # registers; changed/new files become pending
    report = lib.index_pending(ctx)     # or lib.index_job(paths) → core.jobs.Job
    hits = lib.search("Frage", k=5, scope=[folder_or_file, ...])

    lib = Library.open(folder, server="http://chroma:8000")  # department's shared library
    lib.sync()                          # pull what other PCs added, drop what they removed
"""

from llmoin_desktop.core.library.chunking import Chunk, chunk_document
from llmoin_desktop.core.library.library import (
    FileOutcome,
    IndexReport,
    Library,
    LibraryError,
    SyncReport,
    default_library_dir,
)
from llmoin_desktop.core.library.search import Hit
from llmoin_desktop.core.library.server import LibraryServerError, LibraryServerMismatch
from llmoin_desktop.core.library.store import INDEXED, MISSING, PENDING, REJECTED, DocumentRecord

__all__ = [
    "INDEXED",
    "MISSING",
    "PENDING",
    "REJECTED",
    "Chunk",
    "DocumentRecord",
    "FileOutcome",
    "Hit",
    "IndexReport",
    "Library",
    "LibraryError",
    "LibraryServerError",
    "LibraryServerMismatch",
    "SyncReport",
    "chunk_document",
    "default_library_dir",
]
