"""Time estimates on a task page (issue 12, part 4): before the run, „ca. 4 Minuten“ from the
loaded model's measured rates and the input's tokens; during the run the remaining time,
corrected by the real speed; after it, the job's real rates are remembered for this model.

All measuring runs off the GUI thread (``pool.call``); the form only gets text. An estimate
that fails to compute simply is not shown: it must never stand in the clerk's way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer

from llmoin_desktop.core.engine.threads import shared_monitor
from llmoin_desktop.core.i18n import tr
from llmoin_desktop.core.tasks import eta
from llmoin_desktop.core.tasks.runner import TaskResult, TaskRunner

DEBOUNCE_MS = 700
TICK_MS = 1000


class EtaController(QObject):
    def __init__(self, page: Any, backend: Any, pool: Any, settings: Any, parent: QObject) -> None:
        super().__init__(parent)
        self.page = page
        self.spec = page.spec
        self.backend = backend
        self.pool = pool
        self.settings = settings
        self.bar = page.estimate
        self.estimate: eta.Estimate | None = None
        self.live: eta.LiveEta | None = None
        self._plan: eta.Plan | None = None
        self._generation = 0
        self._doc_cache: tuple[str, float, Any] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._show_remaining)
        page.form.valuesChanged.connect(self._timer.start)
        self.bar.mode_changed.connect(lambda _m: self._show_estimate())

    # Settings ---------------------------------------------------------------------------------
    def default_mode(self) -> str:
        mode = str(getattr(self.settings.settings, "long_read_mode", eta.READ_SKIM) or "")
        return mode if mode in eta.LONG_READ_MODES else eta.READ_SKIM

    def runner_kwargs(self) -> dict[str, Any]:
        """What the clerk chose for a long document, as the runner's skim budget."""
        mode = self.bar.mode_value()
        if mode == eta.READ_ALL:
            return {"max_read_tokens": None}
        if mode == eta.READ_SKIM:
            return {"max_read_tokens": int(self.settings.settings.long_read_tokens) or 16000}
        return {}

    # Before the run ---------------------------------------------------------------------------
    def refresh(self) -> bool:
        """Compute the estimate for the current form values in the background."""
        if self.spec.runner != "standard" or self.live is not None or self.pool is None:
            return False
        status = self.backend.status()
        if not status.model_path or status.state not in ("ready", "unloaded-idle"):
            self.bar.clear()
            return False
        values = self.page.form.values()
        self._generation += 1
        generation = self._generation
        backend, spec, settings = self.backend, self.spec, self.settings.settings
        cached = self._doc_cache

        def work() -> tuple[eta.Estimate | None, Any]:
            runner = TaskRunner.from_settings(backend, settings)
            doc_field = spec.document_field
            doc = None
            path = str(values.get(doc_field.name) or "") if doc_field else ""
            key = (path, Path(path).stat().st_mtime) if path and Path(path).is_file() else None
            if key and cached and cached[:2] == key:
                doc = cached[2]
            elif key:
                doc = runner.source_document(spec, values)
            rates = eta.rates_for(backend)
            if rates is None:
                return None, None
            est = eta.estimate_task(runner, spec, values, rates, doc)
            return est, (key[0], key[1], doc) if key and doc is not None else None

        def done(out: tuple[eta.Estimate | None, Any]) -> None:
            if generation != self._generation:
                return  # the form changed meanwhile; a newer estimate is on its way
            self.estimate, doc_cache = out
            if doc_cache is not None:
                self._doc_cache = doc_cache
            self._show_estimate()

        self.pool.call(lambda: eta.safe_estimate(work) or (None, None), done, lambda _e: None)
        return True

    def _show_estimate(self) -> None:
        est = self.estimate
        if est is None or self.live is not None:
            return
        if est.thorough_s is not None and est.quick_s is not None:
            self.bar.set_modes(
                eta.duration_text(est.thorough_s),
                eta.duration_text(est.quick_s),
                self.default_mode(),
            )
            seconds = est.thorough_s if self.bar.mode_value() == eta.READ_ALL else est.quick_s
        else:
            self.bar.hide_modes()
            seconds = est.seconds
        self.bar.show_estimate(
            tr("Voraussichtliche Dauer mit diesem Modell: {time}", time=eta.duration_text(seconds))
        )

    # During the run ---------------------------------------------------------------------------
    def job_started(self, handle: Any) -> None:
        est = self.estimate
        if est is None or est.rates is None or handle is None:
            return
        plan = est.plan_for(self.bar.mode_value())
        self._plan = plan
        # The monitor tells a slow job on a busy PC from a wrong estimate (issue 24).
        self.live = eta.LiveEta(plan, est.rates, monitor=shared_monitor())
        handle.progress.connect(self._on_progress)
        handle.tokens.connect(self._on_tokens)
        self._tick.start()
        self._show_remaining()

    def _on_progress(self, progress: Any) -> None:
        if self.live is not None:
            self.live.progress(progress.step, progress.total)

    def _on_tokens(self, text: str) -> None:
        if self.live is not None:
            self.live.token(text)

    def _show_remaining(self) -> None:
        if self.live is not None:
            self.bar.show_estimate(self.live.text())

    def job_ended(self, job: Any) -> None:
        """Stop the countdown; remember the real rates of a finished run for this model."""
        self._tick.stop()
        was_run, self.live = self.live is not None, None
        result = getattr(job, "result", None)
        path = self.backend.status().model_path
        if was_run and isinstance(result, TaskResult) and path and self.pool is not None:
            plan, stats = self._plan, result.stats
            self.pool.call(
                lambda: eta.safe_estimate(eta.RateStore().record, path, stats, plan),
                lambda _r: self._timer.start(),
                lambda _e: None,
            )
        self.bar.show_estimate("")
