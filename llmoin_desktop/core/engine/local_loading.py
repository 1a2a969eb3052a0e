"""Loading a GGUF model into :class:`~llmoin_desktop.core.engine.local.LocalBackend` (split
out of ``local.py``).

Why the shape: the file is checked before llama.cpp sees it (a broken or embedding-only file
gets a clear message, not a crash); the context is planned from free memory so a model that
does not fit is refused up front; llama.cpp's load progress callback drives the progress bar
and aborts the load on Stop; the chat template is trial-rendered once so its quirks (system
role, alternation, reasoning) are known before the first prompt. A mixin because it runs on
the backend's owner thread and sets its model state.
"""

from __future__ import annotations

import ctypes
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llmoin_desktop.core.engine import hardware
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
)
from llmoin_desktop.core.engine.gguf import GGUFHeader
from llmoin_desktop.core.engine.template_probe import template_vocab_missing
from llmoin_desktop.core.engine.threads import ThreadGovernor, plan_threads, shared_monitor
from llmoin_desktop.core.errors import Cancelled, ModelError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import CancelToken, Progress

ProgressCallback = Callable[[Progress], None]

# Safety margin on memory: the model plus KV cache must fit in this share of free memory.
MEMORY_SHARE = 0.85
# Upper bound for the automatic context size; IT can raise it with the n_ctx setting.
AUTO_CTX_CAP = 32768


class ModelLoadingMixin:
    _store: Any
    _governor: Any
    _set_status: Any
    _do_unload: Any  # LocalBackend's

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


def _make_abort_callback(backend: Any) -> Any:
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
