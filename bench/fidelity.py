"""Fidelity: does what a clerk sees in Outlook or Word reach the text? (issue 20)

    .venv/bin/python bench/fidelity.py [--keep DIR]

Builds its own test files (bench/fidelity_files.py: forwarded, nested and digest e-mails,
Outlook items in other code pages, contacts and meetings, Word/OpenDocument footnotes,
comments and text boxes, Strict OOXML, HEIC/AVIF photos, a photo without text, 2–5 column
scans), reads each through the sandboxed parser exactly as the library does, and checks the
expected facts. Then a folder with the files a clerk's share holds (old .xls, .xlsb, a photo,
hidden and temporary files, a link to a private file outside the folder) is added to a real
library: every file must get an outcome, and the private file must not be read.

Verdicts: ``correct``; ``defects`` (read, but a fact is missing, a comment is unmarked or in
the body, the reading order is off: CER > 2 %, or refused for the wrong reason);
``false_refusals`` (refused although readable); ``silent_empty`` (read, no text);
``no_outcome`` (a file of the folder without an outcome line). Cases whose optional extra is
not installed (``msg``: extract-msg, ``heic``: pillow-heif) are listed as skipped.
The last line is one line of key=value pairs.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))  # doc_builders: the text PDF for attachments

from fidelity_files import Case, all_cases  # noqa: E402

from llmoin_desktop.core.documents.ocr_quality import cer  # noqa: E402

BODY_EXCLUDED = ("header", "footer")
NOTE_KINDS = ("note", "comment")


def available(need: str) -> bool:
    if not need:
        return True
    if need == "ocr":
        from llmoin_desktop.core.documents import ocr

        return ocr.is_available()
    if need == "pillow_heif" and not available("ocr"):
        return False
    return importlib.util.find_spec(need) is not None


def judge(case: Case, outcome: object) -> tuple[str, str]:
    """(verdict, note) for one parsed case."""
    status = getattr(outcome, "status", "")
    if case.expect.startswith("refused:"):
        want = case.expect.split(":", 1)[1]
        if status == want:
            return "correct", ""
        return "defect", f"expected refusal {want}, got {status}"
    if status != "indexed":
        return "false_refusal", f"{status}: {getattr(outcome, 'message', '')[:120]}"
    doc = outcome.document  # type: ignore[attr-defined]
    blocks = [b for b in doc.blocks if b.kind not in BODY_EXCLUDED]
    text = "\n".join(b.text for b in blocks)
    if not text.strip():
        return "silent_empty", ""
    problems: list[str] = []
    meta_text = " ".join(doc.metadata.values())
    for fact in case.facts:
        if fact not in text and fact not in meta_text:
            problems.append(f"missing {fact!r}")
    for key, value in case.meta.items():
        if key == "title":
            ok = doc.title == value
        elif key == "once":
            ok = text.count(value) == 1
        else:
            ok = doc.metadata.get(key) == value
        if not ok:
            got = doc.title if key == "title" else doc.metadata.get(key)
            problems.append(f"{key}={got!r}, expected {value!r}")
    body_only = "\n".join(b.text for b in blocks if b.kind not in NOTE_KINDS)
    for bad in case.absent:
        if bad in body_only or bad in doc.title:
            problems.append(f"{bad!r} in body text")
    for note, kind in case.marked.items():
        if not any(note in b.text and b.kind == kind for b in blocks):
            problems.append(f"{note!r} not marked as {kind}")
    for bad in case.no_warning:
        if any(bad in w for w in doc.warnings):
            problems.append(f"warning shows {bad!r}")
    if case.truth:
        rate = cer(text, case.truth)
        if rate > case.cer_max:
            problems.append(f"CER {rate:.3f} > {case.cer_max}")
    return ("defect", "; ".join(problems)) if problems else ("correct", "")


def folder_check(tmp: Path, parser: object) -> tuple[int, int, list[str]]:
    """(files, files without outcome, problems) for a clerk's folder added to a library."""
    from fidelity_files import _photo, old_xls, xlsb

    from llmoin_desktop.core.library import Library

    share = tmp / "share"
    private = tmp / "privat"
    share.mkdir(parents=True, exist_ok=True)
    private.mkdir(parents=True, exist_ok=True)
    (private / "notizen.txt").write_text("Geheime Notiz: Kontostand privat.", encoding="utf-8")
    (share / "bericht.txt").write_text("Bericht über die Sitzung.", encoding="utf-8")
    (share / "~$bericht.docx").write_bytes(b"\x00lock")
    (share / ".versteckt.txt").write_text("versteckt", encoding="utf-8")
    (share / "Thumbs.db").write_bytes(b"\x00")
    (share / "tabelle.xls").write_bytes(old_xls())
    (share / "mappe.xlsb").write_bytes(xlsb())
    (share / "archiv.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    if available("pillow_heif"):
        _photo("HEIF")(share / "foto.heic")
    problems: list[str] = []
    if hasattr(os, "symlink"):
        try:
            os.symlink(private / "notizen.txt", share / "protokoll.txt")
            os.symlink(private, share / "privat-ordner")
        except OSError:
            problems.append("no symlinks on this system (link rule not checked)")
    entries = sorted(p for p in share.iterdir())
    with Library(tmp / "lib", embedder=None, parser=parser) as lib:
        lib.add([share])
        report = lib.index_pending()
        outcomes = {o.path: o for o in report.outcomes}
        for doc in lib.documents():
            outcomes.setdefault(doc.path, doc)  # type: ignore[arg-type]
        texts = " ".join(c.text for c in lib.store.chunks(lib.store.chunk_ids()))
    missing = [p for p in entries if str(p) not in outcomes]
    for p in missing:
        problems.append(f"no outcome: {p.name}")
    if "Geheime Notiz" in texts:
        problems.append("the private file behind a link was read")
    print("\nfolder added to a library (every file needs an outcome):")
    for p in entries:
        o = outcomes.get(str(p))
        status = getattr(o, "status", "—")
        message = (getattr(o, "message", "") or "").replace("\n", " ")[:90]
        print(f"  {p.name:<18} {status:<10} {message}")
    return len(entries), len(missing), problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", metavar="DIR", help="write the test files here and keep them")
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args(argv)
    os.environ["LLMOIN_CACHE_DIR"] = tempfile.mkdtemp(prefix="fidelity-ocr-cache-")

    from llmoin_desktop.core.documents import DocumentParser
    from llmoin_desktop.core.documents.sandbox import default_workers

    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="fidelity-"))
    files_dir = tmp / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    cases, skipped = [], []
    for case in all_cases():
        if not available(case.needs):
            skipped.append(case)
            continue
        case.make(files_dir / case.name)
        cases.append(case)

    started = time.perf_counter()
    counts = {"correct": 0, "defect": 0, "false_refusal": 0, "silent_empty": 0}
    with DocumentParser(workers=default_workers(), timeout_s=args.timeout) as parser:
        outcomes = parser.parse_many([files_dir / c.name for c in cases])
        print(f"{'file':<30} {'group':<6} {'outcome':<20} verdict")
        for case, outcome in zip(cases, outcomes, strict=True):
            verdict, note = judge(case, outcome)
            counts[verdict] += 1
            print(f"{case.name:<30} {case.group:<6} {outcome.status:<20} {verdict} {note}")
        n_folder, no_outcome, folder_problems = folder_check(tmp / "folder", parser)
    for case in skipped:
        print(f"{case.name:<30} {case.group:<6} {'skipped':<20} (needs {case.needs})")
    for problem in folder_problems:
        print("folder:", problem)
    seconds = time.perf_counter() - started
    print(f"\n{len(cases)} files in {seconds:.1f} s; test files in {files_dir}")
    folder_defects = sum(1 for p in folder_problems if "private" in p)
    print(
        f"files={len(cases)} correct={counts['correct']} defects={counts['defect'] + folder_defects} "
        f"false_refusals={counts['false_refusal']} silent_empty={counts['silent_empty']} "
        f"no_outcome={no_outcome} folder_files={n_folder} skipped={len(skipped)}"
    )
    bad = counts["defect"] + counts["false_refusal"] + counts["silent_empty"] + no_outcome
    return 1 if bad or folder_defects else 0


if __name__ == "__main__":
    sys.exit(main())
