"""The model check: every built-in guided task on the bundled samples, checked and reported.

``run.py`` runs the tasks, ``checks.py`` judges the output without judging prose, ``report.py``
prints a table, an HTML file and key=value lines (docs/model-check.md). Sits above
``core.tasks`` (it drives tasks, the library and the engine); only the CLI and the UI use it.
"""
