"""Guided tours as data (``resources/tutorials/*.toml``) and the events their exercises wait for.

A step points at a real widget by its Qt object name (``target``), optionally narrowed by a
property (``taskTile[tileId=zusammenfassen]``), and carries its title and text in German and
English. ``wait_for`` names a condition (``result_ready``, ``task_opened:zusammenfassen``):
the tour only goes on once the UI has emitted a matching event into :class:`TutorialEvents`.
Trainers and IT add tours for their own tasks by dropping a file into a ``tutorials`` folder
next to their task files; no code. Qt-free, so the format is checked without a display.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from llmoin_desktop.core import i18n, paths
from llmoin_desktop.core.i18n import tr

# Conditions the UI emits (``name`` or ``name:detail``); see ui/tutorial/events.py.
CONDITIONS = {
    "page_shown": "eine Seite wurde geöffnet (Detail: Seiten-ID)",
    "task_opened": "eine Aufgabe wurde geöffnet (Detail: Aufgaben-ID)",
    "document_loaded": "ein Dokument wurde gewählt (Detail: Aufgaben-ID)",
    "result_ready": "ein Ergebnis ist fertig (Detail: Aufgaben-ID)",
    "refined": "ein Ergebnis wurde überarbeitet (Detail: Aufgaben-ID)",
    "exported": "ein Ergebnis wurde als Word-Datei gespeichert (Detail: Aufgaben-ID)",
    "library_asked": "eine Frage an die Bibliothek wurde beantwortet",
    "citation_opened": "eine Quelle wurde geöffnet",
}
_TARGET = re.compile(r"^(?P<name>[A-Za-z_][\w-]*)?(?:\[(?P<prop>\w+)=(?P<value>[^\]]*)\])?$")


@dataclass(frozen=True)
class Target:
    object_name: str
    prop: str = ""
    value: str = ""

    @classmethod
    def parse(cls, text: str) -> Target | None:
        """``objectName`` or ``objectName[property=value]``; None for "" (a step without widget)."""
        text = text.strip()
        if not text:
            return None
        match = _TARGET.match(text)
        if match is None or not (match["name"] or match["prop"]):
            raise ValueError(text)
        return cls(match["name"] or "", match["prop"] or "", match["value"] or "")


@dataclass(frozen=True)
class Step:
    title: dict[str, str]
    text: dict[str, str]
    target: Target | None = None
    wait_for: str = ""
    done: dict[str, str] = field(default_factory=dict)  # shown when the exercise is done
    requires_page: str = ""  # left out when the window has no such page (policy, not built)

    def t(self, texts: dict[str, str]) -> str:
        return texts.get(i18n.language()) or texts.get("de", "")

    @property
    def title_text(self) -> str:
        return self.t(self.title)

    @property
    def body_text(self) -> str:
        return self.t(self.text)

    @property
    def done_text(self) -> str:
        return self.t(self.done) if self.done else i18n._("Geschafft!")


@dataclass(frozen=True)
class Tutorial:
    id: str
    title: dict[str, str]
    description: dict[str, str]
    steps: tuple[Step, ...]
    order: int = 100
    path: Path | None = None

    @property
    def title_text(self) -> str:
        return self.title.get(i18n.language()) or self.title.get("de", self.id)

    @property
    def description_text(self) -> str:
        return self.description.get(i18n.language()) or self.description.get("de", "")

    def exercises(self) -> list[str]:
        return [s.wait_for for s in self.steps if s.wait_for]


class TutorialError(ValueError):
    """A broken tutorial file; ``str()`` is a German message naming file and problem."""


def _texts(raw: object, where: str, required: bool = True) -> dict[str, str]:
    if raw is None and not required:
        return {}
    if isinstance(raw, str):
        return {"de": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("de"), str) or not raw["de"].strip():
        raise TutorialError(tr("{where}: ein deutscher Text („de“) fehlt.", where=where))
    return {str(k): str(v).strip() for k, v in raw.items() if isinstance(v, str)}


def valid_condition(condition: str) -> bool:
    return condition.split(":", 1)[0] in CONDITIONS


def parse_tutorial(data: dict, path: Path | None = None) -> Tutorial:
    label = path.name if path else "Tutorial"
    tid = str(data.get("id") or (path.stem if path else "")).strip()
    if not tid:
        raise TutorialError(tr("{where}: „id“ fehlt.", where=label))
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise TutorialError(tr("{where}: keine Schritte ([[steps]]).", where=label))
    steps = []
    for number, raw in enumerate(raw_steps, start=1):
        where = tr("{file}, Schritt {n}", file=label, n=number)
        if not isinstance(raw, dict):
            raise TutorialError(tr("{where}: ein Schritt muss eine Tabelle sein.", where=where))
        try:
            target = Target.parse(str(raw.get("target", "")))
        except ValueError as exc:
            raise TutorialError(
                tr("{where}: ungültiges Ziel „{target}“.", where=where, target=exc)
            ) from exc
        wait_for = str(raw.get("wait_for", "")).strip()
        if wait_for and not valid_condition(wait_for):
            raise TutorialError(
                tr("{where}: unbekannte Bedingung „{name}“.", where=where, name=wait_for)
            )
        steps.append(
            Step(
                title=_texts(raw.get("title"), where),
                text=_texts(raw.get("text"), where),
                target=target,
                wait_for=wait_for,
                done=_texts(raw.get("done"), where, required=False),
                requires_page=str(raw.get("requires_page", "")).strip(),
            )
        )
    return Tutorial(
        id=tid,
        title=_texts(data.get("title") or tid, label),
        description=_texts(data.get("description"), label, required=False),
        steps=tuple(steps),
        order=int(data.get("order", 100)),
        path=path,
    )


def tutorial_dirs(extra_tasks_dir: str = "") -> list[Path]:
    """Bundled tours, then IT's (``<extra_tasks_dir>/tutorials``), then the user's own."""
    dirs = [paths.resources_dir() / "tutorials"]
    if extra_tasks_dir:
        dirs.append(Path(extra_tasks_dir).expanduser() / "tutorials")
    dirs.append(paths.user_config_dir() / "tutorials")
    return dirs


def load_tutorials(dirs: list[Path] | None = None) -> tuple[list[Tutorial], list[str]]:
    """All readable tours (a later folder replaces a tour with the same id) and German problems."""
    found: dict[str, Tutorial] = {}
    problems: list[str] = []
    for folder in dirs if dirs is not None else tutorial_dirs():
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                with path.open("rb") as fh:
                    tutorial = parse_tutorial(tomllib.load(fh), path)
            except tomllib.TOMLDecodeError as exc:
                problems.append(
                    tr("{file}: keine gültige TOML-Datei ({error}).", file=path.name, error=exc)
                )
                continue
            except OSError as exc:
                problems.append(tr("{file}: nicht lesbar ({error}).", file=path.name, error=exc))
                continue
            except TutorialError as exc:
                problems.append(str(exc))
                continue
            found[tutorial.id] = tutorial
    return sorted(found.values(), key=lambda t: (t.order, t.id)), problems


def matches(condition: str, event: str) -> bool:
    """``result_ready`` matches ``result_ready:zusammenfassen``; a detail must match exactly."""
    if not condition:
        return True
    if ":" in condition:
        return condition == event
    return event == condition or event.startswith(condition + ":")


Listener = Callable[[str], None]


class TutorialEvents:
    """What the clerk did, as plain strings. The UI emits; a running tour listens."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self.history: list[str] = []

    def emit(self, event: str) -> None:
        self.history.append(event)
        for listener in list(self._listeners):
            listener(event)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def seen(self, condition: str, since: int = 0) -> bool:
        return any(matches(condition, e) for e in self.history[since:])
