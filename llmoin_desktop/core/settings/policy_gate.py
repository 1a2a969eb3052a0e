"""One place that says what the policy's locks forbid, for every entry point.

The GUI (gallery, page switches, guided tours), the CLI commands and the self-test all ask
here, so a lock cannot hold in one door and be open in the next. tests/test_policy_entry_points.py
walks every policy key over every entry point.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from llmoin_desktop.core.errors import SettingLocked
from llmoin_desktop.core.i18n import _, tr

if TYPE_CHECKING:
    from llmoin_desktop.core.settings.config import Settings, SettingsStore

CHAT_PAGE_ID = "chat"


def require_free_chat(settings: Settings) -> None:
    """Free chat (GUI tile, CLI ``chat``) only when the policy allows it."""
    if not settings.free_chat:
        raise SettingLocked(
            _(
                "Freies Chatten mit dem Modell ist von Ihrer IT-Abteilung abgeschaltet "
                "(Richtlinie free_chat). Bitte nutzen Sie die geführten Aufgaben."
            )
        )


def task_allowed(settings: Settings, task_id: str) -> bool:
    """``allowed_tasks`` (empty: all) minus ``hidden_tasks``."""
    if task_id in settings.hidden_tasks:
        return False
    return not settings.allowed_tasks or task_id in settings.allowed_tasks


def require_task(settings: Settings, task_id: str) -> None:
    if not task_allowed(settings, task_id):
        raise SettingLocked(
            tr(
                "Die Aufgabe „{task}“ ist von Ihrer IT-Abteilung nicht freigegeben "
                "(Richtlinie allowed_tasks/hidden_tasks).",
                task=task_id,
            )
        )


def page_allowed(settings: Settings, page_id: str, task_ids: Iterable[str] = ()) -> bool:
    """A window page: chat needs ``free_chat``; a task page needs the task to be allowed."""
    if page_id == CHAT_PAGE_ID:
        return bool(settings.free_chat)
    if page_id in set(task_ids):
        return task_allowed(settings, page_id)
    return True


def locked_override(store: SettingsStore, key: str, value: Any) -> Any:
    """A command-line option for a setting (``--temperature``): refused when IT locked the key
    to another value. ``max_tokens`` is a ceiling: a smaller value is fine."""
    if value is None or not store.is_locked(key):
        return value
    locked = store.policy_locked[key]
    if value == locked or (key == "max_tokens" and 0 < value <= locked):
        return value
    if locked in ("", None, []):  # e.g. library_server = "": no server at all
        raise SettingLocked(
            tr(
                "„{key}“ ist vom Administrator abgeschaltet (leer festgelegt); die Option gilt "
                "hier nicht.",
                key=key,
            )
        )
    raise SettingLocked(
        tr(
            "„{key}“ ist vom Administrator auf {value} festgelegt; die Option gilt hier nicht.",
            key=key,
            value=locked,
        )
    )


def check_locked_options(store: SettingsStore, options: Any) -> None:
    """Every command's ``--temperature``/``--max-tokens`` (0/None: not given): in range
    (``SettingsError`` names the allowed range) and not against a lock."""
    from llmoin_desktop.core.settings.config import validate

    for key in ("temperature", "max_tokens"):
        value = getattr(options, key, None)
        if value is not None and not (key == "max_tokens" and value == 0):
            validate(key, value)
            locked_override(store, key, value)
    server = getattr(options, "library_server", None)
    if server is not None:  # --library-server: a locked address (also a locked "") holds
        locked_override(store, "library_server", server.strip())
    check_library_folder(store, getattr(options, "library", None))


def check_library_folder(store: SettingsStore, folder: str | None) -> None:
    """``--library DIR`` / LLMOIN_LIBRARY_DIR: inside IT's locked ``data_dir`` only, so an
    index of clerk documents never lands where IT did not want data (issue 18)."""
    import os

    from llmoin_desktop.core.settings.config import inside

    locked = store.policy_locked.get("data_dir")
    if not locked:
        return
    # LLMOIN_LIBRARY_DIR outside it was already dropped by config.apply_data_dir (GUI, CLI)
    for value, label in ((folder, "--library"), (os.environ.get("LLMOIN_LIBRARY_DIR"), None)):
        if value and not inside(value, locked):
            raise SettingLocked(
                tr(
                    "Der Datenordner ist vom Administrator auf {folder} festgelegt; eine "
                    "Bibliothek in {path} ({option}) ist nicht erlaubt.",
                    folder=locked,
                    path=value,
                    option=label or "LLMOIN_LIBRARY_DIR",
                )
            )
