"""Whole-stack checks IT runs: a working session under the offline guard, with a report.

Holds ``offline_session`` (``llmoin-desktop doctor --offline-check``: indexing, search and a
task run under the network guard; the report a data-protection officer reads). The model
check lives in ``core.modelcheck``.

May import: everything in ``core`` (tasks, library, documents, engine, foundations). Never
``ui``, ``cli`` or Qt.
"""
