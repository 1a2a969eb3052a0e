"""The 100× library as the department's shared library on ``chroma run`` with a key.

Usage::

    .venv/bin/python bench/library_server_scale.py [--cache DIR] [--questions FILE]

What is where (``core/library/server.py``): the server holds one Chroma collection with every
chunk's text, fields and embedding; each PC keeps a *mirror* (its own SQLite + FTS5/Tantivy
+ chromadb folder) that it syncs on opening. Keyword, § and meaning search all run on the
mirror, so a question never waits for the network; the server costs the sync (the change
marker and the count at every opening, a listing of ids and the new chunks when something
changed: ``sync_marker.py``). The cached collection predates the marker: each run sets one
first (``bump_once``), as the first push of this version does (``marker_cached=0``). So this bench measures a
clerk's PC set up as docs/rollout.md tells IT:

1. **Server**: a collection built from the cached 100× library of ``bench/scale.py``
   (1,400 documents, 89,853 chunks) with the app's own push (``LibraryServer.
   replace_document`` with ``chunk_metadata``, as indexing on "PC A" sends it), cached in
   ``~/.cache/llmoin-bench/scale/server-100x`` (built once, ~minutes; the cached libraries
   are only read). Each run serves a *copy* with ``chroma run --path COPY --host 127.0.0.1``
   behind the app's key check (``python -m llmoin_desktop.core.library.token_proxy
   --token-file …``, a process of its own, as in docs/rollout.md).
2. **Key**: a request without the key and one with a wrong key (plain HTTP: 401 / 403), and
   the app opening the library without / with a wrong key (its German notice).
3. **PC B**: policy ``library_server`` + ``library_server_token`` (``LLMOIN_POLICY_DIR``,
   read by the app's ``server_options``), an empty library folder, opened as the app and the
   CLI open it (``background_sync``: the sync is a background job, ``library_sync_job.py``):
   ``first_open_s_100x`` is the time until the open returns, ``first_pull_s_100x`` the time
   (from the same start) until the background pull of the whole collection is done, and
   ``search_during_pull_ms_100x`` one search right after the open. Then, in a fresh process
   like a clerk's next start: the open (``server_open_s_100x``), the background check that
   finds nothing new (``bg_check_s_100x``, with connecting), one more sync on the open
   connection (``sync_nochange_ms_100x``, median of 5: change marker + count, no id listing) and the same
   with the last listing forgotten (``sync_full_listing_ms_100x``: every id, the old way), and
   the dev questions
   (``eval/retrieval-dev.jsonl``, questions and quotes only) through ``Library.search``;
   the same in a fresh process on a copy of the local 100× library. Goal (issue 22): server
   p95 within 2× of local.

The last line is ``key=value`` pairs (issue 22).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale import CACHE, QUESTIONS, _vectors_dir, dev_questions, warm_keywords  # noqa: E402

from llmoin_desktop.core.offline.loopback import free_port, stop_process  # noqa: E402

TOKEN = "bench-bibliothek-schluessel-100x"
COLLECTIONS = "/api/v2/tenants/default_tenant/databases/default_database/collections"


# Servers -----------------------------------------------------------------------------------
def _wait_http(url: str, seconds: float = 120.0) -> None:
    end = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.2)


class Served:
    """``chroma run`` on 127.0.0.1 and the app's token check in front of it (two processes)."""

    def __init__(self, data: Path, work: Path) -> None:
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        chroma_port, self.port = free_port(), free_port()
        self.chroma = subprocess.Popen(
            [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(data),
             "--host", "127.0.0.1", "--port", str(chroma_port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        token_file = work / "library-token"
        token_file.write_text(TOKEN)
        token_file.chmod(0o600)
        self.proxy = subprocess.Popen(
            [sys.executable, "-m", "llmoin_desktop.core.library.token_proxy", "--upstream",
             f"http://127.0.0.1:{chroma_port}", "--host", "127.0.0.1", "--port",
             str(self.port), "--token-file", str(token_file)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
        )  # fmt: skip
        self.url = f"http://127.0.0.1:{self.port}"
        _wait_http(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat")
        _wait_http(f"{self.url}/api/v2/heartbeat")

    def stop(self) -> None:
        stop_process(self.proxy)
        stop_process(self.chroma)


def status_of(url: str, token: str | None) -> int:
    req = urllib.request.Request(url, headers={"X-Chroma-Token": token} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


# Seeding the server once (from the cached 100× library) -------------------------------------
def seed(cache: Path, work: Path, size: int = 100) -> dict:
    """The server folder: the size's library pushed with the app's own server code (cached)."""
    target = cache / f"server-{size}x"
    done = target / "built.json"
    if done.exists():
        return json.loads(done.read_text())
    import sqlite3

    from llmoin_desktop.core.library import Library
    from llmoin_desktop.core.library.embed import default_embedder
    from llmoin_desktop.core.library.server import (
        LibraryServer,
        ServerChunk,
        chunk_id,
        chunk_metadata,
        doc_key,
        parse_server,
    )
    from llmoin_desktop.core.library.vectors import get_paged

    lib_copy = work / "seed-lib"
    shutil.copytree(cache / f"lib-{size}x", lib_copy, ignore=shutil.ignore_patterns("library.lock"))
    data = work / "seed-chroma"
    served = Served(data, work)
    t0 = time.perf_counter()
    chunks_pushed = docs_pushed = 0
    try:
        lib = Library.open(lib_copy, embedder=default_embedder())
        conn: sqlite3.Connection = lib.store.conn
        server = LibraryServer(
            parse_server(served.url, from_policy=True),
            lib._embedder_key(),  # noqa: SLF001 - what the Library itself records
            lib.embedder.dim,
            TOKEN,
        )
        server.connect()
        docs = conn.execute(
            "SELECT id, path, sha256, title, format, law, n_pages, warnings, size, mtime,"
            " indexed_at FROM documents WHERE status='indexed' ORDER BY id"
        ).fetchall()
        for doc_id, path, sha, title, fmt, law, n_pages, warnings, size, mtime, at in docs:
            rows = conn.execute(
                "SELECT id, ord, text, section, section_no, context, pages FROM chunks"
                " WHERE doc_id=? ORDER BY ord",
                (doc_id,),
            ).fetchall()
            abbrs = [
                (a, b)
                for a, b in conn.execute(
                    "SELECT abbr, long_form FROM abbreviations WHERE doc_id=?", (doc_id,)
                )
            ]
            got = get_paged(lib.vectors._col, [str(r[0]) for r in rows], ["embeddings"])  # noqa: SLF001
            emb = dict(zip(got["ids"], got["embeddings"], strict=True))
            key = doc_key(path, sha or "")
            server.replace_document(
                path,
                [
                    ServerChunk(
                        chunk_id(key, o),
                        text,
                        chunk_metadata(
                            path=path,
                            sha256=sha or "",
                            title=title,
                            fmt=fmt,
                            law=law,
                            n_pages=n_pages,
                            n_chunks=len(rows),
                            warnings=json.loads(warnings or "[]"),
                            size=size,
                            mtime=mtime,
                            indexed_at=at or time.time(),
                            ord_=o,
                            section=section,
                            section_no=section_no,
                            context=context,
                            pages=json.loads(pages or "[]"),
                            abbreviations=abbrs if o == 0 else None,
                        ),  # fmt: skip
                        emb[str(cid)],
                    )
                    for cid, o, text, section, section_no, context, pages in rows
                ],
            )
            chunks_pushed += len(rows)
            docs_pushed += 1
            if docs_pushed % 100 == 0:
                print(f"  seeded {docs_pushed} documents, {chunks_pushed} chunks", flush=True)
        lib.close()
    finally:
        served.stop()
    figures = {
        "documents": docs_pushed,
        "chunks": chunks_pushed,
        "push_s": round(time.perf_counter() - t0, 1),
        "disk_mb": round(sum(p.stat().st_size for p in data.rglob("*") if p.is_file()) / 1e6),
    }
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(data, target / "chroma")
    done.write_text(json.dumps(figures))
    return figures


# Measuring (fresh processes, as a clerk's start) --------------------------------------------
def measure(folder: Path, questions: Path, k: int, with_server: bool, first: bool) -> dict:

    from llmoin_desktop.core.library import Library
    from llmoin_desktop.core.library.embed import default_embedder
    from llmoin_desktop.core.settings.config import SettingsStore
    from llmoin_desktop.core.tasks.library_task import server_options

    embedder = default_embedder()
    embedder.embed_query("Aufwärmen")  # model load is not the library's open
    import chromadb  # noqa: F401 - paid once per process (the app at start)

    opts = server_options(store=SettingsStore()) if with_server else {}
    before = _vectors_dir(folder)
    t0 = time.perf_counter()
    # As the app and the CLI open it: the sync runs in the background (library_sync_job.py)
    lib = Library.open(folder, embedder=embedder, background_sync=True, **opts)
    open_s = time.perf_counter() - t0
    out: dict[str, object] = {
        "open_s": round(open_s, 2),
        "server": lib.server_label,
        "chunks_at_open": len(lib.store.chunk_ids()),
    }
    if with_server:
        t1 = time.perf_counter()
        lib.search("Urlaubsanspruch Wartezeit")  # search answers on the mirror meanwhile
        out["search_during_sync_ms"] = round((time.perf_counter() - t1) * 1000, 1)
        out["syncing_after_open"] = lib.syncing
        lib.wait_sync()
        out["sync_done_s"] = round(time.perf_counter() - t0, 2)  # from the open's start
        job = lib._sync_job  # noqa: SLF001 - the background job's own report
        out["bg_sync_s"] = round(job.result.seconds, 3) if job and job.result else None
    out.update(online=lib.server_online, chunks=len(lib.store.chunk_ids()), notices=lib.notices)
    if first:  # the first opening of an empty mirror: only the open and the pull are measured
        lib.close()
        return out
    if with_server:
        from llmoin_desktop.core.library.library_shared import LISTING_META

        nochange: list[float] = []
        for _ in range(5):  # unchanged server: the change marker and the count, no id listing
            t1 = time.perf_counter()
            lib.sync()
            nochange.append((time.perf_counter() - t1) * 1000)
        out["sync_nochange_ms"] = round(statistics.median(nochange))
        out["sync_nochange_ms_each"] = [round(x) for x in nochange]
        with lib._lock:  # noqa: SLF001 - forget the last listing: the old way, listing all ids
            lib.store.set_meta(LISTING_META, "null")
        t1 = time.perf_counter()
        lib.sync()
        out["sync_full_listing_ms"] = round((time.perf_counter() - t1) * 1000)
    t1 = time.perf_counter()
    warm_keywords(lib)
    out["keyword_build_s"] = round(time.perf_counter() - t1, 2)
    qs = [json.loads(x) for x in questions.read_text("utf-8").splitlines() if x.strip()]
    figures = dev_questions(lib, qs, k)
    lib.close()
    out.update(
        p50_ms=figures["p50_ms"],
        p95_ms=figures["p95_ms"],
        recall5=figures["recall5"],
        rebuilds=sum(1 for x in lib.notices if "neu aufgebaut" in x)
        + int(before not in ("", _vectors_dir(folder))),
    )
    return out


def child(work: Path, folder: Path, args: argparse.Namespace, *flags: str) -> dict:
    env = {**os.environ, "LLMOIN_CONFIG_DIR": str(work / "config"),
           "LLMOIN_DATA_DIR": str(work / "data"), "LLMOIN_POLICY_DIR": str(work / "policy"),
           "ANONYMIZED_TELEMETRY": "False"}  # fmt: skip
    env.pop("LLMOIN_LIBRARY_DIR", None)
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--measure", str(folder), "--questions", str(args.questions),
         "-k", str(args.k), *flags],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"measuring {folder} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_s"] = round(time.perf_counter() - t0, 1)
    return result


def bump_once(url: str) -> bool:
    """Whether the cached collection had a change marker; if not, set one, as the first push
    of this app version does (a collection seeded by an older version has none, and then every
    sync lists all ids: sync_marker.py)."""
    from llmoin_desktop.core.library.server import LibraryServer, parse_server
    from llmoin_desktop.core.library.sync_marker import META_GENERATION

    server = LibraryServer(parse_server(url, from_policy=True), None, None, TOKEN)
    server.connect()
    had = META_GENERATION in (server._col.metadata or {})  # noqa: SLF001
    if not had:
        server._call(server._bump)  # noqa: SLF001
    server.close()
    return had


def refused_messages(url: str) -> dict[str, str]:
    """The app's words when the key is missing or wrong (an empty mirror, in this process)."""
    from llmoin_desktop.core.library import Library

    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, token in (("no_key", ""), ("wrong_key", "falsch")):
            with Library.open(
                Path(tmp) / name, embedder=None, server=url, server_from_policy=True,
                server_token=token,
            ) as lib:  # fmt: skip
                out[name] = " ".join(n for n in lib.notices if "Bibliotheks-Server" in n)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=CACHE)
    ap.add_argument("--questions", type=Path, default=QUESTIONS)
    ap.add_argument("-k", type=int, default=5)
    ap.add_argument("--size", type=int, default=100, help="which cached library of scale.py")
    ap.add_argument("--keep", type=Path, help="copy PC B's mirror here (to inspect it)")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # child process
    ap.add_argument("--server", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--first", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.questions, args.k, args.server, args.first)))
        return 0
    x = f"{args.size}x"
    if not (args.cache / f"lib-{x}" / "built.json").exists():
        print(f"no cached {x} library: run bench/scale.py first", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="llmoin-libserver-100x-"))
    for sub in ("config", "data", "policy"):
        (work / sub).mkdir()
    served: Served | None = None
    try:
        seeded = seed(args.cache, work, args.size)
        print(f"server collection: {seeded}", flush=True)
        data = work / "chroma"
        shutil.copytree(args.cache / f"server-{x}" / "chroma", data)
        served = Served(data, work)
        marker_before = bump_once(served.url)
        (work / "policy" / "policy.toml").write_text(
            f'library_server = "{served.url}"\nlibrary_server_token = "{TOKEN}"\n', "utf-8"
        )
        codes = (status_of(served.url + COLLECTIONS, None),
                 status_of(served.url + COLLECTIONS, "falsch"),
                 status_of(served.url + COLLECTIONS, TOKEN))  # fmt: skip
        words = refused_messages(served.url)
        german = (
            "verlangt einen Schlüssel" in words["no_key"] and "verweigert" in words["wrong_key"]
        )
        print(f"HTTP without key {codes[0]}, wrong key {codes[1]}, with key {codes[2]}")
        print(f"app without key: {words['no_key']}\napp with a wrong key: {words['wrong_key']}")
        mirror = work / "pc-b"
        first = child(work, mirror, args, "--server", "--first")
        print(f"PC B first opening (full pull): {first}", flush=True)
        remote = child(work, mirror, args, "--server")
        print(f"PC B next start, dev questions on the mirror: {remote}", flush=True)
        if args.keep:
            shutil.copytree(mirror, args.keep, ignore=shutil.ignore_patterns("library.lock"))
        local_copy = work / "local-100x"
        shutil.copytree(
            args.cache / f"lib-{x}", local_copy, ignore=shutil.ignore_patterns("library.lock")
        )
        local = child(work, local_copy, args)
        print(f"local {x} library (copy), same questions: {local}", flush=True)
        figures = {
            f"server_chunks_{x}": seeded["chunks"],
            f"first_open_s_{x}": first["open_s"],
            f"first_pull_s_{x}": first["sync_done_s"],
            f"search_during_pull_ms_{x}": first["search_during_sync_ms"],
            "mirror_chunks": first["chunks"],
            f"server_open_s_{x}": remote["open_s"],
            f"local_open_s_{x}": local["open_s"],
            f"bg_check_s_{x}": remote["bg_sync_s"],
            f"sync_nochange_ms_{x}": remote["sync_nochange_ms"],
            f"sync_full_listing_ms_{x}": remote["sync_full_listing_ms"],
            "marker_cached": int(marker_before),
            f"server_search_p95_ms_{x}": remote["p95_ms"],
            f"local_search_p95_ms_{x}": local["p95_ms"],
            "server_vs_local_p95": round(remote["p95_ms"] / max(local["p95_ms"], 0.1), 2),
            f"server_recall5_{x}": remote["recall5"],
            f"local_recall5_{x}": local["recall5"],
            "unauthorized_401": int(codes[0] == 401 and codes[1] == 403 and codes[2] == 200),
            "refused_message_de": int(german),
            "rebuilds": remote["rebuilds"] + local["rebuilds"],
            "load_avg": round(os.getloadavg()[0], 1),
        }
        print(" ".join(f"{k}={v}" for k, v in figures.items()))
        return 0
    finally:
        if served is not None:
            served.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
