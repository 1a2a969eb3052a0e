"""Finding and loading models in the background; the window only shows what this reports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from llmoin_desktop.core.engine.backend import Backend
from llmoin_desktop.core.engine.catalog import ModelInfo, chat_template_note
from llmoin_desktop.core.errors import ModelError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import Job, JobContext, JobState, Progress
from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.ui.workers import JobHandle, WorkerPool

Scanner = Callable[[SettingsStore], list[ModelInfo]]


def default_scanner(store: SettingsStore) -> list[ModelInfo]:
    from llmoin_desktop.core.engine.catalog import scan_models

    return scan_models(store)


def configured_default(models: list[ModelInfo], store: SettingsStore) -> ModelInfo | None:
    """``default_model`` when set (``ModelError`` with the reason when it cannot be used —
    never the demo model in its place), else the demo model, else any usable one."""
    from llmoin_desktop.core.default_model import resolve_configured

    wanted = store.settings.default_model.strip()
    if store.settings.backend == "remote":  # the server picks by remote_model; no local file
        return pick_default(models, wanted)
    if wanted:
        from_policy = store.source("default_model") != "user"
        return resolve_configured(models, wanted, from_policy=from_policy)
    return pick_default(models, "")


def pick_default(models: list[ModelInfo], wanted: str) -> ModelInfo | None:
    """The model named in settings (name, file name or path), else the demo model, else any."""
    usable = [m for m in models if m.usable_for_chat]
    if wanted:
        for m in usable:
            if wanted in (m.name, m.path.name, str(m.path)):
                return m
    return next((m for m in usable if m.is_demo), usable[0] if usable else None)


class ModelController(QObject):
    models_changed = Signal(list)  # list[ModelInfo]
    scan_failed = Signal(str)
    load_started = Signal(str)
    load_progress = Signal(object)  # Progress
    loaded = Signal(object)  # ModelInfo
    load_failed = Signal(str)  # German message

    def __init__(
        self,
        backend: Backend,
        pool: WorkerPool,
        settings: SettingsStore,
        scanner: Scanner = default_scanner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self.pool = pool
        self.settings = settings
        self.scanner = scanner
        self.models: list[ModelInfo] = []
        self.current: ModelInfo | None = None
        self.loading: ModelInfo | None = None
        self._load_handle: JobHandle | None = None
        self._scan_handle: JobHandle | None = None

    def scan(self, then: Callable[[list[ModelInfo]], Any] | None = None) -> None:
        """Read the models folders off the GUI thread (disks can be slow network shares)."""
        store, scanner = self.settings, self.scanner

        def done(models: list[ModelInfo]) -> None:
            self._scan_handle = None
            self.models = list(models)
            self.models_changed.emit(self.models)
            if then is not None:
                then(self.models)

        def failed(err: Any) -> None:
            self._scan_handle = None
            self.scan_failed.emit(err.user_message)

        self._scan_handle = self.pool.call(lambda: scanner(store), done, failed, name="scan-models")

    def autoload(self) -> None:
        """At start-up: find the default model and load it, so a clerk can start right away."""

        def choose(models: list[ModelInfo]) -> None:
            if self.current is not None or self.loading is not None:
                return
            try:
                info = configured_default(models, self.settings)
            except ModelError as exc:  # IT's model is missing/broken: say so, load no other
                self.load_failed.emit(exc.user_message)
                return
            if info is None:
                self.load_failed.emit(
                    _(
                        "Es wurde kein nutzbares Sprachmodell gefunden. Bitte wenden Sie sich an "
                        "Ihre IT oder wählen Sie unter „Modell wählen …“ eine Modelldatei."
                    )
                )
                return
            self.load(info)

        self.scan(then=choose)

    def load(self, info: ModelInfo) -> bool:
        if not info.usable_for_chat:
            self.load_failed.emit(
                tr(
                    "„{name}“ kann nicht geladen werden: {reason}",
                    name=info.name,
                    reason=chat_template_note(info) or _("unbekannter Grund"),
                )
            )
            return False
        if self._load_handle is not None:
            self._load_handle.cancel()
        backend, path = self.backend, Path(info.path)

        def body(ctx: JobContext) -> None:
            backend.load(
                path, progress=lambda p: ctx.progress(p.step, p.total, p.text), cancel=ctx.cancel
            )

        handle = self.pool.submit(Job(body, name="load-model"))
        self._load_handle = handle
        self.loading = info
        handle.progress.connect(self.load_progress)
        handle.finished.connect(lambda job, i=info, h=handle: self._on_loaded(job, i, h))
        self.load_started.emit(info.name)
        return True

    def _on_loaded(self, job: Job[Any], info: ModelInfo, handle: JobHandle) -> None:
        if handle is not self._load_handle:
            return  # superseded by a newer load
        self._load_handle = None
        self.loading = None
        if job.state == JobState.DONE:
            self.current = info
            self.loaded.emit(info)
        elif job.state == JobState.FAILED and job.error is not None:
            self.current = None
            self.load_failed.emit(job.error.user_message)
        else:
            self.load_failed.emit(_("Das Laden des Modells wurde abgebrochen."))

    @property
    def is_loading(self) -> bool:
        return self.loading is not None

    def progress_text(self, progress: Progress) -> str:
        name = self.loading.name if self.loading else ""
        return tr("Modell „{name}“ wird geladen …", name=name)
