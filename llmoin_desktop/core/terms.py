"""Terms of use: the text (from IT's policy or our default) and the clerk's acceptance.

The acceptance records a *version*: a hash of the German source text (the default) or of IT's
policy text. When IT changes the text the hash changes and the app asks again; switching the
UI language does not (the default's English version is a translation of the same terms).

The acceptance file is written atomically; one that cannot be read (BOM and other encodings
are read, see config_files.py) counts as "not accepted" and is moved aside as
``terms_accepted.json.broken-<timestamp>`` before the new acceptance is written.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from llmoin_desktop.core import paths
from llmoin_desktop.core.errors import SettingsError
from llmoin_desktop.core.i18n import _, language, tr
from llmoin_desktop.core.settings.config import SettingsStore, _atomic_write_text
from llmoin_desktop.core.settings.config_files import move_aside, read_text_any

ACCEPTANCE_FILE = "terms_accepted.json"

DEFAULT_TERMS_DE = """\
Nutzungsbedingungen für LLMoin Desktop

1. LLMoin Desktop ist ein Assistenzwerkzeug. Es macht Vorschläge – es entscheidet nichts.

2. Sie bleiben für jedes Ergebnis verantwortlich. Prüfen Sie jeden Text vor der Verwendung auf \
Richtigkeit, Vollständigkeit und Ton. KI-Ergebnisse können Fehler enthalten und Inhalte erfinden.

3. Nutzen Sie das Programm nicht, um über Sozialleistungen oder andere Ansprüche von Menschen \
zu entscheiden, und nicht, um rechtliche Argumente zu bewerten oder Rechtsfragen verbindlich \
zu beurteilen.

4. Geben Sie keine besonderen Kategorien personenbezogener Daten ein (Art. 9 DSGVO, z. B. \
Gesundheit, religiöse oder politische Überzeugungen, ethnische Herkunft, Sexualleben), es sei \
denn, Ihre Organisation hat es ausdrücklich erlaubt.

5. Alle Texte werden auf diesem Rechner verarbeitet; das Programm überträgt nichts an Dritte.

6. Es gelten die Dienstanweisungen Ihrer Organisation.
"""

DEFAULT_TERMS_EN = """\
Terms of use for LLMoin Desktop

1. LLMoin Desktop is an assistant. It makes suggestions – it decides nothing.

2. You remain responsible for every result. Check every text for correctness, completeness and \
tone before you use it. AI results can contain mistakes and invented content.

3. Do not use the program to decide on social benefits or other claims of people, nor to assess \
legal arguments or to judge legal questions bindingly.

4. Do not enter special categories of personal data (Art. 9 GDPR, e.g. health, religious or \
political beliefs, ethnic origin, sex life) unless your organisation has explicitly allowed it.

5. All texts are processed on this computer; the program sends nothing to third parties.

6. Your organisation's instructions apply.
"""


@dataclass(frozen=True)
class Terms:
    text: str
    version: str  # hash of the canonical text; stored with the acceptance
    from_policy: bool


def _digest(text: str) -> str:
    normalised = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:16]


def current_terms(store: SettingsStore) -> Terms:
    """IT's text when the policy (or the user file in a test set-up) has one, else ours."""
    custom = store.settings.usage_terms_text.strip()
    if custom:
        return Terms(custom, _digest(custom), True)
    text = DEFAULT_TERMS_EN if language() == "en" else DEFAULT_TERMS_DE
    return Terms(text, _digest(DEFAULT_TERMS_DE), False)


def acceptance_file(data_dir: Path | None = None) -> Path:
    """In the user data folder (not the config: IT may roll out a fixed settings file)."""
    return (data_dir or paths.user_data_dir()) / ACCEPTANCE_FILE


def _read_acceptance(path: Path) -> dict | None:
    """The stored acceptance; None when missing or not understandable."""
    try:
        data = json.loads(read_text_any(path)[0])
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def accepted_version(data_dir: Path | None = None) -> str:
    """The version the clerk accepted, "" when none or the file is unreadable."""
    data = _read_acceptance(acceptance_file(data_dir))
    return str(data.get("version", "")) if data is not None else ""


def needs_acceptance(store: SettingsStore, data_dir: Path | None = None) -> bool:
    return accepted_version(data_dir) != current_terms(store).version


def required_outside_gui(store: SettingsStore) -> bool:
    """Must the command line stop until the terms are accepted? Only when IT asked for terms.

    Decision (issue 18): the check applies when IT's policy sets ``usage_terms_text`` (locked or
    as a default); the program's built-in text stays a GUI courtesy, so IT's own scripts and
    benchmarks are not stopped by it. Here, not in the CLI, because it is a policy decision."""
    from_it = store.source("usage_terms_text") in ("policy", "policy-default")
    return from_it and bool(store.settings.usage_terms_text.strip()) and needs_acceptance(store)


def accept(terms: Terms, data_dir: Path | None = None) -> Path:
    """Record the acceptance; raises SettingsError (German) when the folder is not writable."""
    path = acceptance_file(data_dir)
    payload = {
        "version": terms.version,
        "accepted_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "from_policy": terms.from_policy,
    }
    try:
        if path.exists() and _read_acceptance(path) is None:
            move_aside(path)  # damaged: kept for inspection, never overwritten
        _atomic_write_text(path, json.dumps(payload, indent=2))
    except OSError as exc:
        from llmoin_desktop.core.storage.folder_checks import os_error_cause

        raise SettingsError(
            tr(
                "Ihre Zustimmung konnte nicht gespeichert werden: {error}",
                error=f"{os_error_cause(exc)} ({exc.filename or path})",
            )
        ) from exc
    return path


def accept_current(store: SettingsStore, data_dir: Path | None = None) -> Path:
    return accept(current_terms(store), data_dir)


def terms_title() -> str:
    return _("Nutzungsbedingungen")
