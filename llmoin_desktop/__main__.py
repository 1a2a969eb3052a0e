"""``python -m llmoin_desktop`` / ``llmoin-desktop``: the GUI without arguments, else the CLI."""

from __future__ import annotations

import sys
from collections.abc import Sequence

GUI_FLAGS = {"--self-test", "--tutorial", "--trainer"}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    # Before any third-party import: no telemetry, no hub downloads (see core/offline/network_guard.py).
    from llmoin_desktop.core.offline.network_guard import harden_environment

    harden_environment()
    # Every file and folder the app creates from here on is the clerk's alone (0600/0700).
    from llmoin_desktop.core.storage.private_files import app_folders, secure_app_folders

    secure_app_folders(app_folders())
    if args and args[0] == "--document-worker":
        # A frozen (PyInstaller) build cannot run ``python -m``: the document sandbox starts
        # the app itself with this flag to get a parser child process.
        from llmoin_desktop.core.documents.worker import main as worker_main

        return int(worker_main(args[1:]) or 0)
    task_file = bool(args) and args[0].lower().endswith(".llmoin-task")  # double-clicked
    if not args or args[0] in GUI_FLAGS or args[0] == "gui" or task_file:
        if args and args[0] == "gui":
            args = args[1:]
        from llmoin_desktop.ui.app import run_gui

        return run_gui(args)
    from llmoin_desktop.cli.base import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
