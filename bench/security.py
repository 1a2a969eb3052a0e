"""Security review of issue 18 as a bench: every attack runs as a real process.

Two sets: ``security_inputs.py`` (hostile files, markup in strings, data at rest, loopback) and
``security_policy.py`` (IT's locks against a clerk without admin rights), if present. The
counts are added up (peak RSS: the largest), one line per attack, then one summary line:

    .venv/bin/python bench/security.py [--only NAME]

    attacks_tried=… held=… policy_bypasses=… files_read_outside=… network_attempts=…
    peak_rss_mb_max=…

Goal: held = attacks_tried, policy_bypasses = 0, files_read_outside = 0, network_attempts = 0,
peak_rss_mb_max ≤ 1536 (the parser worker on every hostile file; the GUI probes included).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

KEYS = (
    "attacks_tried",
    "held",
    "policy_bypasses",
    "files_read_outside",
    "network_attempts",
    "peak_rss_mb_max",
)


def attack_sets() -> list[tuple[str, Callable[..., dict[str, float]]]]:
    import security_inputs

    sets: list[tuple[str, Callable[..., dict[str, float]]]] = [
        ("inputs", security_inputs.run_attacks)
    ]
    try:
        import security_policy
    except ImportError:
        print("security_policy.py not found: policy attacks skipped")
    else:
        sets.append(("policy", security_policy.run_attacks))
    return sets


def combine(parts: list[dict[str, float]]) -> dict[str, int]:
    total = {k: 0 for k in KEYS}
    for part in parts:
        for key in KEYS:
            value = int(part.get(key, 0))
            total[key] = max(total[key], value) if key == "peak_rss_mb_max" else total[key] + value
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the attacks whose name contains this")
    args = parser.parse_args()
    parts = []
    for name, run in attack_sets():
        print(f"[{name}]", flush=True)
        parts.append(run(args.only, report=lambda line: print(line, flush=True)))
    total = combine(parts)
    print(" ".join(f"{k}={total[k]}" for k in KEYS))
    ok = total["held"] == total["attacks_tried"] and total["policy_bypasses"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
