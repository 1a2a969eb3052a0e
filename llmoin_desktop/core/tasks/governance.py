"""High-risk check of a task before it is saved or published (EU AI Act, organisation's terms).

Two parts, so that the verdict is explainable:

1. **Rules** (``resources/governance/hochrisiko.toml``, extended or switched off by IT with the
   policy key ``governance_rules_file``): a rule fires when title, description, field names or
   instructions contain a term from each of its groups. Rules for prohibited practices and for
   what the terms of use forbid give ``blockiert``; Annex III areas give ``warnung``.
2. **The model's assessment** when a capable model is loaded (≥ 1 B parameters or a server
   model, the same bar as the search terms): it answers with a classification and a reason.
   The model can only raise the level to ``warnung``, never block: a probabilistic verdict must
   not silently stop a clerk's work, and a block needs a rule someone can read. Its reasoning is
   stored with the task like the rules' reasons.

The result is stored in the task file (``[meta.governance]``) and shown in the task's info;
whether a warning blocks publishing is policy (``governance_warning_blocks_publishing``).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from llmoin_desktop.core import i18n
from llmoin_desktop.core.engine.backend import Backend, GenerationParams, Message
from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.paths import resources_dir
from llmoin_desktop.core.tasks.builder import Governance, TaskDraft

LEVELS = ("ok", "warnung", "blockiert")
MIN_PARAMS = 1_000_000_000
MODEL_MAX_TOKENS = 200


class RulesError(LLMoinError):
    """IT's rule file is broken (named with file and line); the built-in rules still apply."""


@dataclass
class Rule:
    id: str
    level: str
    area: str
    reason: str
    terms: list[list[str]]

    def matches(self, text: str) -> list[str]:
        """The term that matched from each group, or [] when one group has none."""
        found: list[str] = []
        for group in self.terms:
            hit = next((t for t in group if _term_re(t).search(text)), None)
            if hit is None:
                return []
            found.append(hit.lstrip("*"))
        return found


@dataclass
class Verdict:
    level: str = "ok"
    reasons: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)  # ids of the rules that fired
    model_reason: str = ""
    checked_by: str = ""

    @property
    def blocked(self) -> bool:
        return self.level == "blockiert"

    def to_governance(self) -> Governance:
        return Governance(
            self.level, list(self.reasons), self.checked_by, dt.date.today().isoformat()
        )


def _term_re(term: str) -> re.Pattern[str]:
    anywhere = term.startswith("*")
    body = re.escape(_normalise(term.lstrip("*")).strip().lower()).replace(r"\ ", r"\s+")
    return re.compile(("" if anywhere else r"(?<!\w)") + body, re.IGNORECASE)


def builtin_rules_file() -> Path:
    return resources_dir() / "governance" / "hochrisiko.toml"


