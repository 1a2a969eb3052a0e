"""How long will a job take with the loaded model on this PC? (Qt-free; issue 12, part 4)

Why this shape:
- **A plan mirrors the runner.** :func:`plan_task` walks the same decisions as
  :class:`~llmoin_desktop.core.tasks.runner.TaskRunner` (fits in one pass? skim? how many
  parts? reduce rounds?) with the real token counts of this model's tokenizer, and produces
  one :class:`Step` per model call. A time is then only ``plan × rates``.
- **Rates are measured, per model file.** :func:`calibrate` runs one short prompt and a few
  generated tokens the first time a model is used; after every finished job
  :meth:`RateStore.record` blends the job's real rates in. They live in
  ``<data folder>/model_rates.json`` keyed by file name and size (a copied model keeps them).
- **Depth matters.** Evaluating token *d* of a prompt costs more than token 1: attention reads
  all *d* previous positions. For a 135M model at 3,000 tokens of depth that doubles the cost
  per token; for an 8B model it adds about a tenth. We count *effective tokens*
  ``n + k·((start+n)² − start²)/2`` with ``k = 2·n_layer·n_embd / n_params`` from the GGUF
  header, so one rate measured on a short prompt also predicts a long one.
- **Answers are shorter than their budget.** Generation stops at the end token; the share of
  ``max_tokens`` a model really writes (``fill``) is learned from its finished jobs.
- **During the job** :class:`LiveEta` compares the time spent so far with the plan's share of
  the work done (from the runner's progress steps and the streamed text) and scales the rest:
  a PC that is slower today (another program busy) gets a longer remaining time at once.
  It follows the *current* speed (a few seconds' running average, issue 24) and says when
  the PC is busy; it lives in ``eta_live.py``.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from llmoin_desktop.core.documents.model import Document
from llmoin_desktop.core.engine.backend import Backend, GenerationParams
from llmoin_desktop.core.tasks import eta_live

# Rates, plans and their wording live in eta_plan.py (eta_live.py reads them too); the names
# stay importable from here for the UI, the bench and the tests (explicit re-exports).
from llmoin_desktop.core.tasks.eta_plan import DEFAULT_FILL as DEFAULT_FILL
from llmoin_desktop.core.tasks.eta_plan import DEFAULT_MAP_FILL as DEFAULT_MAP_FILL
from llmoin_desktop.core.tasks.eta_plan import Plan as Plan
from llmoin_desktop.core.tasks.eta_plan import Rates as Rates
from llmoin_desktop.core.tasks.eta_plan import Step as Step
from llmoin_desktop.core.tasks.eta_plan import duration_text as duration_text
from llmoin_desktop.core.tasks.eta_plan import effective_tokens as effective_tokens

RATES_FILE = "model_rates.json"
# Calibration: long enough that per-call overhead does not dominate, short enough for a
# first use on a slow PC (≈ 2 s for the demo model, ≈ 1 min for an 8B model on 2 cores).
CALIBRATION_PROMPT_TOKENS = 384
CALIBRATION_GEN_TOKENS = 24
# New runs move the stored rate by this share (older measurements fade out).
BLEND = 0.5
READ_ALL = "gruendlich"
READ_SKIM = "schnell"
LONG_READ_MODES = (READ_ALL, READ_SKIM)


def depth_factor(backend: Backend) -> float:
    """``k`` for this model from its GGUF header; 0 where unknown (server models)."""
    header = getattr(backend, "_header", None)
    if header is None:
        return 0.0
    arch = header.architecture
    layers = int(header.metadata.get(f"{arch}.block_count", 0) or 0)
    embd = int(header.metadata.get(f"{arch}.embedding_length", 0) or 0)
    params = int(getattr(header, "n_params", 0) or 0)
    if not (layers and embd and params):
        return 0.0
    return 2.0 * layers * embd / params


def model_key(path: str | Path) -> str:
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError:
        size = 0
    return f"{p.name}|{size}"


class RateStore:
    """Rates per model file in the user data folder (JSON; safe to delete)."""

    def __init__(self, folder: Path | None = None) -> None:
        if folder is None:
            from llmoin_desktop.core import paths

            folder = paths.user_data_dir()
        self.path = Path(folder) / RATES_FILE
        self._lock = threading.Lock()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, model_path: str | Path) -> Rates | None:
        raw = self._read().get(model_key(model_path))
        if not isinstance(raw, dict):
            return None
        try:
            rates = Rates(**{k: float(v) for k, v in raw.items() if k in Rates.__annotations__})
        except (TypeError, ValueError):
            return None
        rates.runs = int(rates.runs)
        return rates if rates.prompt_tps > 0 and rates.gen_tps > 0 else None

    def put(self, model_path: str | Path, rates: Rates) -> None:
        with self._lock:
            data = self._read()
            data[model_key(model_path)] = asdict(rates)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
            os.replace(tmp, self.path)

    def record(self, model_path: str | Path, stats: Any, plan: Plan | None = None) -> Rates | None:
        """Blend a finished job's real rates (``runner.RunStats``) into the stored ones."""
        old = self.get(model_path)
        k = old.depth_k if old else 0.0
        calls = max(1, stats.calls)
        new_prompt = stats.n_prompt - stats.n_cached
        prompt_tps = gen_tps = 0.0
        if new_prompt >= 64 and stats.prompt_s > 0:
            per_call, start = new_prompt / calls, stats.n_cached // calls
            prompt_tps = effective_tokens(per_call, start, k) * calls / stats.prompt_s
        if stats.n_generated >= 16 and stats.decode_s > 0:
            per_call, start = stats.n_generated / calls, stats.n_prompt // calls
            gen_tps = effective_tokens(per_call, start, k) * calls / stats.decode_s
        if old is None and not (prompt_tps and gen_tps):
            return None
        rates = old or Rates(prompt_tps=prompt_tps, gen_tps=gen_tps, depth_k=k)
        if old is not None:
            # A whole job says more than the seconds of calibration: the first one replaces
            # it, later ones are blended in.
            share = 1.0 if old.runs == 0 else BLEND
            if prompt_tps:
                rates.prompt_tps = (1 - share) * old.prompt_tps + share * prompt_tps
            if gen_tps:
                rates.gen_tps = (1 - share) * old.gen_tps + share * gen_tps
        if plan is not None:
            budget_final = sum(s.max_new for s in plan.steps if s.kind == "final")
            budget_map = sum(s.max_new for s in plan.steps if s.kind == "map")
            n_map = sum(1 for s in plan.steps if s.kind == "map")
            gen_final = stats.n_generated - (rates.map_fill * budget_map if n_map else 0)
            if budget_final and n_map == 0:
                rates.fill = _blend_fill(rates.fill, stats.n_generated / budget_final, rates.runs)
            elif budget_final and gen_final > 0:
                rates.fill = _blend_fill(rates.fill, gen_final / budget_final, rates.runs)
            elif budget_map and not budget_final:
                rates.map_fill = _blend_fill(
                    rates.map_fill, stats.n_generated / budget_map, rates.runs
                )
        rates.runs += 1
        rates.measured_at = time.time()
        self.put(model_path, rates)
        return rates


