"""Status bar: model, device, RAM use and the speed of the last answer, plus load progress."""

from __future__ import annotations

import psutil
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from llmoin_desktop.core.engine.backend import EngineStatus
from llmoin_desktop.core.engine.threads import shared_monitor
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.tasks.eta_live import BUSY_CORES, busy_text
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.locale_format import number
from llmoin_desktop.ui.plain_text import PlainLabel, verbatim

RAM_REFRESH_MS = 2000
# The speed label names a busy PC below this share of the session's best rate.
SLOW_SHARE = 0.5


def _pc_busy() -> bool:
    """Other programs use the CPU right now (the engine's load figure; never raises)."""
    try:
        foreign = shared_monitor().foreign
    except Exception:  # noqa: BLE001 - a status label must never fail
        return False
    return foreign is not None and foreign >= BUSY_CORES


def gib(n_bytes: float) -> str:
    return number(n_bytes / 2**30) + " GB"  # 1,5 GB / 1.5 GB by the UI language


class AppStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.model_label = PlainLabel(_("Kein Modell geladen"))
        self.device_label = PlainLabel(tr("Gerät: {device}", device="–"))
        self.ram_label = PlainLabel("")
        self.speed_label = PlainLabel(tr("Tempo: {rate}", rate="–"))
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(200)
        self.progress.setTextVisible(True)
        self.progress.hide()
        name(self.progress, _("Ladefortschritt"))
        self._categories = {
            self.model_label: _("Modell"),
            self.device_label: _("Gerät"),
            self.ram_label: _("Arbeitsspeicher"),
            self.speed_label: _("Tempo"),
        }
        for label in self._categories:
            label.setObjectName("statusItem")
            self._expose(label)
        self.addWidget(self.model_label, 1)
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.device_label)
        self.addPermanentWidget(self.ram_label)
        self.addPermanentWidget(self.speed_label)
        self._process = psutil.Process()
        self._timer = QTimer(self)
        self._timer.setInterval(RAM_REFRESH_MS)
        self._timer.timeout.connect(self.refresh_ram)
        self._timer.start()
        self.refresh_ram()

    def _expose(self, label: QLabel) -> None:
        """A screen reader gets the value, not only "Modell"/"Gerät": the accessible name is
        the visible text (WCAG 2.5.3), prefixed by its category where the text lacks it."""
        category, text = self._categories[label], label.text()
        spoken = text if text.startswith(category) else f"{category}: {text or '–'}"
        name(label, spoken, category)

    def _set(self, label: QLabel, text: str) -> None:
        if label.text() != text:
            label.setText(text)
            self._expose(label)

    def refresh_ram(self) -> None:
        """Two cheap /proc reads; fine on the GUI thread every two seconds."""
        try:
            rss = self._process.memory_info().rss
            free = psutil.virtual_memory().available
        except psutil.Error:
            return
        self._set(self.ram_label, tr("RAM: {used} (frei: {free})", used=gib(rss), free=gib(free)))

    def show_engine(self, status: EngineStatus) -> None:
        states = {
            "loading": _("wird geladen …"),
            "busy": _("arbeitet …"),
            "unloaded-idle": _("pausiert (wird bei Bedarf neu geladen)"),
            "error": _("Fehler"),
        }
        if status.model_name:
            text = tr("Modell: {name}", name=status.model_name)
            if status.state in states:
                text += f" – {states[status.state]}"
        else:
            text = _("Kein Modell geladen")
        self._set(self.model_label, text)
        self._set(self.device_label, tr("Gerät: {device}", device=status.device or "CPU"))
        if status.model_path != getattr(self, "_rate_model", None):
            self._rate_model, self._best_rate = status.model_path, 0.0  # another model's speed
        if status.last_tokens_per_s:
            self.set_tokens_per_s(status.last_tokens_per_s)

    def set_tokens_per_s(self, rate: float) -> None:
        """The current rate (the engine publishes it once a second while it writes). Far below
        the best rate of this session while other programs use the CPU, the label says why
        (issue 24); the tooltip has the whole sentence."""
        self._best_rate = max(getattr(self, "_best_rate", 0.0), rate)
        value = number(rate)
        text = tr("Tempo: {rate} Token/s", rate=value)
        tip = ""
        if rate < SLOW_SHARE * self._best_rate and _pc_busy():
            text += " – " + _("Rechner ausgelastet")
            tip = busy_text()
        self._set(self.speed_label, text)
        if self.speed_label.toolTip() != tip:
            self.speed_label.setToolTip(verbatim(tip))

    def show_progress(self, fraction: float | None, text: str) -> None:
        self.progress.show()
        if fraction is None:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 100)
            self.progress.setValue(int(fraction * 100))
        self.progress.setFormat("%p %" if fraction is not None else "")
        self.progress.setToolTip(verbatim(text))
        self.progress.setAccessibleDescription(text)
        self._set(self.model_label, text)

    def hide_progress(self) -> None:
        self.progress.hide()
