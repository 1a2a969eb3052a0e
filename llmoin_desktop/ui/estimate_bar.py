"""Above „Erzeugen“: how long the job will take with the loaded model, and for a long document
the choice between reading it fully or only its key passages (each with its own estimate).
Widgets only; :class:`~llmoin_desktop.ui.controllers.eta_controller.EtaController` fills them.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.tasks.eta import READ_ALL, READ_SKIM
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.plain_text import PlainLabel


class EstimateBar(QWidget):
    mode_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskEstimateBar")
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.mode_label = PlainLabel(_("Langes Dokument:"))
        self.mode = QComboBox()
        self.mode.setObjectName("readMode")
        name(self.mode, _("Langes Dokument lesen"), _("gründlich oder schnell, mit der Dauer"))
        self.mode_label.setBuddy(self.mode)
        row.addWidget(self.mode_label)
        row.addWidget(self.mode, 1)
        box.addLayout(row)
        self.label = PlainLabel("")
        self.label.setObjectName("taskEstimate")
        self.label.setWordWrap(True)
        box.addWidget(self.label)
        self._set_modes_visible(False)
        self.label.hide()
        self.mode.currentIndexChanged.connect(lambda _i: self.mode_changed.emit(self.mode_value()))

    def _set_modes_visible(self, visible: bool) -> None:
        self.mode_label.setVisible(visible)
        self.mode.setVisible(visible)

    def mode_value(self) -> str:
        """'gruendlich' / 'schnell' while the choice is shown, else ''."""
        if self.mode.isHidden():
            return ""
        return str(self.mode.currentData() or "")

    def show_estimate(self, text: str) -> None:
        self.label.setText(text)
        self.label.setVisible(bool(text))

    def set_modes(self, thorough: str, quick: str, current: str) -> None:
        """Both readings with their durations; keeps the clerk's earlier choice."""
        previous = self.mode_value() or current
        self.mode.blockSignals(True)
        self.mode.clear()
        self.mode.addItem(tr("gründlich (alles lesen) – {time}", time=thorough), READ_ALL)
        self.mode.addItem(tr("schnell (Kernstellen) – {time}", time=quick), READ_SKIM)
        self.mode.setCurrentIndex(max(0, self.mode.findData(previous)))
        self.mode.blockSignals(False)
        self._set_modes_visible(True)

    def hide_modes(self) -> None:
        self._set_modes_visible(False)

    def clear(self) -> None:
        self.hide_modes()
        self.show_estimate("")
