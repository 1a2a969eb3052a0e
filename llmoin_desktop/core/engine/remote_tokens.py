"""Token counting for the remote backend (split out of ``remote.py``).

Why the shape: the server's tokenizer where it has one (vLLM ``/tokenize`` applies the chat
template; llama-cpp-python ``/extras/tokenize/count`` and llama.cpp ``/tokenize`` count the
text, we add a template allowance); otherwise an estimate that errs on the large side. Most
prompts are only estimated (calibrated once per server and model) so a busy server is not
asked a dozen times per question (issue 22). A mixin because it shares the backend's HTTP
helpers (``_json``, ``_ensure_model``, ``_host_label``) and its per-instance caches.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from llmoin_desktop.core.engine.backend import Message
from llmoin_desktop.core.errors import BackendError, ContextOverflow, ModelError
from llmoin_desktop.core.i18n import tr

# Template allowance when only the plain text can be counted: special tokens per message and
# a default system prompt some templates insert (SmolLM2: ~30 tokens for "Hi").
TEMPLATE_TOKENS_PER_MESSAGE = 8
TEMPLATE_TOKENS_BASE = 48
# Estimate without any tokenizer: German with common BPE vocabularies runs 3–4.5 characters
# per token; 2.5 errs on the safe side (a part that is too small costs one more call, a part
# that is too large costs an error round-trip).
EST_CHARS_PER_TOKEN = 2.5

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


_CALIBRATED: dict[str, tuple[float, str | None]] = {}


class TokenCounting:
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
