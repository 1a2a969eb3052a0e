"""llama.cpp's own ``llama-server`` with parallel slots, the server docs/rollout.md recommends for
several clerks (issue 22): the app reads the context of ONE slot from ``/props``, counts tokens
through ``/tokenize``, and four clerks asking at once all get their whole answer — none is cut
off, none waits for the others to finish (the slots decode together).

Runs where ``scripts/build_llama_server.sh`` has built the binary (or ``LLMOIN_LLAMA_SERVER``
names one); skipped elsewhere, since CI would spend ~12 min compiling it. The same client code
is tested against llama-cpp-python's server in test_remote_backend.py on every run.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from llmoin_desktop.core.engine.backend import GenerationParams
from llmoin_desktop.core.engine.llama_server import find_cpp_server, running_cpp_server
from llmoin_desktop.core.engine.remote import RemoteBackend

pytestmark = pytest.mark.model

BINARY = find_cpp_server()
needs_server = pytest.mark.skipif(
    BINARY is None, reason="llama-server not built (scripts/build_llama_server.sh)"
)


@needs_server
def test_four_clerks_at_once_all_complete(demo_model_path: Path, tmp_path: Path) -> None:
    assert BINARY is not None
    with running_cpp_server(
        BINARY, demo_model_path, tmp_path / "server.log", parallel=4, ctx_per_slot=2048
    ) as url:
        probe = RemoteBackend(base_url=url, model="demo", read_timeout_s=60)
        assert probe.context_size() == 2048  # one slot's share of -c, not the total 8192
        assert probe.count_tokens([{"role": "user", "content": "Guten Tag, Frau Müller."}]) > 0
        results: dict[int, str] = {}
        errors: list[BaseException] = []
        busy_slots: list[int] = []
        done = threading.Event()

        def watch_slots() -> None:  # how many slots decode at the same moment
            while not done.is_set():
                with contextlib.suppress(OSError, ValueError):
                    with urllib.request.urlopen(url + "/slots", timeout=2) as resp:
                        slots = json.load(resp)
                    busy_slots.append(sum(1 for s in slots if s.get("is_processing")))
                time.sleep(0.02)

        def clerk(i: int) -> None:
            backend = RemoteBackend(base_url=url, model="demo", read_timeout_s=60)
            try:
                result = backend.chat(
                    [{"role": "user", "content": f"Nenne {i + 2} Gründe für einen Antrag."}],
                    GenerationParams(max_tokens=64, temperature=0.0, seed=1),
                )
                results[i] = result.text
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        watcher = threading.Thread(target=watch_slots)
        watcher.start()
        threads = [threading.Thread(target=clerk, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        done.set()
        watcher.join(5)
        assert not errors, errors
        assert len(results) == 4 and all(text.strip() for text in results.values())
        # The clerks were served together, not one after another.
        assert max(busy_slots, default=0) >= 2, busy_slots
