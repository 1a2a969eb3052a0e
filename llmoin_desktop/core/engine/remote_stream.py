"""Streaming a chat answer from the server, and the system-role retry (split out of
``remote.py``).

Why the shape: the answer arrives as server-sent events (``data: {...}`` lines); Stop shuts
the socket down from the cancelling thread, which wakes the blocked read at once. Until the
first token the request may wait behind other clerks' answers (``remote_queue.QueueWatch``).
A server whose chat template rejects the system role or the role order is asked once more
with the messages shaped as for such a local model. A mixin because it uses the backend's
HTTP helpers (``_send``, ``_http_error``, ``_too_slow`` …) and status.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import time
from collections.abc import Callable
from typing import Any

from llmoin_desktop.core.engine.backend import (
    GenerationParams,
    GenerationResult,
    Message,
    prompt_too_long,
)
from llmoin_desktop.core.engine.chat_templates import TemplateProfile, prepare_messages
from llmoin_desktop.core.engine.reasoning import ReasoningSplitter
from llmoin_desktop.core.engine.remote_errors import ServerBusy, ServerSlow, busy_message
from llmoin_desktop.core.engine.remote_queue import QUEUE_MAX_S, QueueWatch
from llmoin_desktop.core.errors import BackendError, ModelError
from llmoin_desktop.core.i18n import tr
from llmoin_desktop.core.jobs import CancelToken, Progress

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


class Streaming:
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
