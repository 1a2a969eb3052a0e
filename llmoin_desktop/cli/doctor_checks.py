"""``doctor``'s configuration checks: policy state, folder writability, one problem list.

A support desk runs ``llmoin-desktop doctor`` first; it must exit non-zero whenever something
will fail later (a read-only data folder, a broken settings file, a broken policy in force as
lockdown), and end with the problems in German, one per line.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.core.storage.folder_checks import FolderCheck, check_writable, describe


def folders_to_check(store: SettingsStore) -> list[tuple[str, Path]]:
    from llmoin_desktop.core.library.library import default_library_dir

    return [
        (_("Einstellungen"), store.config_dir),
        (_("Daten"), store.data_dir()),
        (_("Bibliothek"), default_library_dir()),
        (_("Modellordner"), store.models_dirs()[0]),
        (_("Zwischenspeicher"), Path(tempfile.gettempdir())),
    ]


def policy_state_line(store: SettingsStore) -> str:
    mode = store.policy_mode
    if mode == "ok":
        return tr("Richtlinie: gültig ({path})", path=store.policy_file)
    if mode == "cached":
        return _("Richtlinie: FEHLERHAFT – es gilt die zuletzt gültige Richtlinie")
    if mode == "lockdown":
        return _("Richtlinie: FEHLERHAFT – es gelten Sicherheitssperren")
    return _("Richtlinie: keine (keine Sperren der IT)")


def config_section(store: SettingsStore) -> bool:
    """Prints the section; False when anything is wrong."""
    print()
    print(_("Konfiguration:"))
    print("  " + policy_state_line(store))
    from llmoin_desktop.core.settings.policy_location import override_note, policy_location_problems

    note = override_note()
    if note:
        print("  " + note)
    location = policy_location_problems()
    for line in location:
        print("  ! " + line)
    checks: list[FolderCheck] = [
        check_writable(label, path) for label, path in folders_to_check(store)
    ]
    for check in checks:
        print(("  OK " if check.ok else "  ! ") + describe(check))
    problems = [*store.problems, *location, *(describe(c) for c in checks if not c.ok)]
    print()
    if not problems:
        print(_("Keine Probleme mit Einstellungen, Richtlinie und Ordnern gefunden."))
        return True
    print(tr("Gefundene Probleme ({n}):", n=len(problems)))
    for problem in problems:
        print("  - " + problem)
    return False
