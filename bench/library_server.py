"""Shared library on a Chroma server: what a clerk's PC pays for the first sync and later ones.

Starts ``chroma run`` on a free 127.0.0.1 port with a temporary data folder, indexes the
corpus folder on "PC A" (pushing to the server), then opens an empty "PC B" with the same
server (first sync: pulls everything) and syncs again with nothing changed. Prints the
figures and, last, ``key=value`` pairs for scripts.

    .venv/bin/python bench/library_server.py [--corpus ../shared/corpus/gesetze]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from llmoin_desktop.core.library import Library  # noqa: E402
from llmoin_desktop.core.loopback import free_port, stop_process  # noqa: E402


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "gesetze")
    args = ap.parse_args()
    cli = Path(sys.executable).parent / "chroma"
    work = Path(tempfile.mkdtemp(prefix="llmoin-libserver-"))
    port = free_port()
    proc = subprocess.Popen(
        [
            str(cli),
            "run",
            "--path",
            str(work / "chroma"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        t0 = time.perf_counter()
        with Library.open(work / "pc-a", server=url) as a:
            a.add([args.corpus])
            report = a.index_pending()
            t_index = time.perf_counter() - t0
            chunks = len(a.store.chunk_ids())
        t0 = time.perf_counter()
        with Library.open(work / "pc-b", server=url) as b:
            t_first = time.perf_counter() - t0
            assert len(b.store.chunk_ids()) == chunks
            t0 = time.perf_counter()
            again = b.sync()
            t_again = time.perf_counter() - t0
            t0 = time.perf_counter()
            hits = b.search("Wartezeit für den Urlaubsanspruch", k=5)
            t_search = time.perf_counter() - t0
        size = folder_size(work / "chroma")
        print(
            f"PC A indexed {report.count('indexed')} files, {chunks} chunks, push included: "
            f"{t_index:.1f} s"
        )
        print(f"PC B first open (check + full pull of {chunks} chunks): {t_first:.2f} s")
        print(f"PC B sync with nothing changed: {t_again * 1000:.0f} ms ({again})")
        print(
            f"PC B search on the mirror: {t_search * 1000:.0f} ms, top hit "
            f"{Path(hits[0].path).name if hits else '-'}"
        )
        print(
            f"server data folder: {size / 1e6:.1f} MB ({size / max(chunks, 1) / 1e3:.1f} KB/chunk)"
        )
        print(
            f"files={report.count('indexed')} chunks={chunks} index_s={t_index:.1f} "
            f"first_open_s={t_first:.2f} sync_nochange_ms={t_again * 1000:.0f} "
            f"search_ms={t_search * 1000:.0f} server_mb={size / 1e6:.1f}"
        )
        return 0
    finally:
        stop_process(proc)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
