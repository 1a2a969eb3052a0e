"""GUI start-up: QApplication, settings, the local engine, the main window."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence

from llmoin_desktop.core import i18n
from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.i18n import tr
from llmoin_desktop.core.settings.config import SettingsStore, apply_data_dir
from llmoin_desktop.ui.plain_text import verbatim


def create_application(argv: Sequence[str], settings: SettingsStore):  # -> QApplication
    """One QApplication with the user's font scale (up to 200 %) applied to the base font."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(list(argv))
    app.setApplicationName("LLMoin Desktop")
    app.setOrganizationName("LLMoin")
    app.setApplicationDisplayName("LLMoin Desktop")
    from llmoin_desktop.ui.appearance import apply_app_font, apply_app_palette

    apply_app_font(app, settings.settings)  # font scale 50–200 % of the system font
    from llmoin_desktop.ui.locale_format import install_default_locale

    install_default_locale(settings.settings.language)  # dates and numbers as the user reads them
    install_qt_translations(app, settings.settings.language)  # "Öffnen", not "Open"
    if settings.settings.high_contrast:
        apply_app_palette(app, settings.settings)
    return app


def install_qt_translations(app, language: str) -> bool:  # noqa: ANN001 - a QApplication
    """Qt's own dialogs and buttons (file dialog, message boxes, context menus) in the UI
    language, from the qtbase_*.qm that PySide6 ships. False when there is none (English UI,
    or a stripped bundle): Qt then stays English, which is no error."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    old = getattr(app, "_llmoin_qt_translator", None)
    if old is not None:  # a second start in the same process (tests): swap, don't stack
        app.removeTranslator(old)
        app._llmoin_qt_translator = None
    lang = (language or "de").split("_")[0].lower()
    if lang == "en":
        return False
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if not translator.load(QLocale(lang), "qtbase", "_", folder):
        return False
    app.installTranslator(translator)
    app._llmoin_qt_translator = translator  # keep it alive with the application
    return True


def run_gui(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m llmoin_desktop`` without a subcommand; returns the exit code."""
    argv = list(argv if argv is not None else sys.argv)
    if "--self-test" in argv:  # installation check for IT and the bundle test (self_test.py)
        from llmoin_desktop.ui.self_test import run_self_test

        return run_self_test(argv, create_application)  # handed in: no import back
    settings = SettingsStore()
    apply_data_dir(settings)
    i18n.set_language(settings.settings.language)
    try:
        app = create_application(argv, settings)
    except Exception as exc:  # noqa: BLE001 - e.g. no display: say so instead of a traceback
        print(
            tr("Die Oberfläche konnte nicht gestartet werden: {error}", error=exc), file=sys.stderr
        )
        return 2

    from PySide6.QtWidgets import QMessageBox

    from llmoin_desktop.ui.terms_dialog import ensure_terms_accepted

    if not ensure_terms_accepted(settings):  # terms of use first; declining quits
        return 0
    trainer = None
    if "--trainer" in argv:  # practice folder before anything opens a file (ui/tutorial)
        from llmoin_desktop.ui.tutorial.trainer import start_trainer_session

        trainer = start_trainer_session(settings)

    try:
        from llmoin_desktop.core.engine.factory import create_backend

        backend = create_backend(settings)
    except LLMoinError as exc:
        QMessageBox.critical(None, "LLMoin Desktop", verbatim(exc.user_message))
        return 1
    except Exception as exc:  # noqa: BLE001 - a broken llama.cpp install must not crash silently
        QMessageBox.critical(
            None,
            "LLMoin Desktop",
            verbatim(
                tr("Die KI-Laufzeit (llama.cpp) konnte nicht gestartet werden: {error}", error=exc)
            ),
        )
        return 1

    from llmoin_desktop.ui.main_window import MainWindow

    if trainer is not None:
        window = MainWindow(backend, settings, scanner=trainer[1])
        window.start_trainer(trainer[0])
    else:
        window = MainWindow(backend, settings)
    window.show()
    window.start()
    window.tasks.history.open_in_background()  # retention period applied at start-up
    for arg in argv:  # a double-clicked task file (file association): show it, then import
        if arg.lower().endswith(".llmoin-task"):
            window.builder.import_file(arg)
    if "--tutorial" in argv:
        window.help.start_tutorial()
    try:
        return app.exec()
    finally:
        window.hide()  # not close(): that would post a quit to whatever loop runs next
        window.pool.shutdown(timeout_ms=3000)
        with contextlib.suppress(Exception):  # closing at exit must not become an error dialog
            backend.close()


def main() -> int:
    return run_gui(sys.argv)


if __name__ == "__main__":
    sys.exit(main())
