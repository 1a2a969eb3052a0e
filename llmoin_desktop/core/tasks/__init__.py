"""Guided tasks: specs (TOML), prompt rendering, runners for short and long documents.

Also the time estimate (``eta*.py``), own and shared tasks (``builder``, ``sharing``,
``governance``) and answers from the library (``ask``, ``library_task``). May import
``core.factcheck``, ``core.library``, ``core.documents``, ``core.engine`` and the core
foundations; never ``ui`` or the CLI (docs/architecture.md).
"""
