"""Sharing tasks: one-file export/import and the department tasks folder.

The exchange file is the task file itself with the extension ``.llmoin-task`` (a TOML text):
what a colleague receives is exactly what runs, readable in any editor, and the same loader
checks it. The extension only exists so that the installers can register a double-click.

Import is the dangerous direction (a file from an e-mail). :func:`inspect_import` refuses,
naming file and line: files over 256 KiB, non-UTF-8 or with control characters, anything the
task loader rejects, special runners (only plain guided tasks travel), and tasks the high-risk
rules block. A task that claims the id of a bundled, IT or department task is imported under a
new id, so a file can never replace a task colleagues rely on. The clerk sees a summary first.

Publishing (policy ``task_publishing``: ``niemand`` = only IT copies files into the folder,
``alle``, ``ausgewaehlte`` = the login names in ``task_editors``) copies the clerk's own task
into ``department_tasks_dir`` as ``abt_<id>``, version + 1, with author and date. Everybody's
catalogue then shows the newest version in "Aufgaben der Abteilung"; the clerk's own file keeps
its id and stays hers, as does any copy a colleague made with "Als Vorlage verwenden".
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.settings.config import Settings
from llmoin_desktop.core.tasks import governance
from llmoin_desktop.core.tasks.builder import (
    Governance,
    TaskDraft,
    atomic_write,
    current_user,
    from_spec,
    meta_int,
    parse_text,
    read_meta,
    toml_str,
    unique_id,
    user_tasks_dir,
)

# version_key lives in builder.py beside read_meta (catalog.py needs it, and catalog must not
# import sharing: sharing reads the catalogue); still importable from here.
from llmoin_desktop.core.tasks.builder import version_key as version_key
from llmoin_desktop.core.tasks.spec import TaskSpec, TaskSpecError, load_task_file

EXTENSION = ".llmoin-task"
IMPORT_SUFFIXES = (EXTENSION, ".toml")
MAX_BYTES = 256 * 1024
DEPARTMENT_PREFIX = "abt_"
PUBLISHING = ("niemand", "alle", "ausgewaehlte")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SharingError(LLMoinError):
    """Import, export or publishing refused; the message says why in plain German."""


# Export ----------------------------------------------------------------------------------


def export_task(spec: TaskSpec, target: Path) -> Path:
    """Write the task file as one ``.llmoin-task`` file (atomically; the folder must exist)."""
    if spec.path is None or spec.runner != "standard":
        raise SharingError(_("Diese Aufgabe kann nicht weitergegeben werden."))
    target = Path(target)
    if target.suffix not in IMPORT_SUFFIXES:
        target = target.with_name(target.name + EXTENSION)
    text = Path(spec.path).read_text(encoding="utf-8")
    if not target.parent.is_dir():
        raise SharingError(tr("Ordner nicht gefunden: {path}", path=target.parent))
    atomic_write(target, text)
    return target


# Import ----------------------------------------------------------------------------------


@dataclass
class ImportPreview:
    """What the clerk sees before she confirms an import."""

    source: Path
    text: str  # the file text, with the id already changed where needed
    spec: TaskSpec
    verdict: governance.Verdict
    replaces: Path | None = None  # her own task with the same id, replaced on confirm
    renamed_from: str = ""  # the id the file claimed, when it had to change
    meta: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """Plain German: what the task does (title, fields, instructions, check result)."""
        spec = self.spec
        draft = from_spec(spec, as_copy=False)
        lines = [
            tr("Aufgabe: {title}", title=spec.title),
            spec.description,
            tr(
                "Von: {author}, Version {version}, {date}",
                author=self.meta.get("author") or _("unbekannt"),
                version=self.meta.get("version", 1),
                date=self.meta.get("date") or "–",
            ),
            tr(
                "Felder: {fields}",
                fields=", ".join(f.label for f in spec.fields) or _("keine"),
            ),
            _("Anweisung an das Modell:"),
            draft.instructions,
            governance.describe(self.verdict.to_governance()),
        ]
        if self.renamed_from:
            lines.append(
                tr(
                    "Hinweis: Eine Aufgabe „{id}“ gibt es schon; die Datei wird als eigene Aufgabe angelegt.",
                    id=self.renamed_from,
                )
            )
        if self.replaces is not None:
            lines.append(_("Hinweis: Ihre eigene Aufgabe mit demselben Namen wird ersetzt."))
        return "\n".join(line for line in lines if line)


def _fail(path: Path, problem: str, line: int | None = None) -> SharingError:
    where = tr("{file}, Zeile {line}", file=path.name, line=line) if line else path.name
    return SharingError(
        tr(
            "Die Datei {where} kann nicht importiert werden: {problem}",
            where=where,
            problem=problem,
        ),
        detail=str(path),
    )


# A key at the start of a line: bare, "basic" (escapes allowed) or 'literal'.
_KEY_AT_LINE_START = re.compile(r"""^[ \t]*("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[A-Za-z0-9_-]+)[ \t]*=""")


