"""RSS of this process before and after loading a GGUF model (hardware sizing, docs/rollout.md §9).

    .venv/bin/python bench/model_memory.py MODEL.gguf [N_CTX]

Prints the file size, the KV cache computed by core/engine/hardware.py for N_CTX tokens and
the measured RSS increase (model pages touched + KV cache + llama.cpp buffers); last line is
one key=value line.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import psutil

from llmoin_desktop.core.engine.gguf import read_header
from llmoin_desktop.core.engine.hardware import kv_bytes_per_token
from llmoin_desktop.core.engine.local import LocalBackend
from llmoin_desktop.core.settings.config import SettingsStore


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    path, n_ctx = Path(argv[0]), int(argv[1]) if len(argv) > 1 else 4096
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "policy").mkdir()
        store = SettingsStore(config_dir=Path(tmp) / "config", policy_dir=Path(tmp) / "policy")
        store.set("n_ctx", n_ctx)
        kv = kv_bytes_per_token(read_header(path)) * n_ctx
        proc = psutil.Process()
        before = proc.memory_info().rss
        backend = LocalBackend(store)
        backend.load(path)
        after = proc.memory_info().rss
        backend.close()
    mb = 2**20
    print(
        f"model={path.name} n_ctx={n_ctx} file_mb={path.stat().st_size / mb:.0f} "
        f"kv_computed_mb={kv / mb:.0f} rss_increase_mb={(after - before) / mb:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
