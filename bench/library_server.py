"""Shared library on a Chroma server with a key, and several clerks asking one model server.

Part 1 (``--library``): starts ``chroma run`` on a free 127.0.0.1 port behind the token check
(``core/library/token_proxy.py``; chromadb 1.x's ``chroma run`` does not check Chroma's
``CHROMA_SERVER_AUTHN_*`` itself), indexes the corpus on "PC A" (pushing with the key), opens
an empty "PC B" with the same server and key (first sync: pulls everything), syncs again with
nothing changed, searches on B's mirror and checks that a wrong key is refused. Searches
always run on the PC's mirror, so search figures through a server equal the local ones
(bench/scale.py); what the server adds is the sync.

Part 2 (``--clients``): an inference server with the demo model on 127.0.0.1 and N clerks, each
its own ``llmoin-desktop ask`` process with its own copy of the library, R rounds at once. Counts
completed answers, "busy" messages, tracebacks and hangs. ``--server python`` (default):
llama-cpp-python's server, started with ``--interrupt_requests False`` (by default it cuts off a
running answer whenever another request waits), one answer at a time. ``--server llama-server``:
llama.cpp's own server with ``--parallel`` slots (continuous batching), the one docs/rollout.md
recommends; build it first with ``scripts/build_llama_server.sh``.

    .venv/bin/python bench/library_server.py [--library] [--clients 10 --rounds 3]
        [--server llama-server --parallel 4]

The last line is ``key=value`` pairs for scripts.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from llmoin_desktop.core.library import Library  # noqa: E402
from llmoin_desktop.core.library.server import LibraryServerError  # noqa: E402
from llmoin_desktop.core.library.token_proxy import serve  # noqa: E402
from llmoin_desktop.core.offline.loopback import free_port, stop_process  # noqa: E402

TOKEN = "bench-bibliothek-schluessel"
QUESTIONS = [
    "Wie lange habe ich Zeit, mich nach einem Umzug anzumelden?",
    "Wie viele Urlaubstage stehen mir mindestens zu?",
    "Wann wird Reisekostenvergütung gezahlt?",
    "Wer darf Akteneinsicht nehmen?",
    "Wie lange gilt der Personalausweis?",
]


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def library_part(corpus: Path, work: Path) -> dict[str, object]:
    cli = Path(sys.executable).parent / "chroma"
    port = free_port()
    proc = subprocess.Popen(
        [str(cli), "run", "--path", str(work / "chroma"), "--host", "127.0.0.1", "--port",
         str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )  # fmt: skip
    proxy = None
    try:
        upstream = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{upstream}/api/v2/heartbeat", timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        proxy = serve(TOKEN, upstream, "127.0.0.1", free_port())
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{proxy.server_address[1]}"
        opts = {"server": url, "server_from_policy": True, "server_token": TOKEN}
        t0 = time.perf_counter()
        with Library.open(work / "pc-a", **opts) as a:
            a.add([corpus])
            report = a.index_pending()
            t_index = time.perf_counter() - t0
            chunks = len(a.store.chunk_ids())
        t0 = time.perf_counter()
        with Library.open(work / "pc-b", **opts) as b:
            t_first = time.perf_counter() - t0
            assert len(b.store.chunk_ids()) == chunks
            t0 = time.perf_counter()
            b.sync()
            t_again = time.perf_counter() - t0
            times = []
            for q in QUESTIONS * 4:
                t0 = time.perf_counter()
                b.search(q, k=6)
                times.append((time.perf_counter() - t0) * 1000)
        refused = False
        with Library.open(work / "pc-c", **{**opts, "server_token": "falsch"}) as c:
            try:
                c.sync()
            except LibraryServerError as exc:
                refused = "verweigert" in exc.user_message
        size = folder_size(work / "chroma")
        times.sort()
        print(
            f"PC A indexed {report.count('indexed')} files, {chunks} chunks, push with key "
            f"included: {t_index:.1f} s"
        )
        print(f"PC B first open (check + full pull of {chunks} chunks): {t_first:.2f} s")
        print(f"PC B sync with nothing changed: {t_again * 1000:.0f} ms")
        print(f"PC B search on the mirror: p50 {times[len(times) // 2]:.1f} ms")
        print(f"wrong key refused with a clear message: {refused}")
        print(f"server data folder: {size / 1e6:.1f} MB")
        return {
            "chunks": chunks,
            "index_s": round(t_index, 1),
            "first_open_s": round(t_first, 2),
            "sync_nochange_ms": round(t_again * 1000),
            "search_p50_ms": round(times[len(times) // 2], 1),
            "search_p95_ms": round(times[int(0.95 * len(times)) - 1], 1),
            "wrong_key_refused": int(refused),
        }
    finally:
        if proxy is not None:
            proxy.shutdown()
            proxy.server_close()
        stop_process(proc)


def clients_part(
    corpus: Path,
    work: Path,
    n: int,
    rounds: int,
    hang_s: float,
    args_terms: str = "auto",
    server: str = "python",
    parallel: int = 4,
) -> dict:
    from llmoin_desktop.core.engine.catalog import find_demo_model
    from llmoin_desktop.core.engine.llama_server import (
        find_cpp_server,
        running_cpp_server,
        running_llama_server,
    )

    model = find_demo_model()
    if model is None:
        print("demo model not installed", file=sys.stderr)
        return {}
    seed = work / "seed-library"
    with Library.open(seed) as lib:  # one library, copied per clerk (as synced mirrors)
        lib.add([corpus])
        lib.index_pending()
    config = work / "config"
    config.mkdir()
    counts = {"completed": 0, "busy_messages": 0, "tracebacks": 0, "hangs": 0, "other": 0}
    errors: list[str] = []
    lock = threading.Lock()
    log = work / "llama-server.log"
    if server == "llama-server":
        binary = find_cpp_server()
        if binary is None:
            print("llama-server not built: scripts/build_llama_server.sh", file=sys.stderr)
            return {}
        serving = running_cpp_server(binary, model, log, parallel=parallel, ctx_per_slot=2048)
    else:
        extra = ("--interrupt_requests", "False")
        serving = running_llama_server(model, log, threads=2, n_ctx=2048, extra=extra)
    with serving as url:
        (config / "settings.json").write_text(
            json.dumps(
                {
                    "backend": "remote",
                    "remote_url": url,
                    "remote_model": "demo",
                    "ask_search_terms": args_terms,
                }
            ),
            "utf-8",
        )
        for i in range(n):
            shutil.copytree(seed, work / f"pc-{i}")

        def one(i: int, r: int) -> None:
            env = {
                **os.environ,
                "LLMOIN_CONFIG_DIR": str(config),
                "LLMOIN_DATA_DIR": str(work / f"data-{i}"),
            }
            cmd = [sys.executable, "-m", "llmoin_desktop", "ask", QUESTIONS[(i + r) % 5],
                   "--library", str(work / f"pc-{i}"), "--max-tokens", "48", "--no-history",
                   "--quiet"]  # fmt: skip
            try:
                out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=hang_s)
            except subprocess.TimeoutExpired:
                with lock:
                    counts["hangs"] += 1
                return
            with lock:
                if "Traceback" in out.stderr:
                    counts["tracebacks"] += 1
                    errors.append(out.stderr[-800:])
                elif out.returncode == 0 and out.stdout.strip():
                    counts["completed"] += 1
                elif "ausgelastet" in out.stderr:
                    counts["busy_messages"] += 1
                else:
                    counts["other"] += 1
                    errors.append(out.stderr.strip()[-300:])

        t0 = time.perf_counter()
        for r in range(rounds):
            with ThreadPoolExecutor(n) as pool:
                list(pool.map(lambda i, r=r: one(i, r), range(n)))
            print(f"round {r + 1}: {counts}", flush=True)
        seconds = time.perf_counter() - t0
    for e in errors[:5]:
        print("  error:", e.replace("\n", " | "))
    print(f"{n} clerks × {rounds} rounds in {seconds:.0f} s: {counts}")
    return {
        "server": server,
        "slots": parallel if server == "llama-server" else 1,
        "clients": n,
        "rounds": rounds,
        **counts,
        "clients_s": round(seconds),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "gesetze")
    ap.add_argument("--library", action="store_true", help="only part 1")
    ap.add_argument("--clients", type=int, default=0, help="part 2 with this many clerks")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--hang-s", type=float, default=900.0)
    ap.add_argument("--terms", default="auto", help="ask_search_terms for the clerks (auto/off)")
    ap.add_argument("--server", choices=("python", "llama-server"), default="python")
    ap.add_argument("--parallel", type=int, default=4, help="llama-server's slots")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="llmoin-libserver-"))
    figures: dict[str, object] = {}
    try:
        if args.library or not args.clients:
            figures.update(library_part(args.corpus, work / "lib"))
        if args.clients:
            (work / "clerks").mkdir()
            figures.update(
                clients_part(
                    args.corpus,
                    work / "clerks",
                    args.clients,
                    args.rounds,
                    args.hang_s,
                    args.terms,
                    args.server,
                    args.parallel,
                )
            )
        figures["load_avg"] = round(os.getloadavg()[0], 1)
        print(" ".join(f"{k}={v}" for k, v in figures.items()))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