def _replace_id(text: str, new: str) -> str | None:
    """The text with its top-level ``id`` set to ``new``; None when that cannot be done safely.

    The real TOML parser decides, never a line pattern alone: a quoted key (``"id" = …``), an
    indented key or a decoy ``id = …`` line inside a multi-line string fooled the old regex,
    so the file kept the built-in id while the preview said it was renamed (issue 18). Each
    line that *could* hold the key is replaced in turn, and a candidate is accepted only when
    ``tomllib`` reads exactly the old table with just the id changed.
    """
    try:
        wanted = {**tomllib.loads(text), "id": new}
    except tomllib.TOMLDecodeError:
        return None
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        match = _KEY_AT_LINE_START.match(line)
        if not match:
            continue
        try:
            if list(tomllib.loads(f"{match.group(1)} = 0")) != ["id"]:
                continue
        except tomllib.TOMLDecodeError:
            continue
        ending = line[len(line.rstrip("\r\n")) :]
        candidate = "".join(
            [*lines[:number], f"id = {toml_str(new)}{ending}", *lines[number + 1 :]]
        )
        try:
            if tomllib.loads(candidate) == wanted:
                return candidate
        except tomllib.TOMLDecodeError:
            continue
    return None


def inspect_import(
    path: Path,
    *,
    other_ids: set[str],
    settings: Settings | None = None,
    folder: Path | None = None,
) -> ImportPreview:
    """Read and check a file for import; raises :class:`SharingError` naming file and line.

    ``other_ids``: ids of bundled, IT and department tasks (never replaced by an import)."""
    path = Path(path)
    folder = folder or user_tasks_dir()
    if path.suffix.lower() not in IMPORT_SUFFIXES:
        raise _fail(
            path, _("Nur Aufgabendateien (.llmoin-task oder .toml) können importiert werden.")
        )
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _fail(path, _("Die Datei ist zu groß für eine Aufgabe (höchstens 256 KB)."))
        raw = path.read_bytes()
    except OSError as exc:
        raise _fail(path, tr("Sie kann nicht gelesen werden ({error}).", error=exc)) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(path, _("Sie ist keine Textdatei (UTF-8)."), line) from exc
    bad = _CONTROL.search(text)
    if bad:
        line = text[: bad.start()].count("\n") + 1
        raise _fail(path, _("Sie enthält unzulässige Steuerzeichen."), line)
    try:
        spec = parse_text(text, path.name)
    except TaskSpecError as exc:
        raise SharingError(
            tr("Die Datei kann nicht importiert werden. {error}", error=exc.user_message),
            detail=str(path),
        ) from exc
    if not re.fullmatch(r"[a-z0-9_-]*", spec.icon):
        # Only the app's own symbols: an icon path (e.g. \\server\x.svg) would make every
        # PC that shows the tile open a file, or a network share, the sender chose.
        raise _fail(path, _("Das Symbol muss eines der mitgelieferten sein."), _line(text, "icon"))
    if spec.runner != "standard":
        raise _fail(
            path,
            _("Sie nutzt eine besondere Programmfunktion und ist nur über die IT verteilbar."),
            _line(text, "runner"),
        )
    spec.path = path
    draft = from_spec(spec, as_copy=False)
    rules, _problems = governance.load_rules(settings.governance_rules_file if settings else "")
    verdict = governance.check(draft, rules=rules, use_model=False)
    if verdict.blocked:
        raise _fail(
            path,
            tr("Die Aufgabe ist nicht zulässig. {reasons}", reasons=" ".join(verdict.reasons)),
        )
    meta = _meta_of(text)
    stored = meta.get("governance", {}) if isinstance(meta.get("governance"), dict) else {}
    if stored.get("level") == "warnung" and verdict.level == "ok":
        verdict.level = "warnung"
        reasons = stored.get("reasons")
        verdict.reasons += [str(r) for r in reasons] if isinstance(reasons, list) else []
    renamed = ""
    own = folder / f"{spec.id}.toml"
    if spec.id in other_ids:
        existing = {p.stem for p in folder.glob("*.toml")} if folder.is_dir() else set()
        new_id = unique_id(f"{spec.id}_importiert", other_ids | existing)
        changed = _replace_id(text, new_id)
        if changed is None:
            raise _fail(
                path,
                tr(
                    "Eine Aufgabe „{id}“ gibt es schon, und die Kennung in der Datei lässt sich "
                    "nicht sicher ändern. Bitte die Zeile „id = …“ in der Datei umbenennen.",
                    id=spec.id,
                ),
                _line(text, "id"),
            )
        renamed, text = spec.id, changed
        spec = parse_text(text, path.name)
        spec.path = path
        if spec.id != new_id:  # never: _replace_id proved it; a last guard all the same
            raise _fail(path, _("Die Kennung der Aufgabe ließ sich nicht ändern."))
        own = folder / f"{spec.id}.toml"
    if settings is not None:
        _check_locks(path, spec, settings)
    return ImportPreview(
        source=path,
        text=text,
        spec=spec,
        verdict=verdict,
        replaces=own if own.is_file() else None,
        renamed_from=renamed,
        meta=meta,
    )


