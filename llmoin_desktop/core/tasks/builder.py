"""The task builder's model: a clerk's draft → a normal task TOML file, and back.

Why a separate model and not the :class:`TaskSpec`: the clerk never sees field ids or template
syntax. She names fields ("Name der Antragstellerin"), and in the instructions she inserts
«chips» with those names. On save the chips become the task file's real placeholders
(``{name_der_antragstellerin}``, a document field becomes ``{document}``) and the field ids are
derived from the names. Reading a task back turns placeholders into chips again, so "Als
Vorlage verwenden" works on every bundled task. Everything written goes through the normal
loader (:func:`spec.load_task_file`) before it replaces a file, so the CLI, the gallery and the
tutorials read builder tasks exactly like hand-written ones.

Metadata the loader does not need (author, version, date, the governance verdict) lives in a
``[meta]`` table, which the loader ignores.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tomllib
from pathlib import Path
from typing import Any

from llmoin_desktop.core.i18n import tr
from llmoin_desktop.core.settings.config_files import atomic_write_text

# The draft model lives in draft.py; its names are re-exported here for the callers.
from llmoin_desktop.core.tasks.draft import (  # noqa: F401
    CHIP,
    MAP_PROMPT,
    OUTPUT_HINTS,
    SYSTEM_PROMPT,
    TODAY_CHIP,
    TRASH_FOLDER,
    USER_TASKS_FOLDER,
    DraftField,
    Governance,
    Problem,
    TaskDraft,
    chips_in,
    chips_to_template,
    field_names,
    option_values,
    slug,
    template_to_chips,
    user_tasks_dir,
    validate,
)
from llmoin_desktop.core.tasks.spec import (
    STANDARD_REFINEMENTS,
    TaskSpec,
    TaskSpecError,
    _Loader,
    load_task_file,
)

# Draft → TOML ----------------------------------------------------------------------------


def toml_str(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML; DEL must be escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return toml_str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value))


def _number(text: str) -> int | float | None:
    text = text.strip().replace(",", ".")
    if not text:
        return None
    number = float(text)
    return int(number) if number.is_integer() else number


def to_toml(draft: TaskDraft) -> str:
    """The task file text; call :func:`validate` first (``save`` does)."""
    names = field_names(draft.fields)
    by_label = {f.label.strip(): f for f in draft.fields}
    lines = [
        "# Eigene Aufgabe, erstellt mit dem Aufgaben-Editor von LLMoin Desktop (docs/tasks.md).",
        f"id = {toml_str(draft.id)}",
        "order = 500",
        f"title = {toml_str(draft.title.strip())}",
        f"description = {toml_str(draft.description.strip())}",
        f"icon = {toml_str(draft.icon)}",
        f"category = {toml_str(draft.category.strip())}",
        f"output = {toml_str(draft.output)}",
        f"refinements = {_toml_value(list(draft.refinements))}",
        "",
    ]
    for f in draft.fields:
        label = f.label.strip()
        lines += ["[[fields]]", f"name = {toml_str(names[label])}", f"kind = {toml_str(f.kind)}"]
        lines.append(f"label = {toml_str(label)}")
        if f.help.strip():
            lines.append(f"help = {toml_str(f.help.strip())}")
        if f.required:
            lines.append("required = true")
        opts = [o.strip() for o in f.options if o.strip()]
        values = option_values(opts, f.option_extra)
        if f.kind in ("choice", "multichoice"):
            items = []
            for o in opts:
                item = {"value": values[o], "label": o}
                kept = f.option_extra.get(o, {})
                item.update({k: kept[k] for k in ("prompt", "output") if kept.get(k)})
                items.append(item)
            lines.append("options = [\n" + "".join(f"  {_toml_value(i)},\n" for i in items) + "]")
            if f.kind == "choice" and f.default.strip():
                lines.append(f"default = {toml_str(values[f.default.strip()])}")
            elif f.kind == "multichoice" and f.default.strip():
                chosen = [values[d.strip()] for d in f.default.split(",") if d.strip()]
                lines.append(f"default = {_toml_value(chosen)}")
        elif f.kind == "number" and f.default.strip():
            lines.append(f"default = {_toml_value(_number(f.default))}")
        elif f.kind in ("text", "longtext") and f.default.strip():
            lines.append(f"default = {toml_str(f.default)}")
        if f.show_if_field.strip():
            target = by_label[f.show_if_field.strip()]
            tvalues = option_values(
                [o.strip() for o in target.options if o.strip()], target.option_extra
            )
            wanted = [tvalues[v.strip()] for v in f.show_if_values if v.strip()]
            lines.append(f"show_if = {{ {names[target.label.strip()]} = {_toml_value(wanted)} }}")
        lines.append("")
    user = chips_to_template(draft.instructions.strip(), draft.fields)
    hint = OUTPUT_HINTS.get(draft.output, "")
    if hint and hint not in user:
        user = f"{user}\n\n{hint}"
    has_doc = any(f.kind == "document" for f in draft.fields)
    if has_doc and "{document}" not in user:
        doc = next(f for f in draft.fields if f.kind == "document")
        user += "\n{#if " + names[doc.label.strip()] + "}\nVorlage:\n{document}{/if}"
    lines += [
        "[prompt]",
        f"system = {toml_str(draft.extra.get('system') or SYSTEM_PROMPT)}",
        f"user = {toml_str(user)}",
        "",
    ]
    if has_doc:
        long = draft.extra.get("long") or {"strategy": "map-reduce", "map": MAP_PROMPT}
        lines += ["[long]"] + [f"{k} = {_toml_value(v)}" for k, v in long.items()] + [""]
    export = {k: v for k, v in draft.extra.get("export", {}).items() if v in names.values()}
    if export:
        lines += ["[export]"] + [f"{k} = {_toml_value(v)}" for k, v in export.items()] + [""]
    g = draft.governance
    lines += [
        "[meta]",
        f"author = {toml_str(draft.author)}",
        f"version = {int(draft.version)}",
        f"date = {toml_str(draft.date)}",
    ]
    if draft.based_on:
        lines.append(f"based_on = {toml_str(draft.based_on)}")
    lines += [
        "",
        "[meta.governance]",
        f"level = {toml_str(g.level)}",
        f"reasons = {_toml_value(list(g.reasons))}",
        f"checked_by = {toml_str(g.checked_by)}",
        f"date = {toml_str(g.date)}",
        "",
    ]
    return "\n".join(lines)


def parse_text(text: str, name: str = "aufgabe.toml") -> TaskSpec:
    """Check task text with the real loader, without writing it anywhere."""
    return _Loader(Path(name), text).load()


def to_spec(draft: TaskDraft) -> TaskSpec:
    """For the live preview and "Ausprobieren"; raises TaskSpecError when not loadable."""
    changes: dict[str, Any] = {}
    if not draft.id:
        changes["id"] = slug(draft.title, "aufgabe") if draft.title.strip() else "entwurf"
    if not draft.title.strip():
        changes["title"] = tr("Neue Aufgabe")  # the preview shows the form before the title
    if not draft.instructions.strip():
        changes["instructions"] = "…"
    d = TaskDraft(**{**draft.__dict__, **changes}) if changes else draft
    return parse_text(to_toml(d))


# TOML → draft ----------------------------------------------------------------------------


def meta_int(value: Any, default: int = 0) -> int:
    """A version from a file someone else wrote: never raises (a shared file may be odd)."""
    try:
        return int(value) if value not in (None, "") and not isinstance(value, bool) else default
    except (TypeError, ValueError):
        return default


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def read_meta(path: Path) -> dict[str, Any]:
    """The ``[meta]`` table of a task file ({} when absent or unreadable)."""
    try:
        with Path(path).open("rb") as fh:
            meta = tomllib.load(fh).get("meta", {})
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    return meta if isinstance(meta, dict) else {}


def version_key(spec: TaskSpec) -> tuple[int, str]:
    """Which of two files with the same id in one folder is newer (version, then date)."""
    meta = read_meta(spec.path) if spec.path else {}
    return meta_int(meta.get("version")), str(meta.get("date", ""))


def from_spec(spec: TaskSpec, *, as_copy: bool) -> TaskDraft:
    """A draft from any task: ``as_copy`` (Als Vorlage verwenden) drops id, author and version."""
    labels = {f.name: f.label for f in spec.fields}
    fields_: list[DraftField] = []
    for f in spec.fields:
        opts = {o.value: o.label for o in f.options}
        if isinstance(f.default, list):
            default = ", ".join(opts.get(str(v), str(v)) for v in f.default)
        elif f.default is None:
            default = ""
        else:
            default = opts.get(str(f.default), str(f.default))
        show_field, show_values = "", []
        if f.show_if:
            other, wanted = next(iter(f.show_if.items()))
            target = spec.field(other)
            show_field = labels.get(other, "")
            if target is not None:
                show_values = [o.label for o in target.options if o.value in wanted]
        fields_.append(
            DraftField(
                label=f.label,
                kind=f.kind,
                help=f.help,
                default=default,
                required=f.required,
                options=[o.label for o in f.options],
                show_if_field=show_field,
                show_if_values=show_values,
                name=f.name,
                option_extra={
                    o.label: {"value": o.value, "prompt": o.prompt, "output": o.output}
                    for o in f.options
                },
            )
        )
    instructions = template_to_chips(spec.user, spec)
    hint = OUTPUT_HINTS.get(spec.output, "")
    if hint:
        instructions = instructions.replace(f"\n\n{hint}", "").replace(hint, "").rstrip()
    doc = spec.document_field
    if doc is not None:
        tail = "\n{#if " + doc.name + "}\nVorlage:\n«" + doc.label + "»{/if}"
        instructions = instructions.replace(tail, "")
    meta = read_meta(spec.path) if spec.path else {}
    gov = meta.get("governance", {}) if isinstance(meta.get("governance"), dict) else {}
    extra: dict[str, Any] = {"system": spec.system}
    if spec.export:
        extra["export"] = dict(spec.export)
    if doc is not None:
        extra["long"] = {"strategy": spec.long.strategy, "map": spec.long.map or MAP_PROMPT}
    std = [r.id for r in spec.refinements if r.id in STANDARD_REFINEMENTS]
    draft = TaskDraft(
        title=spec.title,
        description=spec.description,
        icon=spec.icon,
        category=spec.category,
        fields=fields_,
        instructions=instructions,
        output=spec.output,
        refinements=std,
        id=spec.id,
        author=str(meta.get("author", "")),
        version=meta_int(meta.get("version")),
        date=str(meta.get("date", "")),
        governance=Governance(
            str(gov.get("level", "")),
            [str(r) for r in _as_list(gov.get("reasons"))],
            str(gov.get("checked_by", "")),
            str(gov.get("date", "")),
        ),
        based_on=str(meta.get("based_on", "")),
        extra=extra,
    )
    if as_copy:
        draft.based_on = spec.id
        draft.id = ""
        draft.author = ""
        draft.version = 0
        draft.governance = Governance()
        draft.title = tr("{title} (Kopie)", title=spec.title)
    return draft


# Saving, deleting, undo --------------------------------------------------------------------


def current_user() -> str:
    """The OS account this process runs as: it decides publishing rights (``task_editors``).

    Never ``getpass.getuser()``: that reads LOGNAME/USER/USERNAME first, which the clerk can
    set to a task editor's name (issue 18). POSIX: the effective uid's passwd entry; Windows:
    the user of the process token (``GetUserNameW``). "" when the OS has no name for it."""
    if sys.platform == "win32":
        try:
            import ctypes  # noqa: PLC0415 - Windows only

            size = ctypes.c_ulong(257)
            buffer = ctypes.create_unicode_buffer(size.value)
            if ctypes.windll.advapi32.GetUserNameW(buffer, ctypes.byref(size)):  # type: ignore[attr-defined]
                return buffer.value
        except (AttributeError, OSError):
            pass
        return ""
    try:
        import pwd  # noqa: PLC0415 - POSIX only

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError, OSError):  # a uid without passwd entry (container)
        return ""


def unique_id(base: str, taken: set[str]) -> str:
    base = base[:56]  # room for "_NN" within the 64 characters an id may have
    task_id, n = base, 2
    while task_id in taken:
        task_id, n = f"{base}_{n}", n + 1
    return task_id


def atomic_write(path: Path, text: str) -> None:
    """Write next to the target and rename: a crash or full disk never leaves half a task."""
    atomic_write_text(path, text)


class BuilderError(TaskSpecError):
    """A draft cannot be saved; ``problems`` lists why, in plain German."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(p.message for p in problems))
        self.problems = problems


