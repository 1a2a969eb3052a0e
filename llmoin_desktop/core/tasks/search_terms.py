"""Search terms from the loaded model for "Dokumente fragen" (query rewriting).

Why: clerks describe cases ("der Antrag ist von meinem Schwager", "Perso verloren"), laws use
their own terms ("ausgeschlossene Personen", "Verlust des Ausweises"). Neither the keyword
lists nor the small built-in sentence encoder bridge that (docs/retrieval.md: most remaining
misses are exactly these); a chat model of 7B class knows the terms. Before searching, it
writes them in one short line (the task file's ``[prompt] search``); the library fuses the
results for the question with those for the terms at half weight, so a poor model's words
cannot push out what the question itself found.

When: setting ``ask_search_terms`` = ``auto`` (default) asks models with at least
``MIN_PARAMS`` parameters and server models, whose size we do not know but which IT chose for
real work; ``on`` always (tests, trainers), ``off`` never. The 135M demo model writes word
salad here (measured: bench/retrieval.py --search-terms-model), so ``auto`` skips it.
Cost: one short generation (≤ ``MAX_TOKENS``) before the search.
"""

from __future__ import annotations

import re

from llmoin_desktop.core.engine.backend import Backend, GenerationParams, Message
from llmoin_desktop.core.errors import Cancelled
from llmoin_desktop.core.i18n import _
from llmoin_desktop.core.jobs import CancelToken

MIN_PARAMS = 1_000_000_000
MAX_TOKENS = 48
MAX_CHARS = 300
CHOICES = ("auto", "on", "off")


def wanted(setting: str, backend: Backend) -> bool:
    """Should the model be asked for search terms (see module doc)?"""
    setting = (setting or "auto").strip().lower()
    if setting not in CHOICES:
        setting = "auto"  # a typo in a policy file must not switch the step off or on
    if setting in ("on", "off"):
        return setting == "on"
    status = backend.status()
    if status.backend == "remote":
        return True
    return status.n_params >= MIN_PARAMS


def clean_terms(text: str) -> str:
    """One line of terms from what the model wrote: no list marks, quotes or lead-in."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    parts: list[str] = []
    for line in lines:
        line = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", line)
        line = re.sub(
            r"^(?:Suchbegriffe|Fachbegriffe|Begriffe|Search terms)\s*:\s*", "", line, flags=re.I
        )
        line = line.strip(" \"'„“”«»")
        if line:
            parts.append(line)
    joined = ", ".join(parts)
    if len(joined) > MAX_CHARS:
        joined = joined[:MAX_CHARS].rsplit(" ", 1)[0]
    return joined.strip(" ,;")


def model_search_terms(
    backend: Backend, message: str, cancel: CancelToken, system: str = ""
) -> str:
    """Ask the model for the terms (greedy, short); empty when it has none.

    ``system``: the answer's system message. Sent here too, so the KV cache still holds it
    when the answer follows (llama.cpp reuses the longest common prefix): otherwise every
    question with terms would evaluate the ~500-token preamble twice."""
    # Thinking would cost seconds for a handful of words: closed at once on reasoning models.
    params = GenerationParams(max_tokens=MAX_TOKENS, temperature=0.0, max_reasoning_tokens=0)
    messages: list[Message] = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": message})
    result = backend.chat(messages, params, on_token=lambda _t: None, cancel=cancel)
    if result.finish_reason == "cancelled" or cancel.cancelled:
        raise Cancelled(_("Abgebrochen."))
    return clean_terms(result.text)
