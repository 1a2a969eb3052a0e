"""Picks the backend that settings/policy ask for (local llama.cpp or a remote server)."""

from __future__ import annotations

from llmoin_desktop.core.engine.backend import Backend
from llmoin_desktop.core.errors import BackendError
from llmoin_desktop.core.i18n import tr
from llmoin_desktop.core.settings.config import SettingsStore


def create_backend(store: SettingsStore) -> Backend:
    kind = (store.settings.backend or "local").lower()
    if kind == "local":
        from llmoin_desktop.core.engine.local import LocalBackend

        return LocalBackend(store)
    if kind == "remote":
        try:
            from llmoin_desktop.core.engine.remote import RemoteBackend
        except ImportError as exc:
            raise BackendError(
                tr("Der Server-Betrieb ist in dieser Version nicht verfügbar.")
            ) from exc
        return RemoteBackend(store)
    raise BackendError(tr("Unbekannte Engine „{kind}“ (erlaubt: local, remote).", kind=kind))
