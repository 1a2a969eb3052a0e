"""Rollout commands for IT: ``doctor --offline-check`` and the remote-server section of doctor.

Hooked into the existing ``doctor`` parser (found through ``sub.choices``) so that cli/base.py needs
no change: the flag and a ``doctor_extra`` callback are added here.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.settings.config import SettingsStore


def register(sub: argparse._SubParsersAction) -> None:
    doctor = sub.choices.get("doctor")
    if doctor is None:
        return
    doctor.add_argument(
        "--offline-check",
        action="store_true",
        help=_(
            "eine kurze Arbeitssitzung mit gesperrtem Netzwerk durchspielen und einen "
            "Prüfbericht ausgeben (Datenschutz)"
        ),
    )
    doctor.add_argument(
        "--report",
        type=Path,
        default=None,
        help=_("den Prüfbericht zusätzlich in diese Datei schreiben"),
    )
    doctor.set_defaults(doctor_extra=doctor_extra)


def doctor_extra(args: argparse.Namespace, store: SettingsStore) -> bool:
    from llmoin_desktop.cli.doctor_checks import config_section

    ok = config_section(store)
    if (store.settings.backend or "local").lower() == "remote":
        ok = remote_section(store) and ok
    if getattr(args, "offline_check", False):
        ok = offline_section(args, store) and ok
    return ok


def remote_section(store: SettingsStore) -> bool:
    """Reachability, model list and token counting of the configured server."""
    from llmoin_desktop.core.engine.remote import RemoteBackend

    print()
    print(_("KI-Server (Server-Betrieb):"))
    print(
        tr(
            "  Adresse: {url} (festgelegt durch: {source})",
            url=store.settings.remote_url or "–",
            source=store.source("remote_url"),
        )
    )
    try:
        backend = RemoteBackend(store)
        models = backend.list_models()
        print(tr("  Modelle: {names}", names=", ".join(m.id for m in models) or "–"))
        backend.load()
        backend.count_tokens([{"role": "user", "content": "Test"}])  # finds the counting mode
        print(
            tr(
                "  Gewählt: {model}, Kontext {n_ctx} Token, Zählung: {mode}",
                model=backend.model_id,
                n_ctx=backend.context_size(),
                mode=backend.count_mode,
            )
        )
        return True
    except LLMoinError as exc:
        print("  ! " + exc.user_message)
        return False


def offline_section(args: argparse.Namespace, store: SettingsStore) -> bool:
    from llmoin_desktop.cli.base import pick_model
    from llmoin_desktop.core.checks.offline_session import run_offline_session

    print()
    print(_("Offline-Prüfung läuft (etwa eine Minute) …"))
    try:
        model = pick_model(store, getattr(args, "model", None))
    except LLMoinError as exc:
        print("  ! " + exc.user_message)
        return False

    def show(step) -> None:  # noqa: ANN001
        mark = "OK" if step.ok else "!!"
        print(f"  {mark} {step.name} ({step.seconds:.1f} s)", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="llmoin-offline-") as tmp:
        report = run_offline_session(Path(tmp), model.path, on_step=show, max_tokens=24)
    text = report.text()
    print()
    print(text)
    if args.report:
        try:
            args.report.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            print("  ! " + tr("Bericht nicht gespeichert: {error}", error=exc.strerror or exc))
    return report.passed
