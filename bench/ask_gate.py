"""What "Dokumente fragen" hands to the model: the relevance gate after the search.

Usage::

    .venv/bin/python bench/ask_gate.py QUESTIONS.jsonl [--off-topic FILE] [--corpus DIR]

Indexes DIR (default ../shared/corpus/gesetze) into a fresh temporary library and runs, for
every question, the same search (``PASSAGES`` results) and the same gate
(``core.tasks.ask.relevant_hits``) as the ask task — no model is needed. The gate exists so
that a question the documents do not answer gets "nothing found" instead of an answer from
the model's memory; it must not turn away a passage the search did find.

Prints, for the questions (JSONL with ``question`` and ``quote``, hit as in retrieval.py):
how many had the answer among the results, how many of those kept it after the gate, and how
many got "nothing found"; for the off-topic questions (one per line, ``#`` comments;
default bench/data/off_topic_questions.txt — questions these laws do not answer) how many
were turned away. The last line is machine-readable key=value pairs.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from llmoin_desktop.core.library import Library  # noqa: E402
from llmoin_desktop.core.tasks.ask import relevant_hits  # noqa: E402
from llmoin_desktop.core.tasks.library_task import PASSAGES  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from retrieval import holds_half  # noqa: E402


def read_lines(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("questions", type=Path)
    ap.add_argument("--off-topic", type=Path, default=ROOT / "bench/data/off_topic_questions.txt")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "gesetze")
    ap.add_argument("--verbose", "-v", action="store_true", help="name every question that fails")
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus folder not found: {args.corpus}", file=sys.stderr)
        return 2
    questions = [json.loads(line) for line in read_lines(args.questions)]
    off_topic = read_lines(args.off_topic)

    with tempfile.TemporaryDirectory(prefix="llmoin-gate-") as tmp:
        lib = Library.open(Path(tmp) / "lib")
        lib.add([args.corpus])
        lib.index_pending()
        retrieved = kept = nothing = 0
        for q in questions:
            hits = lib.search(q["question"], k=PASSAGES)
            passed = relevant_hits(q["question"], hits)
            nothing += not passed
            if any(holds_half(h.text, q["quote"]) for h in hits):
                retrieved += 1
                if any(holds_half(h.text, q["quote"]) for h in passed):
                    kept += 1
                elif args.verbose:
                    print(f"  gate drops the answer: {q.get('id', '?')}")
        turned_away = 0
        for text in off_topic:
            passed = relevant_hits(text, lib.search(text, k=PASSAGES))
            turned_away += not passed
            if passed and args.verbose:
                print(f"  off-topic passes: {text}")
        lib.close()

    n, m = len(questions), len(off_topic)
    print(f"questions:            {n}")
    print(f"answer among {PASSAGES} hits: {retrieved}")
    print(f"  … kept by the gate: {kept}")
    print(f"'nothing found':      {nothing}")
    print(f"off-topic questions:  {m}, turned away {turned_away}")
    print(
        f"retrieved={retrieved} kept={kept} kept_share={kept / max(1, retrieved):.3f}"
        f" nothing_found={nothing} off_topic={m} off_topic_turned_away={turned_away}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
