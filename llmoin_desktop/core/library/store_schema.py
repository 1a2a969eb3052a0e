"""The library database's tables and document states (split out of ``store.py``).

Apart from the Store so that its mixins (``store_mirror.py``) can use the states without
importing the Store itself.
"""

from __future__ import annotations

SCHEMA_VERSION = "2"  # bump when the analysis changes: the keyword index is rebuilt

PENDING = "pending"
INDEXED = "indexed"
REJECTED = "rejected"
MISSING = "missing"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS documents(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT UNIQUE NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL DEFAULT '',
    sha256 TEXT,
    size INTEGER,
    mtime REAL,
    status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    warnings TEXT NOT NULL DEFAULT '[]',
    n_pages INTEGER,
    n_chunks INTEGER NOT NULL DEFAULT 0,
    law TEXT NOT NULL DEFAULT '',
    added_at REAL NOT NULL,
    indexed_at REAL
);
CREATE TABLE IF NOT EXISTS chunks(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    text TEXT NOT NULL,
    section TEXT NOT NULL DEFAULT '',
    section_no TEXT NOT NULL DEFAULT '',
    context TEXT NOT NULL DEFAULT '',
    pages TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_section_no ON chunks(section_no);
CREATE TABLE IF NOT EXISTS abbreviations(
    abbr TEXT NOT NULL,
    long_form TEXT NOT NULL,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS abbreviations_abbr ON abbreviations(abbr);
CREATE TABLE IF NOT EXISTS server_chunks(
    sid TEXT PRIMARY KEY,
    chunk_id INTEGER UNIQUE NOT NULL REFERENCES chunks(id) ON DELETE CASCADE
);
"""

# Everything in here is derived from the tables above and can be rebuilt at any time.
_FTS = """
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    law, section, context, body, grams, title_grams, tokenize = 'unicode61 remove_diacritics 2'
);
"""
