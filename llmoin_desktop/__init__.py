"""LLMoin Desktop: a sovereign, offline AI assistant for public administrations.

Holds ``ui/`` (the Qt window), ``cli/`` (the command line: ``base.py`` and one module per
command group) and ``core/`` (everything Qt-free). The layers and what each may import are in
docs/architecture.md and enforced by ``lint-imports`` (pyproject.toml).
"""

__version__ = "0.1.0"
