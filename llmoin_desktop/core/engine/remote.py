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
from urllib.parse import urlsplit

from llmoin_desktop.core.config import SettingsStore
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
    TemplateProfile,
    TemplateRenderError,
    prepare_messages,
)
from llmoin_desktop.core.engine.reasoning import ReasoningSplitter
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
from llmoin_desktop.core.engine.stop_strings import (
    GENERIC_STOPS,
    TurnMarkers,
    derive_turn_markers,
    generic_markers,
)
from llmoin_desktop.core.errors import BackendError, ContextOverflow, ModelError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import CancelToken, Progress

CONNECT_TIMEOUT_S = 5.0
PROBE_TIMEOUT_S = 10.0
# Context size when the server does not say (llama-cpp-python's server default); corrected
# from the server's own "maximum context length is N" message on the first overflow.
FALLBACK_CTX = 2048
# Template allowance when only the plain text can be counted: special tokens per message and
# a default system prompt some templates insert (SmolLM2: ~30 tokens for "Hi").
TEMPLATE_TOKENS_PER_MESSAGE = 8
TEMPLATE_TOKENS_BASE = 48
# Estimate without any tokenizer: German with common BPE vocabularies runs 3–4.5 characters
# per token; 2.5 errs on the safe side (a part that is too small costs one more call, a part
# that is too large costs an error round-trip).
EST_CHARS_PER_TOKEN = 2.5

_CTX_PATTERNS = CTX_PATTERNS  # (kept for callers of the old name)
# 429/503 or a refused connection before any token: retried with back-off (1, 2, 4 … 16 s,
# or the server's Retry-After) for at most BUSY_RETRY_S, then the clerk reads "ausgelastet".
BUSY_RETRY_S = 120.0
# Token counts are estimated here (calibrated once against the server's tokenizer, then 10 %
# on top); only a prompt above this share of the window is counted by the server. Before,
# "Dokumente fragen" sent a dozen count requests per question, each queued behind other
# clerks' answers on a busy server (issue 22).
EXACT_COUNT_SHARE = 0.8
CALIBRATION_TEXT = (
    "Die Meldebehörde stellt auf Antrag eine Bescheinigung über die Anmeldung aus. "
    "Wer eine Wohnung bezieht, hat sich innerhalb von zwei Wochen nach dem Einzug bei der "
    "Meldebehörde anzumelden. Die Urlaubsdauer beträgt jährlich mindestens 24 Werktage; "
    "Reisekostenvergütung wird auf Antrag gewährt, Umzugskosten werden erstattet."
)


@dataclass
class RemoteModel:
    id: str
    n_ctx: int = 0  # 0: the server does not say


def is_loopback_host(host: str | None) -> bool:
    """Literal loopback address or hosts-file name only, never ``*.localhost`` by name
    (that goes to DNS; core/loopback.py)."""
    from llmoin_desktop.core.loopback import is_loopback_host as decide

    return decide(host)


def normalise_url(url: str) -> str:
    """``http://host:8000/v1/`` → ``http://host:8000`` (API paths are added per request)."""
    url = url.strip().rstrip("/")
    if url.endswith("/v1"):
        url = url[: -len("/v1")]
    return url


_CALIBRATED: dict[str, tuple[float, str | None]] = {}


