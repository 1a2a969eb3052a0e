"""Which tiles the gallery shows: one per task file, the library's question tile, free chat.

Tiles come from the task specs (``resources/tasks`` plus IT's folder), so a task IT adds gets
a tile without code. Policy filters them (``allowed_tasks``/``hidden_tasks``/``free_chat``).
A tile whose page nobody has registered yet (the library's "Dokumente fragen" until that view
exists) is shown greyed out with "bald verfügbar" instead of leading nowhere.
"""

from __future__ import annotations

from llmoin_desktop.core.i18n import _
from llmoin_desktop.core.paths import resources_dir
from llmoin_desktop.core.settings.config import Settings
from llmoin_desktop.core.tasks.spec import TaskSpec
from llmoin_desktop.ui.gallery import TileDescriptor

CHAT_TILE_ID = "chat"
ASK_TILE_ID = "dokumente_fragen"

# Icon names in task files that differ from the SVG names shipped in resources/icons.
_ICON_ALIASES = {"plain_language": "simplify", "question": "ask"}


def _icon(name: str) -> str:
    if not name or (resources_dir() / "icons" / f"{name}.svg").is_file():
        return name
    return _ICON_ALIASES.get(name, name)


def spec_tile(spec: TaskSpec, settings: Settings | None = None) -> TileDescriptor:
    from llmoin_desktop.core.tasks.sharing import byline, section_of

    section = section_of(spec, settings)  # own tasks and the department's get a heading
    icon = spec.icon
    if section and ("/" in icon or "\\" in icon):
        icon = ""  # shared files name a bundled symbol only, never a path (sharing.py)
    return TileDescriptor(
        spec.id,
        spec.t(spec.title),
        spec.t(spec.description),
        icon=_icon(icon),
        category=spec.t(spec.category),
        section=section,
        byline=byline(spec) if section == "abteilung" else "",
    )


def ask_tile() -> TileDescriptor:
    """Room for the library's question task until (or unless) a task file provides it."""
    return TileDescriptor(
        ASK_TILE_ID,
        _("Dokumente fragen"),
        _("Fragen an Ihre Dokumente stellen – mit Quellenangabe."),
        icon="ask",
    )


def task_tiles(specs: list[TaskSpec], settings: Settings | None = None) -> list[TileDescriptor]:
    tiles = [spec_tile(s, settings) for s in specs]
    if not any(t.id == ASK_TILE_ID for t in tiles):
        tiles.append(ask_tile())
    return tiles


def placeholder_task_tiles() -> list[TileDescriptor]:
    """Tiles from the bundled task files (used when the window is built without a catalogue)."""
    from llmoin_desktop.core.tasks.catalog import load_catalog

    return task_tiles(load_catalog().ordered())


def chat_tile() -> TileDescriptor:
    return TileDescriptor(
        CHAT_TILE_ID,
        _("Mit dem Modell chatten"),
        _("Freie Fragen und Aufträge an das Sprachmodell."),
        icon="chat",
    )


def _ready(tile: TileDescriptor, pages: set[str] | None) -> TileDescriptor:
    if pages is None or tile.id in pages or not tile.enabled:
        return tile
    return TileDescriptor(
        tile.id,
        tile.title,
        tile.description,
        icon=tile.icon,
        category=tile.category,
        enabled=False,
        note=_("bald verfügbar"),
        section=tile.section,
        byline=tile.byline,
    )


def gallery_tiles(
    settings: Settings,
    task_tiles: list[TileDescriptor] | None = None,
    pages: set[str] | None = None,
) -> list[TileDescriptor]:
    """Task tiles, then free chat unless policy switched it off.

    ``pages``: ids that have a page; other tiles are shown disabled ("bald verfügbar")."""
    tiles = list(task_tiles) if task_tiles is not None else placeholder_task_tiles()
    hidden = set(settings.hidden_tasks)
    allowed = set(settings.allowed_tasks)
    tiles = [t for t in tiles if t.id not in hidden and (not allowed or t.id in allowed)]
    tiles = [_ready(t, pages) for t in tiles]
    if settings.free_chat:
        tiles.append(chat_tile())
    return tiles
