"""Sizing measured, not guessed: synthetic 1B / 3B / 8B llama models through the app's engine.

Builds GGUF files with random Q4_0 weights in the shapes of Llama 3.2 1B, Llama 3.2 3B and
Llama 3.1 8B (same layers, widths, heads, vocabulary size of 128,256: the demo model's
tokenizer padded with unused tokens), loads each through ``LocalBackend`` in a child process
(clean peak RSS per model) and measures load time, prompt-evaluation and generation rates.
The text is gibberish; speed and memory are real. Then it predicts, with the app's own
planner (``core/tasks/eta.py``), the wall time of: a one-page letter draft, a 10-page summary,
and the 57-page ``vwvfg.pdf`` summary read fully and skimmed.

Files go to a temporary folder (``--keep DIR`` to reuse them) and are never committed.
Why Q4_0: the simplest 4-bit format to write without a quantiser; Q4_K_M files of the same
size run at about the same speed on a CPU (both are memory-bound).

    .venv/bin/python bench/model_sizes.py [--sizes 1B,3B,8B] [--n-ctx 8192] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"

# name: (layers, n_embd, n_ff, heads, kv_heads, vocab, tied embeddings)
SHAPES = {
    "1B": (16, 2048, 8192, 32, 8, 128256, True),  # Llama 3.2 1B
    "3B": (28, 3072, 8192, 24, 8, 128256, True),  # Llama 3.2 3B
    "8B": (32, 4096, 14336, 32, 8, 128256, False),  # Llama 3.1 8B
    "tiny": (2, 256, 512, 4, 2, 128256, True),  # a quick check that the writer works
}
Q4_0_BLOCK = 18  # bytes per 32 weights: f16 scale + 16 bytes of nibbles
CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


# Writing -------------------------------------------------------------------------------------
def _q4_rows(rows: int, cols: int, pool: np.ndarray) -> np.ndarray:
    """Bytes of a Q4_0 matrix (rows × cols weights) cut from a pool of random blocks."""
    nbytes = rows * (cols // 32) * Q4_0_BLOCK
    reps = -(-nbytes // pool.size)
    data = np.tile(pool, reps)[:nbytes] if reps > 1 else pool[:nbytes]
    return data.reshape(rows, (cols // 32) * Q4_0_BLOCK)


def _block_pool(n_blocks: int = 1 << 20, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, size=(n_blocks, Q4_0_BLOCK), dtype=np.uint8)
    scale = np.frombuffer(np.float16(0.004).tobytes(), dtype=np.uint8)
    blocks[:, 0:2] = scale  # a sane scale: random f16 bytes would be NaN or huge
    return blocks.reshape(-1)


def _tokenizer_fields(demo: Path) -> list[tuple[str, object, object, object]]:
    """(key, value, type, element type) of the demo model's tokenizer metadata."""
    import gguf

    reader = gguf.GGUFReader(str(demo))
    out = []
    for name, fld in reader.fields.items():
        if not name.startswith("tokenizer.") or name == "tokenizer.chat_template":
            continue
        vtype = fld.types[0]
        sub = fld.types[1] if vtype == gguf.GGUFValueType.ARRAY and len(fld.types) > 1 else None
        out.append((name, fld.contents(), vtype, sub))
    return out


