"""Dates and numbers in the user's locale (QLocale), matching the UI language.

German UI: German conventions (24.04.2025 10:30, 1.234,5). English UI: the system's English
locale if it has one (en_GB, en_US, …), else British English.
"""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QDateTime, QLocale

from llmoin_desktop.core import i18n


def ui_locale(language: str | None = None) -> QLocale:
    lang = language or i18n.language()
    if lang == "en":
        system = QLocale.system()
        if system.language() == QLocale.Language.English:
            return system
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    system = QLocale.system()
    if system.language() == QLocale.Language.German:
        return system  # de_AT, de_CH keep their conventions
    return QLocale(QLocale.Language.German, QLocale.Country.Germany)


def install_default_locale(language: str | None = None) -> QLocale:
    """Make it Qt's default, so spin boxes and other widgets follow it too."""
    locale = ui_locale(language)
    QLocale.setDefault(locale)
    return locale


def number(value: float, decimals: int = 1) -> str:
    return ui_locale().toString(float(value), "f", decimals)


def _four_digit_year(pattern: str) -> str:
    """Short formats use two-digit years in some locales (24.04.25); files need all four."""
    return pattern if "yyyy" in pattern else pattern.replace("yy", "yyyy")


def date_time(timestamp: float) -> str:
    locale = ui_locale()
    moment = QDateTime.fromSecsSinceEpoch(int(timestamp))
    pattern = _four_digit_year(locale.dateTimeFormat(QLocale.FormatType.ShortFormat))
    return locale.toString(moment, pattern)


def date(value: _dt.date) -> str:
    locale = ui_locale()
    return locale.toString(
        value, _four_digit_year(locale.dateFormat(QLocale.FormatType.ShortFormat))
    )
