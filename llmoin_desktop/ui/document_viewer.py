"""Opens a cited document at the cited place, with the quoted passage highlighted.

PDFs: the page is rendered with pdfium (pypdfium2; the file already passed the sandboxed
parser when it was indexed) and the quote is found on the page with pdfium's text search;
its character boxes are painted over the page. A quote can run across line breaks, which
the page text search does not match, so we search overlapping runs of a few words and
highlight every run found. Page navigation moves through the whole document.

DOCX/ODT/TXT/MD/HTML have no fixed pages: the document text is shown, scrolled to the quote
(or, if the quote cannot be found verbatim, to its section heading), with the quote marked.
The quote is also printed above the view, so nothing depends on seeing the colour.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QImage,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.plain_text import PlainLabel, escape, rich_label

WINDOW_WORDS = 5
WINDOW_STEP = 3
HIGHLIGHT = QColor(255, 214, 0, 110)
HIGHLIGHT_EDGE = QColor(196, 120, 0)

Rect = tuple[float, float, float, float]  # left, bottom, right, top in PDF points

# Render budget (issue 18): pdfium renders in this process, and a 615-byte PDF can declare a
# 30000-pt page (10.6 m), which at the viewer's zoom is a 24000 × 24000 bitmap (2.3 GB,
# 20+ s with the GUI frozen). So the zoom is capped by a pixel budget and a longest side; an
# A4 page at the highest zoom (2.0) is 1190 × 1684 = 2 M pixels, an A0 poster still fits.
# Where even the budget would make the page unreadably small, nothing is rendered and the
# clerk gets a message instead.
MAX_RENDER_PIXELS = 16_000_000  # 64 MB as RGBA
MAX_RENDER_SIDE = 12_000
MIN_READABLE_SCALE = 0.25  # 12-pt text would be 3 px high: useless


def render_scale(width_pt: float, height_pt: float, wanted: float) -> float | None:
    """The zoom to render a page with: ``wanted`` within the budget, None when too big."""
    if not (0 < width_pt < float("inf") and 0 < height_pt < float("inf")):
        return None
    scale = min(
        wanted,
        MAX_RENDER_SIDE / max(width_pt, height_pt),
        (MAX_RENDER_PIXELS / (width_pt * height_pt)) ** 0.5,
    )
    return scale if scale >= MIN_READABLE_SCALE else None


def word_runs(quote: str, size: int = WINDOW_WORDS, step: int = WINDOW_STEP) -> list[str]:
    """Overlapping runs of words from the quote ("…" and quotation marks removed)."""
    words = quote.replace("…", " ").replace("„", " ").replace("“", " ").split()
    if len(words) <= size:
        return [" ".join(words)] if words else []
    runs = [" ".join(words[i : i + size]) for i in range(0, len(words) - size + 1, step)]
    last = " ".join(words[-size:])
    if runs[-1] != last:
        runs.append(last)
    return runs


def pdf_quote_rects(textpage: Any, quote: str) -> list[Rect]:
    """Boxes of the quote on one pdfium text page (empty when it is not on this page)."""
    rects: list[Rect] = []
    seen: set[int] = set()
    for run in word_runs(quote):
        searcher = textpage.search(run, match_case=False, match_whole_word=False)
        found = searcher.get_next()
        if not found:
            continue
        index, count = found
        if index in seen:
            continue
        seen.add(index)
        n = textpage.count_rects(index, count)
        rects.extend(textpage.get_rect(i) for i in range(n))
    return rects


def find_in_text(text: str, quote: str, section: str = "") -> tuple[int, int] | None:
    """(start, end) of the quote in the text, whitespace-insensitive; else its section."""
    words = quote.replace("…", " ").split()
    for take in (len(words), 12, 6):
        if not words or take > len(words):
            continue
        pattern = r"\s+".join(re.escape(w) for w in words[:take])
        m = re.search(pattern, text)
        if m:
            if take < len(words):  # extend to the end of the sentence
                end = text.find(".", m.end())
                return m.start(), (end + 1 if 0 <= end - m.end() < 400 else m.end())
            return m.start(), m.end()
    if section:
        pos = text.find(section)
        if pos >= 0:
            return pos, pos + len(section)
    return None


def _open_refusal(path: str) -> str:
    """Why this file may not be shown ("" = it may), judged against the library the
    "Dokumente fragen" task has open — handed to the guard, which sits below the tasks."""
    from llmoin_desktop.core.library.open_guard import library_open_refusal
    from llmoin_desktop.core.tasks.library_task import opened_library

    return library_open_refusal(path, opened_library())


class DocumentViewer(QDialog):
    """Non-modal window showing one cited source; ``page`` is the page shown (PDF)."""

    page_changed = Signal(int)

    def __init__(
        self,
        citation: Any,
        parent: QWidget | None = None,
        *,
        load_text: Callable[[str, Callable[[str], None], Callable[[str], None]], None]
        | None = None,
    ) -> None:
        """``load_text(path, on_text, on_error)`` reads non-PDF documents (in the background,
        through the sandboxed parser); without it they are read here, synchronously."""
        super().__init__(parent)
        self.citation = citation
        self.path = str(citation.path)
        self.page = 0
        self.page_count = 0
        self.highlight_count = 0  # boxes (PDF) or characters (text) marked on the current view
        self.highlight_text = ""  # the marked text (text documents)
        self._pdf: Any = None
        self._scale = 1.4
        self._load_text = load_text
        self.setObjectName("documentViewer")
        self.setWindowTitle(tr("Quelle [{n}]: {name}", n=citation.n, name=citation.file_name))
        self.resize(900, 760)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)

        self.title = rich_label(f"<b>[{citation.n}] {escape(citation.label())}</b>")
        self.title.setObjectName("viewerTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.quote_label = PlainLabel(
            tr("Zitierte Stelle: „{quote}“", quote=" ".join(str(citation.quote).split()))
            if citation.quote
            else ""
        )
        self.quote_label.setObjectName("viewerQuote")
        self.quote_label.setWordWrap(True)
        self.quote_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.quote_label)

        nav = QHBoxLayout()
        self.prev_button = QPushButton(_("◀ Vorherige Seite"))
        self.prev_button.setObjectName("viewerPrevButton")
        name(self.prev_button, _("Vorherige Seite"), _("Bild auf"))
        self.page_spin = QSpinBox()
        self.page_spin.setObjectName("viewerPageSpin")
        self.page_spin.setMinimum(1)
        name(self.page_spin, _("Seitenzahl"), _("Zu einer Seite springen"))
        self.page_label = PlainLabel("")
        self.page_label.setObjectName("viewerPageLabel")
        self.next_button = QPushButton(_("Nächste Seite ▶"))
        self.next_button.setObjectName("viewerNextButton")
        name(self.next_button, _("Nächste Seite"), _("Bild ab"))
        self.external_button = QPushButton(_("Im Standardprogramm öffnen"))
        self.external_button.setObjectName("viewerExternalButton")
        name(
            self.external_button,
            _("Im Standardprogramm öffnen"),
            _("Öffnet die Datei mit dem Programm, das der Computer dafür vorsieht"),
        )
        self.close_button = QPushButton(_("Schließen"))
        self.close_button.setObjectName("viewerCloseButton")
        name(self.close_button, _("Schließen"), _("Fenster schließen (Esc)"))
        for w in (self.prev_button, self.page_spin, self.page_label, self.next_button):
            nav.addWidget(w)
        nav.addStretch(1)
        nav.addWidget(self.external_button)
        nav.addWidget(self.close_button)
        layout.addLayout(nav)

        self.stack = QStackedWidget()
        self.image = PlainLabel()
        self.image.setObjectName("viewerPageImage")
        self.image.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("viewerScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.image)
        name(self.scroll, _("Dokumentseite"), _("Die zitierte Stelle ist gelb markiert"))
        self.text = QPlainTextEdit()
        self.text.setObjectName("viewerText")
        self.text.setReadOnly(True)
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        name(self.text, _("Dokumenttext"), _("Die zitierte Stelle ist markiert"))
        self.stack.addWidget(self.scroll)
        self.stack.addWidget(self.text)
        layout.addWidget(self.stack, 1)
        self.message = PlainLabel("")
        self.message.setObjectName("viewerMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)

        self.prev_button.clicked.connect(lambda: self.show_page(self.page - 1))
        self.next_button.clicked.connect(lambda: self.show_page(self.page + 1))
        self.page_spin.editingFinished.connect(lambda: self.show_page(self.page_spin.value()))
        self.external_button.clicked.connect(self.open_external)
        self.close_button.clicked.connect(self.close)
        for seq, step in (("PgUp", -1), ("PgDown", 1)):
            sc = QShortcut(QKeySequence(seq), self)
            sc.activated.connect(lambda s=step: self._page_key(s))

    # Opening -------------------------------------------------------------------------------
    def open_source(self) -> None:
        """Load the document and go to the cited place."""
        refusal = _open_refusal(self.path)  # a server's path is data (issue 18)
        if refusal:
            self.external_button.setEnabled(False)
            self._fail(refusal)
            return
        if not Path(self.path).is_file():
            self._fail(
                tr(
                    "Die Datei „{name}“ ist nicht mehr vorhanden. Bitte in der Bibliothek neu einlesen.",
                    name=Path(self.path).name,
                )
            )
            return
        if Path(self.path).suffix.lower() == ".pdf":
            self._open_pdf()
        else:
            self._open_text()

    def _fail(self, text: str) -> None:
        self.message.setText(text)
        self.message.setAccessibleName(text)
        self.message.show()
        for w in (self.prev_button, self.next_button, self.page_spin):
            w.setEnabled(False)

    def _open_pdf(self) -> None:
        import pypdfium2 as pdfium

        try:
            self._pdf = pdfium.PdfDocument(self.path)
        except Exception:  # noqa: BLE001 - pdfium raises PdfiumError and friends
            self._fail(_("Die PDF-Datei kann hier nicht angezeigt werden."))
            return
        self.page_count = len(self._pdf)
        self.page_spin.setMaximum(max(1, self.page_count))
        self.stack.setCurrentWidget(self.scroll)
        start = self._cited_page()
        self.show_page(start)

    def _cited_page(self) -> int:
        """The first cited page on which the quote is actually found (else the first one)."""
        pages = [p for p in (self.citation.pages or []) if 1 <= p <= self.page_count]
        for p in pages:
            textpage = self._pdf[p - 1].get_textpage()
            try:
                if pdf_quote_rects(textpage, self.citation.quote):
                    return p
            finally:
                textpage.close()
        return pages[0] if pages else 1

    def show_page(self, number: int) -> None:
        if self._pdf is None or not self.page_count:
            return
        number = max(1, min(self.page_count, number))
        page = self._pdf[number - 1]
        # fit the page width into the view (no sideways scrolling), within sensible bounds
        avail = max(self.scroll.viewport().width(), self.width() - 60) - 24
        width, height = page.get_width(), page.get_height()
        scale = render_scale(width, height, max(0.8, min(2.0, avail / max(1.0, width))))
        if scale is None:
            self._too_big(number, width, height)
            return
        self._scale = scale
        bitmap = page.render(scale=self._scale, rev_byteorder=True)
        fmt = (
            QImage.Format.Format_RGBA8888 if bitmap.n_channels == 4 else QImage.Format.Format_RGB888
        )
        image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, fmt).copy()
        rects: list[Rect] = []
        if self.citation.quote:
            textpage = page.get_textpage()
            try:
                rects = pdf_quote_rects(textpage, self.citation.quote)
            finally:
                textpage.close()
        height = page.get_height()
        first_y = self._paint(image, rects, height, self._scale)
        self.image.setPixmap(QPixmap.fromImage(image))
        self.message.hide()  # a "page too large" note from another page no longer applies
        self.page = number
        self.highlight_count = len(rects)
        self.page_spin.setValue(number)
        self.page_label.setText(tr("Seite {page} von {total}", page=number, total=self.page_count))
        self.page_label.setAccessibleName(self.page_label.text())
        self.prev_button.setEnabled(number > 1)
        self.next_button.setEnabled(number < self.page_count)
        self.image.setAccessibleName(
            tr("Seite {page}, zitierte Stelle markiert", page=number)
            if rects
            else tr("Seite {page}", page=number)
        )
        # after the layout has taken the new image size: bring the quote into view
        QTimer.singleShot(0, lambda y=first_y: self._scroll_to(y))
        self.page_changed.emit(number)

    def _too_big(self, number: int, width_pt: float, height_pt: float) -> None:
        """A page too large to render safely: say so instead of freezing the app."""
        cm = 2.54 / 72
        self.image.clear()
        self.page = number
        self.highlight_count = 0
        self.page_spin.setValue(number)
        self.page_label.setText(tr("Seite {page} von {total}", page=number, total=self.page_count))
        self.prev_button.setEnabled(number > 1)
        self.next_button.setEnabled(number < self.page_count)
        text = tr(
            "Seite {page} ist ungewöhnlich groß ({width} × {height} cm) und wird hier nicht "
            "angezeigt, um den Rechner nicht zu überlasten. Die zitierte Stelle steht oben.",
            page=number,
            width=f"{width_pt * cm:.0f}" if width_pt < 1e9 else "?",
            height=f"{height_pt * cm:.0f}" if height_pt < 1e9 else "?",
        )
        self.message.setText(text)
        self.message.setAccessibleName(text)
        self.message.show()
        self.page_changed.emit(number)

    def _scroll_to(self, y: float | None) -> None:
        bar = self.scroll.verticalScrollBar()
        bar.setValue(0 if y is None else max(0, int(y - self.scroll.viewport().height() * 0.3)))

    @staticmethod
    def _paint(image: QImage, rects: list[Rect], page_height: float, s: float) -> float | None:
        if not rects:
            return None
        painter = QPainter(image)
        painter.setPen(QPen(HIGHLIGHT_EDGE, 1))
        painter.setBrush(HIGHLIGHT)
        top = None
        for left, bottom, right, rtop in rects:
            y = (page_height - rtop) * s
            box = QRectF(left * s - 1, y - 1, (right - left) * s + 2, (rtop - bottom) * s + 2)
            painter.drawRect(box)
            top = y if top is None else min(top, y)
        painter.end()
        return top

    def _page_key(self, step: int) -> None:
        if self._pdf is not None:
            self.show_page(self.page + step)

    # Text documents ------------------------------------------------------------------------
    def _open_text(self) -> None:
        for w in (self.prev_button, self.next_button, self.page_spin):
            w.hide()
        self.stack.setCurrentWidget(self.text)
        section = self.citation.section or ""
        self.page_label.setText(tr("Abschnitt: {section}", section=section) if section else "")
        self.text.setPlainText(_("Dokument wird geladen …"))
        if self._load_text is not None:
            self._load_text(self.path, self.set_text, self._fail)
            return
        from llmoin_desktop.core.errors import LLMoinError
        from llmoin_desktop.core.tasks.sources import load_document

        try:
            self.set_text(load_document(self.path).text)
        except LLMoinError as exc:
            self._fail(exc.user_message)

    def set_text(self, text: str) -> None:
        self.text.setPlainText(text)
        span = find_in_text(text, self.citation.quote or "", self.citation.section or "")
        self.highlight_count = 0
        if span is None:
            return
        start, end = span
        selection = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(255, 214, 0, 150))
        fmt.setFontUnderline(True)  # not colour alone
        selection.format = fmt
        cursor = QTextCursor(self.text.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        self.text.setExtraSelections([selection])
        self.highlight_count = end - start
        self.highlight_text = text[start:end]
        view = QTextCursor(self.text.document())
        view.setPosition(min(len(text), end))
        self.text.setTextCursor(view)
        self.text.centerCursor()
        view.setPosition(start)
        self.text.setTextCursor(view)

    # External program ----------------------------------------------------------------------
    def open_external(self) -> bool:
        """The system's program for this file (a PDF viewer usually opens at page 1) — only
        for a document file the library may open (``core/library/open_guard.py``)."""
        refusal = _open_refusal(self.path)
        if refusal:
            self._fail(refusal)
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(self.path))

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None
        super().closeEvent(event)
