"""One policy key as the Group Policy templates, the example policy and the docs show it, and
the groups the keys are sorted into (the table itself: policy_keys.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

REGISTRY_KEY = r"Software\Policies\LLMoin\Desktop"
DEFAULTS_SUBKEY = "Defaults"

GROUPS: dict[str, tuple[str, str]] = {
    # id: (German, English)
    "model": ("Modell und Rechenleistung", "Model and performance"),
    "tasks": ("Aufgaben", "Tasks"),
    "data": ("Daten, Vorlagen und Speicherorte", "Data, templates and locations"),
    "ui": ("Oberfläche und Nutzung", "Interface and use"),
    "server": ("Server-Betrieb", "Server operation"),
}


@dataclass(frozen=True)
class PolicyKey:
    key: str
    group: str
    kind: str  # text | multitext | decimal | boolean | enum | list
    de: str
    en: str
    de_help: str
    en_help: str
    example: object  # TOML value for the example policy and the docs
    minimum: int = 0
    maximum: int = 2_000_000
    options: tuple[tuple[str, str, str], ...] = field(default=())  # (value, German, English)
