"""Font scale (up to 200 %) and the high-contrast theme, at start and after the settings change.

The base font size is remembered on the application the first time, so scaling at run time
never compounds (150 % after 200 % is 150 % of the original, not 300 %).
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget

from llmoin_desktop.core.settings.config import Settings
from llmoin_desktop.ui.style import apply_theme, high_contrast_palette

_BASE_FONT = "llmoinBaseFontPointSize"


def font_scale(settings: Settings) -> float:
    return max(50, min(200, settings.font_scale or 100)) / 100


def apply_app_font(app: QApplication, settings: Settings) -> None:
    base = app.property(_BASE_FONT)
    font = app.font()
    if base is None:
        base = font.pointSizeF()
        app.setProperty(_BASE_FONT, base)
    font.setPointSizeF(float(base) * font_scale(settings))
    app.setFont(font)


def apply_app_palette(app: QApplication, settings: Settings) -> None:
    if settings.high_contrast:
        app.setPalette(high_contrast_palette())
    else:
        app.setPalette(app.style().standardPalette())


def apply_appearance(window: QWidget, settings: Settings, *, force: bool = False) -> None:
    """Theme and scaled style sheets for ``window``; the default look is left alone."""
    app = QApplication.instance()
    scale = font_scale(settings)
    if isinstance(app, QApplication):
        if force or abs(scale - 1.0) > 1e-6 or app.property(_BASE_FONT) is not None:
            apply_app_font(app, settings)
        if force or settings.high_contrast:
            apply_app_palette(app, settings)
    if force or settings.high_contrast or abs(scale - 1.0) > 1e-6:
        apply_theme(window, settings.high_contrast, scale)
