"""Which tiles the gallery shows. Placeholders until task specs (resources/tasks) are wired in."""

from __future__ import annotations

from llmoin_desktop.core.config import Settings
from llmoin_desktop.core.i18n import _
from llmoin_desktop.ui.gallery import TileDescriptor

CHAT_TILE_ID = "chat"


def placeholder_task_tiles() -> list[TileDescriptor]:
    soon = _("bald verfügbar")
    return [
        TileDescriptor(
            "summarize",
            _("Zusammenfassen"),
            _("Lange Texte und Dokumente kurz und verständlich zusammenfassen."),
            icon="summarize",
            enabled=False,
            note=soon,
        ),
        TileDescriptor(
            "draft",
            _("Entwurf schreiben"),
            _("Antwortschreiben, E-Mails, Vermerke und Einladungen entwerfen."),
            icon="draft",
            enabled=False,
            note=soon,
        ),
        TileDescriptor(
            "simplify",
            _("Einfache Sprache"),
            _("Texte in Einfache oder Leichte Sprache übertragen."),
            icon="simplify",
            enabled=False,
            note=soon,
        ),
        TileDescriptor(
            "extract",
            _("Informationen herausziehen"),
            _("Fristen, Beträge, Beteiligte und Aufgaben als Tabelle."),
            icon="extract",
            enabled=False,
            note=soon,
        ),
        TileDescriptor(
            "ask",
            _("Dokumente fragen"),
            _("Fragen an Ihre Dokumente stellen – mit Quellenangabe."),
            icon="ask",
            enabled=False,
            note=soon,
        ),
    ]


def chat_tile() -> TileDescriptor:
    return TileDescriptor(
        CHAT_TILE_ID,
        _("Mit dem Modell chatten"),
        _("Freie Fragen und Aufträge an das Sprachmodell."),
        icon="chat",
    )


def gallery_tiles(
    settings: Settings, task_tiles: list[TileDescriptor] | None = None
) -> list[TileDescriptor]:
    """Task tiles (from specs when given), then free chat unless policy switched it off."""
    tiles = list(task_tiles) if task_tiles is not None else placeholder_task_tiles()
    hidden = set(settings.hidden_tasks)
    allowed = set(settings.allowed_tasks)
    tiles = [t for t in tiles if t.id not in hidden and (not allowed or t.id in allowed)]
    if settings.free_chat:
        tiles.append(chat_tile())
    return tiles
