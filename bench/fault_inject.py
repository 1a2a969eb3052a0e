"""Run the CLI with a fault injected into the library's write path (when a real small disk
cannot be mounted): ``--enospc-after N`` lets N documents be saved, then every SQLite write
of the library fails with SQLITE_FULL — the exact error a full disk gives.

    python bench/fault_inject.py --enospc-after 2 -- index DOCS --library LIB
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    argv = sys.argv[1:]
    split = argv.index("--")
    opts, rest = argv[:split], argv[split + 1 :]
    after = int(opts[opts.index("--enospc-after") + 1])

    from llmoin_desktop.core.library import store as store_module

    original = store_module.Store.save_document
    calls = {"n": 0}

    def save_document(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] > after:
            exc = sqlite3.OperationalError("database or disk is full")
            exc.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
            raise exc
        return original(self, *args, **kwargs)

    store_module.Store.save_document = save_document  # type: ignore[method-assign]
    from llmoin_desktop.__main__ import main as app_main

    return app_main(rest)


if __name__ == "__main__":
    sys.exit(main())
