"""Fault matrix: break settings, policy, history and library the way the field does, run the
real program, and count what survived.

    .venv/bin/python bench/faults.py [--only SUBSTRING] [--keep]

Cases come from ``bench/fault_cases_data.py`` (history, library, disk full, odd names, two
processes, Ctrl+C) and ``bench/fault_cases_config.py`` (settings and policy; skipped if that
module is not there). Each case runs in its own temp folder against real child processes.
Prints one line per case and finally
``faults_tried=… survived=… lost_items=… tracebacks=…`` (goal: all survived, 0, 0).
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from fault_cases_common import FaultCase, FaultOutcome  # noqa: E402


def load_cases() -> list[FaultCase]:
    cases: list[FaultCase] = []
    for name in ("fault_cases_data", "fault_cases_config"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            print(f"# {name}.py not found: skipped", flush=True)
            continue
        cases.extend(module.CASES)
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run only cases whose name contains this")
    parser.add_argument("--keep", action="store_true", help="keep the temp folders")
    args = parser.parse_args()
    cases = [c for c in load_cases() if args.only in c.name]
    tried = survived = lost = tracebacks = 0
    for case in cases:
        base = Path(tempfile.mkdtemp(prefix=f"fault-{case.name}-"))
        t0 = time.perf_counter()
        try:
            result = case.run(base)
        except Exception as exc:  # noqa: BLE001 - a broken case is a failed case, not a crash
            result = FaultOutcome(False, 0, False, f"case error: {exc!r}")
            traceback.print_exc()
        seconds = time.perf_counter() - t0
        if result.skipped:
            print(f"skip {case.name:38} {result.detail}", flush=True)
            shutil.rmtree(base, ignore_errors=True)
            continue
        tried += 1
        survived += result.survived
        lost += result.lost_items
        tracebacks += result.traceback
        mark = "ok  " if result.survived else "FAIL"
        print(
            f"{mark} {case.name:38} lost={result.lost_items} tb={int(result.traceback)} "
            f"{seconds:5.1f}s  {result.detail}",
            flush=True,
        )
        if args.keep:
            print(f"     kept: {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    print(f"faults_tried={tried} survived={survived} lost_items={lost} tracebacks={tracebacks}")
    return 0 if survived == tried and not lost and not tracebacks else 1


if __name__ == "__main__":
    sys.exit(main())
