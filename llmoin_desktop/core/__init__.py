"""Qt-free core: engine, jobs, settings, documents, library, tasks.

Nothing in this package may import PySide6 (tests/test_layering.py and the import-linter
contract "core-no-qt" enforce it), so the same code drives the GUI, the CLI, benchmarks and
tests. Inside, the subpackages are layers (docs/architecture.md): ``modelcheck``, ``checks``,
``export`` and ``default_model`` (whole-stack checks and services) > ``tasks`` > ``factcheck`` >
``library`` > ``documents`` | ``engine`` > the foundations: ``settings`` (defaults, IT policy,
validation, files), ``storage`` (private files, damaged databases), ``offline`` (network
guard, loopback) and the loose modules here (jobs, i18n, paths, errors, priority, history,
terms, trainer, tutorials), which import nothing above them. Never imports ``ui`` or the CLI.
"""