def _read_rules(path: Path) -> list[Rule]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(
            tr("Regeldatei {file} kann nicht gelesen werden: {error}", file=path, error=exc)
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(
            tr("Regeldatei {file}: TOML-Fehler: {error}", file=Path(path).name, error=exc)
        ) from exc
    rules: list[Rule] = []
    for raw in data.get("rules", []):
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            raise RulesError(tr("Regeldatei {file}: Jede Regel braucht eine id.", file=path))
        level = str(raw.get("level", "warnung"))
        terms = raw.get("terms", [])
        if level not in ("blockiert", "warnung", "aus") or not isinstance(terms, list):
            raise RulesError(
                tr("Regeldatei {file}: Regel „{id}“ ist ungültig.", file=path, id=raw["id"])
            )
        groups = [[str(t) for t in g] if isinstance(g, list) else [str(g)] for g in terms]
        english = i18n.language() == "en"
        area = str(raw.get("area_en" if english and raw.get("area_en") else "area", ""))
        reason = str(raw.get("reason_en" if english and raw.get("reason_en") else "reason", ""))
        rules.append(Rule(raw["id"], level, area, reason, groups))
    return rules


def load_rules(extra_file: str = "") -> tuple[list[Rule], list[str]]:
    """Built-in rules, then IT's (same id replaces, ``level = "aus"`` removes); problems."""
    problems: list[str] = []
    rules = {r.id: r for r in _read_rules(builtin_rules_file())}
    if extra_file:
        try:
            for r in _read_rules(Path(extra_file).expanduser()):
                rules[r.id] = r
        except RulesError as exc:
            problems.append(exc.user_message)
    return [r for r in rules.values() if r.level != "aus" and r.terms], problems


def _normalise(text: str) -> str:
    from llmoin_desktop.core.tasks.task_policy import normalise

    return normalise(text)


def task_text(draft: TaskDraft) -> str:
    """Everything the model is told, normalised (task_policy.normalise): a soft hyphen or
    zero-width space inside a term, or a Cyrillic look-alike, must not hide it from a rule.
    The system prompt and the long-document prompt count too: an imported file may put its
    real instruction there instead of in the visible text."""
    parts = [draft.title, draft.description, draft.instructions]
    parts += [f.label for f in draft.fields] + [f.help for f in draft.fields]
    for f in draft.fields:
        parts += f.options
        parts += [str(v.get("prompt", "")) for v in f.option_extra.values()]
    parts.append(str(draft.extra.get("system", "")))
    long = draft.extra.get("long")
    if isinstance(long, dict):
        parts.append(str(long.get("map", "")))
    return _normalise("\n".join(p for p in parts if p))


def check_rules(draft: TaskDraft, rules: list[Rule]) -> Verdict:
    text = task_text(draft)
    verdict = Verdict(checked_by=_("Regeln"))
    for rule in rules:
        hits = rule.matches(text)
        if not hits:
            continue
        verdict.rules.append(rule.id)
        verdict.reasons.append(
            tr(
                "{area}: {reason} (gefunden: {terms})",
                area=rule.area,
                reason=rule.reason,
                terms=", ".join(f"„{h}“" for h in hits),
            )
        )
        if LEVELS.index(rule.level) > LEVELS.index(verdict.level):
            verdict.level = rule.level
    return verdict


# The model's assessment ---------------------------------------------------------------------

MODEL_PROMPT = """Prüfe, ob die folgende Aufgabe für einen KI-Assistenten in einer Behörde unter die KI-Verordnung der EU fällt.
Hohes Risiko sind zum Beispiel: Entscheidungen über Sozialleistungen, Asyl, Migration und Aufenthalt, Auswahl und Beurteilung von Personal, Zugang zu Bildung, Strafverfolgung, Kreditwürdigkeit, Rechtsprechung.
Verboten sind: soziale Bewertung von Menschen, Emotionserkennung bei Beschäftigten, Vorhersage von Straftaten.
Unbedenklich sind Formulierungshilfen, Zusammenfassungen und Entwürfe, bei denen ein Mensch entscheidet.

Antworte genau in zwei Zeilen:
Einstufung: unbedenklich ODER hohes Risiko ODER verboten
Begründung: ein Satz

Aufgabe:
{task}"""

_CLASS = re.compile(r"einstufung\s*:\s*(?P<c>[^\n]*)", re.IGNORECASE)
_REASON = re.compile(r"begr(?:ü|ue)ndung\s*:\s*(?P<r>[^\n]+)", re.IGNORECASE)


def model_capable(backend: Backend | None) -> bool:
    """A model that can be trusted to give a reasoned assessment (see module doc)."""
    if backend is None:
        return False
    status = backend.status()
    if status.state not in ("ready", "busy", "unloaded-idle"):
        return False
    return status.backend == "remote" or status.n_params >= MIN_PARAMS


def parse_model_answer(text: str) -> tuple[str, str] | None:
    """("ok" | "warnung", reason) from the model's two lines; None when it did not answer so."""
    m = _CLASS.search(text)
    if not m:
        return None
    label = m.group("c").strip().lower()
    r = _REASON.search(text)
    reason = r.group("r").strip() if r else ""
    if "unbedenklich" in label or label.startswith("kein"):
        return "ok", reason
    if "verboten" in label or "hoch" in label or "risiko" in label:
        return "warnung", reason
    return None


def check_with_model(draft: TaskDraft, backend: Backend) -> tuple[str, str] | None:
    """Ask the loaded model; None when it gave no usable answer (the rules still count)."""
    messages: list[Message] = [
        {"role": "user", "content": MODEL_PROMPT.format(task=task_text(draft)[:4000])}
    ]
    result = backend.chat(messages, GenerationParams(max_tokens=MODEL_MAX_TOKENS, temperature=0.0))
    return parse_model_answer(result.text)


def check(
    draft: TaskDraft,
    *,
    rules: list[Rule] | None = None,
    backend: Backend | None = None,
    use_model: bool | None = None,
) -> Verdict:
    """Rules always; the model when ``use_model`` (default: :func:`model_capable`)."""
    verdict = check_rules(draft, rules if rules is not None else load_rules()[0])
    if use_model is None:
        use_model = model_capable(backend)
    if not use_model or backend is None:
        return verdict
    try:
        answer = check_with_model(draft, backend)
    except LLMoinError as exc:  # no model, prompt too long: the rules' verdict stands
        verdict.reasons.append(tr("Modellprüfung nicht möglich: {error}", error=exc.user_message))
        return verdict
    name = backend.status().model_name or backend.name
    verdict.checked_by = tr("Regeln und Modell {name}", name=name)
    if answer is None:
        verdict.reasons.append(_("Das Modell hat keine verwertbare Einschätzung gegeben."))
        return verdict
    level, reason = answer
    verdict.model_reason = reason
    if level == "warnung":
        verdict.reasons.append(
            tr("Einschätzung des Modells: hohes Risiko. {reason}", reason=reason).strip()
        )
        if verdict.level == "ok":
            verdict.level = "warnung"
    elif reason:
        verdict.reasons.append(
            tr("Einschätzung des Modells: unbedenklich. {reason}", reason=reason)
        )
    return verdict


def describe(gov: Governance) -> str:
    """One line for the task's info."""
    labels = {
        "ok": _("unbedenklich"),
        "warnung": _("Warnung (Hochrisiko-Bereich)"),
        "blockiert": _("gesperrt"),
        "": _("nicht geprüft"),
    }
    head = tr("Prüfung: {level}", level=labels.get(gov.level, gov.level))
    if gov.checked_by:
        head += f" ({gov.checked_by}, {gov.date})" if gov.date else f" ({gov.checked_by})"
    return "\n".join([head, *(f"• {r}" for r in gov.reasons)])
