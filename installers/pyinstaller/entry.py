"""PyInstaller entry point: the frozen ``llmoin-desktop`` executable.

The same executable is the GUI, the CLI (``llmoin-desktop doctor``), the self-test and the
sandboxed document parser (``--document-worker``, started by core/documents/sandbox.py).
"""

import multiprocessing
import sys

from llmoin_desktop.__main__ import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a library spawning a process must not start the GUI again
    sys.exit(main())
