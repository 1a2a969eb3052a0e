"""Backend for an OpenAI-compatible inference server (vLLM, llama.cpp server, Ollama).

Why the shape:
- Standard library HTTP (``http.client``), no new dependency and no proxy discovery: we talk
  to exactly the host IT configured, never to anything the environment suggests.
- A new connection per request keeps the class thread-safe without a pool; on a LAN the
  handshake costs a millisecond, which is nothing next to a generation.
- Cancel shuts the socket down from the cancelling thread. That wakes the blocked read at
  once (the server then sees the client gone and stops generating), so Stop lands in
  milliseconds even while the server is still evaluating a long prompt.
- Only loopback servers or servers named by IT policy are contacted (data protection: a clerk
  must not be able to send files to an arbitrary machine by editing a setting).
- Token counting: the server's tokenizer where it has one (vLLM ``/tokenize`` applies the chat
  template; llama-cpp-python ``/extras/tokenize/count`` and llama.cpp ``/tokenize`` count the
  text, we add a template allowance); otherwise an estimate that errs on the large side.

Parts: ``remote_url.py`` (which hosts), ``remote_tokens.py`` (counting), ``remote_stream.py``
(the SSE answer and the system-role retry), ``remote_errors.py``, ``remote_queue.py``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmoin_desktop.core.engine.backend import (
    EngineStatus,
    GenerationParams,
    GenerationResult,
    Message,
    StatusListener,
    StatusPublisher,
    prompt_too_long,
)
from llmoin_desktop.core.engine.chat_templates import (
    ChatRenderer,
    TemplateRenderError,
)
from llmoin_desktop.core.engine.remote_errors import (
    CTX_PATTERNS,
    ServerBusy,
    ServerSlow,
    busy_message,
    http_error,
    overflow_numbers,
    server_message,
)
from llmoin_desktop.core.engine.remote_queue import QUEUE_MAX_S, QueueWatch, server_alive
from llmoin_desktop.core.engine.remote_stream import Streaming
from llmoin_desktop.core.engine.remote_tokens import TokenCounting
from llmoin_desktop.core.engine.remote_url import check_url, normalise_url
from llmoin_desktop.core.engine.remote_url import is_loopback_host as is_loopback_host
from llmoin_desktop.core.engine.stop_strings import (
    GENERIC_STOPS,
    TurnMarkers,
    derive_turn_markers,
    generic_markers,
)
from llmoin_desktop.core.errors import BackendError, ContextOverflow, ModelError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import CancelToken, Progress
from llmoin_desktop.core.settings.config import SettingsStore

CONNECT_TIMEOUT_S = 5.0
PROBE_TIMEOUT_S = 10.0
# Context size when the server does not say (llama-cpp-python's server default); corrected
# from the server's own "maximum context length is N" message on the first overflow.
FALLBACK_CTX = 2048

_CTX_PATTERNS = CTX_PATTERNS  # (kept for callers of the old name)
# 429/503 or a refused connection before any token: retried with back-off (1, 2, 4 … 16 s,
# or the server's Retry-After) for at most BUSY_RETRY_S, then the clerk reads "ausgelastet".
BUSY_RETRY_S = 120.0


@dataclass
class RemoteModel:
    id: str
    n_ctx: int = 0  # 0: the server does not say


class RemoteBackend(TokenCounting, Streaming, StatusPublisher):
    """Talks to one OpenAI-compatible server. Thread-safe; every public call blocks."""

    name = "remote"

    def __init__(
        self,
        store: SettingsStore | None = None,
        *,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        read_timeout_s: float | None = None,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
    ) -> None:
        """Arguments override the settings (tests, benchmarks); settings come from policy."""
        self._store = store or SettingsStore()
        settings = self._store.settings
        from_policy = base_url is None and self._store.source("remote_url") in (
            "policy",
            "policy-default",
        )
        url = normalise_url(base_url if base_url is not None else settings.remote_url)
        self.base_url = url
        self._parts = check_url(url, from_policy=from_policy)
        self._api_key = api_key if api_key is not None else settings.remote_api_key
        self._wanted_model = model if model is not None else settings.remote_model
        # Set once the server's template rejected the system role or the role order.
        self._merge_roles = False
        self._markers: TurnMarkers | None = None  # stop/strip strings (_turn_markers)
        self._read_timeout = float(read_timeout_s or settings.remote_timeout_s or 120)
        self._connect_timeout = connect_timeout_s
        self._lock = threading.Lock()
        self._model: RemoteModel | None = None
        self._n_ctx = 0
        self._count_mode: str | None = None  # vllm | extras | llamacpp | estimate
        self._chars_per_token: float | None = None  # calibrated on first use (_calibrate)
        self._counts: dict[str, int] = {}  # exact counts near the window, by content
        self._text_counts: dict[str, int] = {}  # exact tokens of one message's text
        self._listeners: list[StatusListener] = []
        self._status = EngineStatus(backend="remote", device="remote", model_path=url)
        self._closed = False
        self.last_server_timings: dict[str, Any] = {}

    # Status --------------------------------------------------------------------------
    @property
    def model_id(self) -> str:
        return self._model.id if self._model else ""

    # HTTP ----------------------------------------------------------------------------
    def _connect(self, timeout: float) -> http.client.HTTPConnection:
        scheme, host, port = self._parts
        cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        conn = cls(host, port, timeout=self._connect_timeout)
        try:
            conn.connect()
        except TimeoutError as exc:
            raise BackendError(
                tr(
                    "Der KI-Server {host} antwortet nicht (keine Verbindung nach {s} s). "
                    "Bitte die IT-Abteilung fragen, ob der Server läuft.",
                    host=self._host_label(),
                    s=f"{self._connect_timeout:.0f}",
                ),
                detail=repr(exc),
            ) from exc
        except OSError as exc:
            raise BackendError(
                tr(
                    "Der KI-Server {host} ist nicht erreichbar. Bitte die IT-Abteilung fragen, "
                    "ob der Server läuft und die Adresse stimmt.",
                    host=self._host_label(),
                ),
                detail=repr(exc),
            ) from exc
        assert conn.sock is not None
        conn.sock.settimeout(timeout)
        return conn

    def _host_label(self) -> str:
        _scheme, host, port = self._parts
        return f"{host}:{port}"

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers

    def _send(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: float | None = None,
        cancel_hook: Callable[[http.client.HTTPConnection], None] | None = None,
    ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """Open a connection, send, and return the response with its headers read."""
        timeout = timeout or self._read_timeout
        conn = self._connect(timeout)
        if cancel_hook is not None:
            cancel_hook(conn)
        try:
            payload = json.dumps(body).encode("utf-8") if body is not None else None
            conn.request(method, path, body=payload, headers=self._headers())
            return conn, conn.getresponse()
        except TimeoutError as exc:
            conn.close()
            raise self._too_slow(timeout) from exc
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise self._connection_lost(exc) from exc

    def _connection_lost(self, exc: Exception) -> BackendError:
        return BackendError(
            tr("Die Verbindung zum KI-Server {host} wurde unterbrochen.", host=self._host_label()),
            detail=repr(exc),
        )

    def _too_slow(self, timeout: float) -> BackendError:
        return ServerSlow(
            tr(
                "Der KI-Server {host} antwortet zu langsam (nichts empfangen seit {s} s). "
                "Er ist vermutlich überlastet; bitte später erneut versuchen.",
                host=self._host_label(),
                s=f"{timeout:.0f}",
            )
        )

    def _json(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """A small request (model list, probes, tokenizer). It should answer quickly; when it
        does not but the server lives (llama-cpp-python's server answers these only between
        two answers), it waits like a chat request does: a busy server is not a dead one."""
        quick = min(PROBE_TIMEOUT_S, self._read_timeout)
        try:
            raw, resp = self._request_raw(method, path, body, quick)
        except ServerSlow:
            if not server_alive(self, quick):
                raise
            holder: dict[str, Any] = {}

            def abort() -> None:
                conn = holder.get("conn")
                if conn is not None and conn.sock is not None:
                    with contextlib.suppress(OSError):
                        conn.sock.shutdown(socket.SHUT_RDWR)

            watch = QueueWatch(self, abort, None)
            watch.start()
            try:
                raw, resp = self._request_raw(
                    method, path, body, QUEUE_MAX_S, lambda c: holder.update(conn=c)
                )
            except BackendError:
                if watch.dead:
                    raise self._too_slow(watch.waited) from None
                raise
            finally:
                watch.stop()
        if resp.status >= 400:
            raise self._http_error(resp.status, raw, path)
        try:
            return json.loads(raw or b"null")
        except ValueError as exc:
            raise BackendError(
                tr(
                    "Der KI-Server {host} hat eine unverständliche Antwort geschickt. "
                    "Ist die Adresse die eines OpenAI-kompatiblen Servers?",
                    host=self._host_label(),
                ),
                detail=raw[:500].decode("utf-8", "replace"),
            ) from exc

    def _request_raw(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        timeout: float,
        hook: Callable[[http.client.HTTPConnection], None] | None = None,
    ) -> tuple[bytes, http.client.HTTPResponse]:
        conn, resp = self._send(method, path, body, timeout=timeout, cancel_hook=hook)
        try:
            return resp.read(), resp
        except TimeoutError as exc:
            raise self._too_slow(timeout) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise self._connection_lost(exc) from exc
        finally:
            conn.close()

    def _http_error(self, status: int, raw: bytes, path: str, retry_after: str = "") -> Exception:
        """Mapping in ``remote_errors.py``; a too long prompt also teaches us the window."""
        _text, message = server_message(raw)
        overflow = self._overflow_from(message)
        if overflow is not None:
            return overflow
        model = self._wanted_model or self.model_id
        return http_error(status, raw, path, self._host_label(), model, retry_after)

    def _overflow_from(self, message: str) -> ContextOverflow | None:
        numbers = overflow_numbers(message)
        if numbers is None:
            return None
        n_prompt, n_ctx = numbers
        self._n_ctx = n_ctx  # learn the real window for the next split
        self._set_status(n_ctx=n_ctx)
        return prompt_too_long(n_prompt, n_ctx)

    # Models --------------------------------------------------------------------------
    def list_models(self) -> list[RemoteModel]:
        """The models the server offers (``/v1/models``), with their context where given."""
        data = self._json("GET", "/v1/models")
        items = data.get("data", []) if isinstance(data, dict) else []
        models = []
        for item in items:
            if not isinstance(item, dict) or not item.get("id"):
                continue
            meta = item.get("meta") if isinstance(item.get("meta"), dict) else {}
            n_ctx = item.get("max_model_len") or meta.get("n_ctx") or meta.get("n_ctx_train") or 0
            models.append(RemoteModel(id=str(item["id"]), n_ctx=int(n_ctx or 0)))
        return models

    def load(
        self,
        model_path: Path | str | None = None,
        *,
        progress: Callable[[Progress], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        """Select a model on the server (by id; a path's file name or stem also matches)."""
        if progress is not None:
            progress(Progress(0, 100, tr("Verbindung zu {host} …", host=self._host_label())))
        wanted = str(model_path) if model_path else self._wanted_model
        with self._lock:
            self._select(wanted)
        if cancel is not None:
            cancel.raise_if_cancelled()
        if progress is not None:
            progress(Progress(100, 100, _("Modell bereit.")))

    def _select(self, wanted: str) -> RemoteModel:
        self._set_status(state="loading", message="")
        try:
            models = self.list_models()
        except BackendError as exc:
            self._set_status(state="error", message=exc.user_message)
            raise
        chosen: RemoteModel | None = None
        if wanted:
            candidates = {wanted, Path(wanted).name, Path(wanted).stem}
            chosen = next((m for m in models if m.id in candidates), None)
            if chosen is None and not models:
                chosen = RemoteModel(id=wanted)  # server without a model list (rare)
        elif models:
            chosen = models[0]
        if chosen is None:
            names = ", ".join(m.id for m in models) or _("keine")
            message = tr(
                "Das Modell „{model}“ gibt es auf dem KI-Server {host} nicht. Verfügbar: {names}.",
                model=wanted,
                host=self._host_label(),
                names=names,
            )
            self._set_status(state="error", message=message)
            raise ModelError(message)
        self._model = chosen
        self._wanted_model = chosen.id
        self._n_ctx = self._configured_ctx() or chosen.n_ctx or self._probe_ctx()
        self._set_status(
            state="ready", model_name=chosen.id, n_ctx=self._n_ctx or FALLBACK_CTX, message=""
        )
        return chosen

    def _configured_ctx(self) -> int:
        return int(self._store.settings.n_ctx or 0)

    def _turn_markers(self) -> TurnMarkers:
        """Stop/strip strings for this server's answers: derived from its chat template where
        it tells it (llama.cpp's ``/props``), else the turn markers of the common families
        (none of them belongs in an answer). Asked once per server."""
        if self._markers is None:
            self._markers = generic_markers()
            try:
                data = self._json("GET", "/props")
            except (BackendError, ModelError):
                data = None
            template = data.get("chat_template") if isinstance(data, dict) else None
            if isinstance(template, str) and template.strip():
                with contextlib.suppress(TemplateRenderError):
                    derived = derive_turn_markers(ChatRenderer(template).render)
                    derived.stops.extend(s for s in GENERIC_STOPS if s not in derived.all)
                    self._markers = derived
        return self._markers

    def _probe_ctx(self) -> int:
        """llama.cpp's server tells its slot context in ``/props``; others answer 404."""
        try:
            data = self._json("GET", "/props")
        except (BackendError, ModelError):
            return 0
        if not isinstance(data, dict):
            return 0
        settings = data.get("default_generation_settings") or {}
        return int(settings.get("n_ctx") or data.get("n_ctx") or 0)

    def _ensure_model(self) -> RemoteModel:
        if self._closed:
            raise BackendError(_("Die Modell-Engine wurde beendet."))
        with self._lock:
            if self._model is None:
                return self._select(self._wanted_model)
            return self._model

    def unload(self) -> None:
        with self._lock:
            self._model = None
        self._set_status(state="empty", model_name="", n_ctx=0)

    def close(self) -> None:
        self._closed = True

    # Sizes ---------------------------------------------------------------------------
    def context_size(self) -> int:
        self._ensure_model()
        return self._n_ctx or FALLBACK_CTX

    # Generation ----------------------------------------------------------------------
    def chat(
        self,
        messages: list[Message],
        params: GenerationParams | None = None,
        *,
        on_token: Callable[[str], None] | None = None,
        cancel: CancelToken | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_reasoning: Callable[[str], None] | None = None,
    ) -> GenerationResult:
        params = params or GenerationParams.from_settings(self._store.settings)
        cancel = cancel or CancelToken()
        started = time.monotonic()
        delay = 1.0
        while True:  # a busy server (429/503) is asked again with back-off
            try:
                return self._chat_shaped(
                    messages, params, on_token, cancel, on_reasoning, on_progress
                )
            except ServerBusy as exc:
                waited = time.monotonic() - started
                pause = min(exc.retry_after_s or delay, 30.0)
                if waited + pause > BUSY_RETRY_S:
                    raise ServerBusy(
                        busy_message(self._host_label(), waited), detail=exc.detail
                    ) from exc
                if on_progress is not None:
                    on_progress(
                        Progress(
                            0,
                            None,
                            tr(
                                "Der KI-Server {host} ist ausgelastet; neuer Versuch in {s} s "
                                "(bisher {w} s gewartet) …",
                                host=self._host_label(),
                                s=f"{pause:.0f}",
                                w=f"{waited:.0f}",
                            ),
                        )
                    )
                if cancel.wait(pause):
                    return GenerationResult(text="", finish_reason="cancelled")
                delay = min(delay * 2, 16.0)
