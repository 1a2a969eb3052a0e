"""The task gallery: big tiles a clerk clicks instead of writing prompts.

The gallery only builds widgets from a list of :class:`TileDescriptor`; where the list comes
from (built-in placeholders now, ``resources/tasks/*.toml`` via ``core.tasks`` later) is the
controller's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QKeyEvent,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.i18n import _
from llmoin_desktop.core.paths import resources_dir
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.plain_text import PlainLabel

TILE_WIDTH = 280
TILE_HEIGHT = 130
SEARCH_THRESHOLD = 9  # more tiles than fit one screen: show search and categories
SECTIONS = ("", "eigene", "abteilung")
SECTION_TITLES = {
    "eigene": lambda: _("Meine Aufgaben"),
    "abteilung": lambda: _("Aufgaben der Abteilung"),
}
TASK_FILE_SUFFIXES = (".llmoin-task", ".toml")


def _task_file(mime: object) -> str:
    """The first dropped local task file (.llmoin-task/.toml), or ""."""
    if mime is None or not mime.hasUrls():  # type: ignore[attr-defined]
        return ""
    for url in mime.urls():  # type: ignore[attr-defined]
        path = url.toLocalFile() if url.isLocalFile() else ""
        if path and path.lower().endswith(TASK_FILE_SUFFIXES):
            return path
    return ""


@dataclass(frozen=True)
class TileDescriptor:
    id: str
    title: str
    description: str
    icon: str = ""  # name of an SVG in resources/icons (without .svg), or a path to one
    category: str = ""
    enabled: bool = True
    note: str = ""  # shown instead of the action hint when disabled ("bald verfügbar")
    section: str = ""  # "" (bundled/IT), "eigene" (Meine Aufgaben), "abteilung" (department)
    byline: str = ""  # department tasks: author, version, date


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
            icon_label = PlainLabel()
            icon_label.setPixmap(pixmap)
            icon_label.setFixedSize(28, 28)
            head_row.addWidget(icon_label)
        head = PlainLabel(tile.title)
        head.setObjectName("tileTitle")
        head.setWordWrap(True)
        head_row.addWidget(head, 1)
        desc = PlainLabel(tile.description)
        desc.setObjectName("tileDescription")
        desc.setWordWrap(True)
        desc.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addLayout(head_row)
        layout.addWidget(desc, 1)
        if tile.note:
            note = PlainLabel(tile.note)
            note.setObjectName("tileNote")
            layout.addWidget(note)
        if tile.byline:
            byline = PlainLabel(tile.byline)
            byline.setObjectName("tileNote")
            byline.setWordWrap(True)
            layout.addWidget(byline)
        for label in self.findChildren(QLabel):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        description = tile.description + (f" ({tile.note})" if tile.note else "")
        description += f" ({tile.byline})" if tile.byline else ""
        name(self, tile.title, description)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        """Enter opens the tile like Space does: a tile reads as a link to a task, and
        keyboard users expect Enter there (a plain QPushButton ignores it outside dialogs)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
            if self.isEnabled():
                self.click()
            event.accept()
            return
        super().keyPressEvent(event)

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
    new_task_requested = Signal()  # "Neue Aufgabe" (ui/task_builder_area.py)
    import_requested = Signal()  # "Aufgabe importieren …"
    file_dropped = Signal(str)  # a .llmoin-task file dropped onto the gallery

    def __init__(self, parent: QWidget | None = None, columns: int = 3) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a frame, not a Tab stop: the tiles are
        self._columns = columns
        self._inner = QWidget()
        self._inner.setObjectName("galleryInner")
        outer = QVBoxLayout(self._inner)
        outer.setContentsMargins(24, 16, 24, 24)
        heading = PlainLabel(_("Was möchten Sie tun?"))
        heading.setObjectName("galleryHeading")
        head_row = QHBoxLayout()
        head_row.addWidget(heading)
        head_row.addStretch(1)
        self.new_task_button = QPushButton(_("Neue Aufgabe"))
        self.new_task_button.setObjectName("newTaskButton")
        name(self.new_task_button, _("Neue Aufgabe"), _("Eine eigene Aufgabe zusammenstellen"))
        self.import_button = QPushButton(_("Aufgabe importieren …"))
        self.import_button.setObjectName("importTaskButton")
        name(self.import_button, _("Aufgabe importieren"), _("Eine Aufgabendatei übernehmen"))
        self.undo_button = QPushButton(_("Löschen rückgängig"))  # shown after a delete
        self.undo_button.setObjectName("undoDeleteButton")
        name(
            self.undo_button,
            _("Löschen rückgängig"),
            _("Die zuletzt gelöschte Aufgabe zurückholen"),
        )
        self.undo_button.hide()
        head_row.addWidget(self.undo_button)
        head_row.addWidget(self.new_task_button)
        head_row.addWidget(self.import_button)
        outer.addLayout(head_row)
        self.new_task_button.clicked.connect(self.new_task_requested)
        self.import_button.clicked.connect(self.import_requested)
        # Search and categories, once there are more tiles than fit on one screen.
        self.search_row = QWidget()
        search_box = QHBoxLayout(self.search_row)
        search_box.setContentsMargins(0, 0, 0, 8)
        self.search = QLineEdit()
        self.search.setObjectName("taskSearch")
        self.search.setPlaceholderText(_("Aufgabe suchen …"))
        name(
            self.search, _("Aufgabe suchen"), _("Filtert die Aufgaben nach Titel und Beschreibung")
        )
        self.category = QComboBox()
        self.category.setObjectName("taskCategory")
        name(self.category, _("Bereich"), _("Nur Aufgaben eines Bereichs zeigen"))
        search_box.addWidget(self.search, 2)
        search_box.addWidget(self.category, 1)
        self.search_row.hide()
        outer.addWidget(self.search_row)
        self.search.textChanged.connect(self._place)
        self.category.currentIndexChanged.connect(self._place)
        self._grid = QGridLayout()
        self._grid.setSpacing(16)
        outer.addLayout(self._grid)
        self._sections = QVBoxLayout()  # "Meine Aufgaben", "Aufgaben der Abteilung"
        outer.addLayout(self._sections)
        self._section_parts: list[QWidget] = []
        self.empty_label = PlainLabel(_("Keine Aufgabe passt zur Suche."))
        self.empty_label.hide()
        outer.addWidget(self.empty_label)
        outer.addStretch(1)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)  # drops land on the viewport (viewportEvent)
        self.setWidget(self._inner)
        name(self, _("Aufgabenübersicht"))
        self.tiles: dict[str, TaskTile] = {}

    def set_tiles(self, tiles: list[TileDescriptor]) -> None:
        for tile_widget in self.tiles.values():
            self._grid.removeWidget(tile_widget)
            tile_widget.hide()  # tiles in a section grid would otherwise linger until deleted
            tile_widget.setParent(None)
            tile_widget.deleteLater()
        self.tiles = {}
        # Created in display order (sections last), so Tab follows what the eye sees.
        order = {s: i for i, s in enumerate(SECTIONS)}
        tiles = sorted(tiles, key=lambda t: order.get(t.section, 0))
        for tile in tiles:
            widget = TaskTile(tile, self._inner)
            widget.clicked.connect(
                lambda _checked=False, tid=tile.id: self.tile_activated.emit(tid)
            )
            self.tiles[tile.id] = widget
        categories = sorted({t.category for t in tiles if t.category})
        current = self.category.currentData()
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItem(_("Alle Bereiche"), "")
        for category in categories:
            self.category.addItem(category, category)
        self.category.setCurrentIndex(max(0, self.category.findData(current)))
        self.category.blockSignals(False)
        self.search_row.setVisible(len(tiles) > SEARCH_THRESHOLD)
        self._place()

    def _matches(self, tile: TileDescriptor) -> bool:
        words = self.search.text().casefold().split()
        text = f"{tile.title} {tile.description} {tile.category} {tile.byline}".casefold()
        category = self.category.currentData() or ""
        return all(w in text for w in words) and (not category or tile.category == category)

    def _place(self) -> None:
        """Lay the matching tiles out: bundled/IT ones first, then each section under a heading."""
        for widget in self.tiles.values():
            self._grid.removeWidget(widget)
            widget.hide()
        for part in self._section_parts:
            part.hide()
            part.deleteLater()
        self._section_parts = []
        shown = 0
        for section in SECTIONS:
            tiles = [w for w in self.tiles.values() if w.tile.section == section]
            tiles = [w for w in tiles if self._matches(w.tile)]
            if not tiles:
                continue
            grid = self._grid
            if section:
                box = QWidget()
                box.setObjectName(f"gallerySection_{section}")
                box_layout = QVBoxLayout(box)
                box_layout.setContentsMargins(0, 16, 0, 0)
                title = PlainLabel(SECTION_TITLES[section]())
                title.setObjectName("galleryHeading")
                box_layout.addWidget(title)
                grid = QGridLayout()
                grid.setSpacing(16)
                box_layout.addLayout(grid)
                self._sections.addWidget(box)
                box.show()  # a widget added to a shown parent is otherwise shown only later
                self._section_parts.append(box)
            for index, widget in enumerate(tiles):
                row, col = divmod(index, self._columns)
                grid.addWidget(widget, row, col)
                widget.show()
            for col in range(self._columns):
                grid.setColumnStretch(col, 1)
            shown += len(tiles)
        self.empty_label.setVisible(bool(self.tiles) and not shown)

    # Drag and drop of task files (import) -------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        if _task_file(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt API
        if _task_file(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        path = _task_file(event.mimeData())
        if path:
            event.acceptProposedAction()
            self.file_dropped.emit(path)

    def first_tile(self) -> TaskTile | None:
        return next((t for t in self.tiles.values() if t.isEnabled()), None)
