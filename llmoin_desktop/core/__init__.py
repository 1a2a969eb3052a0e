"""Qt-free core: engine, jobs, settings, documents, library, tasks.

Nothing in this package may import PySide6 (tests/test_layering.py enforces it), so the
same code drives the GUI, the CLI, benchmarks and tests.
"""
