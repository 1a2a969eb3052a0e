"""Run ingestion over a folder of real-world and broken files; print file → outcome → seconds.

    .venv/bin/python bench/wild.py [FOLDER]      (default: ../shared/corpus/wild)

Every file goes through the sandbox exactly as the library does it (worker processes,
30 s time limit, memory cap). When FOLDER/../wild-expected.json exists, each outcome is
compared with it. The last line is one line of key=value pairs for scripts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from llmoin_desktop.core.documents import DocumentParser  # noqa: E402
from llmoin_desktop.core.documents.sandbox import default_workers  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "corpus" / "wild"
MATCHES = {
    "text": {"indexed"},
    "password_protected": {"password_protected"},
    "no_text_layer": {"no_text_layer"},
    "damaged_or_wrong_format": {"damaged", "wrong_format"},
}


def _load_expected(folder: Path) -> dict[str, str]:
    for candidate in (
        folder / "wild-expected.json",
        folder.parent / f"{folder.name}-expected.json",
    ):
        if candidate.is_file():
            return json.loads(candidate.read_text(encoding="utf-8"))
    return {}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(DEFAULT))
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=default_workers())
    args = ap.parse_args(argv)
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"folder not found: {folder}", file=sys.stderr)
        return 2
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    expected = _load_expected(folder)

    started = time.perf_counter()
    with DocumentParser(workers=args.workers, timeout_s=args.timeout) as parser:
        outcomes = parser.parse_many(files)
    total = time.perf_counter() - started

    width = max((len(str(f.relative_to(folder))) for f in files), default=4)
    print(f"{'file':<{width}}  {'outcome':<18} {'seconds':>7}  {'expected':<24} note")
    unexpected = indexed = 0
    for path, outcome in zip(files, outcomes, strict=True):
        name = str(path.relative_to(folder))
        want = expected.get(path.name, "")
        status = outcome.status
        if status == "indexed":
            indexed += 1
        partial = status == "indexed" and bool(outcome.document and outcome.document.warnings)
        ok = (
            not want
            or status in MATCHES.get(want, {want})
            or (want == "damaged_or_wrong_format" and partial)
        )
        if not ok:
            unexpected += 1
        note = outcome.message.replace("\n", " ")
        if outcome.document is not None:
            doc = outcome.document
            pages = f" pages={doc.n_pages}" if doc.n_pages else ""
            note = f"blocks={len(doc.blocks)} chars={len(doc.text)}{pages} {note}".strip()
        flag = "" if ok else "UNEXPECTED "
        print(
            f"{name:<{width}}  {status:<18} {outcome.seconds:7.2f}  {want:<24} {flag}{note[:110]}"
        )
    max_s = max((o.seconds for o in outcomes), default=0.0)
    print(
        f"files={len(files)} indexed={indexed} rejected={len(files) - indexed} "
        f"unexpected={unexpected} max_s={max_s:.2f} total_s={total:.2f} "
        f"workers={args.workers} compared={'yes' if expected else 'no'}"
    )
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
