"""The set of tasks a clerk sees: bundled task files, IT's folder, filtered by policy.

Who can write a folder decides what its files may do (core/tasks/task_policy.py): the
department folder and the clerk's own folder never replace a bundled or IT task, their files
pass the high-risk rules when loaded, and under ``free_chat = false`` / ``hidden_tasks`` they
cannot reopen what IT closed. The GUI and the CLI both load through :func:`load_catalog`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from llmoin_desktop.core.i18n import tr
from llmoin_desktop.core.paths import resources_dir
from llmoin_desktop.core.settings.config import Settings
from llmoin_desktop.core.tasks import (
    builtin_runners,  # noqa: F401 - registers runners
    task_policy,
)
from llmoin_desktop.core.tasks.builder import from_spec, read_meta, user_tasks_dir, version_key
from llmoin_desktop.core.tasks.spec import TaskSpec, TaskSpecError, load_task_file


@dataclass
class TaskCatalog:
    tasks: dict[str, TaskSpec] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # one German line per skipped file

    def get(self, task_id: str) -> TaskSpec | None:
        return self.tasks.get(task_id)

    def ordered(self) -> list[TaskSpec]:
        return sorted(self.tasks.values(), key=lambda t: (t.order, t.title))


def bundled_tasks_dir() -> Path:
    return resources_dir() / "tasks"


def task_dirs(settings: Settings | None) -> list[Path]:
    dirs = [bundled_tasks_dir()]
    if settings and settings.extra_tasks_dir:
        dirs.append(Path(settings.extra_tasks_dir).expanduser())
    # Task editor (core/tasks/builder.py, sharing.py): the department's folder, then the
    # clerk's own tasks, which win on the same department id (her copy stays hers).
    if settings and settings.department_tasks_dir:
        dirs.append(Path(settings.department_tasks_dir).expanduser())
    if settings is not None and settings.own_tasks:
        dirs.append(user_tasks_dir())
    return dirs


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def folder_kind(folder: Path, settings: Settings | None) -> str:
    """bundled | it | department | own. Without settings an unknown folder is one a caller
    named in code (tests, the self-test), i.e. trusted; the clerk's folder never is."""
    if _same(folder, bundled_tasks_dir()):
        return "bundled"
    if _same(folder, user_tasks_dir()):
        return "own"
    if settings is not None:
        if settings.department_tasks_dir and _same(
            folder, Path(settings.department_tasks_dir).expanduser()
        ):
            return "department"
        if settings.extra_tasks_dir and _same(folder, Path(settings.extra_tasks_dir).expanduser()):
            return "it"
        return "department"  # a folder the settings do not name as IT's: not trusted
    return "it"


def load_catalog(
    settings: Settings | None = None, dirs: list[Path] | None = None, *, filtered: bool = True
) -> TaskCatalog:
    """Load every ``*.toml`` (files starting with ``_`` are drafts/partials and skipped).

    A later folder wins on the same id, so IT can replace a bundled task; the department and
    own folders cannot (see module doc). A broken file is reported in ``problems`` and
    skipped; it never stops the others. ``filtered=False`` keeps the tasks IT hid (the GUI
    builds a page for each and greys the tile out), but never a clerk's copy of one.
    """
    catalog = TaskCatalog()
    trusted: dict[str, TaskSpec] = {}
    untrusted: list[tuple[TaskSpec, str]] = []
    rules: list | None = None  # the high-risk rules, read once when a clerk's file needs them
    for folder in dirs if dirs is not None else task_dirs(settings):
        if not folder.is_dir():
            if folder not in (bundled_tasks_dir(), user_tasks_dir()):
                catalog.problems.append(tr("Aufgabenordner nicht gefunden: {path}", path=folder))
            continue
        kind = folder_kind(folder, settings)
        if kind == "own" and settings is not None and not settings.own_tasks:
            continue
        for path in sorted(folder.glob("*.toml")):
            if path.name.startswith("_"):
                continue
            try:
                spec = load_task_file(path)
            except TaskSpecError as exc:
                catalog.problems.append(exc.user_message)
                continue
            if kind not in task_policy.TRUSTED:
                if spec.id in trusted:
                    catalog.problems.append(
                        tr(
                            "Aufgabendatei {file} übersprungen: „{id}“ ist eine Aufgabe des "
                            "Programms oder der IT und kann nicht durch eine Datei aus diesem "
                            "Ordner ersetzt werden.",
                            file=path,
                            id=spec.id,
                        )
                    )
                    continue
                if rules is None:
                    rules = _rules(settings)
                problem = _rules_problem(spec, rules)
                if problem:
                    catalog.problems.append(problem)
                    continue
                if not re.fullmatch(r"[a-z0-9_-]*", spec.icon):
                    spec.icon = ""  # a bundled symbol only, never a path (\\host\x.svg = SMB)
                untrusted.append((spec, kind))
            earlier = catalog.tasks.get(spec.id)
            if (
                earlier is not None
                and earlier.path is not None
                and earlier.path.parent == folder
                and version_key(earlier) >= version_key(spec)
            ):
                continue  # two versions in one (department) folder: the newer one counts
            catalog.tasks[spec.id] = spec
            if kind in task_policy.TRUSTED:
                trusted[spec.id] = spec
    if settings is not None:
        _apply_locks(catalog, settings, trusted, untrusted)
        if filtered:
            catalog.tasks = {
                k: v for k, v in catalog.tasks.items() if task_policy.task_permitted(settings, k)
            }
    return catalog


def _rules(settings: Settings | None) -> list:
    from llmoin_desktop.core.tasks import governance

    return governance.load_rules(settings.governance_rules_file if settings else "")[0]


def _rules_problem(spec: TaskSpec, rules: list) -> str:
    """A clerk-written file that the high-risk rules block is not offered at all."""
    from llmoin_desktop.core.tasks import governance

    verdict = governance.check_rules(from_spec(spec, as_copy=False), rules)
    if not verdict.blocked:
        return ""
    return tr(
        "Aufgabendatei {file} übersprungen: Die Aufgabe ist nicht zulässig. {reasons}",
        file=spec.path,
        reasons=" ".join(verdict.reasons),
    )


def _apply_locks(
    catalog: TaskCatalog,
    settings: Settings,
    trusted: dict[str, TaskSpec],
    untrusted: list[tuple[TaskSpec, str]],
) -> None:
    """free_chat = false and hidden/allowed tasks for the tasks clerks can write."""
    blocked = [s for s in trusted.values() if not task_policy.task_permitted(settings, s.id)]
    systems = {" ".join(task_policy.normalise(s.system).split()) for s in trusted.values()}
    for spec, _kind in untrusted:
        if catalog.tasks.get(spec.id) is not spec:
            continue
        meta = read_meta(spec.path) if spec.path else {}
        problem = task_policy.hidden_copy_problem(spec, str(meta.get("based_on", "")), blocked)
        if not problem and not settings.free_chat:
            problem = task_policy.free_chat_problem(spec, systems)
        if problem:
            del catalog.tasks[spec.id]
            catalog.problems.append(problem)
