"""The window's areas are built from the small objects the window hands them (page stack,
services, messages, header buttons), with no ``MainWindow`` at all (issue 23): a task runs
through the task area with the real task files and the real history, the library registers
its pages, the own-tasks editor and the help menu report through the messages they get."""

from __future__ import annotations

from pathlib import Path

from fakes import FakeBackend
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from llmoin_desktop.core.history import HistoryStore
from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.ui.controllers.library_area import LIBRARY_PAGE_ID, LibraryArea
from llmoin_desktop.ui.controllers.task_area import HISTORY_PAGE_ID, TaskArea
from llmoin_desktop.ui.gallery import Gallery
from llmoin_desktop.ui.task_builder_area import BUILDER_PAGE_ID, TaskBuilderArea
from llmoin_desktop.ui.tutorial.help_menu import HelpMenu
from llmoin_desktop.ui.window_host import Messages, PageStack, Services
from llmoin_desktop.ui.workers import WorkerPool


def small_objects(qtbot, tmp_path: Path, allowed=None):  # noqa: ANN001, ANN201
    """What MainWindow builds for its areas, built here by hand."""
    model = tmp_path / "fake.gguf"
    model.write_bytes(b"GGUF fake")
    backend = FakeBackend(token_delay=0.001)
    backend.load(model)
    pages = PageStack(allowed=allowed) if allowed is not None else PageStack()
    qtbot.addWidget(pages.stack)
    gallery = Gallery()
    pages.add_page("gallery", gallery)
    pool = WorkerPool()
    services = Services(backend, SettingsStore(), pool, gallery)
    said: list[tuple[str, str]] = []
    messages = Messages(lambda m: said.append(("error", m)), lambda m: said.append(("info", m)))
    return pages, services, messages, said


def test_task_area_runs_a_task_without_a_window(qtbot, tmp_path: Path) -> None:
    pages, services, _m, _said = small_objects(qtbot, tmp_path)
    shown: list[str] = []
    pages.page_shown.connect(shown.append)
    tasks = TaskArea(pages, services)
    assert (
        "zusammenfassen" in tasks.pages
        and pages.pages["zusammenfassen"] is tasks.pages["zusammenfassen"]
    )
    pages.show_page("zusammenfassen")
    page, controller = tasks.pages["zusammenfassen"], tasks.controllers["zusammenfassen"]
    assert pages.current() is page and shown[-1] == "zusammenfassen"
    page.form.set_values({"text": "Die Frist beträgt einen Monat."})
    with qtbot.waitSignal(controller.finished, timeout=10_000) as done:
        page.generate_button.click()
    assert done.args[0].text.strip()
    assert services.backend.calls  # the model it was handed did the work
    assert HistoryStore().count() == 1  # the real history, through the area's own access
    tasks.show_history()
    assert pages.current() is tasks.history_view and shown[-1] == HISTORY_PAGE_ID
    page.back_requested.emit()
    assert pages.current_id() == "gallery"
    services.pool.shutdown(timeout_ms=3000)


def test_policy_lock_and_library_pages_without_a_window(qtbot, tmp_path: Path) -> None:
    pages, services, _m, _said = small_objects(
        qtbot, tmp_path, allowed=lambda page_id: page_id != "zusammenfassen"
    )
    tasks = TaskArea(pages, services)
    library = LibraryArea(pages, services, tasks, folder=tmp_path / "library")
    pages.show_page("zusammenfassen")  # locked: the home page instead
    assert pages.current_id() == "gallery"
    library.show_library()
    assert pages.current() is library.page and pages.current_id() == LIBRARY_PAGE_ID
    assert library.ask_pages, "the bundled 'Dokumente fragen' task gets its page"
    for task_id in library.ask_pages:
        assert pages.pages[task_id] is library.ask_pages[task_id]
        assert tasks.controllers[task_id] is library.ask_controllers[task_id]  # history reopens
    services.pool.shutdown(timeout_ms=3000)


def test_builder_and_help_menu_report_through_the_messages_they_get(qtbot, tmp_path: Path) -> None:
    pages, services, messages, said = small_objects(qtbot, tmp_path)
    tasks = TaskArea(pages, services)
    tiles: list = [tasks.tiles()]
    builder = TaskBuilderArea(
        pages,
        services,
        messages,
        tasks,
        task_tiles=lambda: tiles[-1],
        set_task_tiles=tiles.append,
    )
    assert len(tiles) == 2 and tiles[-1] == tasks.tiles()  # reload hands the tiles back
    builder.new_task()
    assert pages.current() is builder.page and pages.current_id() == BUILDER_PAGE_ID
    builder.publish(tasks.catalog.get("zusammenfassen"))  # no department folder set
    assert said[-1] == (
        "error",
        "Es ist kein Abteilungsordner eingerichtet (Richtlinie department_tasks_dir).",
    )

    root = QWidget()  # a header of our own: no window
    qtbot.addWidget(root)
    header = QWidget(root)
    row = QHBoxLayout(header)
    model_button, settings_button = QPushButton("Modell"), QPushButton("Einstellungen")
    row.addWidget(model_button)
    row.addWidget(settings_button)
    QVBoxLayout(root).addWidget(header)
    help_menu = HelpMenu(
        root,
        pages,
        services,
        messages,
        settings_button=settings_button,
        model_button=model_button,
        tasks=tasks,
    )
    assert row.indexOf(help_menu.button) == row.indexOf(settings_button) - 1
    assert help_menu.start_tutorial("gibt-es-nicht") is None
    assert said[-1] == ("error", "Diese Einführung ist nicht vorhanden.")
    pages.show_page("zusammenfassen")  # the tours see pages through the stack they were given
    assert "page_shown:zusammenfassen" in help_menu.events.history
    assert "task_opened:zusammenfassen" in help_menu.events.history  # the task area it got
    services.pool.shutdown(timeout_ms=3000)
