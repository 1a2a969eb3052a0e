"""The command line: headless, the same core as the window, for IT, scripts and benchmarks.

Holds ``base`` (argument parser, exit codes, the helpers every command uses and the commands
that need nothing more: models, chat, doctor) and one module per command group
(``tasks``, ``library``, ``search``, ``rollout``, ``read``, ``modelcheck``, ``terms``, ``check``,
``doctor_checks``), each adding its subcommands through ``register(subparsers)``.

May import: ``llmoin_desktop.core`` (all of it) and the standard library. Never ``ui`` or Qt:
the command line runs where there is no display (CI, servers, the installer's checks).
"""
