"""Guided tasks as data: the TOML task file format, its validation and the form logic.

A task file (``resources/tasks/*.toml``, or IT's folder named by ``extra_tasks_dir``) holds
everything about one task: title, form fields, prompt templates, how long documents are
handled and which refinements it offers. The format is documented in ``docs/tasks.md``.
Form logic (defaults, conditional fields, validation, CLI value parsing) lives here, Qt-free,
so the GUI form, the CLI and the tests behave the same.

English texts for a task live in the task file itself, in an ``[en]`` table of
``"German" = "English"`` pairs: a task IT adds brings its own translation, and no central
catalogue has to know about it. Missing pairs fall back to the app catalogue, then German.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmoin_desktop.core import i18n
from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.tasks import template

FIELD_KINDS = ("choice", "multichoice", "text", "longtext", "document", "number")
OUTPUT_KINDS = ("prose", "list", "table", "letter")
LONG_STRATEGIES = ("map-reduce", "concat")
# "quellen": the numbered, delimited library passages of "Dokumente fragen" (runner = "library").
SPECIAL_VARS = ("document", "source", "today", "part", "parts", "range", "text_part", "quellen")
# fullmatch, not match: "$" also matches before a final newline ("x\n" passed). Ids become file
# names (<id>.toml), so the Windows device names are refused too ("con.toml" opens the console).
_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
_DEVICE_NAMES = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])", re.IGNORECASE)


def valid_id(name: str) -> bool:
    """A task id or field name: a-z, 0-9, _, at most 64 characters, no device name."""
    return bool(_ID.fullmatch(name)) and not _DEVICE_NAMES.fullmatch(name)


class TaskSpecError(LLMoinError):
    """A task file is broken; the message names file and line. The file is skipped."""


class TaskInputError(LLMoinError):
    """Form values do not fit the task (CLI ``--set`` typo, missing required field)."""


@dataclass
class Option:
    value: str
    label: str
    prompt: str = ""  # text put into the prompt for ``{field}``; defaults to the label
    output: str = ""  # overrides the task's output kind when chosen (e.g. letter)


@dataclass
class FieldSpec:
    name: str
    kind: str
    label: str
    help: str = ""
    placeholder: str = ""
    default: Any = None
    required: bool = False
    options: list[Option] = field(default_factory=list)
    show_if: dict[str, list[str]] = field(default_factory=dict)
    source: bool = False  # longtext that may stand in for the document
    minimum: float | None = None
    maximum: float | None = None
    # Filled from an e-mail chosen as the document when empty (core/tasks/email_fill.py):
    # sender, sender_address, subject, date or reference ("Ihre E-Mail vom …").
    from_email: str = ""

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass
class Refinement:
    id: str
    label: str
    instruction: str


@dataclass
class LongInput:
    """How a document longer than the context is read (see docs/tasks.md)."""

    strategy: str = "map-reduce"  # map-reduce: parts → notes → final prompt; concat: join parts
    map: str = ""  # user prompt for one part; {text_part}, {part}, {parts}, {range} + fields


STANDARD_REFINEMENTS: dict[str, Refinement] = {
    "kuerzer": Refinement(
        "kuerzer", "Kürzer", "Kürze deine letzte Antwort deutlich. Behalte das Wichtigste."
    ),
    "ausfuehrlicher": Refinement(
        "ausfuehrlicher",
        "Ausführlicher",
        "Schreibe deine letzte Antwort ausführlicher und ergänze wichtige Einzelheiten aus der Vorlage.",
    ),
    "foermlicher": Refinement(
        "foermlicher",
        "Förmlicher",
        "Formuliere deine letzte Antwort förmlicher, im sachlichen Stil einer Behörde.",
    ),
    "einfacher": Refinement(
        "einfacher",
        "Einfacher",
        "Formuliere deine letzte Antwort einfacher: kurze Sätze, bekannte Wörter, keine Fachbegriffe.",
    ),
}


@dataclass
class TaskSpec:
    id: str
    title: str
    description: str
    icon: str
    category: str
    output: str
    fields: list[FieldSpec]
    system: str
    user: str
    long: LongInput
    refinements: list[Refinement]
    one_of: list[list[str]] = field(default_factory=list)
    export: dict[str, str] = field(default_factory=dict)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    order: int = 100
    runner: str = "standard"  # "standard", or one registered in runner.RUNNERS (e.g. library)
    path: Path | None = None
    search: str = ""  # library tasks: prompt asking the model for search terms (optional)

    # Localisation ------------------------------------------------------------------
    def t(self, text: str) -> str:
        """German text from this task file → the UI language (task table, catalogue, German)."""
        lang = i18n.language()
        if lang == "de" or not text:
            return text
        return self.translations.get(lang, {}).get(text) or i18n._(text)

    def ui_strings(self) -> list[str]:
        """Every German string a user can see (for translation completeness checks)."""
        items = [self.title, self.description, self.category]
        for f in self.fields:
            items += [f.label, f.help, f.placeholder] + [o.label for o in f.options]
        items += [r.label for r in self.refinements]
        return [s for s in items if s]

    # Form logic --------------------------------------------------------------------
    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def document_field(self) -> FieldSpec | None:
        return next((f for f in self.fields if f.kind == "document"), None)

    @property
    def source_field(self) -> FieldSpec | None:
        return next((f for f in self.fields if f.source), None)

    def defaults(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for f in self.fields:
            if f.default is not None:
                values[f.name] = list(f.default) if isinstance(f.default, list) else f.default
            elif f.kind == "choice" and f.options:
                values[f.name] = f.options[0].value
            elif f.kind == "multichoice":
                values[f.name] = []
            else:
                values[f.name] = "" if f.kind != "number" else None
        return values

    def is_visible(self, f: FieldSpec, values: dict[str, Any]) -> bool:
        for other, wanted in f.show_if.items():
            raw = values.get(other)
            chosen = {str(v) for v in raw} if isinstance(raw, list) else {str(raw)}
            if not chosen & set(wanted):
                return False
        return True

    def visible_fields(self, values: dict[str, Any]) -> list[FieldSpec]:
        return [f for f in self.fields if self.is_visible(f, values)]

    def output_kind(self, values: dict[str, Any]) -> str:
        """The task's output kind, unless a chosen option overrides it (e.g. letter)."""
        for f in self.visible_fields(values):
            if f.kind == "choice":
                opt = f.option(str(values.get(f.name, "")))
                if opt and opt.output:
                    return opt.output
        return self.output

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """Field name → German/English problem; empty when the form can be sent."""
        problems: dict[str, str] = {}
        visible = self.visible_fields(values)
        for f in visible:
            value = values.get(f.name)
            empty = (
                value is None
                or (isinstance(value, str | list) and not value)
                or (isinstance(value, str) and not value.strip())
            )
            if f.required and empty:
                problems[f.name] = tr("„{label}“ ist ein Pflichtfeld.", label=self.t(f.label))
                continue
            if empty:
                continue
            if (
                f.kind == "choice"
                and f.option(str(value)) is None
                or f.kind == "multichoice"
                and any(f.option(str(v)) is None for v in value)
            ):
                problems[f.name] = tr("„{label}“: ungültige Auswahl.", label=self.t(f.label))
            elif f.kind == "number":
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    problems[f.name] = tr("„{label}“ muss eine Zahl sein.", label=self.t(f.label))
                    continue
                if (f.minimum is not None and number < f.minimum) or (
                    f.maximum is not None and number > f.maximum
                ):
                    problems[f.name] = tr(
                        "„{label}“ muss zwischen {min} und {max} liegen.",
                        label=self.t(f.label),
                        min=_num(f.minimum),
                        max=_num(f.maximum),
                    )
            elif f.kind == "document" and not Path(str(value)).expanduser().is_file():
                problems[f.name] = tr("Datei nicht gefunden: {path}", path=value)
        visible_names = {f.name for f in visible}
        for group in self.one_of:
            names = [n for n in group if n in visible_names]
            if names and not any(_filled(values.get(n)) for n in names):
                labels = " / ".join(self.t(self.field(n).label) for n in names if self.field(n))
                problems[names[0]] = tr("Bitte eines ausfüllen: {labels}.", labels=labels)
        return problems

    def parse_value(self, name: str, text: str) -> Any:
        """Turn a CLI ``--set name=text`` into a form value; accepts option values or labels."""
        f = self.field(name)
        if f is None:
            raise TaskInputError(
                tr(
                    "Die Aufgabe „{task}“ hat kein Feld „{name}“. Felder: {names}",
                    task=self.id,
                    name=name,
                    names=", ".join(x.name for x in self.fields),
                )
            )
        if f.kind == "number":
            try:
                return float(text) if "." in text or "," in text else int(text)
            except ValueError as exc:
                raise TaskInputError(
                    tr("„{name}“ muss eine Zahl sein: {value}", name=name, value=text)
                ) from exc
        if f.kind in ("choice", "multichoice"):
            parts = [p.strip() for p in text.split(",")] if f.kind == "multichoice" else [text]
            chosen = [self._option_for(f, p) for p in parts if p]
            return chosen if f.kind == "multichoice" else chosen[0] if chosen else ""
        return text

    def _option_for(self, f: FieldSpec, text: str) -> str:
        low = text.strip().casefold()
        for o in f.options:
            if low in (o.value.casefold(), o.label.casefold(), self.t(o.label).casefold()):
                return o.value
        raise TaskInputError(
            tr(
                "Ungültiger Wert „{value}“ für „{name}“. Möglich: {options}",
                value=text,
                name=f.name,
                options=", ".join(o.value for o in f.options),
            )
        )

    # Prompt values -----------------------------------------------------------------
    def display_values(self, values: dict[str, Any]) -> dict[str, str]:
        """Text that ``{field}`` puts into the prompt (option prompt/label, not the key)."""
        out: dict[str, str] = {}
        visible = {f.name for f in self.visible_fields(values)}
        for f in self.fields:
            value = values.get(f.name)
            if f.name not in visible or value is None:
                out[f.name] = ""
            elif f.kind == "choice":
                opt = f.option(str(value))
                out[f.name] = (opt.prompt or opt.label) if opt else str(value)
            elif f.kind == "multichoice":
                opts = [f.option(str(v)) for v in value]
                out[f.name] = ", ".join((o.prompt or o.label) for o in opts if o)
            elif f.kind == "document":
                out[f.name] = Path(str(value)).name if value else ""
            else:
                out[f.name] = _num(value) if isinstance(value, float) else str(value).strip()
        return out

    def raw_values(self, values: dict[str, Any]) -> dict[str, Any]:
        visible = {f.name for f in self.visible_fields(values)}
        return {f.name: values.get(f.name) if f.name in visible else None for f in self.fields}


def _filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return bool(value)


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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