def write_model(path: Path, size: str, demo: Path) -> None:
    """Stream a synthetic llama GGUF to ``path`` (tensors one by one, never all in memory)."""
    import gguf

    layers, embd, ff, heads, kv_heads, vocab, tied = SHAPES[size]
    head_dim = embd // heads
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_name(f"synthetic-llama-{size}")
    w.add_block_count(layers)
    w.add_context_length(131072)
    w.add_embedding_length(embd)
    w.add_feed_forward_length(ff)
    w.add_head_count(heads)
    w.add_head_count_kv(kv_heads)
    w.add_rope_freq_base(500000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(head_dim)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_0)
    w.add_vocab_size(vocab)
    for name, value, vtype, sub in _tokenizer_fields(demo):
        if name == "tokenizer.ggml.tokens":
            value = list(value) + [f"<|synthetic_pad_{i}|>" for i in range(vocab - len(value))]
        elif name == "tokenizer.ggml.token_type":
            value = list(value) + [5] * (vocab - len(value))  # 5 = unused
        elif name == "tokenizer.ggml.scores":
            value = list(value) + [0.0] * (vocab - len(value))
        if sub is not None:
            w.add_key_value(name, value, vtype, sub_type=sub)
        else:
            w.add_key_value(name, value, vtype)
    w.add_chat_template(CHAT_TEMPLATE)

    q4 = gguf.GGMLQuantizationType.Q4_0
    f32 = gguf.GGMLQuantizationType.F32
    tensors: list[tuple[str, tuple[int, int] | int]] = [("token_embd.weight", (vocab, embd))]
    for i in range(layers):
        b = f"blk.{i}"
        tensors += [
            (f"{b}.attn_norm.weight", embd),
            (f"{b}.attn_q.weight", (embd, embd)),
            (f"{b}.attn_k.weight", (kv_heads * head_dim, embd)),
            (f"{b}.attn_v.weight", (kv_heads * head_dim, embd)),
            (f"{b}.attn_output.weight", (embd, embd)),
            (f"{b}.ffn_norm.weight", embd),
            (f"{b}.ffn_gate.weight", (ff, embd)),
            (f"{b}.ffn_up.weight", (ff, embd)),
            (f"{b}.ffn_down.weight", (embd, ff)),
        ]
    tensors.append(("output_norm.weight", embd))
    if not tied:
        tensors.append(("output.weight", (vocab, embd)))
    for name, shape in tensors:
        if isinstance(shape, int):
            w.add_tensor_info(name, (shape,), np.dtype(np.float32), shape * 4, raw_dtype=f32)
        else:
            rows, cols = shape
            nbytes = rows * (cols // 32) * Q4_0_BLOCK
            w.add_tensor_info(
                name, (rows, (cols // 32) * Q4_0_BLOCK), np.dtype(np.uint8), nbytes, raw_dtype=q4
            )
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    pool = _block_pool()
    for _name, shape in tensors:
        if isinstance(shape, int):
            w.write_tensor_data(np.ones(shape, dtype=np.float32))
        else:
            w.write_tensor_data(_q4_rows(shape[0], shape[1], pool))
    w.close()


# Measuring (child process) ----------------------------------------------------------------------
def measure(path: Path, n_ctx: int, prompt_tokens: int, gen_tokens: int, threads: int = 0) -> dict:
    """Load through LocalBackend, time prompt evaluation and generation, predict the jobs."""
    import resource

    from llmoin_desktop.core.documents.model import Document
    from llmoin_desktop.core.engine.backend import GenerationParams
    from llmoin_desktop.core.engine.local import LocalBackend
    from llmoin_desktop.core.settings.config import SettingsStore
    from llmoin_desktop.core.tasks import eta
    from llmoin_desktop.core.tasks.catalog import load_catalog
    from llmoin_desktop.core.tasks.runner import TaskRunner
    from llmoin_desktop.core.tasks.sources import load_document

    base = Path(tempfile.mkdtemp(prefix="llmoin-size-"))
    (base / "policy").mkdir()
    store = SettingsStore(config_dir=base / "config", policy_dir=base / "policy")
    store.set("n_ctx", n_ctx)
    if threads:
        store.set("n_threads", threads)
    backend = LocalBackend(store, idle_unload_s=0)
    t0 = time.perf_counter()
    backend.load(path)
    load_s = time.perf_counter() - t0
    # Rates: a fresh prompt of ``prompt_tokens`` (call A, one token out), then the same prompt
    # again (cached) with ``gen_tokens`` forced tokens (call B). Timed in wall seconds and in
    # CPU seconds of this process: on a shared machine the CPU time is what the work costs on
    # an idle core (with one thread), the wall time what it cost today.
    words = ("Verwaltungsverfahren Bescheid Frist Antrag Behörde Anhörung " * 400).split()
    k = eta.depth_factor(backend)
    text = " ".join(words[: int(prompt_tokens * 0.55)])
    messages = [{"role": "user", "content": text}]

    def cpu() -> float:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return ru.ru_utime + ru.ru_stime

    c0, w0 = cpu(), time.perf_counter()
    a = backend.chat(messages, GenerationParams(max_tokens=1, temperature=0.0, ignore_eos=True))
    c1, w1 = cpu(), time.perf_counter()
    params = GenerationParams(max_tokens=gen_tokens, temperature=0.0, ignore_eos=True)
    r = backend.chat(messages, params)
    c2, w2 = cpu(), time.perf_counter()
    n_new = a.n_prompt - a.n_cached
    prompt_cpu_tps = n_new / max(c1 - c0, 1e-6)
    prompt_wall_tps = n_new / max(w1 - w0, 1e-6)
    gen_cpu_tps = r.n_generated / max(c2 - c1, 1e-6)
    gen_wall_tps = r.n_generated / max(w2 - w1, 1e-6)
    eff_prompt = eta.effective_tokens(n_new, a.n_cached, k)
    eff_gen = eta.effective_tokens(r.n_generated, r.n_prompt, k)
    rates = eta.Rates(
        prompt_tps=eff_prompt / max(c1 - c0, 1e-6),
        gen_tps=eff_gen / max(c2 - c1, 1e-6),
        depth_k=k,
    )
    plain_prompt_tps = prompt_cpu_tps
    # Predictions with the app's planner and the real tokenizer/context of this model.
    settings = store.settings
    runner = TaskRunner.from_settings(backend, settings)
    catalog = load_catalog(settings)
    letter = catalog.get("entwurf")
    summary = catalog.get("zusammenfassen")
    values_letter = {
        "art": "antwort",
        "empfaenger": "Frau Erika Mustermann",
        "anschrift": "Lindenweg 12\n12345 Musterstadt",
        "betreff": "Ihre Anfrage zur Hundesteuer",
        "kernpunkte": "Zweiter Hund 120 Euro im Jahr; Ermäßigung für Tierheimhunde 50 % im "
        "ersten Jahr; Fälligkeit 1. Juli; Ersatzmarke 5 Euro.",
        "laenge": "lang",  # about a page
    }
    letter_s = eta.plan_task(runner, letter, values_letter).seconds(rates)
    law = load_document(str(CORPUS / "gesetze" / "vwvfg.pdf"))
    first10 = Document(
        path=law.path,
        title=law.title,
        format=law.format,
        blocks=[b for b in law.blocks if b.page is not None and b.page <= 10],
    )
    sum_values = {"dokument": law.path}
    ten_s = eta.plan_task(runner, summary, sum_values, first10).seconds(rates)
    full = eta.plan_task(runner, summary, sum_values, law, read_all=True)
    skim = eta.plan_task(runner, summary, sum_values, law, read_all=False)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend.close()
    shutil.rmtree(base, ignore_errors=True)
    return {
        "file_gb": path.stat().st_size / 2**30,
        "n_params_b": backend.status().n_params / 1e9 if backend.status().n_params else 0,
        "load_s": load_s,
        "prompt_tps": plain_prompt_tps,
        "prompt_wall_tps": prompt_wall_tps,
        "prompt_tokens": n_new,
        "gen_tps": gen_cpu_tps,
        "gen_wall_tps": gen_wall_tps,
        "gen_tokens": r.n_generated,
        "peak_rss_gb": rss / 1024,
        "letter_s": letter_s,
        "summary10_s": ten_s,
        "vwvfg_full_s": full.seconds(rates),
        "vwvfg_skim_s": skim.seconds(rates),
        "vwvfg_full_calls": len(full.steps),
        "vwvfg_skim_calls": len(skim.steps),
    }


def minutes(s: float) -> str:
    return f"{s / 60:.1f} min" if s >= 90 else f"{s:.0f} s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1B,3B,8B")
    ap.add_argument("--n-ctx", type=int, default=8192)
    ap.add_argument("--keep", type=Path, default=None, help="folder for the GGUF files (reused)")
    ap.add_argument("--prompt-tokens", default="tiny:64,1B:256,3B:128,8B:64")
    ap.add_argument("--gen-tokens", default="tiny:8,1B:16,3B:8,8B:6")
    ap.add_argument("--threads", type=int, default=0, help="0 = the app's default (cores)")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # child process
    ap.add_argument("--size", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        pt = dict(x.split(":") for x in args.prompt_tokens.split(","))
        gt = dict(x.split(":") for x in args.gen_tokens.split(","))
        res = measure(
            args.measure, args.n_ctx, int(pt[args.size]), int(gt[args.size]), args.threads
        )
        print("RESULT " + json.dumps(res))
        return

    from llmoin_desktop.core.engine.catalog import find_demo_model

    demo = find_demo_model()
    if demo is None:
        sys.exit("demo model not installed")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="llmoin-sizes-"))
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    try:
        for size in args.sizes.split(","):
            path = folder / f"synthetic-llama-{size}-Q4_0.gguf"
            if not path.exists():
                t0 = time.perf_counter()
                write_model(path, size, demo)
                print(
                    f"{size}: wrote {path.stat().st_size / 2**30:.2f} GiB in "
                    f"{time.perf_counter() - t0:.0f} s",
                    flush=True,
                )
            cmd = [
                sys.executable,
                __file__,
                "--measure",
                str(path),
                "--size",
                size,
                "--n-ctx",
                str(args.n_ctx),
                "--prompt-tokens",
                args.prompt_tokens,
                "--gen-tokens",
                args.gen_tokens,
                "--threads",
                str(args.threads),
            ]
            out = subprocess.run(cmd, capture_output=True, text=True, check=False)
            line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                print(f"{size}: measurement failed\n{out.stderr[-2000:]}", flush=True)
                continue
            results[size] = json.loads(line[7:])
            r = results[size]
            print(
                f"{size}: file {r['file_gb']:.2f} GiB, load {r['load_s']:.1f} s, prompt "
                f"{r['prompt_tps']:.1f} tok/s per CPU second ({r['prompt_wall_tps']:.1f} wall; "
                f"{r['prompt_tokens']} tokens), generation {r['gen_tps']:.2f} tok/s per CPU "
                f"second ({r['gen_wall_tps']:.2f} wall; {r['gen_tokens']} tokens), peak RSS "
                f"{r['peak_rss_gb']:.2f} GiB",
                flush=True,
            )
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)

    print()
    print(
        f"machine: {os.cpu_count()} CPU threads, n_ctx {args.n_ctx}, n_threads "
        f"{args.threads or 'default'}; rates per CPU second (= an idle core); predicted time"
    )
    print(
        "| model | file | peak RAM | load | prompt tok/s | gen tok/s | letter (1 page) "
        "| summary 10 pages | vwvfg 57 pages read fully | vwvfg skimmed |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size, r in results.items():
        print(
            f"| {size} | {r['file_gb']:.1f} GiB | {r['peak_rss_gb']:.1f} GiB | "
            f"{r['load_s']:.0f} s | {r['prompt_tps']:.0f} | {r['gen_tps']:.1f} | "
            f"{minutes(r['letter_s'])} | {minutes(r['summary10_s'])} | "
            f"{minutes(r['vwvfg_full_s'])} | {minutes(r['vwvfg_skim_s'])} |"
        )
    kv = []
    for size, r in results.items():
        s = size.lower()
        kv += [
            f"{s}_prompt_tps={r['prompt_tps']:.1f}",
            f"{s}_gen_tps={r['gen_tps']:.2f}",
            f"{s}_prompt_wall_tps={r['prompt_wall_tps']:.1f}",
            f"{s}_gen_wall_tps={r['gen_wall_tps']:.2f}",
            f"{s}_load_s={r['load_s']:.1f}",
            f"{s}_peak_rss_gb={r['peak_rss_gb']:.2f}",
            f"{s}_letter_s={r['letter_s']:.0f}",
            f"{s}_summary10_s={r['summary10_s']:.0f}",
            f"{s}_vwvfg_full_s={r['vwvfg_full_s']:.0f}",
            f"{s}_vwvfg_skim_s={r['vwvfg_skim_s']:.0f}",
        ]
    print(" ".join(kv))


if __name__ == "__main__":
    main()