class RemoteBackend(StatusPublisher):
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
        self._parts = _check_url(url, from_policy=from_policy)
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

    def _stream_failed(self, messages: list[Message], partial: bool) -> Exception:
        """The stream ended without a finish reason. llama-cpp-python's server reports a too
        long prompt this way (status 200, then nothing), so we count to tell the two apart."""
        if not partial:
            with contextlib.suppress(BackendError, ModelError):
                n_prompt = self.count_tokens(messages)
                n_ctx = self.context_size()
                if n_prompt >= n_ctx:
                    return prompt_too_long(n_prompt, n_ctx)
        return BackendError(
            tr(
                "Der KI-Server {host} hat die Antwort unterwegs abgebrochen. Bitte erneut "
                "versuchen; wenn es wieder passiert, der IT-Abteilung melden.",
                host=self._host_label(),
            ),
            detail="" if partial else EMPTY_STREAM,
        )

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

    def count_tokens(self, messages: list[Message]) -> int:
        """Estimated here (no request) unless the prompt nears the window; see
        EXACT_COUNT_SHARE. The estimate errs on the large side."""
        self._ensure_model()
        estimate = self._estimate(messages)
        if estimate <= EXACT_COUNT_SHARE * self.context_size():
            return estimate
        key = json.dumps(messages, ensure_ascii=False, sort_keys=True)
        if key not in self._counts:
            if len(self._counts) > 256:
                self._counts.clear()
            self._counts[key] = self._count_exact(messages)
        return self._counts[key]

    def _estimate(self, messages: list[Message]) -> int:
        if self._chars_per_token is None:
            key = f"{self.base_url}|{self.model_id}"
            if key not in _CALIBRATED:  # once per server and model in this process
                _CALIBRATED[key] = (self._calibrate(), self._count_mode)
            self._chars_per_token, mode = _CALIBRATED[key]
            self._count_mode = self._count_mode or mode
        chars = sum(len(m.get("content") or "") for m in messages)
        text = int(chars / self._chars_per_token) + len(messages)
        return text + TEMPLATE_TOKENS_BASE + TEMPLATE_TOKENS_PER_MESSAGE * len(messages)

    def _calibrate(self) -> float:
        """Characters per token of this server's tokenizer on German text, less 10 % (one
        request per session); EST_CHARS_PER_TOKEN when the server cannot count."""
        try:
            sample = [{"role": "user", "content": CALIBRATION_TEXT}]
            empty = self._count_exact([{"role": "user", "content": ""}])
            n = self._count_exact(sample) - empty
        except (BackendError, ModelError, ContextOverflow):
            return EST_CHARS_PER_TOKEN
        if self._count_mode == "estimate" or n <= 0:
            return EST_CHARS_PER_TOKEN
        return max(1.5, 0.9 * len(CALIBRATION_TEXT) / n)

    def _count_exact(self, messages: list[Message]) -> int:
        model = self._ensure_model()
        if self._count_mode is None:
            self._count_mode = self._probe_count_mode(model.id)
        mode = self._count_mode
        text_tokens = 0
        try:
            if mode == "vllm":
                data = self._json("POST", "/tokenize", {"model": model.id, "messages": messages})
                return int(data["count"])
            for m in messages:
                content = m.get("content") or ""
                if not content:
                    continue
                if content in self._text_counts:  # the system text of every candidate prompt
                    text_tokens += self._text_counts[content]
                    continue
                before = text_tokens
                if mode == "extras":
                    data = self._json(
                        "POST",
                        "/extras/tokenize/count",
                        {"input": content, "model": model.id},
                    )
                    text_tokens += int(data["count"])
                elif mode == "llamacpp":
                    data = self._json("POST", "/tokenize", {"content": content})
                    text_tokens += len(data["tokens"])
                else:
                    text_tokens += int(len(content) / EST_CHARS_PER_TOKEN) + 1
                if len(self._text_counts) > 512:
                    self._text_counts.clear()
                self._text_counts[content] = text_tokens - before
        except (KeyError, TypeError, ValueError) as exc:
            raise BackendError(
                tr(
                    "Der KI-Server {host} zählt Textbausteine nicht wie erwartet.",
                    host=self._host_label(),
                ),
                detail=repr(exc),
            ) from exc
        return text_tokens + TEMPLATE_TOKENS_BASE + TEMPLATE_TOKENS_PER_MESSAGE * len(messages)

    def _probe_count_mode(self, model_id: str) -> str:
        probes: list[tuple[str, str, dict[str, Any], Callable[[Any], bool]]] = [
            (
                "vllm",
                "/tokenize",
                {"model": model_id, "messages": [{"role": "user", "content": "Hallo"}]},
                lambda d: isinstance(d, dict) and isinstance(d.get("count"), int),
            ),
            (
                "extras",
                "/extras/tokenize/count",
                {"input": "Hallo", "model": model_id},
                lambda d: isinstance(d, dict) and isinstance(d.get("count"), int),
            ),
            (
                "llamacpp",
                "/tokenize",
                {"content": "Hallo"},
                lambda d: isinstance(d, dict) and isinstance(d.get("tokens"), list),
            ),
        ]
        for mode, path, body, ok in probes:
            try:
                if ok(self._json("POST", path, body)):
                    return mode
            except (BackendError, ModelError, ContextOverflow):
                continue
        return "estimate"

    @property
    def count_mode(self) -> str:
        """How tokens are counted: vllm | extras | llamacpp | estimate (docs/rollout.md)."""
        return self._count_mode or ""

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

    def _chat_shaped(
        self,
        messages: list[Message],
        params: GenerationParams,
        on_token: Callable[[str], None] | None,
        cancel: CancelToken,
        on_reasoning: Callable[[str], None] | None,
        on_progress: Callable[[Progress], None] | None,
    ) -> GenerationResult:
        try:
            return self._chat_once(messages, params, on_token, cancel, on_reasoning, on_progress)
        except BackendError as exc:
            # The server's chat template rejected the system role or the role order (Gemma,
            # old Mistral): shape the messages as for such a local model and ask once more.
            # llama-cpp-python's server reports a template error as an empty stream.
            detail = exc.detail or str(exc)
            shaped = prepare_messages(messages, STRICT_PROFILE)
            if (
                self._merge_roles
                or shaped == messages
                or not (_template_rejects_roles(detail) or detail == EMPTY_STREAM)
            ):
                raise
            self._merge_roles = True
            return self._chat_once(messages, params, on_token, cancel, on_reasoning, on_progress)

    def _chat_once(
        self,
        messages: list[Message],
        params: GenerationParams,
        on_token: Callable[[str], None] | None,
        cancel: CancelToken | None,
        on_reasoning: Callable[[str], None] | None,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> GenerationResult:
        t0 = time.perf_counter()
        cancel = cancel or CancelToken()
        if cancel.cancelled:
            return GenerationResult(text="", finish_reason="cancelled")
        model = self._ensure_model()
        if self._merge_roles:
            messages = prepare_messages(messages, STRICT_PROFILE)
        body = _request_body(model.id, messages, params)
        holder: dict[str, http.client.HTTPConnection | None] = {"conn": None}

        def arm(conn: http.client.HTTPConnection) -> None:
            holder["conn"] = conn
            if cancel.cancelled:  # Stop came while we were connecting
                abort()

        def abort() -> None:
            conn = holder["conn"]
            if conn is not None and conn.sock is not None:
                with contextlib.suppress(OSError):
                    conn.sock.shutdown(socket.SHUT_RDWR)

        cancel.on_cancel(abort)
        self._set_status(state="busy")
        splitter = ReasoningSplitter(
            on_answer=on_token, on_reasoning=on_reasoning, markers=self._turn_markers()
        )
        watch = QueueWatch(self, abort, on_progress)
        try:
            return self._stream(body, splitter, cancel, arm, t0, watch)
        finally:
            watch.stop()
            holder["conn"] = None
            self._set_status(state="ready")

    def _stream(
        self,
        body: dict[str, Any],
        splitter: ReasoningSplitter,
        cancel: CancelToken,
        arm: Callable[[http.client.HTTPConnection], None],
        t0: float,
        watch: QueueWatch | None = None,
    ) -> GenerationResult:
        """Streams the answer; thinking (``<think>`` in the text, or the servers'
        ``reasoning_content`` field) goes to the splitter's reasoning side."""
        pieces: list[str] = []
        finish = ""
        n_chunks = 0
        usage: dict[str, Any] = {}
        timings: dict[str, Any] = {}
        t_first = t_last = 0.0

        def result(finish_reason: str, **counts: int) -> GenerationResult:
            """What came so far, timed from the first streamed piece to the last."""
            splitter.finish()
            return GenerationResult(
                text=splitter.answer,
                reasoning=splitter.reasoning,
                finish_reason=finish_reason,
                ttft_s=(t_first - t0) if t_first else 0.0,
                decode_s=max(0.0, t_last - t_first),
                n_timed=max(0, n_chunks - 1),
                total_s=time.perf_counter() - t0,
                **counts,
            )

        def cancelled_result() -> GenerationResult:
            return result("cancelled", n_generated=n_chunks)

        # Until the first token the request may wait behind other clerks' answers: the socket
        # waits up to QUEUE_MAX_S while _QueueWatch checks that the server lives.
        if watch is not None:
            watch.start()
        queue_timeout = max(self._read_timeout, QUEUE_MAX_S)
        try:
            conn, resp = self._send(
                "POST", "/v1/chat/completions", body, cancel_hook=arm, timeout=queue_timeout
            )
        except BackendError as exc:
            if cancel.cancelled:
                return cancelled_result()
            if watch is not None and watch.dead:
                raise self._too_slow(watch.waited) from None
            if isinstance(exc, ServerSlow) and watch is not None:
                # waited QUEUE_MAX_S behind others while the server lived: busy, not dead
                raise ServerBusy(busy_message(self._host_label(), watch.waited)) from exc
            raise
        try:
            if resp.status >= 400:
                raw = b""
                with contextlib.suppress(OSError, TimeoutError, http.client.HTTPException):
                    raw = resp.read()
                raise self._http_error(
                    resp.status, raw, "/v1/chat/completions", resp.getheader("Retry-After") or ""
                )
            done = False
            while not done:
                if cancel.cancelled:
                    return cancelled_result()
                try:
                    line = resp.readline()
                except TimeoutError as exc:
                    if not t_first and watch is not None and not watch.dead:
                        raise ServerBusy(busy_message(self._host_label(), watch.waited)) from exc
                    raise self._too_slow(self._read_timeout) from exc
                except (OSError, ValueError, http.client.HTTPException) as exc:
                    if cancel.cancelled:
                        return cancelled_result()
                    if watch is not None and watch.dead:
                        raise self._too_slow(watch.waited) from exc
                    raise self._connection_lost(exc) from exc
                if not line:
                    if cancel.cancelled:
                        return cancelled_result()
                    break  # server closed the stream without [DONE]
                line = line.strip()
                if not line.startswith(b"data:"):
                    continue
                data = line[5:].strip()
                if data == b"[DONE]":
                    break
                try:
                    event = json.loads(data)
                except ValueError:
                    continue
                if isinstance(event, dict) and event.get("error"):
                    err = event["error"]
                    raise self._http_error(500, json.dumps({"error": err}).encode(), "stream")
                usage = event.get("usage") or usage
                timings = event.get("timings") or timings
                for choice in event.get("choices") or []:
                    delta = choice.get("delta") or {}
                    text = delta.get("content") or ""
                    thought = delta.get("reasoning_content") or delta.get("reasoning") or ""
                    if thought:
                        splitter.add_reasoning(thought)
                    if text:
                        now = time.perf_counter()
                        if not t_first:
                            t_first = now
                            if watch is not None:  # generating: silence now means trouble
                                watch.stop()
                                with contextlib.suppress(OSError, AttributeError):
                                    conn.sock.settimeout(self._read_timeout)
                        t_last = now
                        n_chunks += 1
                        pieces.append(text)
                        splitter.feed(text)
                        if splitter.ended:
                            # A turn marker of the template in the text (template and
                            # vocabulary disagree): stop reading; closing the connection
                            # makes the server stop generating.
                            finish, done = "stop", True
                            break
                    if choice.get("finish_reason"):
                        finish = "stop" if choice["finish_reason"] == "stop" else "length"
        finally:
            conn.close()
        if cancel.cancelled:
            return cancelled_result()
        if not finish:
            raise self._stream_failed(body["messages"], bool(pieces))
        done_result = result(
            finish,
            n_prompt=int(usage.get("prompt_tokens") or 0),
            n_cached=int((usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0),
            n_generated=int(usage.get("completion_tokens") or n_chunks),
        )
        self.last_server_timings = dict(timings)
        if done_result.tokens_per_s:
            self._set_status(last_tokens_per_s=done_result.tokens_per_s)
        return done_result


STRICT_PROFILE = TemplateProfile(system_role=False, strict_alternation=True)
EMPTY_STREAM = "empty-stream"


def _template_rejects_roles(message: str) -> bool:
    low = message.lower()
    return ("system role" in low and "not supported" in low) or "must alternate" in low


def _request_body(model: str, messages: list[Message], params: GenerationParams) -> dict[str, Any]:
    """OpenAI fields plus the llama.cpp/vLLM extras they understand (others ignore them)."""
    body: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": params.max_tokens,
        "temperature": params.temperature,
        "top_p": params.top_p,
        "top_k": params.top_k,
        "repeat_penalty": params.repeat_penalty,
    }
    if params.seed is not None:
        body["seed"] = params.seed
    if params.stop:
        body["stop"] = list(params.stop)
    if params.ignore_eos:
        body["ignore_eos"] = True  # llama.cpp server, vLLM
        body["min_tokens"] = params.max_tokens  # llama-cpp-python, vLLM
    return body


def _check_url(url: str, *, from_policy: bool) -> tuple[str, str, int]:
    """Refuse anything but http(s) to loopback, or to a host IT named in the policy."""
    if not url:
        raise BackendError(
            _(
                "Für den Server-Betrieb ist keine Serveradresse eingetragen (Einstellung "
                "remote_url). Bitte die IT-Abteilung fragen."
            )
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _invalid_url(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise _invalid_url(url) from exc
    if not (from_policy or is_loopback_host(parts.hostname)):
        raise BackendError(
            tr(
                "Der KI-Server {host} ist nicht von der IT-Abteilung freigegeben. Server außerhalb "
                "dieses Rechners dürfen nur per Richtlinie eingetragen werden.",
                host=parts.hostname,
            )
        )
    return parts.scheme, parts.hostname, port


def _invalid_url(url: str) -> BackendError:
    return BackendError(
        tr(
            "Die Serveradresse „{url}“ ist ungültig (erwartet z. B. http://ki-server:8000).",
            url=url,
        )
    )