def save(draft: TaskDraft, folder: Path | None = None, *, taken: set[str] = frozenset()) -> Path:
    """Validate, write ``<folder>/<id>.toml`` atomically, and prove the loader reads it.

    ``taken``: ids of other tasks, so a new task never replaces a bundled or shared one.
    The caller runs the governance check first and stores its verdict in ``draft.governance``.
    """
    problems = validate(draft)
    if problems:
        raise BuilderError(problems)
    folder = folder or user_tasks_dir()
    if not draft.id:
        existing = {p.stem for p in folder.glob("*.toml")} if folder.is_dir() else set()
        draft.id = unique_id(slug(draft.title, "aufgabe"), set(taken) | existing)
    draft.version = max(1, draft.version + 1 if draft.date else draft.version or 1)
    draft.date = dt.date.today().isoformat()
    draft.author = draft.author or current_user()
    text = to_toml(draft)
    parse_text(text, f"{draft.id}.toml")  # raises with file and line; nothing is written
    path = folder / f"{draft.id}.toml"
    atomic_write(path, text)
    return path


def delete(path: Path) -> Path:
    """Move a task file into the trash folder beside it (undo: :func:`restore`)."""
    path = Path(path)
    trash = path.parent / TRASH_FOLDER
    trash.mkdir(parents=True, exist_ok=True)
    target = trash / path.name
    os.replace(path, target)
    return target


def restore(trashed: Path) -> Path:
    trashed = Path(trashed)
    target = trashed.parent.parent / trashed.name
    os.replace(trashed, target)
    return target


def duplicate(path: Path) -> Path:
    """A copy of one of the clerk's own tasks under a new id and title."""
    spec = load_task_file(path)
    draft = from_spec(spec, as_copy=True)
    taken = {p.stem for p in Path(path).parent.glob("*.toml")}
    draft.governance = from_spec(spec, as_copy=False).governance
    return save(draft, Path(path).parent, taken=taken)
