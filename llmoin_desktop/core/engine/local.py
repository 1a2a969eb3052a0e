"""In-process llama.cpp backend: one owner thread, cancellable prompt evaluation, prefix cache.

Why the shape:
- A ``Llama`` object is not thread-safe, so one thread owns it; public methods queue work to
  that thread and block the *calling* job thread (never the GUI thread) until it is done.
- ``Llama.generate`` cannot be interrupted during a long prompt evaluation. We evaluate the
  prompt ourselves with llama.cpp's abort callback switched on, so Stop takes effect between
  two graph nodes (milliseconds), and switch it off while decoding (a Python callback per
  graph node would cost ~10 % decode speed; between tokens we check the flag ourselves).
- The token loop uses the C sampler chain on the top-k candidates (``sampling.py``: a small C
  extension picks them, llama.cpp's own path copies the whole vocabulary per token) and one
  reused single-token batch, so the overhead per token stays far below llama.cpp's own
  decode time (see bench/engine.py).
- We keep the tokens that are in the KV cache and reuse the longest common prefix of the
  next prompt (same system preamble → only the new part is evaluated).

Parts: ``local_loading.py`` (checking and loading a model), ``token_loop.py`` (prompt and
tokens), ``threads.py`` (thread counts).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from llmoin_desktop.core.engine import hardware
from llmoin_desktop.core.engine.backend import (
    EngineStatus,
    GenerationParams,
    GenerationResult,
    Message,
    StatusListener,
    StatusPublisher,
    prompt_too_long,
)
from llmoin_desktop.core.engine.catalog import (
    ModelInfo,
    chat_template_note,
)
from llmoin_desktop.core.engine.chat_templates import (
    ChatRenderer,
    TemplateProfile,
    TemplateRenderError,
    opened_tag,
    prepare_messages,
)
from llmoin_desktop.core.engine.gguf import GGUFHeader
from llmoin_desktop.core.engine.local_loading import AUTO_CTX_CAP as AUTO_CTX_CAP
from llmoin_desktop.core.engine.local_loading import MEMORY_SHARE as MEMORY_SHARE
from llmoin_desktop.core.engine.local_loading import ModelLoadingMixin
from llmoin_desktop.core.engine.reasoning import ReasoningSplitter
from llmoin_desktop.core.engine.template_probe import template_refusal
from llmoin_desktop.core.engine.threads import (
    GovernedThreadsMixin,
)
from llmoin_desktop.core.engine.token_loop import TokenLoopMixin
from llmoin_desktop.core.errors import (
    BackendError,
    ModelError,
    ModelNotLoaded,
)
from llmoin_desktop.core.i18n import _
from llmoin_desktop.core.jobs import CancelToken, Progress
from llmoin_desktop.core.settings.config import SettingsStore

T = TypeVar("T")

ProgressCallback = Callable[[Progress], None]

# Smallest room left for an answer; below this a prompt counts as too long.
MIN_ANSWER_TOKENS = 32


class LocalBackend(ModelLoadingMixin, TokenLoopMixin, GovernedThreadsMixin, StatusPublisher):
    """llama-cpp-python in-process. Thread-safe; every public call blocks its caller."""

    name = "local"

    def __init__(
        self, store: SettingsStore | None = None, *, idle_unload_s: float | None = None
    ) -> None:
        """``idle_unload_s`` overrides the minutes setting (tests, benchmarks)."""
        self._store = store or SettingsStore()
        self._idle_override = idle_unload_s
        self._queue: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        self._llm: Any = None  # llama_cpp.Llama, imported lazily (start-up time)
        self._model_path: Path | None = None
        self._info: ModelInfo | None = None
        self._header: GGUFHeader | None = None
        self._renderer: ChatRenderer | None = None
        self._profile: TemplateProfile | None = None
        self._cached: list[int] = []
        self._status = EngineStatus(backend="local", device=hardware.compiled_device())
        self._listeners: list[StatusListener] = []
        self._abort_token: CancelToken | None = None
        self._abort_cb: Any = None
        self._last_used = time.monotonic()
        self._closed = False
        self._thread = threading.Thread(target=self._owner_loop, name="llmoin-model", daemon=True)
        self._thread.start()

    # Owner thread --------------------------------------------------------------------
    def _owner_loop(self) -> None:
        # Normal priority (issue 24): the clerk waits for this work; llama.cpp's threads inherit
        # it. The window stays smooth because the thread governor (threads.py) leaves a core
        # free whenever something else wants one, and background work runs below normal.
        while True:
            timeout = self._idle_timeout()
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                if self._llm is not None and self._idle_expired():
                    self._do_unload(idle=True)
                continue
            if item is None:
                self._do_unload(idle=False)
                return
            fn, fut = item
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(fn())
            except BaseException as exc:  # noqa: BLE001 - delivered to the caller
                fut.set_exception(exc)
            finally:
                self._last_used = time.monotonic()

    def _idle_seconds(self) -> float:
        if self._idle_override is not None:
            return self._idle_override
        return max(0.0, float(self._store.settings.idle_unload_minutes) * 60.0)

    def _idle_timeout(self) -> float | None:
        idle = self._idle_seconds()
        if self._llm is None or idle <= 0:
            return None
        return max(0.05, idle - (time.monotonic() - self._last_used))

    def _idle_expired(self) -> bool:
        idle = self._idle_seconds()
        return idle > 0 and time.monotonic() - self._last_used >= idle

    def _call(self, fn: Callable[[], T]) -> T:
        if self._closed:
            raise BackendError(_("Die Modell-Engine wurde beendet."))
        if threading.current_thread() is self._thread:
            return fn()
        fut: Future[T] = Future()
        self._queue.put((fn, fut))
        return fut.result()

    # Status --------------------------------------------------------------------------
    @property
    def model_info(self) -> ModelInfo | None:
        return self._info

    @property
    def is_loaded(self) -> bool:
        return self._llm is not None

    # Loading -------------------------------------------------------------------------
    def load(
        self,
        model_path: Path | str,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        path = Path(model_path)
        from llmoin_desktop.core.settings.model_policy import require_model_allowed

        require_model_allowed(self._store.settings, path)  # IT's allowed_models, every door
        self._call(lambda: self._do_load(path, progress, cancel))

    def template_profile(self) -> TemplateProfile | None:
        """How the loaded model's chat template behaves (None: no model loaded)."""
        return self._profile

    def unload(self) -> None:
        """Free the model now and forget it (no reload on demand)."""
        self._call(lambda: self._do_unload(idle=False))
        self._model_path = None
        self._info = None
        self._set_status(state="empty", model_name="", model_path="", n_ctx=0)

    def _do_unload(self, *, idle: bool) -> None:
        """``idle``: keep the model chosen and reload it on the next request (scale to zero)."""
        if self._llm is None:
            return
        try:
            self._llm.close()
        finally:
            self._llm = None
            self._cached = []
        if idle:
            self._set_status(state="unloaded-idle", message=_("Modell nach Leerlauf entladen."))

    def _ensure_loaded(self) -> None:
        if self._llm is not None:
            return
        if self._model_path is None:
            raise ModelNotLoaded(_("Es ist noch kein Modell ausgewählt."))
        self._do_load(self._model_path, None, None)

    def close(self) -> None:
        if self._closed:
            return
        self._queue.put(None)
        self._thread.join(timeout=10)
        self._closed = True

    # Prompting -----------------------------------------------------------------------
    def _render(self, messages: list[Message], thinking: bool = False) -> str:
        if self._renderer is None or self._profile is None:
            assert self._info is not None
            raise ModelError(chat_template_note(self._info))
        prepared = prepare_messages(messages, self._profile)
        # enable_thinking for templates with the switch (Qwen3); gpt-oss reads the same
        # choice as its reasoning_effort.
        switch = self._profile.thinking_switch or self._profile.reasoning == "harmony"
        if self._profile.reasoning == "unknown":
            thinking = False  # a thinking format we cannot split stays off (fail safe)
        try:
            return self._renderer.render(prepared, enable_thinking=thinking if switch else None)
        except TemplateRenderError as exc:
            assert self._info is not None
            raise template_refusal(self._info.name, exc) from exc

    def _format(self, messages: list[Message], thinking: bool = False) -> list[int]:
        # The template writes BOS itself (as llama-cpp-python's Jinja2ChatFormatter does).
        prompt = self._render(messages, thinking)
        return self._llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)

    def count_tokens(self, messages: list[Message]) -> int:
        def work() -> int:
            self._ensure_loaded()
            return len(self._format(messages))

        return self._call(work)

    def tokenize(self, text: str) -> list[int]:
        def work() -> list[int]:
            self._ensure_loaded()
            return list(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

        return self._call(work)

    def context_size(self) -> int:
        def work() -> int:
            self._ensure_loaded()
            return int(self._llm.n_ctx())

        return self._call(work)

    def chat(
        self,
        messages: list[Message],
        params: GenerationParams | None = None,
        *,
        on_token: Callable[[str], None] | None = None,
        cancel: CancelToken | None = None,
        on_progress: ProgressCallback | None = None,
        on_reasoning: Callable[[str], None] | None = None,
    ) -> GenerationResult:
        params = params or GenerationParams.from_settings(self._store.settings)
        return self._call(
            lambda: self._do_chat(messages, params, on_token, cancel, on_progress, on_reasoning)
        )

    def _do_chat(
        self,
        messages: list[Message],
        params: GenerationParams,
        on_token: Callable[[str], None] | None,
        cancel: CancelToken | None,
        on_progress: ProgressCallback | None,
        on_reasoning: Callable[[str], None] | None = None,
    ) -> GenerationResult:
        t0 = time.perf_counter()
        cancel = cancel or CancelToken()
        if cancel.cancelled:
            return GenerationResult(text="", finish_reason="cancelled")
        self._ensure_loaded()
        prompt = self._render(messages, params.thinking)
        tokens = self._llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
        profile = self._profile
        splitter = ReasoningSplitter(
            opened=opened_tag(prompt, profile.extra_tags if profile else None),
            on_answer=on_token,
            on_reasoning=on_reasoning,
            markers=profile.markers if profile else None,
            extra_tags=profile.extra_tags if profile else None,
        )
        n_ctx = int(self._llm.n_ctx())
        if len(tokens) + MIN_ANSWER_TOKENS > n_ctx:
            raise prompt_too_long(len(tokens), n_ctx, fits=n_ctx - MIN_ANSWER_TOKENS)
        self._set_status(state="busy")
        try:
            n_cached = self._eval_prompt(tokens, cancel, on_progress)
            if n_cached < 0:
                return GenerationResult(
                    text="",
                    finish_reason="cancelled",
                    n_prompt=len(tokens),
                    total_s=time.perf_counter() - t0,
                )
            result = self._decode_loop(
                params, n_ctx - len(tokens), splitter, cancel, on_progress=on_progress
            )
        finally:
            self._set_status(state="ready")
        result.n_prompt = len(tokens)
        result.n_cached = n_cached
        result.ttft_s = (result.ttft_s - t0) if result.ttft_s else 0.0
        result.total_s = time.perf_counter() - t0
        if result.tokens_per_s:
            self._set_status(last_tokens_per_s=result.tokens_per_s)
        return result

    # Measurements --------------------------------------------------------------------
    def perf(self) -> dict[str, float]:
        """llama.cpp's own timings (C level) for the overhead comparison in bench/engine.py."""

        def work() -> dict[str, float]:
            from llama_cpp import llama_cpp as lc

            if self._llm is None:
                return {}
            data = lc.llama_perf_context(self._llm._ctx.ctx)
            return {
                "t_eval_ms": data.t_eval_ms,
                "n_eval": data.n_eval,
                "t_p_eval_ms": data.t_p_eval_ms,
                "n_p_eval": data.n_p_eval,
            }

        return self._call(work)

    def reset_perf(self) -> None:
        def work() -> None:
            from llama_cpp import llama_cpp as lc

            if self._llm is not None:
                lc.llama_perf_context_reset(self._llm._ctx.ctx)

        self._call(work)

    def clear_cache(self) -> None:
        """Forget the KV cache (benchmarks measure a cold first call with this)."""

        def work() -> None:
            from llama_cpp import llama_cpp as lc

            if self._llm is not None:
                lc.llama_memory_clear(lc.llama_get_memory(self._llm._ctx.ctx), True)
            self._cached = []

        self._call(work)
