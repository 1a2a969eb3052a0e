"""The task editor's draft: what a clerk names and writes, before it becomes a task file.

Fields have names in the clerk's words; instructions carry «chips» with those names. Ids,
option values and placeholders are derived (:func:`field_names`, :func:`chips_to_template`);
:func:`validate` says in plain German what would make a broken or misleading task. The file
side (TOML, saving, reading back) is in ``builder.py``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmoin_desktop.core import paths
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.tasks.spec import (
    FIELD_KINDS,
    OUTPUT_KINDS,
    STANDARD_REFINEMENTS,
    TaskSpec,
)

USER_TASKS_FOLDER = "tasks"
TRASH_FOLDER = ".papierkorb"
CHIP = re.compile(r"«([^«»\n]+)»")
TODAY_CHIP = "Heutiges Datum"
OUTPUT_HINTS = {
    "prose": "",
    "list": "Antworte als Liste mit Spiegelstrichen.",
    "table": "Antworte als Tabelle im Markdown-Format (Spalten mit | getrennt).",
    "letter": "Schreibe nur den Brieftext: mit Anrede beginnen, mit „Mit freundlichen Grüßen“ enden.",
}
SYSTEM_PROMPT = (
    "Du bist ein sorgfältiger Assistent für die öffentliche Verwaltung in Deutschland. "
    "Du schreibst sachlich, korrekt und auf Deutsch. Du erfindest nichts."
)
MAP_PROMPT = (
    "Dies ist Teil {part} von {parts} einer Vorlage ({range}).\n"
    "Notiere in höchstens 5 kurzen Stichpunkten, was darin für die Aufgabe wichtig ist.\n\n"
    "Text:\n{text_part}"
)


def user_tasks_dir() -> Path:
    """The clerk's own tasks (``<config>/tasks``), next to her tutorials folder."""
    return paths.user_config_dir() / USER_TASKS_FOLDER


@dataclass
class DraftField:
    label: str
    kind: str = "text"
    help: str = ""
    default: str = ""
    required: bool = False
    options: list[str] = field(default_factory=list)  # labels; values are derived
    show_if_field: str = ""  # label of a choice field
    show_if_values: list[str] = field(default_factory=list)  # labels of its options
    name: str = ""  # kept from an existing file so its placeholders stay valid
    # option label → {"value", "prompt", "output"} kept from a copied task file, so its
    # conditions ({#if art=antwort}) and richer prompt texts survive "Als Vorlage verwenden"
    option_extra: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class Governance:
    level: str = ""  # "", "ok", "warnung", "blockiert"
    reasons: list[str] = field(default_factory=list)
    checked_by: str = ""  # "Regeln" or "Regeln + Modell <name>"
    date: str = ""


@dataclass
class TaskDraft:
    title: str = ""
    description: str = ""
    icon: str = ""
    category: str = ""
    fields: list[DraftField] = field(default_factory=list)
    instructions: str = ""  # plain German with «Feldname» chips
    output: str = "prose"
    refinements: list[str] = field(default_factory=lambda: list(STANDARD_REFINEMENTS))
    id: str = ""  # empty: derived from the title on first save
    author: str = ""
    version: int = 0
    date: str = ""
    governance: Governance = field(default_factory=Governance)
    based_on: str = ""  # id of the task it was copied from
    extra: dict[str, Any] = field(default_factory=dict)  # [export]/[long] kept from a template


@dataclass
class Problem:
    """One validation problem in plain German; ``step`` says which builder page to open."""

    step: str  # "grunddaten", "felder", "anweisung", "ergebnis"
    message: str


# Names and chips ---------------------------------------------------------------------


def slug(text: str, fallback: str = "feld") -> str:
    """A task-file id from a German name: Größe der Wohnung → groesse_der_wohnung."""
    low = text.strip().lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        low = low.replace(a, b)
    low = unicodedata.normalize("NFKD", low).encode("ascii", "ignore").decode()
    low = re.sub(r"[^a-z0-9]+", "_", low).strip("_")[:40].strip("_")
    if not low or not low[0].isalpha() or re.fullmatch(r"con|prn|aux|nul|(com|lpt)[0-9]", low):
        low = f"{fallback}_{low}" if low else fallback  # "con.toml" is a device on Windows
    return low


