"""Predicted vs actual time of long jobs with the demo model (issue 12, part 4).

As the app does it: calibrate the loaded model once (short prompt + a few tokens), predict
the job from its plan, run it, remember the real rates; the next job uses them. Jobs: a
10-page summary (vwvfg.pdf pages 1–10) and the 57-page vwvfg.pdf summary (read as the
setting says: skimmed by default; ``--thorough`` reads everything). For each job it prints
the prediction before the start, the actual time and their ratio, and the *live* estimate
(elapsed + remaining) when a quarter of the job is done, with its ratio to the actual time.

``--load`` starts a busy process (one per ``--load-procs``) *after* calibration, as when a
clerk's PC gets busy with something else: the first prediction is then too low, and the live
estimate is what must catch up.

    .venv/bin/python bench/eta.py [--load] [--thorough] [--n-ctx 0] [--threads 0]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"


class Watch:
    """Reporter for the runner: feeds the live estimate and notes it at 25 % of the plan."""

    def __init__(self, live) -> None:  # noqa: ANN001
        from llmoin_desktop.core.jobs import CancelToken

        self.cancel = CancelToken()
        self.live = live
        self.started = time.monotonic()
        self.at_quarter: float | None = None
        self.at_half: float | None = None

    def _note(self) -> None:
        done = self.live.predicted_done()
        total = time.monotonic() - self.started + self.live.remaining()
        if self.at_quarter is None and done >= 0.25 * self.live.total_s:
            self.at_quarter = total
        if self.at_half is None and done >= 0.5 * self.live.total_s:
            self.at_half = total

    def progress(self, step: int, total: int | None, text: str = "") -> None:
        self.live.progress(step, total)
        self._note()

    def token(self, text: str) -> None:
        self.live.token(text)
        self._note()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--load", action="store_true", help="a busy process competes for the CPU")
    ap.add_argument("--load-procs", type=int, default=1)
    ap.add_argument("--thorough", action="store_true", help="57 pages read fully, not skimmed")
    ap.add_argument("--n-ctx", type=int, default=0, help="0 = as the app plans it")
    ap.add_argument("--threads", type=int, default=0, help="0 = the app's default (cores)")
    args = ap.parse_args()

    from llmoin_desktop.core.documents.model import Document
    from llmoin_desktop.core.engine.catalog import find_demo_model
    from llmoin_desktop.core.engine.local import LocalBackend
    from llmoin_desktop.core.settings.config import SettingsStore
    from llmoin_desktop.core.tasks import eta
    from llmoin_desktop.core.tasks.catalog import load_catalog
    from llmoin_desktop.core.tasks.runner import TaskRunner
    from llmoin_desktop.core.tasks.sources import load_document

    base = Path(tempfile.mkdtemp(prefix="llmoin-eta-"))
    (base / "policy").mkdir()
    store = SettingsStore(config_dir=base / "config", policy_dir=base / "policy")
    if args.n_ctx:
        store.set("n_ctx", args.n_ctx)
    if args.threads:
        store.set("n_threads", args.threads)
    backend = LocalBackend(store, idle_unload_s=0)
    model = find_demo_model()
    if model is None:
        sys.exit("demo model not installed")
    backend.load(model)
    rates_store = eta.RateStore(base / "data")
    rates = eta.rates_for(backend, rates_store)
    assert rates is not None
    print(
        f"model: {model.name}, n_ctx {backend.context_size()}; calibration: prompt "
        f"{rates.prompt_tps:.0f} eff. tok/s, generation {rates.gen_tps:.1f} tok/s, "
        f"depth k {rates.depth_k:.2e}",
        flush=True,
    )

    busy: list[subprocess.Popen] = []
    if args.load:
        for _i in range(args.load_procs):
            busy.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
        print(f"load: {len(busy)} busy process(es) started after calibration", flush=True)

    spec = load_catalog(store.settings).get("zusammenfassen")
    law = load_document(str(CORPUS / "gesetze" / "vwvfg.pdf"))
    first10 = Document(
        path=law.path,
        title=law.title,
        format=law.format,
        blocks=[b for b in law.blocks if b.page is not None and b.page <= 10],
    )
    jobs = [("summary_10p", first10, None), ("vwvfg_57p", law, True if args.thorough else None)]
    results = {}
    try:
        for name, doc, read_all in jobs:
            runner = TaskRunner.from_settings(backend, store.settings)
            if read_all:
                runner.max_read_tokens = None
            rates = rates_store.get(model) or rates
            plan = eta.plan_task(runner, spec, {"dokument": law.path}, doc)
            predicted = plan.seconds(rates)
            watch = Watch(eta.LiveEta(plan, rates))
            t0 = time.perf_counter()
            result = runner.run(spec, {"dokument": law.path}, ctx=watch, document=doc)
            actual = time.perf_counter() - t0
            rates_store.record(model, result.stats, plan)
            live = watch.at_quarter or predicted
            half = watch.at_half or predicted
            fill = {"map": rates.map_fill, "final": rates.fill}
            p_prompt = sum(rates.prompt_seconds(s.prompt, s.cached) for s in plan.steps)
            p_gen_tok = sum(s.max_new * fill[s.kind] for s in plan.steps)
            p_gen = sum(
                rates.gen_seconds(s.max_new * fill[s.kind], s.cached + s.prompt) for s in plan.steps
            )
            st = result.stats
            print(
                f"  prompt: predicted {p_prompt:.0f} s, actual {st.prompt_s:.0f} s "
                f"({st.n_prompt - st.n_cached} new tokens); generation: predicted "
                f"{p_gen_tok:.0f} tokens in {p_gen:.0f} s, actual {st.n_generated} in "
                f"{st.decode_s:.0f} s; document read {plan.load_s:.1f} s",
                flush=True,
            )
            results[name] = (predicted, actual, live, half)
            print(
                f"{name}: {len(plan.steps)} calls planned, {result.stats.calls} made; "
                f"predicted {predicted:.0f} s, actual {actual:.0f} s, ratio "
                f"{actual / predicted:.2f}; live estimate at 25 %: {live:.0f} s, ratio "
                f"{actual / live:.2f}; at 50 %: {half:.0f} s, ratio {actual / half:.2f}",
                flush=True,
            )
    finally:
        for p in busy:
            p.kill()
        backend.close()
    tag = "_load" if args.load else ""
    kv = []
    for name, (pred, act, live, half) in results.items():
        kv += [
            f"{name}{tag}_predicted_s={pred:.0f}",
            f"{name}{tag}_actual_s={act:.0f}",
            f"{name}{tag}_ratio={act / pred:.2f}",
            f"{name}{tag}_live_ratio={act / live:.2f}",
            f"{name}{tag}_live50_ratio={act / half:.2f}",
        ]
    print(" ".join(kv))


if __name__ == "__main__":
    main()
