"""Synopsis (Fassungen vergleichen) against edits it makes itself: precision and recall.

Run: .venv/bin/python bench/synopsis.py [--file ../shared/corpus/gesetze/vwvfg.pdf]
     [--edits 10] [--seed 1] [--seeds 3]

Takes a corpus law (PDF, Markdown, DOCX), cuts it into units (§ headings and paragraphs),
makes a second version with ``--edits`` seeded edits of every kind (changed, inserted,
deleted, moved paragraphs), writes it as a Markdown file and reads it back through the normal
loaders, runs the synopsis (code only, no model) and prints which edits it found. First it
checks that the unedited law written back the same way gives no differences at all (so the
file round trip cannot hide or invent changes). Goal: precision 1.0 and recall 1.0.
The last line is ``key=value`` pairs.
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

from llmoin_desktop.core.tasks.sources import load_document  # noqa: E402
from llmoin_desktop.core.tasks.synopsis import compare, to_markdown, units_of  # noqa: E402
from llmoin_desktop.core.tasks.synopsis_eval import (  # noqa: E402
    KINDS,
    make_version,
    render_markdown,
    score,
)

CORPUS = ROOT.parent / "shared" / "corpus" / "gesetze"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--file", type=Path, default=CORPUS / "vwvfg.pdf")
    ap.add_argument("--edits", type=int, default=10, help="edits of each kind per run")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", type=int, default=3, help="runs with seeds seed, seed+1, …")
    args = ap.parse_args()

    t0 = time.perf_counter()
    old = load_document(args.file)
    load_s = time.perf_counter() - t0
    units = units_of(old)
    n_heads = sum(u.kind == "heading" for u in units)
    print(f"{args.file.name}: {len(units)} units ({n_heads} headings), read in {load_s:.1f} s")

    work = Path(tempfile.mkdtemp(prefix="llmoin-synopsis-"))
    same = work / f"{args.file.stem}_unveraendert.md"
    same.write_text(render_markdown(units), encoding="utf-8")
    roundtrip = compare(old, load_document(same)).differences
    print(f"round trip without edits: {len(roundtrip)} differences (must be 0)")
    for r in roundtrip[:5]:
        print(f"  {r.status}: {r.ref}")

    totals = {"found": 0, "reported": 0, "expected": 0}
    per_kind = {k: [0, 0] for k in KINDS}
    compare_s: list[float] = []
    for seed in range(args.seed, args.seed + args.seeds):
        new_units, truth = make_version(units, args.edits, seed=seed)
        new_file = work / f"{args.file.stem}_neu_{seed}.md"
        new_file.write_text(render_markdown(new_units), encoding="utf-8")
        new = load_document(new_file)
        t1 = time.perf_counter()
        syn = compare(old, new, args.file.name, new_file.name)
        compare_s.append(time.perf_counter() - t1)
        s = score(syn, truth)
        totals["found"] += s.found
        totals["reported"] += s.reported
        totals["expected"] += s.expected
        for k, (f, e) in s.by_kind.items():
            per_kind[k][0] += f
            per_kind[k][1] += e
        kinds = ", ".join(f"{k} {f}/{e}" for k, (f, e) in s.by_kind.items())
        print(
            f"seed {seed}: precision {s.precision:.3f} recall {s.recall:.3f} "
            f"({kinds}); compare {compare_s[-1]:.2f} s"
        )
        for item in s.false[:5]:
            print(f"  reported, not an edit: {item[0]}: {item[1][:60]!r} → {item[2][:60]!r}")
        for item in s.missed[:5]:
            print(f"  edit not found: {item[0]}: {item[1][:60]!r} → {item[2][:60]!r}")
        if seed == args.seed:
            md = to_markdown(syn)
            print(f"  synopsis text: {len(md)} characters, {md.count(chr(10) + '| ') - 1} rows")

    precision = totals["found"] / totals["reported"] if totals["reported"] else 1.0
    recall = totals["found"] / totals["expected"] if totals["expected"] else 1.0
    print(
        f"total: precision {precision:.3f}, recall {recall:.3f} over {totals['expected']} edits "
        f"({args.seeds} runs × {args.edits} of each kind); "
        + ", ".join(f"{k} {f}/{e}" for k, (f, e) in per_kind.items())
    )
    print(
        f"law={args.file.name} units={len(units)} edits={totals['expected']} "
        f"roundtrip_diffs={len(roundtrip)} precision={precision:.3f} recall={recall:.3f} "
        f"compare_s={max(compare_s):.2f} load_s={load_s:.1f}"
    )
    return 0 if (precision, recall, len(roundtrip)) == (1.0, 1.0, 0) else 1


if __name__ == "__main__":
    sys.exit(main())
