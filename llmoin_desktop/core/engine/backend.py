"""Backend protocol shared by the local llama.cpp engine and the remote (OpenAI-compatible) one.

All methods are blocking and thread-safe: call them from a job thread, never from the GUI
thread. The local backend serialises them onto its one model-owner thread. Streaming goes
through ``on_token``; stopping goes through the job's :class:`CancelToken`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from llmoin_desktop.core.errors import ContextOverflow
from llmoin_desktop.core.i18n import tr
from llmoin_desktop.core.jobs import CancelToken, Progress

if TYPE_CHECKING:
    from llmoin_desktop.core.settings.config import Settings

Message = dict[str, str]  # {"role": "system"|"user"|"assistant", "content": "…"}


@dataclass
class GenerationParams:
    max_tokens: int = 1024
    temperature: float = 0.3
    top_p: float = 0.9
    top_k: int = 40
    repeat_penalty: float = 1.1
    seed: int | None = None
    stop: list[str] = field(default_factory=list)
    ignore_eos: bool = False  # benchmarks: always produce max_tokens
    # Reasoning models: switch a template's thinking on (enable_thinking) and how many tokens
    # the thinking may take before it is closed; ``max_tokens`` counts answer tokens only.
    thinking: bool = False
    max_reasoning_tokens: int = 1024

    @classmethod
    def from_settings(cls, settings: Settings, *, chat: bool = False) -> GenerationParams:
        """The clerk's answer length, temperature and thinking choice (tasks or free chat)."""
        return cls(
            max_tokens=settings.max_tokens,
            temperature=settings.temperature,
            thinking=bool(settings.thinking_chat if chat else settings.thinking_tasks),
            max_reasoning_tokens=max(0, int(settings.thinking_max_tokens)),
        )


@dataclass
class GenerationResult:
    text: str
    finish_reason: str  # "stop" | "length" | "cancelled"
    n_prompt: int = 0
    n_cached: int = 0  # prompt tokens reused from the KV cache (prefix reuse)
    n_generated: int = 0
    ttft_s: float = 0.0  # time to first token
    decode_s: float = 0.0  # time from the first sampled token to the last one
    n_timed: int = 0  # decode steps inside ``decode_s``
    total_s: float = 0.0
    # A reasoning model's thinking, kept apart from ``text`` (never exported or cited).
    reasoning: str = ""
    n_reasoning: int = 0  # generated tokens that were thinking

    @property
    def tokens_per_s(self) -> float:
        if self.n_timed < 1 or self.decode_s <= 0:
            return 0.0
        return self.n_timed / self.decode_s


@dataclass
class EngineStatus:
    """What the status bar and ``doctor`` show."""

    backend: str = "local"
    state: str = "empty"  # empty | loading | ready | busy | unloaded-idle | error
    model_name: str = ""
    model_path: str = ""
    device: str = "CPU"  # CPU | CUDA | Metal | Vulkan | remote
    n_ctx: int = 0
    n_gpu_layers: int = 0
    n_threads: int = 0
    n_params: int = 0  # from the GGUF header; 0 when unknown (server models)
    last_tokens_per_s: float = 0.0
    message: str = ""


StatusListener = Callable[[EngineStatus], None]


class StatusPublisher:
    """Status bookkeeping shared by the backends: a snapshot for readers, listeners on change.

    Listeners are called on the thread that changed the status (the model thread, a job
    thread); the UI marshals to the GUI thread itself. A failing listener never breaks the
    engine."""

    _status: EngineStatus
    _listeners: list[StatusListener]

    def add_status_listener(self, listener: StatusListener) -> None:
        self._listeners.append(listener)

    def status(self) -> EngineStatus:
        return EngineStatus(**vars(self._status))

    def _set_status(self, **changes: Any) -> None:
        for key, value in changes.items():
            setattr(self._status, key, value)
        snapshot = self.status()
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):
                listener(snapshot)


@runtime_checkable
class Backend(Protocol):
    name: str

    def load(
        self,
        model_path: Path,
        *,
        progress: Callable[[Progress], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        """Validate and load a model (local) or select it (remote). Raises ModelError."""

    def unload(self) -> None: ...

    def chat(
        self,
        messages: list[Message],
        params: GenerationParams | None = None,
        *,
        on_token: Callable[[str], None] | None = None,
        cancel: CancelToken | None = None,
        on_reasoning: Callable[[str], None] | None = None,
    ) -> GenerationResult:
        """Generate an answer; raises ContextOverflow, ModelNotLoaded, Cancelled is *not*
        raised: a cancelled generation returns what it had with finish_reason="cancelled".

        ``on_token`` streams the answer only; a reasoning model's thinking streams to
        ``on_reasoning`` (see core/engine/reasoning.py)."""

    def count_tokens(self, messages: list[Message]) -> int:
        """Prompt tokens the messages need after the chat template (for map-reduce fitting)."""

    def context_size(self) -> int: ...

    def status(self) -> EngineStatus: ...

    def add_status_listener(self, listener: StatusListener) -> None: ...

    def close(self) -> None: ...


def prompt_too_long(n_prompt: int, n_ctx: int, *, fits: int | None = None) -> ContextOverflow:
    """The one error for a prompt over the window. ``fits``: what the message names as the
    most that fits, where the backend keeps room for the answer (default ``n_ctx``)."""
    return ContextOverflow(
        tr(
            "Der Text ist zu lang für das Modell ({n_prompt} von höchstens {n_ctx} Textbausteinen).",
            n_prompt=n_prompt,
            n_ctx=n_ctx if fits is None else fits,
        ),
        n_prompt=n_prompt,
        n_ctx=n_ctx,
    )


def describe(obj: Any) -> str:
    return getattr(obj, "name", type(obj).__name__)
