"""Ranges and choices of the settings, next to (not inside) the ``Settings`` dataclass.

A value from the user file, the policy, the registry or the settings dialog passes two checks:
its type (``config.coerce``) and the rule here. An invalid value is never used: the caller
reports it and keeps the default. A key without an entry in ``RULES`` is checked for its type
only, so a new field in ``Settings`` works before anyone adds its range here.

The ranges follow the ADMX template (installers/policy/policy_keys.py), widened where the
template only narrows what is *sensible* for IT (max_tokens may be 1 from the CLI).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from llmoin_desktop.core.errors import SettingsError
from llmoin_desktop.core.i18n import tr


@dataclass(frozen=True)
class Rule:
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    # extra check for texts (e.g. a server address); returns "" or what is wrong (German)
    check: Callable[[Any], str] | None = None


def _url(value: Any) -> str:
    text = str(value).strip()
    if not text or text.lower().startswith(("http://", "https://")):
        return ""
    return tr("„{value}“ ist keine Adresse der Form http://… oder https://…", value=value)


def _server(value: Any) -> str:
    """The library server may omit ``http://`` (core/library/server.py adds it)."""
    text = str(value).strip()
    return "" if "://" not in text else _url(text)


RULES: dict[str, Rule] = {
    "language": Rule(choices=("de", "en")),
    "n_ctx": Rule(0, 1_048_576),
    "n_gpu_layers": Rule(-1, 100_000),
    "n_threads": Rule(0, 1024),
    "idle_unload_minutes": Rule(0, 10_080),
    "max_tokens": Rule(1, 1_048_576),
    "long_read_tokens": Rule(0, 10_000_000),
    "temperature": Rule(0.0, 2.0),
    "backend": Rule(choices=("local", "remote")),
    "remote_url": Rule(check=_url),
    "remote_timeout_s": Rule(0, 86_400),  # 0: the built-in 120 s
    "library_server": Rule(check=_server),
    "ask_search_terms": Rule(choices=("auto", "on", "off")),
    "font_scale": Rule(50, 200),
    "history_retention_days": Rule(0, 36_500),
}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def check_rule(key: str, value: Any) -> None:
    """Raise ``SettingsError`` (German, names key, value and the allowed range) if invalid."""
    rule = RULES.get(key)
    if rule is None:
        return
    if rule.choices and value not in rule.choices:
        raise SettingsError(
            tr(
                "Ungültiger Wert für {key}: {value} (erlaubt: {choices})",
                key=key,
                value=value,
                choices=", ".join(rule.choices),
            )
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = rule.minimum, rule.maximum
        if (
            value != value
            or (low is not None and value < low)
            or (high is not None and value > high)
        ):
            raise SettingsError(
                tr(
                    "Ungültiger Wert für {key}: {value} (erlaubt: {low} bis {high})",
                    key=key,
                    value=value,
                    low=_number(low) if low is not None else "…",
                    high=_number(high) if high is not None else "…",
                )
            )
    if rule.check is not None:
        problem = rule.check(value)
        if problem:
            raise SettingsError(
                tr("Ungültiger Wert für {key}: {problem}", key=key, problem=problem)
            )


def numeric_range(key: str, low: int, high: int) -> tuple[int, int]:
    """The rule's range for a spin box (``low``/``high`` where the rule leaves it open)."""
    rule = RULES.get(key)
    if rule is None:
        return low, high
    lo = int(rule.minimum) if rule.minimum is not None else low
    hi = int(rule.maximum) if rule.maximum is not None else high
    return lo, min(hi, 2**31 - 1)  # QSpinBox holds a C int
