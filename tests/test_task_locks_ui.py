"""IT's task locks in the GUI (issue 18, item 3): the same rules as the CLI, through the window.

A fake engine (fast UI test); the task files, folders and policy are real.
"""

from __future__ import annotations

from pathlib import Path

from ui_helpers import make_window

from llmoin_desktop.core.tasks import builder

THIN = (
    'id = "frage"\ntitle = "Frage"\n[[fields]]\nname = "text"\nkind = "longtext"\n'
    'label = "Text"\n[prompt]\nsystem = "Du bist ein Assistent."\nuser = "{text}"\n'
)


def _policy(dirs: dict[str, Path], text: str) -> None:
    (dirs["policy"] / "policy.toml").write_text(text, encoding="utf-8")


def _own(text: str, name: str = "frage") -> None:
    folder = builder.user_tasks_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.toml").write_text(text, encoding="utf-8")


def test_free_chat_lock_hides_an_own_task_that_is_only_its_field(
    qtbot, tmp_path: Path, isolated_dirs: dict[str, Path]
) -> None:
    _policy(isolated_dirs, "free_chat = false\n")
    _own(THIN)
    window, _backend, _infos = make_window(qtbot, tmp_path)
    assert "frage" not in window.pages and "frage" not in window.gallery.tiles
    assert any("free_chat" in p for p in window.tasks.problems)


def test_own_tasks_off_hides_the_editor_and_refuses_templates(
    qtbot, tmp_path: Path, isolated_dirs: dict[str, Path]
) -> None:
    _policy(isolated_dirs, "own_tasks = false\n")
    _own(
        THIN.replace(
            'user = "{text}"', 'user = "Fasse den Bescheid für die Akte kurz zusammen: {text}"'
        )
    )
    window, _backend, _infos = make_window(qtbot, tmp_path)
    assert window.gallery.new_task_button.isHidden()
    assert window.gallery.import_button.isHidden()
    assert "frage" not in window.pages
    window.builder.use_as_template(window.pages["entwurf"].spec)
    assert window.stack.currentWidget() is not window.builder.page
    assert window.builder.import_file(str(tmp_path / "x.llmoin-task")) is None


def test_builder_refuses_to_save_or_try_a_free_chat_task(
    qtbot, tmp_path: Path, isolated_dirs: dict[str, Path]
) -> None:
    _policy(isolated_dirs, "free_chat = false\n")
    window, _backend, _infos = make_window(qtbot, tmp_path)
    window.builder.new_task()
    page = window.builder.page
    page.title_edit.setText("Freie Frage")
    draft = page.draft
    draft.instructions = "«Text»"
    page.set_draft(draft, [], editing=False)
    assert window.builder.save() is False
    assert "free_chat" in page.message.text()
    page.show_message("")
    assert window.builder.try_out() is False
    assert "free_chat" in page.message.text()
    assert (
        not list(builder.user_tasks_dir().glob("*.toml"))
        if builder.user_tasks_dir().exists()
        else True
    )
