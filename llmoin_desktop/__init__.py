"""LLMoin Desktop: a sovereign, offline AI assistant for public administrations.

Holds ``ui/`` (the Qt window), ``cli/`` (the command line: ``base.py`` and one module per
command group) and ``core/`` (everything Qt-free). The layers and what each may import are in
docs/architecture.md and enforced by ``lint-imports`` (pyproject.toml).
"""

import logging as _logging
import os as _os

__version__ = "0.1.0"

# The modules log what IT may want in a debug session (a server that did not answer, a job
# that stopped). Without a handler Python's last resort prints every warning on stderr — in
# English, between the German messages a clerk reads in the CLI. What the clerk must know
# reaches her as a message or notice of its own; the log is off unless LLMOIN_DEBUG is set.
_logging.getLogger(__name__).addHandler(_logging.NullHandler())
if _os.environ.get("LLMOIN_DEBUG"):
    _logging.basicConfig(level=_logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
