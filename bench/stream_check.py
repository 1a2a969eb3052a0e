"""Cost of the fact check while a result streams (issue 19, docs/factcheck.md).

A 2-page faithful "result" (pages 5-6 of the VwVfG PDF, as the model would quote them) is
fed in pieces of 4 words, about what a small model writes on an office CPU in 400 ms; after
each piece the complete sentences so far are checked against the whole 57-page VwVfG, as
``ui/factcheck_stream.py`` does in its worker. Prints the time per check (the worst one is
the whole text) and the final check.

    .venv/bin/python bench/stream_check.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from llmoin_desktop.core.factcheck import SourceIndex, check_text  # noqa: E402
from llmoin_desktop.core.factcheck.sources import load_sources  # noqa: E402
from llmoin_desktop.ui.factcheck_stream import complete_part  # noqa: E402

SOURCE = ROOT.parent / "shared" / "corpus" / "gesetze" / "vwvfg.pdf"


def main() -> None:
    sources = load_sources([SOURCE])
    started = time.perf_counter()
    index = SourceIndex(sources)
    index_ms = (time.perf_counter() - started) * 1000
    result = "\n\n".join(s.text for s in sources if s.page in (5, 6))
    words = result.split(" ")
    times: list[float] = []
    done = 0
    for i in range(4, len(words) + 4, 4):
        part = complete_part(" ".join(words[:i]))
        if len(part) <= done:
            continue
        done = len(part)
        t = time.perf_counter()
        check_text(part, index)
        times.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    final = check_text(result, index)
    final_ms = (time.perf_counter() - t) * 1000
    print(
        f"pages={len(sources)} result_chars={len(result)} facts={len(final.verdicts)} "
        f"index_ms={index_ms:.0f} checks={len(times)} mean_ms={statistics.mean(times):.1f} "
        f"max_ms={max(times):.1f} final_ms={final_ms:.1f} "
        f"stream_total_ms={sum(times):.0f}"
    )


if __name__ == "__main__":
    main()
