"""Guided tasks as data: reading and checking a TOML task file (``resources/tasks/*.toml``).

A task file (``resources/tasks/*.toml``, or IT's folder named by ``extra_tasks_dir``) holds
everything about one task: title, form fields, prompt templates, how long documents are
handled and which refinements it offers. The format is documented in ``docs/tasks.md``.
This module parses a file and refuses a broken one with a message naming file and line; the
task in memory and its form logic are ``spec_model.py`` (re-exported here, so
``from llmoin_desktop.core.tasks.spec import TaskSpec`` keeps working).

English texts for a task live in the task file itself, in an ``[en]`` table of
``"German" = "English"`` pairs: a task IT adds brings its own translation, and no central
catalogue has to know about it. Missing pairs fall back to the app catalogue, then German.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from llmoin_desktop.core import i18n
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.tasks import template
from llmoin_desktop.core.tasks.spec_model import (
    FIELD_KINDS,
    LONG_STRATEGIES,
    OUTPUT_KINDS,
    SPECIAL_VARS,
    STANDARD_REFINEMENTS,
    FieldSpec,
    LongInput,
    Option,
    Refinement,
    TaskInputError,
    TaskSpec,
    TaskSpecError,
    valid_id,
)

__all__ = [
    "FIELD_KINDS",
    "LONG_STRATEGIES",
    "OUTPUT_KINDS",
    "SPECIAL_VARS",
    "STANDARD_REFINEMENTS",
    "FieldSpec",
    "LongInput",
    "Option",
    "Refinement",
    "TaskInputError",
    "TaskSpec",
    "TaskSpecError",
    "valid_id",
    "load_task_file",
]

# Loading ----------------------------------------------------------------------------


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


class _Loader:
    """Parses one file; ``fail`` raises with the file name and the best line it can find."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, problem: str, near: str | None = None) -> TaskSpecError:
        line = _line_of(self.text, near) if near else None
        where = (
            tr("{file}, Zeile {line}", file=self.path.name, line=line) if line else self.path.name
        )
        return TaskSpecError(
            tr("Aufgabendatei {where}: {problem}", where=where, problem=problem),
            detail=str(self.path),
        )

    def need_str(
        self, data: dict[str, Any], key: str, ctx: str, *, default: str | None = None
    ) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.fail(tr("„{key}“ fehlt oder ist kein Text ({ctx}).", key=key, ctx=ctx), ctx)
        return value

    def options(self, raw: Any, ctx: str) -> list[Option]:
        if not isinstance(raw, list) or not raw:
            raise self.fail(tr("Feld „{name}“ braucht eine Liste „options“.", name=ctx), ctx)
        out = []
        for item in raw:
            if isinstance(item, str):
                out.append(Option(item, item))
            elif isinstance(item, dict) and isinstance(item.get("value"), str):
                output = str(item.get("output", ""))
                if output and output not in OUTPUT_KINDS:
                    raise self.fail(tr("Unbekannte Ausgabeart „{kind}“.", kind=output), output)
                out.append(
                    Option(
                        item["value"],
                        str(item.get("label", item["value"])),
                        str(item.get("prompt", "")),
                        output,
                    )
                )
            else:
                raise self.fail(tr("Ungültige Option in Feld „{name}“.", name=ctx), ctx)
        values = [o.value for o in out]
        if len(set(values)) != len(values):
            raise self.fail(tr("Doppelte Optionen in Feld „{name}“.", name=ctx), ctx)
        return out

    def field(self, raw: Any) -> FieldSpec:
        if not isinstance(raw, dict):
            raise self.fail(_("Jeder Eintrag in [[fields]] muss eine Tabelle sein."), "[[fields]]")
        name = self.need_str(raw, "name", "[[fields]]")
        if not valid_id(name):
            raise self.fail(tr("Ungültiger Feldname „{name}“ (a-z, 0-9, _).", name=name), name)
        kind = self.need_str(raw, "kind", name)
        if kind not in FIELD_KINDS:
            raise self.fail(
                tr(
                    "Feld „{name}“: unbekannte Art „{kind}“ (erlaubt: {kinds}).",
                    name=name,
                    kind=kind,
                    kinds=", ".join(FIELD_KINDS),
                ),
                f'"{kind}"',
            )
        spec = FieldSpec(
            name=name,
            kind=kind,
            label=self.need_str(raw, "label", name),
            help=str(raw.get("help", "")),
            placeholder=str(raw.get("placeholder", "")),
            default=raw.get("default"),
            required=bool(raw.get("required", False)),
            source=bool(raw.get("source", False)),
            minimum=raw.get("min"),
            maximum=raw.get("max"),
            from_email=str(raw.get("from_email", "")),
        )
        if kind in ("choice", "multichoice"):
            spec.options = self.options(raw.get("options"), name)
            defaults = spec.default if isinstance(spec.default, list) else [spec.default]
            for d in defaults:
                if d is not None and spec.option(str(d)) is None:
                    raise self.fail(
                        tr(
                            "Feld „{name}“: Vorgabe „{value}“ ist keine Option.", name=name, value=d
                        ),
                        name,
                    )
        show_if = raw.get("show_if", {})
        if not isinstance(show_if, dict):
            raise self.fail(tr("Feld „{name}“: „show_if“ muss eine Tabelle sein.", name=name), name)
        spec.show_if = {
            str(k): [str(x) for x in (v if isinstance(v, list) else [v])]
            for k, v in show_if.items()
        }
        return spec

    def load(self) -> TaskSpec:
        try:
            data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            # Python 3.11's tomllib only says "(at line N, column M)" inside its message.
            m = re.search(r"at line (\d+)", str(exc))
            where = (
                tr("{file}, Zeile {line}", file=self.path.name, line=m.group(1))
                if m
                else self.path.name
            )
            raise TaskSpecError(
                tr("Aufgabendatei {file}: TOML-Fehler: {error}", file=where, error=exc),
                detail=str(self.path),
            ) from exc
        task_id = self.need_str(data, "id", "id")
        if not valid_id(task_id):
            raise self.fail(tr("Ungültige Aufgaben-ID „{id}“ (a-z, 0-9, _).", id=task_id), "id")
        raw_fields = data.get("fields", [])
        if not isinstance(raw_fields, list):
            raise self.fail(_("„fields“ muss eine Liste von Tabellen sein ([[fields]])."), "fields")
        fields_ = [self.field(f) for f in raw_fields]
        names = [f.name for f in fields_]
        for dup in {n for n in names if names.count(n) > 1}:
            raise self.fail(tr("Feldname „{name}“ kommt doppelt vor.", name=dup), f'"{dup}"')
        for f in fields_:
            for other, wanted in f.show_if.items():
                target = next((x for x in fields_ if x.name == other), None)
                if target is None or target.kind not in ("choice", "multichoice"):
                    raise self.fail(
                        tr(
                            "Feld „{name}“: „show_if“ verweist auf „{other}“, das keine Auswahl ist.",
                            name=f.name,
                            other=other,
                        ),
                        "show_if",
                    )
                for w in wanted:
                    if target.option(w) is None:
                        raise self.fail(
                            tr(
                                "„show_if“: „{value}“ ist keine Option von „{other}“.",
                                value=w,
                                other=other,
                            ),
                            "show_if",
                        )
        output = str(data.get("output", "prose"))
        if output not in OUTPUT_KINDS:
            raise self.fail(tr("Unbekannte Ausgabeart „{kind}“.", kind=output), "output")
        prompt = data.get("prompt")
        if not isinstance(prompt, dict):
            raise self.fail(_("Die Tabelle [prompt] mit „system“ und „user“ fehlt."), "[prompt]")
        system = self.need_str(prompt, "system", "[prompt]")
        user = self.need_str(prompt, "user", "[prompt]")
        search = str(prompt.get("search", ""))
        long_raw = data.get("long", {})
        if not isinstance(long_raw, dict):
            raise self.fail(_("[long] muss eine Tabelle sein."), "long")
        long = LongInput(
            strategy=str(long_raw.get("strategy", "map-reduce")), map=str(long_raw.get("map", ""))
        )
        if long.strategy not in LONG_STRATEGIES:
            raise self.fail(tr("Unbekannte Strategie „{name}“.", name=long.strategy), "strategy")
        allowed = set(names) | set(SPECIAL_VARS)
        for key, source in (
            ("system", system),
            ("user", user),
            ("map", long.map),
            ("search", search),
        ):
            try:
                used = template.names_used(source)
            except template.TemplateSyntaxError as exc:
                raise self.fail(tr("Vorlage „{key}“: {error}", key=key, error=exc), key) from exc
            unknown = sorted(used - allowed)
            if unknown:
                raise self.fail(
                    tr(
                        "Vorlage „{key}“ nutzt unbekannte Namen: {names}",
                        key=key,
                        names=", ".join(unknown),
                    ),
                    "{" + unknown[0],
                )
        refinements = self.refinements(data.get("refinements", list(STANDARD_REFINEMENTS)))
        one_of = data.get("one_of", [])
        if one_of and isinstance(one_of[0], str):
            one_of = [one_of]
        for group in one_of:
            for n in group:
                if n not in names:
                    raise self.fail(
                        tr("„one_of“ nennt unbekanntes Feld „{name}“.", name=n), "one_of"
                    )
        translations = {
            lang: {str(k): str(v) for k, v in table.items()}
            for lang, table in data.items()
            if lang in i18n.SUPPORTED and isinstance(table, dict)
        }
        export = data.get("export", {})
        return TaskSpec(
            id=task_id,
            title=self.need_str(data, "title", "title"),
            description=str(data.get("description", "")),
            icon=str(data.get("icon", "")),
            category=str(data.get("category", "")),
            output=output,
            fields=fields_,
            system=system,
            user=user,
            long=long,
            refinements=refinements,
            one_of=[list(g) for g in one_of],
            export={str(k): str(v) for k, v in export.items()} if isinstance(export, dict) else {},
            translations=translations,
            order=int(data.get("order", 100)),
            runner=str(data.get("runner", "standard")),
            path=self.path,
            search=search,
        )

    def refinements(self, raw: Any) -> list[Refinement]:
        out: list[Refinement] = []
        for item in raw if isinstance(raw, list) else []:
            if isinstance(item, str):
                if item not in STANDARD_REFINEMENTS:
                    raise self.fail(
                        tr(
                            "Unbekannte Verfeinerung „{name}“ (Standard: {names}).",
                            name=item,
                            names=", ".join(STANDARD_REFINEMENTS),
                        ),
                        "refinements",
                    )
                out.append(STANDARD_REFINEMENTS[item])
            elif isinstance(item, dict):
                out.append(
                    Refinement(
                        self.need_str(item, "id", "refinements"),
                        self.need_str(item, "label", "refinements"),
                        self.need_str(item, "instruction", "refinements"),
                    )
                )
            else:
                raise self.fail(_("Ungültiger Eintrag in „refinements“."), "refinements")
        return out


def load_task_file(path: Path) -> TaskSpec:
    """Load and validate one task file; raises :class:`TaskSpecError` naming file and line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TaskSpecError(
            tr(
                "Aufgabendatei {file} kann nicht gelesen werden: {error}",
                file=Path(path).name,
                error=exc,
            ),
            detail=str(path),
        ) from exc
    return _Loader(Path(path), text).load()
