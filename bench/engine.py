"""Engine overhead, prefix cache and cancel latency, measured through the app's own layers.

Run: .venv/bin/python bench/engine.py [--model PATH] [--tokens 300] [--runs 3]

Prints, per run and as a median:
- the app's decode rate (tokens/s seen by a Job's token listener) vs llama.cpp's own
  C-level decode rate from ``llama_perf_context`` in the same run, and their ratio (goal ≥ 0.98);
- time to first token for a first and a repeated call sharing a ~500-token preamble
  (goal: repeated ≤ 0.3× first);
- how long Stop takes during a ~2,000-token prompt evaluation (goal ≤ 200 ms).
The last line is ``key=value`` pairs for scripts.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from llmoin_desktop.core.engine.backend import GenerationParams  # noqa: E402
from llmoin_desktop.core.engine.catalog import find_demo_model  # noqa: E402
from llmoin_desktop.core.engine.local import LocalBackend  # noqa: E402
from llmoin_desktop.core.engine.sampling import fast_sampling_available  # noqa: E402
from llmoin_desktop.core.jobs import Job, JobContext  # noqa: E402
from llmoin_desktop.core.settings.config import SettingsStore  # noqa: E402

SYSTEM = "Du bist ein hilfreicher Assistent der Stadtverwaltung."
FILLER = (
    "Die Verwaltung bearbeitet Anträge der Bürgerinnen und Bürger zügig, sorgfältig und "
    "nach Recht und Gesetz. Jede Entscheidung wird begründet und schriftlich mitgeteilt. "
)


def words(n_tokens: int, backend: LocalBackend) -> str:
    text = FILLER
    while len(backend.tokenize(text)) < n_tokens:
        text += FILLER
    toks = backend.tokenize(text)[:n_tokens]
    return backend._call(lambda: backend._llm.detokenize(toks).decode("utf-8", "ignore"))


def decode_run(backend: LocalBackend, n_tokens: int, seed: int) -> tuple[float, float, int]:
    """One generation through a Job (as the GUI and CLI run it); returns app and C rates."""
    backend.clear_cache()
    backend.reset_perf()
    received: list[str] = []
    params = GenerationParams(max_tokens=n_tokens, temperature=0.7, seed=seed, ignore_eos=True)
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "Schreibe einen langen Bericht über die Stadt."},
    ]

    def work(ctx: JobContext):  # noqa: ANN202
        return backend.chat(messages, params, on_token=ctx.token, cancel=ctx.cancel)

    job = Job(work, "bench-decode").on_token(received.append)
    result = job.run()
    assert result is not None, job.error
    perf = backend.perf()
    c_rate = perf["n_eval"] / (perf["t_eval_ms"] / 1000.0)
    assert "".join(received) == result.text
    return result.tokens_per_s, c_rate, result.n_generated


def ttft_runs(backend: LocalBackend) -> tuple[float, float, int]:
    preamble = words(500, backend)
    backend.clear_cache()
    params = GenerationParams(max_tokens=1, temperature=0)
    first = backend.chat(
        [
            {"role": "system", "content": SYSTEM + "\n" + preamble},
            {"role": "user", "content": "Fasse zusammen."},
        ],
        params,
    )
    repeat = backend.chat(
        [
            {"role": "system", "content": SYSTEM + "\n" + preamble},
            {"role": "user", "content": "Nenne das Thema."},
        ],
        params,
    )
    return first.ttft_s, repeat.ttft_s, repeat.n_cached


def cancel_latency(backend: LocalBackend, n_prompt: int = 2000) -> tuple[float, float]:
    """Press Stop ~0.3 s into a 2,000-token prompt evaluation; how long until chat() returns?"""
    prompt = words(n_prompt, backend)
    backend.clear_cache()
    started = threading.Event()
    done: dict[str, float] = {}

    def run(ctx: JobContext) -> None:
        backend.chat(
            [{"role": "user", "content": prompt}],
            GenerationParams(max_tokens=4),
            cancel=ctx.cancel,
            on_progress=lambda p: started.set(),
        )
        done["t"] = time.perf_counter()

    job: Job[None] = Job(run, "bench-cancel")
    worker = threading.Thread(target=job.run)
    t0 = time.perf_counter()
    worker.start()
    started.wait(120)
    time.sleep(0.3)
    job.cancel()
    worker.join(120)
    latency = done["t"] - (job.cancel_token.cancelled_at or 0)
    return latency, done["t"] - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--tokens", type=int, default=300)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    model = args.model or find_demo_model()
    if model is None:
        print("demo model not installed: pip install -e '.[demo]'", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        store = SettingsStore(config_dir=Path(tmp) / "c", policy_dir=Path(tmp) / "p")
        store.set("n_ctx", 4096)
        backend = LocalBackend(store, idle_unload_s=0)
        t0 = time.perf_counter()
        backend.load(model, progress=lambda p: None)
        load_s = time.perf_counter() - t0
        status = backend.status()
        print(
            f"model={model.name} device={status.device} n_ctx={status.n_ctx} "
            f"threads={status.n_threads} load_s={load_s:.2f} "
            f"sampler={'top-k C extension' if fast_sampling_available() else 'llama_sampler_sample'}"
        )
        backend.chat(
            [{"role": "user", "content": "Hallo"}], GenerationParams(max_tokens=8)
        )  # warm-up
        ratios, app_rates, c_rates = [], [], []
        for i in range(args.runs):
            app, c, n = decode_run(backend, args.tokens, seed=i + 1)
            ratios.append(app / c)
            app_rates.append(app)
            c_rates.append(c)
            print(
                f"run {i + 1}: tokens={n} app={app:.1f} tok/s llama.cpp={c:.1f} tok/s "
                f"ratio={app / c:.4f}"
            )
        first, repeat, cached = ttft_runs(backend)
        print(
            f"ttft first={first * 1000:.0f} ms repeat={repeat * 1000:.0f} ms "
            f"(reused {cached} cached prompt tokens)"
        )
        latency, elapsed = cancel_latency(backend)
        print(
            f"cancel during 2000-token prompt evaluation: {latency * 1000:.1f} ms "
            f"(job ended {elapsed:.2f} s after start)"
        )
        backend.close()
    print(
        f"ratio={statistics.median(ratios):.4f} app_tok_s={statistics.median(app_rates):.1f} "
        f"llama_tok_s={statistics.median(c_rates):.1f} tokens={args.tokens} "
        f"ttft_first_ms={first * 1000:.0f} ttft_repeat_ms={repeat * 1000:.0f} "
        f"ttft_repeat_vs_first={repeat / first:.3f} cancel_ms={latency * 1000:.1f} "
        f"fast_sampler={int(fast_sampling_available())}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