def _check_locks(path: Path, spec: TaskSpec, settings: Settings) -> None:
    """own_tasks = false and free_chat = false apply to imports as to the catalogue."""
    from llmoin_desktop.core.tasks import task_policy

    if not settings.own_tasks:
        raise _fail(
            path,
            _("Eigene Aufgaben sind von Ihrer IT-Abteilung abgeschaltet (Richtlinie own_tasks)."),
        )
    if not settings.free_chat:
        from llmoin_desktop.core.tasks.catalog import bundled_tasks_dir, load_catalog

        bundled = load_catalog(dirs=[bundled_tasks_dir()]).tasks.values()
        systems = {" ".join(task_policy.normalise(t.system).split()) for t in bundled}
        problem = task_policy.free_chat_problem(spec, systems)
        if problem:
            raise _fail(path, problem)


def install_import(preview: ImportPreview, folder: Path | None = None) -> Path:
    """Write the checked text into the clerk's tasks folder (atomically)."""
    folder = folder or user_tasks_dir()
    target = folder / f"{preview.spec.id}.toml"
    atomic_write(target, preview.text)
    return target


def _line(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(needle):
            return number
    return None


def _meta_of(text: str) -> dict[str, Any]:
    import tomllib

    try:
        meta = tomllib.loads(text).get("meta", {})
    except tomllib.TOMLDecodeError:
        return {}
    return meta if isinstance(meta, dict) else {}


# Department folder ---------------------------------------------------------------------------


def department_dir(settings: Settings | None) -> Path | None:
    if settings is None or not settings.department_tasks_dir:
        return None
    return Path(settings.department_tasks_dir).expanduser()


def section_of(spec: TaskSpec, settings: Settings | None) -> str:
    """ "abteilung" (department folder), "eigene" (the clerk's folder) or "" (bundled/IT)."""
    if spec.path is None:
        return ""
    parent = Path(spec.path).parent.resolve()
    dept = department_dir(settings)
    if dept is not None and parent == dept.resolve():
        return "abteilung"
    if parent == user_tasks_dir().resolve():
        return "eigene"
    return ""


def byline(spec: TaskSpec) -> str:
    """ "Von M. Muster · Version 3 · 2026-11-28" for department tiles and the task info.

    The author is what the file says; when the OS names another owner of the file, that is
    shown too ("Von IT-Abteilung (gespeichert von mmuster)"), so a claim cannot pass as fact."""
    meta = read_meta(spec.path) if spec.path else {}
    if not meta:
        return ""
    from llmoin_desktop.core.tasks.file_owner import file_owner

    author = str(meta.get("author") or "") or _("unbekannt")
    owner = file_owner(spec.path) if spec.path else ""
    if owner and owner.casefold() != author.casefold():
        author = tr("{author} (gespeichert von {owner})", author=author, owner=owner)
    return tr(
        "Von {author} · Version {version} · {date}",
        author=author,
        version=meta.get("version", 1),
        date=meta.get("date") or "–",
    )


def may_publish(settings: Settings, user: str | None = None) -> tuple[bool, str]:
    """Policy ``task_publishing``; the reason is shown when publishing is not allowed."""
    mode = (settings.task_publishing or "niemand").strip().lower()
    if department_dir(settings) is None:
        return False, _(
            "Es ist kein Abteilungsordner eingerichtet (Richtlinie department_tasks_dir)."
        )
    if mode == "alle":
        return True, ""
    if mode == "ausgewaehlte":
        user = (user if user is not None else current_user()).casefold()
        if user and user in {e.strip().casefold() for e in settings.task_editors}:
            return True, ""
        return False, _(
            "Nur von der IT benannte Personen dürfen Aufgaben für die Abteilung veröffentlichen."
        )
    return False, _("Aufgaben für die Abteilung veröffentlicht nur die IT.")


def publish(
    spec: TaskSpec, settings: Settings, *, user: str | None = None, today: str = ""
) -> Path:
    """Copy one of the clerk's own tasks into the department folder as the next version."""
    allowed, reason = may_publish(settings, user)
    if not allowed:
        raise SharingError(reason)
    if spec.path is None or spec.runner != "standard":
        raise SharingError(_("Diese Aufgabe kann nicht weitergegeben werden."))
    folder = department_dir(settings)
    assert folder is not None
    if not folder.is_dir():
        raise SharingError(tr("Der Abteilungsordner ist nicht erreichbar: {path}", path=folder))
    draft: TaskDraft = from_spec(load_task_file(spec.path), as_copy=False)
    rules, _problems = governance.load_rules(settings.governance_rules_file)
    fresh = governance.check(draft, rules=rules, use_model=False)
    stored = draft.governance
    known = stored.level if stored.level in governance.LEVELS else "ok"
    level = max(fresh.level, known, key=governance.LEVELS.index)
    if level == "blockiert":
        raise SharingError(
            tr("Die Aufgabe ist nicht zulässig. {reasons}", reasons=" ".join(fresh.reasons))
        )
    if level == "warnung" and settings.governance_warning_blocks_publishing:
        reasons = " ".join(dict.fromkeys([*stored.reasons, *fresh.reasons]))
        raise SharingError(
            tr(
                "Aufgaben aus einem Hochrisiko-Bereich dürfen nach der Richtlinie nicht veröffentlicht werden. {reasons}",
                reasons=reasons,
            )
        )
    base = spec.id if spec.id.startswith(DEPARTMENT_PREFIX) else DEPARTMENT_PREFIX + spec.id
    current = newest_department_version(folder, base)
    draft.id = base
    draft.version = current + 1
    draft.author = user if user is not None else current_user()
    draft.date = today or dt.date.today().isoformat()
    draft.governance = Governance(
        level,
        list(dict.fromkeys([*stored.reasons, *fresh.reasons])),
        stored.checked_by or fresh.checked_by,
        stored.date or draft.date,
    )
    from llmoin_desktop.core.tasks.builder import to_toml

    text = to_toml(draft)
    parse_text(text, f"{base}.toml")
    target = folder / f"{base}.toml"
    atomic_write(target, text)
    return target


def newest_department_version(folder: Path, task_id: str) -> int:
    """The highest version of ``task_id`` among the folder's files (0 when none)."""
    best = 0
    for path in folder.glob("*.toml"):
        if path.stem == task_id or path.stem.startswith(task_id):
            meta = read_meta(path)
            try:
                spec_id = load_task_file(path).id
            except TaskSpecError:
                continue
            if spec_id == task_id:
                best = max(best, meta_int(meta.get("version"), 1))
    return best
