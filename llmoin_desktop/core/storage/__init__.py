"""Storage safety: files only the clerk can read, and SQLite databases that survive damage.

Holds ``private_files`` (0600/0700 for everything the app writes), ``sqlite_salvage`` (opening
a damaged database, keeping what can be read), ``storage_causes`` (plain German words for a
full disk, a read-only folder, a locked file) and ``folder_checks`` (whether a folder can be
used before anything is written to it).

May import: ``core.errors``, ``core.i18n``, ``core.paths`` and the standard library only.
"""
