"""A token check in front of ``chroma run``: the shared library's key for small setups.

Why this exists: chromadb 1.x's server (``chroma run``, written in Rust) accepts Chroma's
``CHROMA_SERVER_AUTHN_*`` variables but does not check them — measured with 1.5.9: a request
without a key lists the collections (docs/rollout.md). Chroma's older Python server
(``uvicorn chromadb.app:app``) does check the token, but in 1.5.9 it fails on every read of
embeddings, which the library's sync needs. So IT puts a check in front of ``chroma run``:
a reverse proxy it already runs (nginx, Caddy, with TLS), or this one::

    chroma run --path /srv/chroma --host 127.0.0.1 --port 8001
    python -m llmoin_desktop.core.library.token_proxy --upstream http://127.0.0.1:8001 \\
        --host 0.0.0.0 --port 8000 --token-file /etc/llmoin/library-token

It accepts the key the way Chroma's token auth does (``X-Chroma-Token: KEY`` or
``Authorization: Bearer KEY``), compares in constant time, answers 401/403 like Chroma, lets
``/api/v2/heartbeat`` through (monitoring) and forwards everything else unchanged. The PCs
send the policy key ``library_server_token`` in ``X-Chroma-Token``, so the same policy works
with Chroma's own check once ``chroma run`` enforces it.
"""

from __future__ import annotations

import argparse
import contextlib
import hmac
import http.client
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

OPEN_PATHS = ("/api/v2/heartbeat", "/api/v1/heartbeat")
_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
        "proxy-authorization", "proxy-authenticate"}  # fmt: skip


def presented_token(headers: object) -> str:
    """The key a request carries (Chroma's two transports)."""
    token = headers.get("X-Chroma-Token") or ""  # type: ignore[attr-defined]
    auth = headers.get("Authorization") or ""  # type: ignore[attr-defined]
    if not token and auth.lower().startswith("bearer "):
        token = auth[7:]
    return token.strip()


def make_handler(token: str, upstream: str) -> type[BaseHTTPRequestHandler]:
    up = urlsplit(upstream)
    want = token.encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt: str, *args: object) -> None:  # quiet; errors still go out
            pass

        def _deny(self, status: int) -> None:
            body = json.dumps(
                {"error": "AuthError", "message": "Unauthorized" if status == 401 else "Forbidden"}
            ).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _forward(self) -> None:
            if self.path.split("?")[0] not in OPEN_PATHS:
                got = presented_token(self.headers)
                if not got:
                    self._deny(401)
                    return
                if not hmac.compare_digest(got.encode("utf-8"), want):
                    self._deny(403)
                    return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
            headers.pop("X-Chroma-Token", None)
            conn = http.client.HTTPConnection(up.hostname, up.port or 80, timeout=300)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            except OSError:
                self.send_error(502, "upstream unreachable")
                return
            finally:
                conn.close()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in _HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward  # noqa: N815

    return Handler


def serve(token: str, upstream: str, host: str, port: int) -> ThreadingHTTPServer:
    """A started-but-not-running server (call ``serve_forever``); refuses an empty key."""
    if not token.strip():
        raise ValueError("empty token")
    server = ThreadingHTTPServer((host, port), make_handler(token.strip(), upstream))
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--upstream", required=True, help="chroma run's address, e.g. http://127.0.0.1:8001"
    )
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--token-file", type=Path, required=True, help="file holding the key")
    args = ap.parse_args(argv)
    try:
        token = args.token_file.read_text("utf-8").strip()
        server = serve(token, args.upstream, args.host, args.port)
    except (OSError, ValueError) as exc:
        print(f"token_proxy: {exc}", file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
