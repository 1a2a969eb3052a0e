"""Typed errors that carry a message a clerk can read.

Every failure the user can hit (broken model file, prompt too long, cancelled job, broken
document) is one of these. ``user_message`` is already translated; the UI and the CLI show
it as is and never show a traceback.
"""

from __future__ import annotations


class LLMoinError(Exception):
    """Base class: ``user_message`` is plain German (or English) for the clerk."""

    def __init__(self, user_message: str, *, detail: str = "") -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.detail = detail

    def __str__(self) -> str:
        return self.user_message


class Cancelled(LLMoinError):
    """The user pressed Stop; not an error to report, but the job has no result."""


class ModelError(LLMoinError):
    """A model file is missing, broken, too large, or unusable for the request."""


class ModelNotLoaded(ModelError):
    """A generation was asked for before any model was chosen."""


class ContextOverflow(LLMoinError):
    """The prompt does not fit the context window; callers split the input (map-reduce)."""

    def __init__(self, user_message: str, *, n_prompt: int, n_ctx: int) -> None:
        super().__init__(user_message)
        self.n_prompt = n_prompt
        self.n_ctx = n_ctx


class SettingsError(LLMoinError):
    """A settings or policy file cannot be read; the defaults are used instead."""


class SettingLocked(SettingsError):
    """The key is fixed by the administrator's policy."""


class BackendError(LLMoinError):
    """The inference backend failed (e.g. a remote server is down)."""
