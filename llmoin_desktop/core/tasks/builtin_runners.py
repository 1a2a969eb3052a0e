"""Registers the runners of the bundled task kinds beyond the standard one.

Imported by the task catalogue, so whoever loads tasks (GUI, CLI, tests) can run them:
``translate`` (Übersetzen), ``proofread`` (Korrekturlesen) and ``synopsis`` (Fassungen
vergleichen). The library's ``library`` runner registers itself in ``library_task``.
"""

from __future__ import annotations

from llmoin_desktop.core.tasks import proofread, synopsis_task, translate
from llmoin_desktop.core.tasks.runner import RUNNERS

RUNNERS.setdefault(translate.RUNNER_NAME, translate.run_translate)
RUNNERS.setdefault(proofread.RUNNER_NAME, proofread.run_proofread)
RUNNERS.setdefault(synopsis_task.RUNNER_NAME, synopsis_task.run_synopsis)
