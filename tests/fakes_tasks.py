"""A small deterministic backend for unit tests of the task runners (no model needed).

It follows the Backend protocol's contract closely: it counts tokens (≈ 4 characters each),
raises ContextOverflow when a prompt does not fit, streams tokens, honours the CancelToken
between tokens, and records every call so tests can check prompts and the shared preamble.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from llmoin_desktop.core.engine.backend import (
    EngineStatus,
    GenerationParams,
    GenerationResult,
    Message,
)
from llmoin_desktop.core.errors import ContextOverflow
from llmoin_desktop.core.jobs import CancelToken


class FakeBackend:
    name = "fake"

    def __init__(
        self,
        n_ctx: int = 4096,
        *,
        token_delay: float = 0.0,
        reply: Callable[[list[Message]], str] | None = None,
    ) -> None:
        self.n_ctx = n_ctx
        self.token_delay = token_delay
        self.reply = reply or self.default_reply
        self.calls: list[list[Message]] = []
        self.params: list[GenerationParams] = []

    @staticmethod
    def default_reply(messages: list[Message]) -> str:
        """Echo: the first words of the last user message's text after "Text:" (or all)."""
        content = messages[-1]["content"]
        body = content.split("Text:", 1)[-1]
        words = re.findall(r"\S+", body)[:30]
        return "Zusammenfassung: " + " ".join(words)

    def count_tokens(self, messages: list[Message]) -> int:
        return sum(len(m["content"]) // 4 + 4 for m in messages) + 2

    def context_size(self) -> int:
        return self.n_ctx

    def chat(
        self,
        messages: list[Message],
        params: GenerationParams | None = None,
        *,
        on_token: Callable[[str], None] | None = None,
        cancel: CancelToken | None = None,
        on_progress: object = None,
        on_reasoning: object = None,
    ) -> GenerationResult:
        n_prompt = self.count_tokens(messages)
        if n_prompt + 16 > self.n_ctx:
            raise ContextOverflow("zu lang", n_prompt=n_prompt, n_ctx=self.n_ctx)
        self.calls.append([dict(m) for m in messages])
        self.params.append(params or GenerationParams())
        text = self.reply(messages)
        pieces = re.findall(r"\S+\s*", text)
        limit = (params or GenerationParams()).max_tokens
        out: list[str] = []
        for piece in pieces[:limit]:
            if cancel is not None and cancel.cancelled:
                return GenerationResult(
                    "".join(out), "cancelled", n_prompt=n_prompt, n_generated=len(out)
                )
            if self.token_delay:
                time.sleep(self.token_delay)
            out.append(piece)
            if on_token:
                on_token(piece)
        return GenerationResult(
            "".join(out), "stop", n_prompt=n_prompt, n_generated=len(out), ttft_s=0.001
        )

    def load(self, *args: object, **kwargs: object) -> None:
        pass

    def unload(self) -> None:
        pass

    def status(self) -> EngineStatus:
        return EngineStatus(backend="fake", state="ready", n_ctx=self.n_ctx)

    def add_status_listener(self, listener: object) -> None:
        pass

    def close(self) -> None:
        pass
