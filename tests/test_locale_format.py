"""Dates and numbers follow the UI language's locale (German: 24.04.2025, 1.234,5)."""

from __future__ import annotations

import datetime as _dt

from llmoin_desktop.core import i18n
from llmoin_desktop.ui.locale_format import date, date_time, number, ui_locale

MOMENT = _dt.datetime(2025, 4, 24, 10, 30).timestamp()


def test_german_conventions() -> None:
    assert number(1234.56) == "1.234,6"
    assert number(2.5, 2) == "2,50"
    assert date_time(MOMENT) == "24.04.2025 10:30"  # four-digit year, not 24.04.25
    assert date(_dt.date(2025, 4, 24)) == "24.04.2025"


def test_english_conventions() -> None:
    i18n.set_language("en")
    assert ui_locale().language().name == "English"
    assert number(1234.56) == "1,234.6"
    assert "2025" in date_time(MOMENT) and "24" in date_time(MOMENT)


def test_status_bar_and_history_use_the_locale(qtbot) -> None:
    from llmoin_desktop.ui.history_view import format_time
    from llmoin_desktop.ui.status_bar import AppStatusBar, gib

    assert gib(1.5 * 2**30) == "1,5 GB"
    assert format_time(MOMENT) == "24.04.2025 10:30"
    bar = AppStatusBar()
    qtbot.addWidget(bar)
    bar.set_tokens_per_s(1234.5)
    assert "1.234,5 Token/s" in bar.speed_label.text()
    i18n.set_language("en")
    assert gib(1.5 * 2**30) == "1.5 GB"
