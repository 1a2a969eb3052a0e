"""The set of tasks a clerk sees: bundled task files, IT's folder, filtered by policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from llmoin_desktop.core.config import Settings
from llmoin_desktop.core.i18n import tr
from llmoin_desktop.core.paths import resources_dir
from llmoin_desktop.core.tasks import builtin_runners  # noqa: F401 - registers runners
from llmoin_desktop.core.tasks.builder import user_tasks_dir
from llmoin_desktop.core.tasks.sharing import version_key
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
    # clerk's own tasks, which win on the same id (her copy stays hers).
    if settings and settings.department_tasks_dir:
        dirs.append(Path(settings.department_tasks_dir).expanduser())
    if settings is not None:
        dirs.append(user_tasks_dir())
    return dirs


def load_catalog(settings: Settings | None = None, dirs: list[Path] | None = None) -> TaskCatalog:
    """Load every ``*.toml`` (files starting with ``_`` are drafts/partials and skipped).

    A later folder wins on the same id, so IT can replace a bundled task. A broken file is
    reported in ``problems`` and skipped; it never stops the others.
    """
    catalog = TaskCatalog()
    for folder in dirs if dirs is not None else task_dirs(settings):
        if not folder.is_dir():
            if folder not in (bundled_tasks_dir(), user_tasks_dir()):
                catalog.problems.append(tr("Aufgabenordner nicht gefunden: {path}", path=folder))
            continue
        for path in sorted(folder.glob("*.toml")):
            if path.name.startswith("_"):
                continue
            try:
                spec = load_task_file(path)
            except TaskSpecError as exc:
                catalog.problems.append(exc.user_message)
                continue
            earlier = catalog.tasks.get(spec.id)
            if (
                earlier is not None
                and earlier.path is not None
                and earlier.path.parent == folder
                and version_key(earlier) >= version_key(spec)
            ):
                continue  # two versions in one (department) folder: the newer one counts
            catalog.tasks[spec.id] = spec
    if settings is not None:
        if settings.allowed_tasks:
            allowed = set(settings.allowed_tasks)
            catalog.tasks = {k: v for k, v in catalog.tasks.items() if k in allowed}
        for hidden in settings.hidden_tasks:
            catalog.tasks.pop(hidden, None)
    return catalog
