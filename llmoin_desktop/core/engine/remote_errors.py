"""What an OpenAI-compatible server's errors mean for the clerk (split out of ``remote.py``).

One place maps HTTP statuses and server messages to the app's typed errors with a German
message: a too long prompt (:class:`ContextOverflow`, with the server's real window), a
wrong key, an unknown model, a busy server (:class:`ServerBusy`, which the backend retries
with back-off before it tells the clerk how long it waited).
"""

from __future__ import annotations

import contextlib
import json
import re

from llmoin_desktop.core.errors import BackendError, ModelError
from llmoin_desktop.core.i18n import tr

CTX_PATTERNS = (
    # OpenAI, vLLM, llama-cpp-python: "maximum context length is 2048 tokens. However, you
    # requested 2100 tokens (2000 in the messages, 100 in the completion)"
    re.compile(r"maximum context length is (\d+) tokens.*?(\d+) in the messages", re.S),
    re.compile(r"maximum context length is (\d+) tokens", re.S),
    # llama-cpp-python (raw): "Requested tokens (2100) exceed context window of 2048"
    re.compile(r"Requested tokens \((\d+)\) exceed context window of (\d+)"),
)


class ServerSlow(BackendError):
    """Nothing arrived within the timeout (a dead, hung or very busy server)."""


class ServerBusy(BackendError):
    """429/503: the server has no free place now. ``retry_after_s`` from its header, if any."""

    def __init__(self, message: str, *, detail: str = "", retry_after_s: float = 0.0) -> None:
        super().__init__(message, detail=detail)
        self.retry_after_s = retry_after_s


def overflow_numbers(message: str) -> tuple[int, int] | None:
    """(tokens in the prompt, context window) from a server's "too long" message."""
    for pattern in CTX_PATTERNS:
        m = pattern.search(message)
        if not m:
            continue
        if pattern is CTX_PATTERNS[2]:
            return int(m.group(1)), int(m.group(2))
        n_ctx = int(m.group(1))
        n_prompt = int(m.group(2)) if m.lastindex and m.lastindex >= 2 else n_ctx
        return n_prompt, n_ctx
    return None


def server_message(raw: bytes) -> tuple[str, str]:
    """(the error text as sent, the message inside it)."""
    text = raw[:4000].decode("utf-8", "replace")
    message = text
    with contextlib.suppress(ValueError, AttributeError, TypeError):
        data = json.loads(text)
        err = data.get("error", data) if isinstance(data, dict) else data
        message = str(err.get("message") or err.get("detail") or text)
    return text, message


def busy_message(host: str, waited_s: float) -> str:
    """The busy server in words, with how long this request has waited."""
    if waited_s >= 1:
        return tr(
            "Der KI-Server {host} ist gerade ausgelastet (andere Anfragen werden bearbeitet); "
            "Ihre Anfrage hat {s} s gewartet. Bitte in einer Minute erneut versuchen.",
            host=host,
            s=f"{waited_s:.0f}",
        )
    return tr(
        "Der KI-Server {host} ist gerade ausgelastet. Bitte in einer Minute erneut versuchen.",
        host=host,
    )


def http_error(
    status: int, raw: bytes, path: str, host: str, model: str, retry_after: str = ""
) -> Exception:
    """The typed error for an HTTP error status (overflows are handled by the caller)."""
    text, message = server_message(raw)
    if status in (401, 403):
        return BackendError(
            tr(
                "Der KI-Server {host} hat die Anmeldung abgelehnt. Bitte den API-Schlüssel "
                "(Einstellung remote_api_key) bei der IT-Abteilung erfragen.",
                host=host,
            ),
            detail=text,
        )
    if status == 404 and "model" in message.lower():
        return ModelError(
            tr(
                "Das Modell „{model}“ gibt es auf dem KI-Server {host} nicht.",
                model=model,
                host=host,
            ),
            detail=text,
        )
    if status == 404:
        return BackendError(
            tr(
                "Der KI-Server {host} kennt die Anfrage {path} nicht. Ist die Adresse die "
                "eines OpenAI-kompatiblen Servers (vLLM, llama.cpp, Ollama)?",
                host=host,
                path=path,
            ),
            detail=text,
        )
    if status in (429, 503):
        wait = 0.0
        with contextlib.suppress(ValueError):
            wait = float(retry_after or 0)
        return ServerBusy(busy_message(host, 0), detail=text, retry_after_s=wait)
    if status >= 500:
        return BackendError(
            tr(
                "Der KI-Server {host} meldet einen internen Fehler ({status}). Bitte der "
                "IT-Abteilung melden.",
                host=host,
                status=status,
            ),
            detail=text,
        )
    return BackendError(
        tr(
            "Der KI-Server {host} hat die Anfrage abgelehnt ({status}): {message}",
            host=host,
            status=status,
            message=message[:300],
        ),
        detail=text,
    )
