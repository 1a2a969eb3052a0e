"""Layered, typed settings: built-in defaults < IT policy < user file, with locked keys.

Policy (``policy.toml`` in the machine-wide config folder, written by IT): top-level keys are
*locked*: the user cannot change them and the UI shows them greyed out. Keys in the policy's
``[defaults]`` table only replace the built-in default and stay changeable. On Windows the
same keys may come from the registry (``HKLM\\Software\\Policies\\LLMoin\\Desktop``) so that
Group Policy can set them; see ``policy_registry.py``.

User settings are ``settings.json`` in the user config folder, written atomically by the app;
``settings.json.bak`` is the last version that was read or written intact. A file written by
Notepad/PowerShell (BOM, UTF-16) or an old editor (Windows-1252) is read as it is. A file that
cannot be understood is renamed to ``settings.json.broken-<timestamp>`` (never deleted, never
overwritten), the ``.bak`` copy is restored, and ``problems`` says so in German.

Every value is checked for its type (``coerce``) and its range or choices
(``config_validation.RULES``); an invalid value is reported and the default applies. A user
value that is invalid or unknown stays in the file until the user changes that key, so a
newer or older program version loses nothing. The policy is read by ``policy_load.py`` and
fails closed.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from llmoin_desktop.core import paths
from llmoin_desktop.core.errors import SettingLocked, SettingsError
from llmoin_desktop.core.i18n import tr
from llmoin_desktop.core.settings.config_files import SCHEMA_VERSION as SCHEMA_VERSION
from llmoin_desktop.core.settings.config_files import atomic_write_text, move_aside
from llmoin_desktop.core.settings.config_files import migrate as migrate
from llmoin_desktop.core.settings.config_files import parse_settings_file as _parse_settings_file
from llmoin_desktop.core.settings.config_files import schema_version as schema_version
from llmoin_desktop.core.settings.config_validation import check_rule

# The settings file's format (JSON in any Windows encoding, its schema version, migrations)
# lives in config_files.py (split off, issue 23); SCHEMA_VERSION, schema_version and migrate
# stay importable from here (the ``X as X`` re-exports above).
POLICY_FILE = "policy.toml"
USER_FILE = "settings.json"
BACKUP_SUFFIX = ".bak"


@dataclass
class Settings:
    """Every setting with its built-in default. Empty strings mean "use the standard place"."""

    language: str = "de"
    models_dir: str = ""
    default_model: str = ""
    n_ctx: int = 0  # 0: the model's trained context, capped by free RAM
    n_gpu_layers: int = -1  # -1: all layers on the GPU when llama.cpp has one, else 0
    n_threads: int = 0  # 0: the app decides by the free cores (engine/threads.py)
    idle_unload_minutes: int = 10
    max_tokens: int = 1024
    # Summaries of documents longer than this many tokens read each paragraph's beginning only
    # (docs/tasks.md, "skim"); 0 reads everything (sensible with a GPU or a remote server).
    long_read_tokens: int = 16000
    # How a long summary is read unless the clerk chooses otherwise on the form (issue 12):
    # "schnell" (key passages, the skim above) or "gruendlich" (every paragraph).
    long_read_mode: str = "schnell"
    temperature: float = 0.3
    # Reasoning models (docs/design.md "Chat templates and reasoning"): whether a template's
    # thinking switch (enable_thinking) is on for guided tasks / free chat, and the token
    # budget for thinking, counted apart from max_tokens so the answer is never cut off.
    thinking_tasks: bool = False
    thinking_chat: bool = True
    thinking_max_tokens: int = 1024
    # For a GGUF without a chat template: a built-in format (chatml, llama3, mistral, gemma,
    # phi3) or a Jinja file. Empty: such models stay refused.
    chat_template_fallback: str = ""
    allowed_tasks: list[str] = field(default_factory=list)  # empty: all tasks
    hidden_tasks: list[str] = field(default_factory=list)
    extra_tasks_dir: str = ""
    # Own tasks (docs/tasks.md "Aufgaben-Editor"): the department's shared folder, who may
    # publish into it (niemand | alle | ausgewaehlte = login names in task_editors), IT's extra
    # high-risk rules, and whether a high-risk warning stops publishing.
    department_tasks_dir: str = ""
    task_publishing: str = "niemand"
    task_editors: list[str] = field(default_factory=list)
    governance_rules_file: str = ""
    governance_warning_blocks_publishing: bool = True
    # Own tasks at all (issue 18): false turns the task editor and import off and leaves the
    # clerk's own tasks folder unread. Under free_chat = false own tasks stay, but must keep a
    # fixed instruction (core/tasks/task_policy.py).
    own_tasks: bool = True
    # Models that may be loaded (empty: any): GGUF file names or SHA-256 sums (64 hex digits).
    allowed_models: list[str] = field(default_factory=list)
    free_chat: bool = True
    data_dir: str = ""
    letterhead_template: str = ""
    usage_terms_text: str = ""
    backend: str = "local"  # "local" or "remote"
    remote_url: str = ""
    remote_model: str = ""
    remote_api_key: str = ""  # sent as "Authorization: Bearer …" to the remote server
    remote_timeout_s: int = 120  # longest silence from the remote server before we give up
    library_server: str = ""
    # Chroma token auth of the shared library server (policy only, never in user files).
    library_server_token: str = ""
    embedding_model: str = ""
    # Department folders every PC's library watches (core/library/watch.py); the clerk's own
    # added folders are watched too and can be switched off on the library page.
    watched_folders: list[str] = field(default_factory=list)
    # "Dokumente fragen" lets the model name the legal terms first: auto (models ≥ 1 B
    # parameters and server models), on, off. See core/tasks/search_terms.py.
    ask_search_terms: str = "auto"
    # Text recognition for scans, faxes and photos (core/documents/ocr.py, docs/ocr.md):
    # on/off and the Tesseract languages ("deu+eng"; data for deu and eng ships with the app).
    ocr_enabled: bool = True
    ocr_languages: str = "deu+eng"
    # The local history (core/history.py): off stores no results at all; a retention period
    # in days deletes older entries each time the app starts (0: kept until deleted).
    history_enabled: bool = True
    history_retention_days: int = 0
    font_scale: int = 100
    high_contrast: bool = False
    export_ai_note: bool = True
    # Fact check (core/factcheck, docs/factcheck.md): ask before a result with figures not
    # found in the source is copied or exported (IT); check free-chat answers too; in the
    # Word export, unsupported figures become comments (True) or are left unmarked (False).
    factcheck_confirm_export: bool = False
    factcheck_chat: bool = True
    factcheck_export_comments: bool = True


SETTING_KEYS = tuple(f.name for f in fields(Settings))
# Keys only IT sets (a policy's top level or its [defaults]): they grant rights or switch
# checks that exist to bind the clerk, so a value in her own settings.json is ignored (kept in
# the file, never applied). Otherwise task_publishing = "alle" in the user file would publish
# wherever IT named a department folder but relied on the default "niemand" (issue 18).
POLICY_ONLY_KEYS = frozenset(
    {
        "task_publishing",
        "task_editors",
        "governance_rules_file",
        "governance_warning_blocks_publishing",
        "extra_tasks_dir",
        "own_tasks",
        "allowed_models",
        "library_server_token",
    }
)
_TYPES = {f.name: type(getattr(Settings(), f.name)) for f in fields(Settings)}


def coerce(key: str, value: Any) -> Any:
    """Convert a value from a file, the registry or the CLI to the key's type, or raise."""
    if key not in _TYPES:
        raise SettingsError(tr("Unbekannte Einstellung: {key}", key=key))
    kind = _TYPES[key]
    try:
        if isinstance(value, dict | bytes | bytearray) or (
            kind is not list and isinstance(value, list | tuple)
        ):
            raise TypeError(value)  # a table or binary value where one value belongs
        if kind is bool:
            if not isinstance(value, bool | int | str):
                raise TypeError(value)
            if isinstance(value, str):
                low = value.strip().lower()
                if low in {"1", "true", "yes", "ja", "on"}:
                    return True
                if low in {"0", "false", "no", "nein", "off"}:
                    return False
                raise ValueError(value)
            return bool(value)
        if kind is int:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            return int(value)
        if kind is float:
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        if kind is list:
            if isinstance(value, str):
                return [part.strip() for part in value.split(",") if part.strip()]
            if not isinstance(value, list | tuple) or any(
                isinstance(v, dict | list | tuple) for v in value
            ):
                raise TypeError(value)
            return [str(v) for v in value]
        return str(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(tr("Ungültiger Wert für {key}: {value}", key=key, value=value)) from exc


def validate(key: str, value: Any) -> Any:
    """``coerce`` plus the range/choice rule: the value to use, or ``SettingsError``."""
    value = coerce(key, value)
    check_rule(key, value)
    return value


_atomic_write_text = atomic_write_text  # the name other modules (terms, trainer) import


class SettingsStore:
    """Reads the layers, answers "which value and who set it", writes the user layer."""

    def __init__(self, config_dir: Path | None = None, policy_dir: Path | None = None) -> None:
        self.config_dir = Path(config_dir) if config_dir else paths.user_config_dir()
        self.policy_dir = Path(policy_dir) if policy_dir else paths.site_config_dir()
        self.problems: list[str] = []
        self.policy_problems: list[str] = []
        self.policy_mode = "none"  # none | ok | cached | lockdown (policy_load.py)
        self.policy_locked: dict[str, Any] = {}
        self.policy_defaults: dict[str, Any] = {}
        self.user: dict[str, Any] = {}
        # invalid or unknown user values: not used, but written back until the user changes them
        self.user_kept: dict[str, Any] = {}
        self._user_file_blocked = False  # unreadable/broken file still in place: never overwrite
        self.settings = Settings()
        self.load()

    @property
    def user_file(self) -> Path:
        return self.config_dir / USER_FILE

    @property
    def backup_file(self) -> Path:
        return self.config_dir / (USER_FILE + BACKUP_SUFFIX)

    @property
    def policy_file(self) -> Path:
        return self.policy_dir / POLICY_FILE

    def load(self) -> Settings:
        self.problems = []
        self.policy_locked, self.policy_defaults = self._read_policy()
        self.user = self._read_user()
        self.settings = self._merge()
        return self.settings

    def _read_policy(self) -> tuple[dict[str, Any], dict[str, Any]]:
        from llmoin_desktop.core.settings.policy_load import load_policy
        from llmoin_desktop.core.settings.policy_registry import read_registry_policy

        state = load_policy(
            self.policy_file, self.config_dir, coerce, check_rule, read_registry_policy
        )
        self.policy_mode = state.mode
        self.policy_problems = list(state.problems)
        self.problems.extend(state.problems)
        return state.locked, state.defaults

    def _read_user(self) -> dict[str, Any]:
        self.user_kept = {}
        self._user_file_blocked = False
        path = self.user_file
        try:
            data = _parse_settings_file(path)
        except FileNotFoundError:
            return {}
        except OSError as exc:  # e.g. no read permission: keep the file, never overwrite it
            self._user_file_blocked = True
            self.problems.append(
                tr(
                    "Ihre Einstellungsdatei {path} kann nicht gelesen werden ({error}); es gelten "
                    "die Standardwerte. Die Datei wird nicht überschrieben.",
                    path=path,
                    error=exc.strerror or exc,
                )
            )
            return {}
        except ValueError as exc:
            data = self._recover_user(exc)
            if data is None:
                return {}
        else:
            self._keep_backup(data)
        return self._clean_user(data)

    def _recover_user(self, error: Exception) -> dict[str, Any] | None:
        """Move the broken file aside, then fall back to the last good copy (restored)."""
        path = self.user_file
        try:
            moved = move_aside(path)
        except OSError as exc:
            self._user_file_blocked = True
            self.problems.append(
                tr(
                    "Ihre Einstellungsdatei {path} ist beschädigt ({error}); es gelten die "
                    "Standardwerte. Sie bleibt unverändert, weil der Ordner nicht beschreibbar "
                    "ist ({reason}).",
                    path=path,
                    error=error,
                    reason=exc.strerror or exc,
                )
            )
            return None
        kept = str(moved) if moved else "–"
        try:
            backup = _parse_settings_file(self.backup_file)
        except (OSError, ValueError):
            self.problems.append(
                tr(
                    "Ihre Einstellungsdatei {path} war beschädigt ({error}). Sie wurde als "
                    "{kept} aufbewahrt; es gelten die Standardwerte.",
                    path=path,
                    error=error,
                    kept=kept,
                )
            )
            return None
        self.problems.append(
            tr(
                "Ihre Einstellungsdatei {path} war beschädigt ({error}). Sie wurde als {kept} "
                "aufbewahrt; Ihre zuletzt gültigen Einstellungen wurden wiederhergestellt.",
                path=path,
                error=error,
                kept=kept,
            )
        )
        with contextlib.suppress(OSError):
            atomic_write_text(path, json.dumps(backup, indent=2, ensure_ascii=False))
        return backup

    def _keep_backup(self, data: dict[str, Any]) -> None:
        """``settings.json.bak``: the last intact version (also after a hand edit)."""
        text = json.dumps(data, indent=2, ensure_ascii=False)
        with contextlib.suppress(OSError, ValueError):
            if self.backup_file.exists() and _parse_settings_file(self.backup_file) == data:
                return
        with contextlib.suppress(OSError):
            atomic_write_text(self.backup_file, text)

    def _clean_user(self, data: dict[str, Any]) -> dict[str, Any]:
        try:
            schema_version(data)
        except SettingsError as exc:
            self.problems.append(exc.user_message)
        data = migrate(dict(data))
        clean: dict[str, Any] = {}
        for key, value in data.items():
            if key == "schema_version":
                continue
            try:
                clean[key] = validate(key, value)
            except SettingsError as exc:
                self.user_kept[key] = value
                self.problems.append(
                    tr("{error} – es gilt der Standardwert.", error=exc.user_message)
                )
        return clean

    def _merge(self) -> Settings:
        values = asdict(Settings())
        user = {k: v for k, v in self.user.items() if k not in POLICY_ONLY_KEYS}
        for layer in (self.policy_defaults, user, self.policy_locked):
            values.update(layer)
        return Settings(**values)

    def is_locked(self, key: str) -> bool:
        """Locked by the policy, or a key only IT sets (greyed out in the settings dialog)."""
        return key in self.policy_locked or key in POLICY_ONLY_KEYS

    def source(self, key: str) -> str:
        """``policy`` / ``user`` / ``policy-default`` / ``default``: shown in settings and doctor."""
        if key in self.policy_locked:
            return "policy"
        if key in self.user and key not in POLICY_ONLY_KEYS:
            return "user"
        if key in self.policy_defaults:
            return "policy-default"
        return "default"

    def set(self, key: str, value: Any, *, save: bool = True) -> None:
        """Change a user setting; a policy-locked key raises ``SettingLocked``, an invalid
        value ``SettingsError`` (type, range or choice)."""
        if key in self.policy_locked:
            raise SettingLocked(tr("„{key}“ ist vom Administrator festgelegt.", key=key))
        if key in POLICY_ONLY_KEYS:
            raise SettingLocked(tr("„{key}“ kann nur die IT festlegen (Richtlinie).", key=key))
        self.user[key] = validate(key, value)
        self.user_kept.pop(key, None)
        self.settings = self._merge()
        if save:
            self.save()

    def reset(self, key: str) -> None:
        self.user.pop(key, None)
        self.user_kept.pop(key, None)
        self.settings = self._merge()
        self.save()

    def save(self) -> None:
        kept = {k: v for k, v in self.user_kept.items() if k not in self.user}
        payload = {"schema_version": SCHEMA_VERSION, **kept, **self.user}
        text = json.dumps(payload, indent=2, ensure_ascii=False)
        try:
            if self._user_file_blocked and self.user_file.exists():
                move_aside(self.user_file)  # the unreadable original is kept, not replaced
            self._user_file_blocked = False
            atomic_write_text(self.user_file, text)
        except OSError as exc:
            from llmoin_desktop.core.storage.folder_checks import os_error_cause

            raise SettingsError(
                tr(
                    "Die Einstellungen konnten nicht gespeichert werden: {cause} ({path}).",
                    cause=os_error_cause(exc),
                    path=exc.filename or self.user_file,
                )
            ) from exc
        with contextlib.suppress(OSError):
            atomic_write_text(self.backup_file, text)

    # Derived paths -----------------------------------------------------------------
    def data_dir(self) -> Path:
        return Path(self.settings.data_dir) if self.settings.data_dir else paths.user_data_dir()

    def models_dirs(self) -> list[Path]:
        """User models folder first, then the folder named by settings/policy (if different)."""
        dirs = [self.data_dir() / "models"]
        if self.settings.models_dir:
            extra = Path(self.settings.models_dir).expanduser()
            if extra not in dirs:
                dirs.append(extra)
        return dirs


def apply_data_dir(store: SettingsStore) -> None:
    """Make the ``data_dir`` setting (IT policy: "Datenordner") the folder every store uses.

    History, library and terms find their folder through ``paths.user_data_dir()``; exporting
    the setting as ``LLMOIN_DATA_DIR`` keeps that one rule. An explicit environment value (tests,
    the trainer sandbox) still wins — unless IT *locked* ``data_dir`` and the value points
    outside that folder: an environment variable is the clerk's to set, a lock is not (issue 18).
    The same holds for LLMOIN_LIBRARY_DIR (the library's folder).
    """
    if not store.settings.data_dir:
        return
    target = Path(store.settings.data_dir).expanduser()
    library = os.environ.get("LLMOIN_LIBRARY_DIR")
    if store.policy_locked.get("data_dir") and library and not inside(library, target):
        del os.environ["LLMOIN_LIBRARY_DIR"]  # the GUI and the CLI then use IT's folder
    current = os.environ.get("LLMOIN_DATA_DIR")
    if current and not (store.policy_locked.get("data_dir") and not inside(current, target)):
        return
    os.environ["LLMOIN_DATA_DIR"] = str(target)


def inside(path: str | Path, folder: str | Path) -> bool:
    """``path`` is ``folder`` or below it (after resolving ``..`` and links)."""
    try:
        resolved = Path(path).expanduser().resolve()
        base = Path(folder).expanduser().resolve()
    except (OSError, RuntimeError):
        return False
    return resolved == base or base in resolved.parents
