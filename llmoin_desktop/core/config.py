"""Layered, typed settings: built-in defaults < IT policy < user file, with locked keys.

Policy (``policy.toml`` in the machine-wide config folder, written by IT): top-level keys are
*locked*: the user cannot change them and the UI shows them greyed out. Keys in the policy's
``[defaults]`` table only replace the built-in default and stay changeable. On Windows the
same keys may come from the registry (``HKLM\\Software\\Policies\\LLMoin\\Desktop``) so that
Group Policy can set them; see ``policy_registry.py``.

User settings are ``settings.json`` in the user config folder, written atomically by the app.
A broken file never stops the app: its problem is recorded in ``problems`` and the layer is
ignored.
"""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from llmoin_desktop.core import paths
from llmoin_desktop.core.errors import SettingLocked, SettingsError
from llmoin_desktop.core.i18n import tr

SCHEMA_VERSION = 1
POLICY_FILE = "policy.toml"
USER_FILE = "settings.json"


@dataclass
class Settings:
    """Every setting with its built-in default. Empty strings mean "use the standard place"."""

    language: str = "de"
    models_dir: str = ""
    default_model: str = ""
    n_ctx: int = 0  # 0: the model's trained context, capped by free RAM
    n_gpu_layers: int = -1  # -1: all layers on the GPU when llama.cpp has one, else 0
    n_threads: int = 0  # 0: number of physical cores
    idle_unload_minutes: int = 10
    max_tokens: int = 1024
    # Summaries of documents longer than this many tokens read each paragraph's beginning only
    # (docs/tasks.md, "skim"); 0 reads everything (sensible with a GPU or a remote server).
    long_read_tokens: int = 16000
    temperature: float = 0.3
    allowed_tasks: list[str] = field(default_factory=list)  # empty: all tasks
    hidden_tasks: list[str] = field(default_factory=list)
    extra_tasks_dir: str = ""
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
    embedding_model: str = ""
    # "Dokumente fragen" lets the model name the legal terms first: auto (models ≥ 1 B
    # parameters and server models), on, off. See core/tasks/search_terms.py.
    ask_search_terms: str = "auto"
    font_scale: int = 100
    high_contrast: bool = False
    export_ai_note: bool = True


SETTING_KEYS = tuple(f.name for f in fields(Settings))
_TYPES = {f.name: type(getattr(Settings(), f.name)) for f in fields(Settings)}

    # Own tasks (docs/tasks.md "Aufgaben-Editor"): the department's shared folder, who may
    # publish into it (niemand | alle | ausgewaehlte = login names in task_editors), IT's extra
    # high-risk rules, and whether a high-risk warning stops publishing.
    department_tasks_dir: str = ""
    task_publishing: str = "niemand"
    task_editors: list[str] = field(default_factory=list)
    governance_rules_file: str = ""
    governance_warning_blocks_publishing: bool = True

