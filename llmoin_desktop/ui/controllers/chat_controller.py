"""Free chat: holds the conversation, starts generation jobs, streams into the ChatView."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, Signal

from llmoin_desktop.core.engine.backend import Backend, GenerationParams, GenerationResult, Message
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import Job, JobContext, JobState
from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.ui.chat_view import ChatView
from llmoin_desktop.ui.controllers.page_job import job_error_message
from llmoin_desktop.ui.workers import JobHandle, WorkerPool

SYSTEM_PROMPT = (
    "Du bist ein hilfsbereiter Assistent für Beschäftigte der öffentlichen Verwaltung. "
    "Antworte sachlich, klar und auf Deutsch."
)


class ChatController(QObject):
    """Conditional logic of the chat lives here, so ChatView stays a plain widget."""

    answer_finished = Signal(object)  # GenerationResult (also for a stopped answer)
    error = Signal(str)  # a German message for the window's banner
    busy_changed = Signal(bool)

    def __init__(
        self,
        view: ChatView,
        backend: Backend,
        pool: WorkerPool,
        settings: SettingsStore,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.backend = backend
        self.pool = pool
        self.settings = settings
        self.messages: list[Message] = []
        self.handle: JobHandle | None = None
        self._partial: list[str] = []
        self.stop_pressed_at: float | None = None
        self.last_stop_latency_s: float | None = None
        self.last_check: Any = None  # the fact check of the last answer (factcheck_chat)
        view.send_requested.connect(self.send)
        view.stop_requested.connect(self.stop)
        view.new_conversation_requested.connect(self.new_conversation)

    @property
    def busy(self) -> bool:
        return self.handle is not None

    def params(self) -> GenerationParams:
        return GenerationParams.from_settings(self.settings.settings, chat=True)

    def send(self, text: str) -> None:
        text = text.strip()
        if not text or self.busy:
            return
        self.messages.append({"role": "user", "content": text})
        self.view.input.clear()
        self.view.begin_message(_("Sie"))
        self.view.append_text(text)
        self.view.begin_message(_("Assistent"))
        self._partial = []
        history = [{"role": "system", "content": _(SYSTEM_PROMPT)}, *self.messages]
        params = self.params()
        backend = self.backend

        def generate(ctx: JobContext) -> GenerationResult:
            return backend.chat(history, params, on_token=ctx.token, cancel=ctx.cancel)

        self.handle = self.pool.submit(Job(generate, name="chat"))
        self.handle.tokens.connect(self._on_tokens)
        self.handle.finished.connect(self._on_finished)
        self.stop_pressed_at = None
        self.view.set_busy(True)
        self.view.set_status(_("Das Modell schreibt …"))
        self.busy_changed.emit(True)

    def stop(self) -> None:
        if self.handle is None:
            return
        self.stop_pressed_at = time.perf_counter()
        self.view.stop_button.setEnabled(False)
        self.view.set_status(_("Wird angehalten …"))
        self.handle.cancel()

    def new_conversation(self) -> None:
        if self.busy:
            return
        self.messages = []
        self.view.clear()

    def _on_tokens(self, text: str) -> None:
        self._partial.append(text)
        self.view.append_text(text)

    def _on_finished(self, job: Job[Any]) -> None:
        self.handle = None
        if self.stop_pressed_at is not None:
            self.last_stop_latency_s = time.perf_counter() - self.stop_pressed_at
        self.view.set_busy(False)
        self.busy_changed.emit(False)
        result: GenerationResult | None = (
            job.result if isinstance(job.result, GenerationResult) else None
        )
        text = result.text if result is not None else "".join(self._partial)
        if job.state == JobState.FAILED:
            message = job_error_message(job)
            self.messages.pop()  # the question had no answer; let the clerk send it again
            self.view.append_text(_("(keine Antwort)"))
            self.view.set_status("")
            self.error.emit(message)
            return
        stopped = job.state == JobState.CANCELLED or (
            result is not None and result.finish_reason == "cancelled"
        )
        if text:
            self.messages.append({"role": "assistant", "content": text})
        else:
            self.messages.pop()
        if stopped:
            self.view.append_text(" " + _("[angehalten]"))
            self.view.set_status(_("Angehalten. Sie können weiterschreiben."))
        elif result is not None and result.finish_reason == "length":
            self.view.set_status(_("Die Antwort wurde wegen der Längenbegrenzung gekürzt."))
        elif result is not None and result.tokens_per_s:
            self.view.set_status(
                tr(
                    "Fertig – {n} Token, {rate} Token/s.",
                    n=result.n_generated,
                    rate=f"{result.tokens_per_s:.1f}".replace(".", ","),
                )
            )
        else:
            self.view.set_status(_("Fertig."))
        if text and not stopped:
            self._check_answer(text)
        if result is not None:
            self.answer_finished.emit(result)
        self.view.input.setFocus()

    def _check_answer(self, text: str) -> None:
        """factcheck_chat: the answer's figures against what the clerk wrote in this
        conversation (a pasted letter, the amounts she named); the only source free chat
        has. The line is added to the status, which the screen reader announces."""
        if not self.settings.settings.factcheck_chat:
            return
        from llmoin_desktop.core.factcheck import SourceText, check_text

        own = "\n\n".join(m["content"] for m in self.messages if m["role"] == "user")
        report = check_text(text, [SourceText(_("Ihre Nachrichten"), own)])
        if report.verdicts:
            self.view.set_status(self.view.status_label.text() + " " + report.summary())
        self.last_check = report
