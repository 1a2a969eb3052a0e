"""The configured default model, or the reason it cannot be used — never a silent substitute.

When IT names a model (policy ``default_model``) and that file is missing, unreadable or
truncated, loading the demo model instead would let IT believe its model runs. The GUI start
and the self-test therefore ask here and show the reason, as the CLI does.
"""

from __future__ import annotations

from pathlib import Path

from llmoin_desktop.core.engine.catalog import ModelInfo, chat_template_note, inspect_model
from llmoin_desktop.core.errors import ModelError
from llmoin_desktop.core.i18n import _, tr


def _matches(info: ModelInfo, wanted: str) -> bool:
    low = wanted.lower()
    return low in (info.name.lower(), info.path.name.lower(), info.path.stem.lower()) or (
        str(info.path) == wanted
    )


def _refuse(wanted: str, reason: str, from_policy: bool) -> ModelError:
    if from_policy:
        text = tr(
            "Das von Ihrer IT festgelegte Standardmodell „{name}“ kann nicht geladen werden: "
            "{reason} Es wurde kein anderes Modell geladen. Bitte die IT-Abteilung informieren.",
            name=wanted,
            reason=reason,
        )
    else:
        text = tr(
            "Das eingestellte Standardmodell „{name}“ kann nicht geladen werden: {reason} "
            "Bitte unter „Modell wählen …“ ein Modell wählen.",
            name=wanted,
            reason=reason,
        )
    return ModelError(text)


def resolve_configured(models: list[ModelInfo], wanted: str, *, from_policy: bool) -> ModelInfo:
    """The model ``wanted`` names (name, file name, or path); ``ModelError`` with the reason."""
    wanted = wanted.strip()
    found = next((m for m in models if _matches(m, wanted)), None)
    if found is None:
        path = Path(wanted).expanduser()
        try:
            exists = path.is_file()
        except OSError as exc:
            raise _refuse(
                wanted, tr("nicht lesbar ({error}).", error=exc.strerror or exc), from_policy
            ) from exc
        if not exists:
            raise _refuse(wanted, _("Die Datei wurde nicht gefunden."), from_policy)
        found = inspect_model(path)
    if not found.usable_for_chat:
        raise _refuse(wanted, chat_template_note(found) or found.problem or "?", from_policy)
    return found