def _blend_fill(old: float, new: float, runs: int) -> float:
    new = min(1.0, max(0.05, new))
    return new if runs == 0 else (1 - BLEND) * old + BLEND * new


def calibrate(backend: Backend, cancel: Any = None) -> Rates:
    """One short measured call: prompt evaluation and generation rate of the loaded model.

    The prompt is fresh text (a cached prefix would flatter the rate); ``ignore_eos`` makes the
    model write every calibration token."""
    words = [
        "Der",
        "Antrag",
        "auf",
        "Erteilung",
        "einer",
        "Genehmigung",
        "ist",
        "schriftlich",
        "bei",
        "der",
        "zuständigen",
        "Behörde",
        "einzureichen",
        "und",
        "muss",
        "alle",
        "erforderlichen",
        "Unterlagen",
        "enthalten",
        ".",
    ]
    stamp = str(time.time_ns() % 100000)
    text = " ".join(words[i % len(words)] for i in range(CALIBRATION_PROMPT_TOKENS * 3 // 4))
    messages = [{"role": "user", "content": f"{stamp} {text}\nFasse zusammen."}]
    params = GenerationParams(
        max_tokens=CALIBRATION_GEN_TOKENS, temperature=0.0, ignore_eos=True, repeat_penalty=1.0
    )
    # The first call after loading pays for page faults and buffer set-up (the demo model:
    # 16 instead of 40 tokens/s); a two-token warm-up keeps that out of the rates.
    warm = GenerationParams(max_tokens=2, temperature=0.0, ignore_eos=True, repeat_penalty=1.0)
    backend.chat([{"role": "user", "content": f"{stamp} Guten Tag"}], warm, cancel=cancel)
    result = backend.chat(messages, params, cancel=cancel)
    return rates_from_result(result, depth_factor(backend))


def rates_from_result(result: Any, k: float) -> Rates:
    """Effective prompt and generation rates of one measured call."""
    n_new = max(1, result.n_prompt - result.n_cached)
    prompt_tps = effective_tokens(n_new, result.n_cached, k) / max(result.ttft_s, 1e-3)
    if result.n_timed > 0 and result.decode_s > 0:
        gen_tps = effective_tokens(result.n_timed, result.n_prompt, k) / result.decode_s
    else:
        gen_tps = result.n_generated / max(result.total_s - result.ttft_s, 1e-3)
    return Rates(
        prompt_tps=prompt_tps, gen_tps=max(gen_tps, 0.01), depth_k=k, measured_at=time.time()
    )


def rates_for(backend: Backend, store: RateStore | None = None, cancel: Any = None) -> Rates | None:
    """Stored rates of the loaded model, calibrated (and stored) on first use."""
    status = backend.status()
    path = status.model_path
    if not path:
        return None
    store = store or RateStore()
    rates = store.get(path)
    if rates is None:
        rates = calibrate(backend, cancel)
        store.put(path, rates)
    return rates


# Plans ------------------------------------------------------------------------------------------
@dataclass
class Estimate:
    """What the form shows: one plan, or both readings of a long document."""

    seconds: float
    plan: Plan
    thorough_s: float | None = None  # "gründlich (alles lesen)"
    quick_s: float | None = None  # "schnell (Kernstellen)"
    rates: Rates | None = None
    thorough: Plan | None = None
    quick: Plan | None = None

    def plan_for(self, mode: str) -> Plan:
        """The plan of the reading the clerk chose ('' = as configured)."""
        if mode == READ_ALL and self.thorough is not None:
            return self.thorough
        if mode == READ_SKIM and self.quick is not None:
            return self.quick
        return self.plan


def plan_task(
    runner: Any,
    spec: Any,
    values: dict[str, Any],
    document: Document | None = None,
    *,
    read_all: bool | None = None,
) -> Plan:
    """The calls ``runner.run`` would make for these values (see the module doc).

    ``read_all``: ``True`` reads every paragraph, ``False`` skims at the runner's budget,
    ``None`` uses the runner as configured."""
    from llmoin_desktop.core.tasks import render
    from llmoin_desktop.core.tasks.splitter import format_blocks, skim, split_document

    backend = runner.backend
    values = {**spec.defaults(), **values}
    t0 = time.perf_counter()
    doc = document if document is not None else runner.source_document(spec, values)
    plan = Plan(load_s=time.perf_counter() - t0 if document is None and doc is not None else 0.0)
    system = render.render_system(spec, values)
    n_system = backend.count_tokens([{"role": "system", "content": system}])
    n_ctx = backend.context_size()
    max_tokens = runner.params.max_tokens
    doc_text = format_blocks(doc.blocks) if doc else ""
    user = render.render_user(spec, values, document=doc_text, source="x")
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    n_all = backend.count_tokens(messages)
    plan.input_tokens = n_all
    if doc is None or n_all + max_tokens <= n_ctx:
        cached = min(n_system, n_all - 1)
        plan.steps.append(Step("final", n_all - cached, min(max_tokens, n_ctx - n_all), cached))
        return plan

    plan.long = True
    full_text = doc.text
    cpt = runner._chars_per_token(full_text)
    max_read = runner.max_read_tokens
    if read_all is True:
        max_read = None
    elif read_all is False and not max_read:
        max_read = 16000
    if spec.long.strategy == "map-reduce":
        skim_budget = (
            int(16000 * cpt) if not runner.max_read_tokens else int(runner.max_read_tokens * cpt)
        )
        plan.can_skim = len(full_text) > skim_budget
        if max_read:
            budget = int(max_read * cpt)
            if len(full_text) > budget:
                doc, plan.skimmed = skim(doc, budget), True
    part_chars = runner._part_chars(spec, values, system, full_text)
    parts = split_document(doc, part_chars)
    probe = render.render_map(spec, values, text_part="", part=9, parts=99, range_label="S. 1–2")
    overhead = backend.count_tokens(
        [{"role": "system", "content": system}, {"role": "user", "content": probe}]
    )
    map_new = min(max_tokens, runner.map_max_tokens)
    for part in parts:
        n = overhead - n_system + math.ceil(len(part.text) / cpt)
        plan.steps.append(Step("map", n, map_new, n_system))
    if spec.long.strategy == "map-reduce":
        # Notes: each part's answer plus its heading; another round while they do not fit.
        n_notes = len(parts)
        part_tokens = max(200, int(part_chars / cpt))
        user_overhead = (
            backend.count_tokens(
                [
                    {"role": "system", "content": system},
                    {
                        "role": "user",
                        "content": render.render_user(spec, values, document="", source="x"),
                    },
                ]
            )
            - n_system
        )
        for _level in range(2):
            notes_tokens = n_notes * (map_new + 12)
            if n_system + user_overhead + notes_tokens + max_tokens <= n_ctx:
                break
            n_notes = max(1, math.ceil(notes_tokens / part_tokens))
            for _i in range(n_notes):
                plan.steps.append(Step("map", overhead - n_system + part_tokens, map_new, n_system))
        notes_tokens = min(n_notes * (map_new + 12), n_ctx - n_system - user_overhead - max_tokens)
        plan.steps.append(Step("final", user_overhead + max(0, notes_tokens), max_tokens, n_system))
    return plan


def estimate_task(
    runner: Any,
    spec: Any,
    values: dict[str, Any],
    rates: Rates,
    document: Document | None = None,
) -> Estimate:
    """The form's estimate; for a long summary both readings (gründlich / schnell)."""
    plan = plan_task(runner, spec, values, document)
    est = Estimate(seconds=plan.seconds(rates), plan=plan, rates=rates)
    if plan.long and plan.can_skim:
        doc = document if document is not None else runner.source_document(spec, values)
        thorough = plan_task(runner, spec, values, doc, read_all=True)
        quick = plan_task(runner, spec, values, doc, read_all=False)
        thorough.load_s = quick.load_s = plan.load_s
        est.thorough_s = thorough.seconds(rates)
        est.quick_s = quick.seconds(rates)
        est.thorough, est.quick = thorough, quick
    return est


# During the job: LiveEta and the busy-PC note live in eta_live.py (re-exported here).
LiveEta = eta_live.LiveEta
busy_text = eta_live.busy_text
FOLLOW_S, BUSY_FACTOR, BUSY_CORES = eta_live.FOLLOW_S, eta_live.BUSY_FACTOR, eta_live.BUSY_CORES


def safe_estimate(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Estimates are a courtesy: any failure means "no estimate", never an error dialog."""
    with contextlib.suppress(Exception):
        return fn(*args, **kwargs)
    return None
