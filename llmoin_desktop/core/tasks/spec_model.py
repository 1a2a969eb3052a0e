"""A guided task in memory: TaskSpec, its fields and the form logic (Qt-free).

Form logic (defaults, conditional fields, validating the clerk's values, CLI value parsing)
lives here, so the GUI form, the CLI and the tests behave the same. Reading a task *file* into
these types (TOML, file errors naming the line) is ``spec.py``; split from it along that seam
(issue 23). Import the names from ``spec.py`` as before: it re-exports them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmoin_desktop.core import i18n
from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.i18n import tr

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
