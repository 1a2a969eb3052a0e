"""Qt-free core: engine, jobs, settings, documents, library, tasks.

Nothing in this package may import PySide6 (tests/test_layering.py and the import-linter
contract "core-no-qt" enforce it), so the same code drives the GUI, the CLI, benchmarks and
tests. Inside, the subpackages are layers (docs/architecture.md): tasks > factcheck > library >
documents | engine > the foundations, the loose modules here (settings and policy, storage
safety, offline guard, jobs, i18n, paths, …), which import nothing above them. ``modelcheck``,
``offline_check``, ``export`` and ``default_model`` sit above tasks. Never imports ``ui`` or
the CLI.
"""
