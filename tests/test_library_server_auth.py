"""The shared library server with Chroma's token authentication (issue 18/22), and paths from
the server treated as data (``core/library/open_guard.py``).

The server is ``chroma run`` behind ``core/library/token_proxy.py``: chromadb 1.x's ``chroma
run`` accepts Chroma's ``CHROMA_SERVER_AUTHN_*`` variables but does not check them, and its
Python server (which does) fails on every read of embeddings in 1.5.9 (docs/rollout.md).
"""

from __future__ import annotations

import os
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmoin_desktop.core.library import Library
from llmoin_desktop.core.library.open_guard import library_open_refusal, open_refusal
from llmoin_desktop.core.library.server import LibraryServerError
from llmoin_desktop.core.library.token_proxy import serve
from llmoin_desktop.core.offline.loopback import free_port

TOKEN = "bibliothek-7f3a9c-test"


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``chroma run`` on 127.0.0.1 behind the token check (``token_proxy``), as rollout.md
    tells IT to set it up."""
    from chroma_server import ChromaServer

    data = tmp_path_factory.mktemp("chroma-auth")
    with ChromaServer(data / "db") as chroma:
        proxy = serve(TOKEN, chroma.url, "127.0.0.1", free_port())
        thread = threading.Thread(target=proxy.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{proxy.server_address[1]}"
        finally:
            proxy.shutdown()
            proxy.server_close()


def test_chroma_run_ignores_chromas_own_token_variables(tmp_path: Path) -> None:
    """Why the proxy: chromadb 1.x's ``chroma run`` accepts CHROMA_SERVER_AUTHN_* but lets a
    request without any key through. When this test fails, Chroma checks keys itself and
    docs/rollout.md can drop the proxy."""
    from chroma_server import ChromaServer

    env = {
        "CHROMA_SERVER_AUTHN_PROVIDER": "chromadb.auth.token_authn.TokenAuthenticationServerProvider",
        "CHROMA_SERVER_AUTHN_CREDENTIALS": TOKEN,
    }
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with ChromaServer(tmp_path / "db") as chroma:
            url = (
                f"{chroma.url}/api/v2/tenants/default_tenant/databases/default_database/collections"
            )
            with urllib.request.urlopen(url, timeout=5) as resp:
                assert resp.status == 200  # no key, still served
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_proxy_answers_like_chromas_token_auth(auth_server: str) -> None:
    url = f"{auth_server}/api/v2/tenants/default_tenant/databases/default_database/collections"
    for headers, status in (({}, 401), ({"X-Chroma-Token": "falsch"}, 403)):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5)
        assert err.value.code == status
    for headers in ({"X-Chroma-Token": TOKEN}, {"Authorization": f"Bearer {TOKEN}"}):
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as r:
            assert r.status == 200
    with urllib.request.urlopen(f"{auth_server}/api/v2/heartbeat", timeout=5) as r:
        assert r.status == 200  # monitoring needs no key


def _open(folder: Path, url: str, token: str) -> Library:
    return Library.open(folder, server=url, server_from_policy=True, server_token=token)


def test_token_lets_pcs_share_and_a_wrong_or_missing_token_gets_a_clear_message(
    auth_server: str, tmp_path: Path, corpus_dir: Path
) -> None:
    with _open(tmp_path / "pc-a", auth_server, TOKEN) as a:
        assert a.server_online and not a.notices, a.notices
        a.add([corpus_dir / "gesetze" / "burlg.md"])
        report = a.index_pending()
        assert report.count("indexed") == 1
        chunks = len(a.store.chunk_ids())
    with _open(tmp_path / "pc-b", auth_server, TOKEN) as b:
        assert len(b.store.chunk_ids()) == chunks  # pulled with the key
        assert b.search("Wartezeit Urlaub", k=1)
    for token, words in ((" falsch ", "falsch oder abgelaufen"), ("", "verlangt einen Schlüssel")):
        with _open(tmp_path / f"pc-{len(token)}", auth_server, token) as c:
            assert not c.server_online
            assert any(words in n for n in c.notices), c.notices  # the mirror still answers
            c.add([corpus_dir / "gesetze" / "vwzg_2005.md"])
            with pytest.raises(LibraryServerError) as err:
                c.index_pending()
            assert words in err.value.user_message and "IT-Abteilung" in err.value.user_message
    # the key is in no file of the clerk's library folders
    for folder in tmp_path.iterdir():
        for f in folder.rglob("*"):
            if f.is_file():
                assert TOKEN.encode() not in f.read_bytes(), f


def test_paths_from_the_server_open_only_inside_the_library_folders(
    auth_server: str, tmp_path: Path, corpus_dir: Path
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    doc = share / "protokoll.md"
    doc.write_text((corpus_dir / "gesetze" / "burlg.md").read_text("utf-8"), "utf-8")
    private = tmp_path / "privat" / "notizen.md"
    private.parent.mkdir()
    private.write_text("Privat.", "utf-8")
    with _open(tmp_path / "pc-a", auth_server, TOKEN) as a:
        a.add([doc])
        a.index_pending()
        assert library_open_refusal(str(doc), a, []) == ""  # the very file indexed here
        # a server writer rewrites the path to the clerk's private file
        rec = a.store.document(str(doc))
        a.store.conn.execute("UPDATE documents SET path=? WHERE id=?", (str(private), rec.id))
        a.store.conn.commit()
        assert "außerhalb" in library_open_refusal(str(private), a, [])
        assert library_open_refusal(str(private), a, [str(private.parent)]) == ""  # IT's folder


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("\\\\angreifer\\freigabe\\x.pdf", "Netzlaufwerk"),
        ("//angreifer/freigabe/x.pdf", "Netzlaufwerk"),
        ("file:///etc/passwd.pdf", "Internet"),
        ("http://angreifer.example/x.pdf", "Internet"),
        ("relativ/x.pdf", "vollständiger"),
        ("/tmp/programm.exe", "keine Programme"),
        ("/tmp/x.desktop", "keine Programme"),
        ("/tmp/a\nb.pdf", "ungültig"),
    ],
)
def test_open_refusal_forms(path: str, words: str, tmp_path: Path) -> None:
    assert words in open_refusal(path, [str(tmp_path)])


def test_open_refusal_follows_links_and_dots(tmp_path: Path) -> None:
    root = tmp_path / "ablage"
    root.mkdir()
    outside = tmp_path / "geheim.pdf"
    outside.write_bytes(b"%PDF-1.4")
    link = root / "link.pdf"
    link.symlink_to(outside)
    assert "außerhalb" in open_refusal(str(link), [str(root)])
    assert "außerhalb" in open_refusal(str(root / ".." / "geheim.pdf"), [str(root)])
    inside = root / "akte.pdf"
    inside.write_bytes(b"%PDF-1.4")
    assert open_refusal(str(inside), [str(root)]) == ""
    assert "nicht vorhanden" in open_refusal(str(root / "fehlt.pdf"), [str(root)])
