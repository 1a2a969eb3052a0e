"""What IT's locks mean for tasks that clerks can write (issue 18).

Tasks come from four folders, and who can write them decides what they may do:

* ``bundled`` (the program) and ``it`` (``extra_tasks_dir``, a key only IT sets): trusted.
  An IT file may replace a bundled task on purpose.
* ``department`` (``department_tasks_dir``, a share colleagues publish into) and ``own`` (the
  clerk's tasks folder): anybody with write access to them can put a file there. For these:

  1. **Built-in ids are never replaced.** A file claiming the id of a bundled or IT task is
     skipped with a message; otherwise a colleague's file (or an e-mail attachment dropped
     into the folder) would silently replace a task everybody relies on.
  2. **The high-risk rules are checked when the file is loaded**, not only in the editor or
     on import: a file copied into the folder by hand never passed those.
  3. **``free_chat = false``**: a task whose instruction is nothing but the clerk's field
     (``user = "{frage}"``) is free chat under another name. Such tasks must keep a fixed
     instruction of at least ``MIN_FIXED_LETTERS`` letters besides the placeholders, and must
     use the standard system prompt. This is a floor against the obvious case, not proof that
     no field can be misused; IT that needs certainty sets ``own_tasks = false``.
  4. **``hidden_tasks``/``allowed_tasks``**: a copy of a task IT hid stays hidden — whether it
     says so (``[meta] based_on``) or not (its instruction is nearly the same).
  5. **``own_tasks = false``**: the own tasks folder is not read at all (catalog.task_dirs).

Everything is decided here, in core, so the gallery, the task builder's "Ausprobieren", the
import and the CLI give the same answer.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from llmoin_desktop.core.i18n import tr
from llmoin_desktop.core.settings.config import Settings
from llmoin_desktop.core.tasks.draft import OUTPUT_HINTS, SYSTEM_PROMPT
from llmoin_desktop.core.tasks.spec import TaskSpec

TRUSTED = ("bundled", "it")
MIN_FIXED_LETTERS = 40
COPY_SIMILARITY = 0.8
_TEMPLATE_TOKEN = re.compile(r"\{#if\s+[^{}]*\}|\{#else\}|\{/if\}|\{[A-Za-z_][A-Za-z0-9_]*\}")
# Letters that look like Latin ones (Cyrillic, Greek): "Ѕоzialbewertung" must still match.
_CONFUSABLES = str.maketrans(
    "аеорсухіјѕкмтнвАЕОРСУХІЈЅКМТНВοαειχνρτυκΟΑΕΙΚΝΡΤΥΧ",
    "aeopcyxijskmthbAEOPCYXIJSKMTHBoaeixvptukOAEIKNPTYX",
)


def normalise(text: str) -> str:
    """Text as the rules and comparisons see it: NFKC (full-width, ligatures), without
    format characters (soft hyphen, zero-width space/joiner, bidi marks) and with Latin
    look-alikes mapped to Latin, so invisible tricks do not slip past a rule."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return text.translate(_CONFUSABLES)


def fixed_instruction(spec: TaskSpec) -> str:
    """The instruction without placeholders, conditions and the hints the editor adds."""
    text = _TEMPLATE_TOKEN.sub(" ", normalise(spec.user))
    for hint in OUTPUT_HINTS.values():
        if hint:
            text = text.replace(hint, " ")
    text = text.replace("Vorlage:", " ")
    return " ".join(text.split())


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _standard_system(spec: TaskSpec, trusted_systems: set[str]) -> bool:
    system = " ".join(normalise(spec.system).split())
    return system == " ".join(SYSTEM_PROMPT.split()) or system in trusted_systems


def free_chat_problem(spec: TaskSpec, trusted_systems: set[str] = frozenset()) -> str:
    """Why a clerk-written task counts as free chat under ``free_chat = false`` ("" = fine)."""
    if _letters(fixed_instruction(spec)) < MIN_FIXED_LETTERS:
        return tr(
            "Die Aufgabe „{title}“ ist gesperrt: Freies Chatten ist von Ihrer IT-Abteilung "
            "abgeschaltet (Richtlinie free_chat), und die Anweisung der Aufgabe besteht fast "
            "nur aus dem Eingabefeld. Bitte eine feste Anweisung hinzufügen (was das Modell "
            "mit der Eingabe tun soll).",
            title=spec.title,
        )
    if not _standard_system(spec, trusted_systems):
        return tr(
            "Die Aufgabe „{title}“ ist gesperrt: Freies Chatten ist von Ihrer IT-Abteilung "
            "abgeschaltet (Richtlinie free_chat), und die Aufgabe ersetzt die "
            "Systemanweisung des Programms.",
            title=spec.title,
        )
    return ""


def _shape(spec: TaskSpec) -> str:
    return " ".join(normalise(spec.user).lower().split())


def copy_of(spec: TaskSpec, based_on: str, blocked: list[TaskSpec]) -> TaskSpec | None:
    """The task IT blocked that ``spec`` copies (by ``based_on`` or by its instruction)."""
    for other in blocked:
        if based_on == other.id:
            return other
        matcher = difflib.SequenceMatcher(None, _shape(spec), _shape(other), autojunk=False)
        if matcher.real_quick_ratio() >= COPY_SIMILARITY and matcher.ratio() >= COPY_SIMILARITY:
            return other
    return None


@dataclass
class Source:
    """One task folder and who can write it."""

    kind: str  # bundled | it | department | own

    @property
    def trusted(self) -> bool:
        return self.kind in TRUSTED


def task_permitted(settings: Settings, task_id: str) -> bool:
    if task_id in settings.hidden_tasks:
        return False
    return not settings.allowed_tasks or task_id in settings.allowed_tasks


def hidden_copy_problem(spec: TaskSpec, based_on: str, blocked: list[TaskSpec]) -> str:
    original = copy_of(spec, based_on, blocked)
    if original is None:
        return ""
    return tr(
        "Die Aufgabe „{title}“ ist eine Kopie der Aufgabe „{original}“, die Ihre IT-Abteilung "
        "nicht freigegeben hat (Richtlinie allowed_tasks/hidden_tasks); sie wird nicht "
        "angezeigt.",
        title=spec.title,
        original=original.title,
    )