def coerce(key: str, value: Any) -> Any:
    """Convert a value from a file, the registry or the CLI to the key's type, or raise."""
    if key not in _TYPES:
        raise SettingsError(tr("Unbekannte Einstellung: {key}", key=key))
    kind = _TYPES[key]
    try:
        if kind is bool:
            if isinstance(value, str):
                low = value.strip().lower()
                if low in {"1", "true", "yes", "ja", "on"}:
                    return True
                if low in {"0", "false", "no", "nein", "off"}:
                    return False
                raise ValueError(value)
            return bool(value)
        if kind is int:
            if isinstance(value, bool):
                raise ValueError(value)
            return int(value)
        if kind is float:
            return float(value)
        if kind is list:
            if isinstance(value, str):
                return [part.strip() for part in value.split(",") if part.strip()]
            return [str(v) for v in value]
        return str(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(tr("Ungültiger Wert für {key}: {value}", key=key, value=value)) from exc


def _atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file so a full disk or a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring an older user file up to ``SCHEMA_VERSION`` (version 0 = files without a version)."""
    version = int(data.get("schema_version", 0) or 0)
    if version < 1:
        # v0 called the idle timeout "unload_minutes".
        if "unload_minutes" in data and "idle_unload_minutes" not in data:
            data["idle_unload_minutes"] = data.pop("unload_minutes")
        data["schema_version"] = 1
    return data


class SettingsStore:
    """Reads the layers, answers "which value and who set it", writes the user layer."""

    def __init__(self, config_dir: Path | None = None, policy_dir: Path | None = None) -> None:
        self.config_dir = Path(config_dir) if config_dir else paths.user_config_dir()
        self.policy_dir = Path(policy_dir) if policy_dir else paths.site_config_dir()
        self.problems: list[str] = []
        self.policy_locked: dict[str, Any] = {}
        self.policy_defaults: dict[str, Any] = {}
        self.user: dict[str, Any] = {}
        self.settings = Settings()
        self.load()

    @property
    def user_file(self) -> Path:
        return self.config_dir / USER_FILE

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
        locked: dict[str, Any] = {}
        defaults: dict[str, Any] = {}
        raw: dict[str, Any] = {}
        if self.policy_file.exists():
            try:
                with self.policy_file.open("rb") as fh:
                    raw = tomllib.load(fh)
            except (OSError, tomllib.TOMLDecodeError) as exc:
                self.problems.append(
                    tr(
                        "Die Richtliniendatei {path} ist fehlerhaft und wird ignoriert: {error}",
                        path=self.policy_file,
                        error=exc,
                    )
                )
        from llmoin_desktop.core.policy_registry import read_registry_policy

        raw = {**raw, **read_registry_policy()}
        for key, value in raw.items():
            if key == "defaults" and isinstance(value, dict):
                target, items = defaults, value.items()
            else:
                target, items = locked, [(key, value)]
            for k, v in items:
                try:
                    target[k] = coerce(k, v)
                except SettingsError as exc:
                    self.problems.append(exc.user_message)
        return locked, defaults

    def _read_user(self) -> dict[str, Any]:
        if not self.user_file.exists():
            return {}
        try:
            data = json.loads(self.user_file.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except (OSError, ValueError) as exc:
            self.problems.append(
                tr(
                    "Ihre Einstellungsdatei {path} ist beschädigt; es gelten die Standardwerte. ({error})",
                    path=self.user_file,
                    error=exc,
                )
            )
            return {}
        data = migrate(data)
        clean: dict[str, Any] = {}
        for key, value in data.items():
            if key == "schema_version":
                continue
            try:
                clean[key] = coerce(key, value)
            except SettingsError as exc:
                self.problems.append(exc.user_message)
        return clean

    def _merge(self) -> Settings:
        values = asdict(Settings())
        for layer in (self.policy_defaults, self.user, self.policy_locked):
            values.update(layer)
        return Settings(**values)

    def is_locked(self, key: str) -> bool:
        return key in self.policy_locked

    def source(self, key: str) -> str:
        """``policy`` / ``user`` / ``policy-default`` / ``default``: shown in settings and doctor."""
        if key in self.policy_locked:
            return "policy"
        if key in self.user:
            return "user"
        if key in self.policy_defaults:
            return "policy-default"
        return "default"

    def set(self, key: str, value: Any, *, save: bool = True) -> None:
        """Change a user setting; a policy-locked key raises ``SettingLocked``."""
        if self.is_locked(key):
            raise SettingLocked(tr("„{key}“ ist vom Administrator festgelegt.", key=key))
        self.user[key] = coerce(key, value)
        self.settings = self._merge()
        if save:
            self.save()

    def reset(self, key: str) -> None:
        self.user.pop(key, None)
        self.settings = self._merge()
        self.save()

    def save(self) -> None:
        payload = {"schema_version": SCHEMA_VERSION, **self.user}
        try:
            _atomic_write_text(self.user_file, json.dumps(payload, indent=2, ensure_ascii=False))
        except OSError as exc:
            raise SettingsError(
                tr(
                    "Die Einstellungen konnten nicht gespeichert werden (Datenträger voll oder schreibgeschützt?): {error}",
                    error=exc.strerror or exc,
                )
            ) from exc

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
    the trainer sandbox) still wins.
    """
    if store.settings.data_dir and not os.environ.get("LLMOIN_DATA_DIR"):
        os.environ["LLMOIN_DATA_DIR"] = str(Path(store.settings.data_dir).expanduser())
