"""Which step of a tour is showing and whether its exercise is done (logic, no widgets).

An exercise counts as done when its event arrived after the tour started, so a clerk who
runs ahead (opens the task before being asked) is not made to do it twice.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from llmoin_desktop.core.tutorials import Step, Tutorial, TutorialEvents, matches


class TutorialRunner(QObject):
    step_changed = Signal(int)
    exercise_done = Signal(int)  # index of the step whose exercise was just done
    finished = Signal(bool)  # True: went through to the end; False: ended early

    def __init__(
        self,
        tutorial: Tutorial,
        events: TutorialEvents,
        has_page: Callable[[str], bool] = lambda _page: True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.tutorial = tutorial
        self.events = events
        self.steps: list[Step] = [
            s for s in tutorial.steps if not s.requires_page or has_page(s.requires_page)
        ]
        self.index = -1
        self._mark = len(events.history)
        self._unsubscribe: Callable[[], None] | None = None
        self.running = False

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    @property
    def is_last(self) -> bool:
        return self.index == len(self.steps) - 1

    def start(self) -> None:
        self._mark = len(self.events.history)
        self._unsubscribe = self.events.subscribe(self._on_event)
        self.running = True
        self.go(0)

    def go(self, index: int) -> None:
        if not self.running or not 0 <= index < len(self.steps):
            return
        self.index = index
        self.step_changed.emit(index)

    def done(self, index: int | None = None) -> bool:
        step = self.steps[self.index if index is None else index]
        return not step.wait_for or self.events.seen(step.wait_for, since=self._mark)

    def can_next(self) -> bool:
        return self.running and self.done()

    def next(self) -> None:
        if not self.can_next():
            return
        if self.is_last:
            self.stop(completed=True)
        else:
            self.go(self.index + 1)

    def back(self) -> None:
        self.go(self.index - 1)

    def stop(self, completed: bool = False) -> None:
        if not self.running:
            return
        self.running = False
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.finished.emit(completed)

    def _on_event(self, event: str) -> None:
        if self.running and self.step.wait_for and matches(self.step.wait_for, event):
            self.exercise_done.emit(self.index)
