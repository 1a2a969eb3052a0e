"""The task gallery: big tiles a clerk clicks instead of writing prompts.

The gallery only builds widgets from a list of :class:`TileDescriptor`; where the list comes
from (built-in placeholders now, ``resources/tasks/*.toml`` via ``core.tasks`` later) is the
controller's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.i18n import _
from llmoin_desktop.core.paths import resources_dir
from llmoin_desktop.ui.a11y import name

TILE_WIDTH = 280
TILE_HEIGHT = 130


@dataclass(frozen=True)
class TileDescriptor:
    id: str
    title: str
    description: str
    icon: str = ""  # name of an SVG in resources/icons (without .svg), or a path to one
    category: str = ""
    enabled: bool = True
    note: str = ""  # shown instead of the action hint when disabled ("bald verfügbar")


def icon_pixmap(icon: str, size: int) -> QPixmap | None:
    """An SVG from resources/icons (or a given path); None when absent, so tiles still work."""
    if not icon:
        return None
    path = Path(icon) if icon.endswith(".svg") else resources_dir() / "icons" / f"{icon}.svg"
    if not path.is_file():
        return None
    pixmap = QIcon(str(path)).pixmap(size, size)
    return None if pixmap.isNull() else pixmap


class TaskTile(QPushButton):
    """A push button (so keyboard, focus and screen readers work) laid out as a card."""

    def __init__(self, tile: TileDescriptor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tile = tile
        self.setObjectName("taskTile")
        self.setProperty("tileId", tile.id)  # tutorials point at one tile: taskTile[tileId=…]
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setEnabled(tile.enabled)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setMinimumSize(TILE_WIDTH, TILE_HEIGHT)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(4)
        head_row = QHBoxLayout()
        head_row.setSpacing(10)
        pixmap = icon_pixmap(tile.icon, 28)
        if pixmap is not None:
            icon_label = QLabel()
            icon_label.setPixmap(pixmap)
            icon_label.setFixedSize(28, 28)
            head_row.addWidget(icon_label)
        head = QLabel(tile.title)
        head.setObjectName("tileTitle")
        head.setWordWrap(True)
        head_row.addWidget(head, 1)
        desc = QLabel(tile.description)
        desc.setObjectName("tileDescription")
        desc.setWordWrap(True)
        desc.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addLayout(head_row)
        layout.addWidget(desc, 1)
        if tile.note:
            note = QLabel(tile.note)
            note.setObjectName("tileNote")
            layout.addWidget(note)
        for label in self.findChildren(QLabel):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        description = tile.description + (f" ({tile.note})" if tile.note else "")
        name(self, tile.title, description)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = self.layout().sizeHint()
        height = max(TILE_HEIGHT, hint.height())
        if self.width() > 0:
            # Wrapped text needs more height in a narrow tile or with large fonts (200 %):
            # the tile's height follows its current width, else the description is cut off.
            height = max(height, self.layout().totalHeightForWidth(self.width()))
        return QSize(max(TILE_WIDTH, hint.width()), height)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the height for the new width (see sizeHint)


class Gallery(QScrollArea):
    """Grid of task tiles; emits the tile id when one is chosen."""

    tile_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None, columns: int = 3) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self._columns = columns
        self._inner = QWidget()
        self._inner.setObjectName("galleryInner")
        outer = QVBoxLayout(self._inner)
        outer.setContentsMargins(24, 16, 24, 24)
        heading = QLabel(_("Was möchten Sie tun?"))
        heading.setObjectName("galleryHeading")
        outer.addWidget(heading)
        self._grid = QGridLayout()
        self._grid.setSpacing(16)
        outer.addLayout(self._grid)
        outer.addStretch(1)
        self.setWidget(self._inner)
        name(self, _("Aufgabenübersicht"))
        self.tiles: dict[str, TaskTile] = {}

    def set_tiles(self, tiles: list[TileDescriptor]) -> None:
        for tile_widget in self.tiles.values():
            self._grid.removeWidget(tile_widget)
            tile_widget.deleteLater()
        self.tiles = {}
        for index, tile in enumerate(tiles):
            widget = TaskTile(tile)
            widget.clicked.connect(
                lambda _checked=False, tid=tile.id: self.tile_activated.emit(tid)
            )
            row, col = divmod(index, self._columns)
            self._grid.addWidget(widget, row, col)
            self.tiles[tile.id] = widget
        for col in range(self._columns):
            self._grid.setColumnStretch(col, 1)

    def first_tile(self) -> TaskTile | None:
        return next((t for t in self.tiles.values() if t.isEnabled()), None)