def field_names(fields: list[DraftField]) -> dict[str, str]:
    """Field label → unique id (an id kept from the file wins)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for f in fields:
        base = f.name or slug(f.label)
        name, n = base, 2
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        out.setdefault(f.label.strip(), name)
    return out


def option_values(
    options: list[str], kept: dict[str, dict[str, str]] | None = None
) -> dict[str, str]:
    """Option label → unique value (a value kept from the copied file wins)."""
    out: dict[str, str] = {}
    for label in options:
        base, n = (kept or {}).get(label, {}).get("value") or slug(label, "wahl"), 2
        value = base
        while value in out.values():
            value, n = f"{base}_{n}", n + 1
        out[label] = value
    return out


def chips_in(text: str) -> list[str]:
    return [m.group(1).strip() for m in CHIP.finditer(text)]


def chips_to_template(text: str, fields: list[DraftField]) -> str:
    """«Feldname» → ``{id}``; a document field → ``{document}`` (its text, not its file name)."""
    names = field_names(fields)
    kinds = {f.label.strip(): f.kind for f in fields}
    # Braces the clerk typed are not placeholders: template.render leaves unknown braces alone,
    # but "{name}" spelled like a field would be one, so guard them with a zero-width space.
    # Sections ({#if «Feld»}…{/if}) stay: copies of bundled tasks use them (docs/tasks.md).
    text = re.sub(r"\{(?=[A-Za-z_])", "{\u200b", text)

    def cond(m: re.Match[str]) -> str:
        label = m.group(1).strip()
        return "{#if " + names.get(label, label)

    text = re.sub(r"\{#if\s+«([^«»\n]+)»", cond, text)

    def repl(m: re.Match[str]) -> str:
        label = m.group(1).strip()
        if label == TODAY_CHIP:
            return "{today}"
        if kinds.get(label) == "document":
            return "{document}"
        return "{" + names[label] + "}" if label in names else m.group(0)

    return CHIP.sub(repl, text)


def template_to_chips(source: str, spec: TaskSpec) -> str:
    """The reverse for "Als Vorlage verwenden": ``{id}`` → «Label» (sections stay as text)."""
    labels = {f.name: f.label for f in spec.fields}
    doc = spec.document_field

    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in labels:
            return f"«{labels[name]}»"
        if name == "document" and doc is not None:
            return f"«{doc.label}»"
        if name == "today":
            return f"«{TODAY_CHIP}»"
        return m.group(0)

    source = re.sub(
        r"\{#if\s+([A-Za-z_][A-Za-z0-9_]*)",
        lambda m: "{#if «" + labels[m.group(1)] + "»" if m.group(1) in labels else m.group(0),
        source,
    )
    return re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", repl, source).replace("{\u200b", "{")


# Validation ----------------------------------------------------------------------------


def validate(draft: TaskDraft) -> list[Problem]:
    """Everything that would make a broken or misleading task, in plain German."""
    problems: list[Problem] = []
    if not draft.title.strip():
        problems.append(Problem("grunddaten", _("Bitte geben Sie der Aufgabe einen Titel.")))
    labels = [f.label.strip() for f in draft.fields]
    if any(not label for label in labels):
        problems.append(Problem("felder", _("Jedes Feld braucht einen Namen.")))
    for dup in sorted({x for x in labels if x and labels.count(x) > 1}):
        problems.append(Problem("felder", tr("Der Feldname „{name}“ kommt doppelt vor.", name=dup)))
    if TODAY_CHIP in labels:
        problems.append(
            Problem("felder", tr("„{name}“ ist als Feldname reserviert.", name=TODAY_CHIP))
        )
    if sum(f.kind == "document" for f in draft.fields) > 1:
        problems.append(Problem("felder", _("Eine Aufgabe kann nur ein Dokumentfeld haben.")))
    by_label = {f.label.strip(): f for f in draft.fields}
    for f in draft.fields:
        label = f.label.strip() or "?"
        if f.kind not in FIELD_KINDS:
            problems.append(Problem("felder", tr("Feld „{name}“: unbekannte Art.", name=label)))
        opts = [o.strip() for o in f.options if o.strip()]
        if f.kind in ("choice", "multichoice"):
            if len(opts) < 2:
                problems.append(
                    Problem(
                        "felder",
                        tr(
                            "Feld „{name}“: Bitte mindestens zwei Auswahlmöglichkeiten.", name=label
                        ),
                    )
                )
            if len(set(opts)) != len(opts):
                problems.append(
                    Problem(
                        "felder",
                        tr("Feld „{name}“: Eine Auswahlmöglichkeit kommt doppelt vor.", name=label),
                    )
                )
            defaults = (
                [d.strip() for d in f.default.split(",")]
                if f.kind == "multichoice"
                else [f.default.strip()]
            )
            for d in defaults:
                if d and d not in opts:
                    problems.append(
                        Problem(
                            "felder",
                            tr(
                                "Feld „{name}“: Die Vorgabe „{value}“ ist keine Auswahlmöglichkeit.",
                                name=label,
                                value=d,
                            ),
                        )
                    )
        if f.kind == "number" and f.default.strip():
            try:
                float(f.default.replace(",", "."))
            except ValueError:
                problems.append(
                    Problem("felder", tr("Feld „{name}“: Die Vorgabe ist keine Zahl.", name=label))
                )
        if f.show_if_field:
            target = by_label.get(f.show_if_field.strip())
            if target is None or target.kind not in ("choice", "multichoice") or target is f:
                problems.append(
                    Problem(
                        "felder",
                        tr(
                            "Feld „{name}“: „Nur anzeigen, wenn“ braucht ein Auswahlfeld.",
                            name=label,
                        ),
                    )
                )
            else:
                target_opts = [o.strip() for o in target.options]
                if not [v for v in f.show_if_values if v.strip()]:
                    problems.append(
                        Problem(
                            "felder",
                            tr(
                                "Feld „{name}“: Bitte wählen Sie, bei welcher Auswahl es erscheint.",
                                name=label,
                            ),
                        )
                    )
                for value in f.show_if_values:
                    if value.strip() not in target_opts:
                        problems.append(
                            Problem(
                                "felder",
                                tr(
                                    "Feld „{name}“: „{value}“ ist keine Auswahl von „{other}“.",
                                    name=label,
                                    value=value,
                                    other=target.label,
                                ),
                            )
                        )
    if not draft.instructions.strip():
        problems.append(Problem("anweisung", _("Bitte schreiben Sie die Anweisung an das Modell.")))
    known = set(labels) | {TODAY_CHIP}
    for chip in dict.fromkeys(chips_in(draft.instructions)):
        if chip not in known:
            problems.append(
                Problem(
                    "anweisung",
                    tr(
                        "Die Anweisung nennt das Feld „{name}“, das es nicht gibt.",
                        name=chip,
                    ),
                )
            )
    if draft.output not in OUTPUT_KINDS:
        problems.append(Problem("ergebnis", _("Bitte wählen Sie eine Art des Ergebnisses.")))
    for r in draft.refinements:
        if r not in STANDARD_REFINEMENTS:
            problems.append(
                Problem("ergebnis", tr("Unbekannter Verfeinerungsknopf „{name}“.", name=r))
            )
    return problems
