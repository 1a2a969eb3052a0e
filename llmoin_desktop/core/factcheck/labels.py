"""Names of fact kinds and statuses in the UI language (looked up at call time, so a
language switch after import is honoured)."""

from __future__ import annotations

from llmoin_desktop.core.i18n import _


def kind_label(kind: str) -> str:
    labels = {
        "amount": _("Betrag"),
        "percent": _("Prozentsatz"),
        "number": _("Zahl"),
        "date": _("Datum"),
        "time": _("Uhrzeit"),
        "period": _("Frist/Zeitraum"),
        "reference": _("Vorschrift"),
        "file_number": _("Aktenzeichen"),
        "iban": _("IBAN"),
        "phone": _("Telefon"),
        "email": _("E-Mail"),
        "person": _("Person"),
        "authority": _("Behörde"),
    }
    return labels.get(kind, kind)


def status_label(status: str) -> str:
    labels = {
        "belegt": _("belegt"),
        "abweichend": _("abweichend"),
        "nicht belegt": _("nicht belegt"),
    }
    return labels.get(status, status)
