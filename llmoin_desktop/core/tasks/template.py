"""A tiny, safe prompt template language for task files (no eval, no attribute access).

Syntax, chosen so that IT staff can read and write it in a TOML file:

* ``{name}`` – the display value of a form field or a special variable; unknown → error at
  load time, empty value → empty string.
* ``{#if name}…{#else}…{/if}`` – section shown when the field has a value.
* ``{#if name=value}`` / ``{#if name!=value}`` – compares the *raw* value (option ``value``;
  for multiple choice: "is among the chosen"). Sections nest.

Any other brace (``{"a": 1}`` in an example) is left as it is, so prompts may show JSON.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(
    r"\{#if\s+(?P<cond>[^{}]*?)\s*\}|\{#else\}|\{/if\}|\{(?P<var>[A-Za-z_][A-Za-z0-9_]*)\}"
)
_COND = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:(?P<op>!=|=)\s*(?P<value>.*))?$")


class TemplateSyntaxError(ValueError):
    """Raised with a German message; the task loader adds file and line."""


@dataclass
class _Cond:
    name: str
    op: str | None
    value: str
    then: list[Any] = field(default_factory=list)
    other: list[Any] = field(default_factory=list)


@dataclass
class _Var:
    name: str


def _parse(source: str) -> list[Any]:
    root: list[Any] = []
    stack: list[tuple[_Cond, list[Any]]] = []
    current = root
    pos = 0
    for m in _TOKEN.finditer(source):
        if m.start() > pos:
            current.append(source[pos : m.start()])
        pos = m.end()
        text = m.group(0)
        if m.group("var"):
            current.append(_Var(m.group("var")))
        elif text.startswith("{#if"):
            cm = _COND.match(m.group("cond") or "")
            if not cm:
                raise TemplateSyntaxError(f"Ungültige Bedingung: {text}")
            cond = _Cond(cm.group("name"), cm.group("op"), (cm.group("value") or "").strip())
            current.append(cond)
            stack.append((cond, current))
            current = cond.then
        elif text == "{#else}":
            if not stack:
                raise TemplateSyntaxError("{#else} ohne {#if}")
            current = stack[-1][0].other
        else:  # {/if}
            if not stack:
                raise TemplateSyntaxError("{/if} ohne {#if}")
            _cond, current = stack.pop()
    if stack:
        raise TemplateSyntaxError(f"{{#if {stack[-1][0].name}}} ohne {{/if}}")
    if pos < len(source):
        current.append(source[pos:])
    return root


def names_used(source: str) -> set[str]:
    """Every variable and condition name in ``source`` (raises on bad syntax)."""
    found: set[str] = set()

    def walk(nodes: list[Any]) -> None:
        for node in nodes:
            if isinstance(node, _Var):
                found.add(node.name)
            elif isinstance(node, _Cond):
                found.add(node.name)
                walk(node.then)
                walk(node.other)

    walk(_parse(source))
    return found


def _truthy(raw: Any) -> bool:
    if isinstance(raw, str):
        return bool(raw.strip())
    if isinstance(raw, list | tuple | set):
        return len(raw) > 0
    return raw is not None and raw is not False


def _matches(raw: Any, value: str) -> bool:
    if isinstance(raw, list | tuple | set):
        return value in {str(v) for v in raw}
    return str(raw if raw is not None else "") == value


def render(source: str, display: Mapping[str, Any], raw: Mapping[str, Any] | None = None) -> str:
    """Fill ``source``; ``display`` gives text for ``{name}``, ``raw`` the values for conditions."""
    raw = raw if raw is not None else display
    out: list[str] = []

    def walk(nodes: list[Any]) -> None:
        for node in nodes:
            if isinstance(node, str):
                out.append(node)
            elif isinstance(node, _Var):
                value = display.get(node.name, "")
                out.append("" if value is None else str(value))
            else:
                value = raw.get(node.name)
                if node.op is None:
                    ok = _truthy(value)
                elif node.op == "=":
                    ok = _matches(value, node.value)
                else:
                    ok = not _matches(value, node.value)
                walk(node.then if ok else node.other)

    walk(_parse(source))
    text = "".join(out)
    # Sections that were left out leave blank lines behind; keep at most one empty line.
    return re.sub(r"\n{3,}", "\n\n", text).strip()
