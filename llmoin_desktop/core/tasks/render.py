"""Form values + source text → chat messages. Also what tutorial mode shows trainers."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from llmoin_desktop.core.engine.backend import Message
from llmoin_desktop.core.tasks import template
from llmoin_desktop.core.tasks.spec import TaskSpec


def _variables(spec: TaskSpec, values: dict[str, Any], extra: dict[str, str]) -> tuple[dict, dict]:
    display: dict[str, Any] = spec.display_values(values)
    raw: dict[str, Any] = spec.raw_values(values)
    base = {"today": _dt.date.today().strftime("%d.%m.%Y")}
    for key, value in {**base, **extra}.items():
        display[key] = value
        raw[key] = value
    return display, raw


def render_system(spec: TaskSpec, values: dict[str, Any]) -> str:
    """The system message. Task files keep it free of per-run values, so it stays identical
    across the calls of a run (and across runs): llama.cpp then reuses it from the KV cache."""
    display, raw = _variables(spec, values, {})
    return template.render(spec.system, display, raw)


def render_user(
    spec: TaskSpec, values: dict[str, Any], *, document: str = "", source: str = ""
) -> str:
    display, raw = _variables(spec, values, {"document": document, "source": source})
    return template.render(spec.user, display, raw)


def render_map(
    spec: TaskSpec,
    values: dict[str, Any],
    *,
    text_part: str,
    part: int,
    parts: int,
    range_label: str,
    source: str = "",
) -> str:
    extra = {
        "text_part": text_part,
        "part": str(part),
        "parts": str(parts),
        "range": range_label,
        "source": source,
    }
    display, raw = _variables(spec, values, extra)
    return template.render(
        spec.long.map or spec.user.replace("{document}", "{text_part}"), display, raw
    )


def build_messages(
    spec: TaskSpec, values: dict[str, Any], *, document: str = "", source: str = ""
) -> list[Message]:
    return [
        {"role": "system", "content": render_system(spec, values)},
        {"role": "user", "content": render_user(spec, values, document=document, source=source)},
    ]
