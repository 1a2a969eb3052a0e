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
"""

from __future__ import annotations

import ctypes
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from llmoin_desktop.core.config import SettingsStore
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
    apply_template_fallback,
    chat_template_note,
    validate_model,
)
from llmoin_desktop.core.engine.chat_templates import (
    ChatRenderer,
    TemplateProfile,
    TemplateRenderError,
    detect_profile,
    opened_tag,
    prepare_messages,
)
from llmoin_desktop.core.engine.gguf import GGUFHeader
from llmoin_desktop.core.engine.reasoning import ReasoningSplitter
from llmoin_desktop.core.engine.template_probe import template_refusal, template_vocab_missing
from llmoin_desktop.core.engine.threads import (
    GovernedThreadsMixin,
    ThreadGovernor,
    plan_threads,
    shared_monitor,
)
from llmoin_desktop.core.engine.token_loop import TokenLoopMixin
from llmoin_desktop.core.errors import (
    BackendError,
    Cancelled,
    ModelError,
    ModelNotLoaded,
)
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import CancelToken, Progress

T = TypeVar("T")

ProgressCallback = Callable[[Progress], None]

# Smallest room left for an answer; below this a prompt counts as too long.
MIN_ANSWER_TOKENS = 32
# Safety margin on memory: the model plus KV cache must fit in this share of free memory.
MEMORY_SHARE = 0.85
# Upper bound for the automatic context size; IT can raise it with the n_ctx setting.
AUTO_CTX_CAP = 32768


class LocalBackend(TokenLoopMixin, GovernedThreadsMixin, StatusPublisher):
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
        from llmoin_desktop.core.model_policy import require_model_allowed

        require_model_allowed(self._store.settings, path)  # IT's allowed_models, every door
        self._call(lambda: self._do_load(path, progress, cancel))

    def _plan_context(self, header: GGUFHeader, free_bytes: int) -> int:
        """Context size: the setting, else the trained one capped by what memory allows."""
        trained = header.context_length or 4096
        wanted = int(self._store.settings.n_ctx or 0)
        if wanted > 0:
            return min(wanted, trained) if trained else wanted
        per_token = hardware.kv_bytes_per_token(header)
        budget = max(0, int(free_bytes * MEMORY_SHARE) - header.file_size) // 2
        by_memory = budget // per_token if per_token else trained
        n_ctx = min(trained, AUTO_CTX_CAP, max(2048, by_memory))
        return int(n_ctx)

    def _do_load(
        self, path: Path, progress: ProgressCallback | None, cancel: CancelToken | None
    ) -> None:
        def report(step: int, text: str) -> None:
            if progress is not None:
                progress(Progress(step, 100, text))

        report(0, _("Modelldatei wird geprüft …"))
        try:
            info, header = validate_model(path)
            apply_template_fallback(info, str(self._store.settings.chat_template_fallback or ""))
            if info.problem:
                raise ModelError(info.problem)
        except ModelError as exc:
            self._set_status(state="error", message=exc.user_message)
            raise
        if info.is_embedding:
            raise ModelError(chat_template_note(info))
        use_gpu = hardware.gpu_offload_supported() and self._store.settings.n_gpu_layers != 0
        mem = hardware.memory_snapshot()
        free_bytes = mem.available + (mem.vram_free if use_gpu else 0)
        n_ctx = self._plan_context(header, free_bytes)
        need = header.file_size + hardware.kv_bytes_per_token(header) * n_ctx + 256 * 2**20
        if need > free_bytes * MEMORY_SHARE:
            message = tr(
                "Das Modell „{name}“ braucht etwa {need} GB Arbeitsspeicher, frei sind nur {free} GB. "
                "Bitte ein kleineres Modell wählen oder Programme schließen.",
                name=info.name,
                need=f"{need / 2**30:.1f}",
                free=f"{free_bytes / 2**30:.1f}",
            )
            self._set_status(state="error", message=message)
            raise ModelError(message)
        if cancel is not None:
            cancel.raise_if_cancelled()

        self._do_unload(idle=False)
        self._set_status(state="loading", model_name=info.name, model_path=str(path), message="")
        report(5, tr("„{name}“ wird geladen …", name=info.name))
        llm = self._construct_llama(path, n_ctx, use_gpu, report, cancel)
        try:
            renderer, profile = self._make_renderer(llm, info)
        except ModelError as exc:
            llm.close()
            self._set_status(state="error", model_name="", model_path="", message=exc.user_message)
            raise
        self._llm = llm
        self._model_path = path
        self._info = info
        self._header = header
        self._cached = []
        self._renderer, self._profile = renderer, profile
        self._abort_cb = _make_abort_callback(self)
        report(100, _("Modell bereit."))
        n_gpu_layers = hardware.n_gpu_layers(self._store) if use_gpu else 0
        self._set_status(
            state="ready",
            model_name=info.name,
            model_path=str(path),
            device=hardware.compiled_device() if use_gpu else "CPU",
            n_ctx=llm.n_ctx(),
            n_gpu_layers=n_gpu_layers,
            n_threads=self._governor.gen if self._governor else hardware.n_threads(self._store),
            n_params=header.n_params,
            message="",
        )

    def _construct_llama(
        self,
        path: Path,
        n_ctx: int,
        use_gpu: bool,
        report: Callable[[int, str], None],
        cancel: CancelToken | None,
    ) -> Any:
        import llama_cpp
        from llama_cpp import llama_cpp as lc

        # Llama() does not expose llama.cpp's load progress callback; we give it model params
        # with the callback set. The callback also aborts the load when the job is cancelled.
        def on_progress(fraction: float, _user: ctypes.c_void_p) -> bool:
            report(5 + int(fraction * 90), _("Modell wird geladen …"))
            return not (cancel is not None and cancel.cancelled)

        c_progress = lc.llama_progress_callback(on_progress)
        original = lc.llama_model_default_params

        def params_with_progress() -> Any:
            params = original()
            params.progress_callback = c_progress
            return params

        plan = plan_threads(int(self._store.settings.n_threads or 0))
        governor = ThreadGovernor(plan, shared_monitor() if not plan.fixed else None)
        gen_threads, batch_threads = governor.choose()
        lc.llama_model_default_params = params_with_progress
        try:
            llm = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_batch=512,
                n_threads=gen_threads,
                n_threads_batch=batch_threads,
                n_gpu_layers=hardware.n_gpu_layers(self._store) if use_gpu else 0,
                use_mmap=True,
                verbose=False,
            )
            # llama.cpp logs an "error" line when we abort a decode on purpose; our own typed
            # errors carry everything the user needs. LLMOIN_DEBUG=1 keeps its log.
            if not os.environ.get("LLMOIN_DEBUG"):
                logging.getLogger("llama-cpp-python").setLevel(logging.CRITICAL)
            self._governor, self._threads_applied = governor, (gen_threads, batch_threads)
            return llm
        except (ValueError, RuntimeError, OSError) as exc:
            if cancel is not None and cancel.cancelled:
                self._set_status(state="empty", model_name="", model_path="")
                raise Cancelled(_("Laden abgebrochen.")) from exc
            message = tr(
                "Das Modell „{name}“ konnte nicht geladen werden. Die Datei ist vermutlich "
                "beschädigt oder für diese Programmversion zu neu.",
                name=path.name,
            )
            self._set_status(state="error", message=message)
            raise ModelError(message, detail=str(exc)) from exc
        finally:
            lc.llama_model_default_params = original

    @staticmethod
    def _make_renderer(
        llm: Any, info: ModelInfo
    ) -> tuple[ChatRenderer | None, TemplateProfile | None]:
        """The template renderer and what trial renders found out about it (system role,
        alternation, reasoning); a template that cannot render raises a clear ModelError."""
        if not info.has_chat_template:
            return None, None
        eos_id, bos_id = llm.token_eos(), llm.token_bos()
        try:
            renderer = ChatRenderer(
                info.chat_template,
                eos_token=llm._model.token_get_text(eos_id) if eos_id != -1 else "",
                bos_token=llm._model.token_get_text(bos_id) if bos_id != -1 else "",
            )
        except TemplateRenderError as exc:
            raise ModelError(
                tr(
                    "Das Gesprächsformat (Chat-Vorlage) des Modells „{name}“ ist fehlerhaft: "
                    "{reason}",
                    name=info.name,
                    reason=str(exc)[:200],
                ),
                detail=str(exc),
            ) from exc
        profile = detect_profile(renderer, info.name, info.template_source)
        profile.vocab_missing = template_vocab_missing(llm, profile)
        return renderer, profile

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


def _make_abort_callback(backend: LocalBackend) -> Any:
    from llama_cpp import llama_cpp as lc

    def should_abort(_user: ctypes.c_void_p) -> bool:
        token = backend._abort_token
        if token is not None and token.cancelled:
            return True
        deadline = backend._abort_deadline
        if deadline and time.perf_counter() > deadline:
            backend._abort_overdue = True
            return True
        return False

    return lc.ggml_abort_callback(should_abort)
