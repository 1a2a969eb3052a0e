"""A fake Backend for fast UI tests: streams canned tokens with a delay and honours cancel.

It implements the real ``Backend`` protocol, so the UI code under test is the production
code; only the model is replaced (the real-model tests are marked ``model``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from llmoin_desktop.core.engine.backend import (
    EngineStatus,
    GenerationParams,
    GenerationResult,
    Message,
    StatusListener,
)
from llmoin_desktop.core.engine.catalog import ModelInfo
from llmoin_desktop.core.engine.reasoning import ReasoningSplitter
from llmoin_desktop.core.errors import ModelError, ModelNotLoaded
from llmoin_desktop.core.jobs import CancelToken, Progress

CANNED = (
    "Guten Tag! Gern helfe ich Ihnen. Der Antrag auf Wohngeld wird bei der Wohngeldstelle "
    "Ihrer Gemeinde gestellt. Bitte bringen Sie Einkommensnachweise und den Mietvertrag mit."
)


def fake_model_info(path: Path, name: str = "Fake-Modell", chat: bool = True) -> ModelInfo:
    return ModelInfo(
        path=path,
        name=name,
        architecture="llama",
        n_params=135_000_000,
        quantization="Q4_1",
        file_size=92 * 2**20,
        context_length=8192,
        has_chat_template=chat,
        chat_template="{{ messages }}" if chat else "",
    )


class FakeBackend:
    name = "fake"

    def __init__(
        self, token_delay: float = 0.01, tokens: list[str] | None = None, load_delay: float = 0.05
    ) -> None:
        self.token_delay = token_delay
        self.tokens = tokens if tokens is not None else [w + " " for w in CANNED.split()]
        self.load_delay = load_delay
        self.loaded: Path | None = None
        self.calls: list[list[Message]] = []
        self._listeners: list[StatusListener] = []
        self._status = EngineStatus(backend="fake", device="CPU")
        self._lock = threading.Lock()  # one "owner" at a time, like the real engine

    def _publish(self, **changes: object) -> None:
        for key, value in changes.items():
            setattr(self._status, key, value)
        for listener in list(self._listeners):
            listener(self.status())

    def load(
        self,
        model_path: Path,
        *,
        progress: Callable[[Progress], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        path = Path(model_path)
        if not path.exists():
            raise ModelError(f"Die Modelldatei „{path.name}“ wurde nicht gefunden.")
        self._publish(state="loading", model_name=path.stem, model_path=str(path))
        for step in range(1, 6):
            if cancel is not None:
                cancel.raise_if_cancelled()
            time.sleep(self.load_delay / 5)
            if progress is not None:
                progress(Progress(step, 5, "Modell wird geladen"))
        self.loaded = path
        self._publish(state="ready", n_ctx=8192, n_threads=2)

    def unload(self) -> None:
        self.loaded = None
        self._publish(state="empty", model_name="", model_path="")

    def chat(
        self,
        messages: list[Message],
        params: GenerationParams | None = None,
        *,
        on_token: Callable[[str], None] | None = None,
        cancel: CancelToken | None = None,
        on_reasoning: Callable[[str], None] | None = None,
    ) -> GenerationResult:
        """Streams ``tokens``; ``<think>…</think>`` in them streams as thinking, like a real
        reasoning model through the real splitter."""
        if self.loaded is None:
            raise ModelNotLoaded("Es ist noch kein Modell geladen.")
        with self._lock:
            self.calls.append([dict(m) for m in messages])
            self._publish(state="busy")
            start = time.perf_counter()
            out: list[str] = []
            finish = "stop"
            first = 0.0
            splitter = ReasoningSplitter(on_answer=on_token, on_reasoning=on_reasoning)
            for tok in self.tokens:
                if cancel is not None and cancel.wait(self.token_delay):
                    finish = "cancelled"
                    break
                if cancel is None:
                    time.sleep(self.token_delay)
                if not out:
                    first = time.perf_counter() - start
                out.append(tok)
                splitter.feed(tok)
            splitter.finish()
            total = time.perf_counter() - start
            result = GenerationResult(
                text=splitter.answer,
                reasoning=splitter.reasoning,
                finish_reason=finish,
                n_prompt=10,
                n_generated=len(out),
                n_timed=max(len(out) - 1, 0),
                ttft_s=first,
                decode_s=max(total - first, 1e-6),
                total_s=total,
            )
            self._publish(state="ready", last_tokens_per_s=result.tokens_per_s)
            return result

    def count_tokens(self, messages: list[Message]) -> int:
        return sum(len(m.get("content", "").split()) for m in messages)

    def context_size(self) -> int:
        return 8192

    def status(self) -> EngineStatus:
        return EngineStatus(**vars(self._status))

    def add_status_listener(self, listener: StatusListener) -> None:
        self._listeners.append(listener)

    def close(self) -> None:
        self.loaded = None
