"""Fast on a busy office PC (issue 24): the model's speed with busy background programs.

Busy programs are ``python -c 'while True: pass'`` loops at normal priority (nice 0: a virus
scan, a browser tab) or at the lowest (nice 19). Because the machine this runs on is rarely
quiet (other jobs come and go), every busy measurement is paired with quiet ones taken
just before and after it, and the figures are *ratios* within those pairs (medians over the
rounds), never absolute rates from different minutes.

Parts (``--quick``: fewer rounds and tokens, no fixed-thread comparison, 3 laws, no GUI):
1. chat decode and prompt rate, app default threads: quiet vs N×nice 19 (N = cores) and
   N/2×nice 0; with ``--fixed`` also for fixed thread counts (cores and 1);
2. the live time estimate when one busy program appears a quarter into a long answer:
   actual/predicted at half-way (``eta_ratio_busy``, goal 0.75–1.33);
3. a neighbour's CPU loop (nice 0) while the library indexes the laws of
   ../shared/corpus/gesetze, against the same loop in quiet windows before and after
   (``neighbour_loop_ratio``, goal ≥ 0.8: the app yields);
4. (full run) bench/gui_latency.py with N busy programs at nice 0 (``gui_max_gap_ms_busy``).

    .venv/bin/python bench/busy_pc.py [--quick] [--fixed] [--rounds 3] [--model PATH]

Last line: key=value pairs. Goals: decode and prompt ≥ 0.85 of quiet with N×nice 19, decode
≥ 0.45 with one nice-0 program per two cores.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from llmoin_desktop.core.engine.backend import GenerationParams  # noqa: E402
from llmoin_desktop.core.engine.catalog import find_demo_model  # noqa: E402
from llmoin_desktop.core.engine.local import LocalBackend  # noqa: E402
from llmoin_desktop.core.engine.threads import (  # noqa: E402
    ThreadGovernor,
    physical_cores,
    plan_threads,
)
from llmoin_desktop.core.jobs import CancelToken  # noqa: E402
from llmoin_desktop.core.settings.config import SettingsStore  # noqa: E402
from llmoin_desktop.core.tasks import eta  # noqa: E402

LAWS = ROOT.parent / "shared" / "corpus" / "gesetze"
FILLER = (
    "Die Verwaltung bearbeitet Anträge der Bürgerinnen und Bürger zügig, sorgfältig und "
    "nach Recht und Gesetz. Jede Entscheidung wird begründet und schriftlich mitgeteilt. "
)
LOOP = "import os, sys\ntry:\n    os.nice({nice})\nexcept Exception:\n    pass\nwhile True:\n    pass\n"
COUNTER = (
    "import sys, time\nn = 0\nt = time.perf_counter() + 0.25\nwhile True:\n    n += 1\n"
    "    if n % 20000 == 0 and time.perf_counter() >= t:\n"
    "        print(n, flush=True)\n        n = 0\n        t += 0.25\n"
)
CALL_BUDGET_S = 20.0
INDEX_CAP_S = 45.0  # the neighbour is measured during at most this much indexing  # one measurement at most (a fixed-thread collapse would take minutes)


@contextlib.contextmanager
def busy(count: int, nice: int) -> Iterator[None]:
    """``count`` CPU loops at ``nice``; stopped (by their own process ids) afterwards."""
    procs = [subprocess.Popen([sys.executable, "-c", LOOP.format(nice=nice)]) for _ in range(count)]
    time.sleep(0.6 if count else 0.0)  # let the load figure see them, as on a real PC
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.wait()


class Counter:
    """A neighbour program: counts loop turns, reports every 0.25 s on stdout."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", COUNTER], stdout=subprocess.PIPE, text=True
        )
        self.samples: list[tuple[float, int]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with contextlib.suppress(ValueError):
                self.samples.append((time.monotonic(), int(line)))

    def rate(self, t0: float, t1: float) -> float:
        turns = [n for t, n in self.samples if t0 < t <= t1]
        return sum(turns) / max(1e-3, t1 - t0)

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def prompt_text(backend: LocalBackend, n_tokens: int) -> str:
    text = FILLER
    while len(backend.tokenize(text)) < n_tokens:
        text += FILLER
    return text


def measure(backend: LocalBackend, prompt: str, n_gen: int, seed: int) -> tuple[float, float]:
    """(prompt tokens/s, decode tokens/s) of one fresh call, cut off after CALL_BUDGET_S."""
    backend.clear_cache()
    cancel = CancelToken()
    timer = threading.Timer(CALL_BUDGET_S, cancel.cancel)
    timer.start()
    try:
        res = backend.chat(
            [{"role": "user", "content": f"{seed} {prompt}"}],
            GenerationParams(max_tokens=n_gen, temperature=0.0, ignore_eos=True),
            cancel=cancel,
        )
    finally:
        timer.cancel()
    n_new = max(1, res.n_prompt - res.n_cached)
    prompt_tps = n_new / res.ttft_s if res.ttft_s else n_new / CALL_BUDGET_S
    decode = res.tokens_per_s or (res.n_generated / CALL_BUDGET_S)
    return prompt_tps, decode


def set_threads(backend: LocalBackend, fixed: int, auto: ThreadGovernor) -> None:
    """``fixed`` > 0: that many threads, governor off (as ``n_threads = fixed``); 0: the app."""

    def work() -> None:
        backend._governor = ThreadGovernor(plan_threads(fixed), None) if fixed else auto
        gov = backend._governor
        backend._threads_apply((gov.gen, gov.batch))

    backend._call(work)


def pairs(
    backend: LocalBackend, prompt: str, n_gen: int, rounds: int, cores: int
) -> dict[str, list[float]]:
    """Interleaved quiet/busy measurements; ratios against the mean of the adjacent quiets."""
    out: dict[str, list[float]] = {}
    loads = [("nice19", cores, 19), ("nice0", max(1, cores // 2), 0)]
    seed = 0
    quiet_prev = measure(backend, prompt, n_gen, seed)
    for _round in range(rounds):
        for name, count, nice in loads:
            seed += 1
            with busy(count, nice):
                loaded = measure(backend, prompt, n_gen, seed)
            seed += 1
            quiet_next = measure(backend, prompt, n_gen, seed)
            base_p = (quiet_prev[0] + quiet_next[0]) / 2
            base_d = (quiet_prev[1] + quiet_next[1]) / 2
            out.setdefault(f"prompt_{name}", []).append(loaded[0] / base_p)
            out.setdefault(f"decode_{name}", []).append(loaded[1] / base_d)
            out.setdefault("quiet_decode", []).append(base_d)
            out.setdefault("quiet_prompt", []).append(base_p)
            print(
                f"  {name:6s} x{count}: prompt {loaded[0]:7.1f} vs quiet {base_p:7.1f} tok/s, "
                f"decode {loaded[1]:6.1f} vs quiet {base_d:6.1f} tok/s "
                f"(threads now {backend._governor.gen if backend._governor else '?'})",
                flush=True,
            )
            quiet_prev = quiet_next
    return out


def eta_under_load(backend: LocalBackend, prompt: str, n_gen: int) -> tuple[float, float]:
    """(actual/live prediction at half-way, actual/plan) with a busy program from 25 %."""
    backend.clear_cache()
    calib = backend.chat(
        [{"role": "user", "content": "0 " + prompt}],
        GenerationParams(max_tokens=64, temperature=0.0, ignore_eos=True),
    )
    rates = eta.rates_from_result(calib, 0.0)
    rates.fill = 1.0
    n_prompt = calib.n_prompt
    plan = eta.Plan(steps=[eta.Step("final", n_prompt, n_gen, 0)])
    backend.clear_cache()
    live = eta.LiveEta(plan, rates)
    state: dict[str, object] = {"n": 0}
    stack = contextlib.ExitStack()

    def on_token(text: str) -> None:
        live.token(text)
        state["n"] = int(state["n"]) + 1  # type: ignore[call-overload]
        n = int(state["n"])  # type: ignore[call-overload]
        if n == n_gen // 4:
            stack.enter_context(busy(1, 0))
        if n == n_gen // 2:
            state["predicted"] = time.monotonic() - live.started + live.remaining()

    t0 = time.monotonic()
    try:
        backend.chat(
            [{"role": "user", "content": "1 " + prompt}],
            GenerationParams(max_tokens=n_gen, temperature=0.0, ignore_eos=True),
            on_token=on_token,
        )
    finally:
        stack.close()
    actual = time.monotonic() - t0
    predicted = float(state.get("predicted") or actual)  # type: ignore[arg-type]
    print(
        f"  plan {live.total_s:.1f} s, live prediction at half-way {predicted:.1f} s, "
        f"actual {actual:.1f} s",
        flush=True,
    )
    return actual / predicted, actual / max(live.total_s, 1e-3)


def neighbour_while_indexing(n_laws: int) -> tuple[float, float, int, int]:
    """(neighbour loop rate while indexing / quiet, indexing seconds, files, pages)."""
    from llmoin_desktop.core.library import Library

    laws = sorted(p for p in LAWS.iterdir() if p.is_file())[:n_laws] if LAWS.is_dir() else []
    if not laws:
        return 0.0, 0.0, 0, 0
    counter = Counter()
    try:
        time.sleep(1.0)
        q0 = time.monotonic()
        time.sleep(4.0)
        q1 = time.monotonic()
        with tempfile.TemporaryDirectory() as tmp:
            lib = Library.open(Path(tmp) / "lib")
            try:
                # As the app runs it: a job (on its own thread), stopped after INDEX_CAP_S.
                job = lib.index_job(laws)
                worker = threading.Thread(target=job.run, daemon=True)
                i0 = time.monotonic()
                worker.start()
                worker.join(INDEX_CAP_S)
                i1 = time.monotonic()
                if worker.is_alive():
                    job.cancel()
                    worker.join(60)
                report = job.result
                done = sum(1 for o in report.outcomes if o.status == "indexed") if report else 0
                pages = report.pages if report else 0
            finally:
                lib.close()
        time.sleep(0.5)
        a0 = time.monotonic()
        time.sleep(4.0)
        a1 = time.monotonic()
        quiet = (counter.rate(q0, q1) + counter.rate(a0, a1)) / 2
        during = counter.rate(i0 + 0.5, i1) if i1 - i0 > 1.0 else counter.rate(i0, i1)
    finally:
        counter.stop()
    print(
        f"  indexed {done} of {len(laws)} files in {i1 - i0:.1f} s; neighbour loop {during:,.0f}/s while "
        f"indexing vs {quiet:,.0f}/s quiet",
        flush=True,
    )
    return during / max(quiet, 1e-6), i1 - i0, done, pages


def gui_under_load(cores: int) -> tuple[float, float]:
    """(max event-loop gap ms, Stop ms) of bench/gui_latency.py with busy nice-0 programs."""
    with busy(cores, 0):
        proc = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "gui_latency.py"), "--tokens", "128"],
            capture_output=True,
            text=True,
            timeout=300,
        )
    last = (proc.stdout.strip().splitlines() or [""])[-1]
    values = dict(kv.split("=", 1) for kv in last.split() if "=" in kv)
    return float(values.get("max_gap_ms", "nan")), float(values.get("ui_stop_ms", "nan"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--fixed", action="store_true", help="also fixed thread counts")
    ap.add_argument("--rounds", type=int, default=0)
    ap.add_argument("--no-index", action="store_true")
    ap.add_argument("--no-gui", action="store_true")
    args = ap.parse_args()
    model = args.model or find_demo_model()
    if model is None:
        print("demo model not installed: pip install -e '.[demo]'", file=sys.stderr)
        return 1
    rounds = args.rounds or (1 if args.quick else 3)
    n_gen = 48 if args.quick else 96
    cores = physical_cores()
    figures: dict[str, str] = {}
    t_start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        store = SettingsStore(config_dir=Path(tmp) / "c", policy_dir=Path(tmp) / "p")
        store.set("n_ctx", 4096)
        backend = LocalBackend(store, idle_unload_s=0)
        backend.load(model)
        auto = backend._governor
        assert auto is not None
        prompt = prompt_text(backend, 384)
        backend.chat([{"role": "user", "content": "Hallo"}], GenerationParams(max_tokens=4))
        print(f"model={model.name} cores={cores} plan={auto.plan.describe()}", flush=True)
        modes = [0] + ([cores, 1] if args.fixed and not args.quick else [])
        for fixed in modes:
            label = "app default" if not fixed else f"fixed {fixed} threads"
            print(f"{label}:", flush=True)
            set_threads(backend, fixed, auto)
            got = pairs(backend, prompt, n_gen, rounds if not fixed else 1, cores)
            tag = "" if not fixed else f"_t{fixed}"
            for key in ("decode_nice19", "decode_nice0", "prompt_nice19", "prompt_nice0"):
                kind, load = key.split("_")
                figures[f"{kind}_busy_vs_quiet_{load}{tag}"] = f"{statistics.median(got[key]):.2f}"
            if not fixed:
                figures["quiet_decode_tps"] = f"{statistics.median(got['quiet_decode']):.1f}"
                figures["quiet_prompt_tps"] = f"{statistics.median(got['quiet_prompt']):.1f}"
                figures["governor_steps_down"] = str(auto.steps_down)
        set_threads(backend, 0, auto)
        print("time estimate, one busy program from a quarter of the answer:", flush=True)
        # A job of about half a minute (quiet): shorter ones end before the live estimate's
        # running average (eta_live.FOLLOW_S, 6 s) can follow the change it is meant to show,
        # and one blip of the busy program's start then decides the figure.
        live_ratio, plan_ratio = eta_under_load(backend, prompt, 400 if args.quick else 2400)
        figures["eta_ratio_busy"] = f"{live_ratio:.2f}"
        figures["eta_plan_ratio_busy"] = f"{plan_ratio:.2f}"
        backend.close()
    if not args.no_index:
        print("neighbour loop while the library indexes:", flush=True)
        ratio, index_s, files, pages = neighbour_while_indexing(3 if args.quick else 14)
        figures["neighbour_loop_ratio"] = f"{ratio:.2f}"
        figures["index_s"] = f"{index_s:.1f}"
        figures["index_files"] = str(files)
        figures["index_pages_per_s"] = f"{pages / max(index_s, 1e-3):.2f}"
    if not args.quick and not args.no_gui:
        print(f"GUI with {cores} busy programs (nice 0):", flush=True)
        gap, stop = gui_under_load(cores)
        figures["gui_max_gap_ms_busy"] = f"{gap:.1f}"
        figures["gui_stop_ms_busy"] = f"{stop:.0f}"
    figures["bench_s"] = f"{time.monotonic() - t_start:.0f}"
    figures["cores"] = str(cores)
    print(" ".join(f"{k}={v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
