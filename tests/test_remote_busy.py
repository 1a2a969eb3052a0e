"""A busy inference server (issue 22): 429/503 are retried with back-off, a request that waits
for a free place is not taken for a dead server (the clerk reads how long it waits), a server
that dies while the request waits ends the wait, and no token-count request per question."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator

import pytest

from llmoin_desktop.core.engine import remote_queue
from llmoin_desktop.core.engine.backend import GenerationParams
from llmoin_desktop.core.engine.remote import RemoteBackend, RemoteModel
from llmoin_desktop.core.errors import BackendError

FAST = GenerationParams(max_tokens=8, temperature=0.0, seed=1)
SSE = [
    {"choices": [{"delta": {"content": "Guten "}}]},
    {"choices": [{"delta": {"content": "Tag."}, "finish_reason": "stop"}]},
]


class Server:
    """A small OpenAI-style server on 127.0.0.1: ``busy`` 503s first, then a stream after
    ``delay`` seconds; /health always answers; every request path is recorded."""

    def __init__(self, busy: int = 0, delay: float = 0.0) -> None:
        self.busy, self.delay, self.paths = busy, delay, []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes, ctype: str, extra=None) -> None:  # noqa: ANN001
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                outer.paths.append(self.path)
                if self.path == "/v1/models":
                    body = json.dumps({"data": [{"id": "demo"}]}).encode()
                    self._send(200, body, "application/json")
                else:
                    self._send(404, b"{}", "application/json")

            def do_POST(self) -> None:  # noqa: N802
                outer.paths.append(self.path)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path != "/v1/chat/completions":
                    self._send(404, b"{}", "application/json")
                    return
                if outer.busy > 0:
                    outer.busy -= 1
                    body = json.dumps({"error": {"message": "busy"}}).encode()
                    self._send(503, body, "application/json", {"Retry-After": "1"})
                    return
                time.sleep(outer.delay)  # waiting for a free place
                body = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in SSE)
                self._send(200, body + b"data: [DONE]\n\n", "text/event-stream")

        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def quick_ticks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(remote_queue, "QUEUE_TICK_S", 0.3)
    yield


def _backend(url: str, timeout: float = 1.0) -> RemoteBackend:
    backend = RemoteBackend(base_url=url, model="demo", read_timeout_s=timeout)
    backend._model = RemoteModel("demo", n_ctx=4096)
    return backend


def test_busy_server_is_asked_again_with_back_off() -> None:
    server = Server(busy=2)
    try:
        progress: list[str] = []
        result = _backend(server.url).chat(
            [{"role": "user", "content": "Hallo"}],
            FAST,
            on_progress=lambda p: progress.append(p.text),
        )
        assert result.text == "Guten Tag." and result.finish_reason == "stop"
        assert server.paths.count("/v1/chat/completions") == 3
        assert len(progress) == 2 and all("ausgelastet" in t for t in progress)
    finally:
        server.close()


def test_busy_for_too_long_says_so_with_the_waiting_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from llmoin_desktop.core.engine import remote

    monkeypatch.setattr(remote, "BUSY_RETRY_S", 2.5)
    server = Server(busy=100)
    try:
        with pytest.raises(BackendError) as err:
            _backend(server.url).chat([{"role": "user", "content": "Hallo"}], FAST)
        assert "ausgelastet" in err.value.user_message and "gewartet" in err.value.user_message
    finally:
        server.close()


def test_waiting_for_a_free_place_is_not_a_dead_server(quick_ticks: None) -> None:
    server = Server(delay=2.0)  # longer than the read timeout of 1 s
    try:
        progress: list[str] = []
        backend = _backend(server.url)
        result = backend.chat(
            [{"role": "user", "content": "Hallo"}],
            FAST,
            on_progress=lambda p: progress.append(p.text),
        )
        assert result.text == "Guten Tag."
        assert progress and "wartet seit" in progress[-1]
        assert "/v1/models" not in server.paths  # the probe never queues behind answers
        # counting a question's prompt asks the server nothing (estimated here)
        before = len(server.paths)
        assert backend.count_tokens([{"role": "user", "content": "Wie lange dauert das?"}]) > 5
        calibration = len(server.paths) - before
        backend.count_tokens([{"role": "user", "content": "Und noch eine Frage?"}])
        assert len(server.paths) - before == calibration  # once per server, then nothing
    finally:
        server.close()


def test_server_that_dies_while_the_request_waits_ends_the_wait(quick_ticks: None) -> None:
    server = Server(delay=30.0)
    backend = _backend(server.url)
    threading.Timer(0.5, server.close).start()  # the server goes away during the wait
    t0 = time.perf_counter()
    with pytest.raises(BackendError) as err:
        backend.chat([{"role": "user", "content": "Hallo"}], FAST)
    assert time.perf_counter() - t0 < 25
    assert "antwortet" in err.value.user_message or "unterbrochen" in err.value.user_message
