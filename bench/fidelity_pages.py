"""Rendered scan pages for bench/fidelity.py: multi-column layouts and a photo without text.

Pages are drawn with Pillow at 300 dpi in a TrueType font (DejaVu Sans where it is installed,
else Pillow's own), so the truth is known exactly: the text in reading order (heading, then
column 1 top to bottom, then column 2 …). Nothing is downloaded; nothing third-party is used.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

DPI = 300
A4 = (2480, 3508)
MARGIN = 200
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "C:/Windows/Fonts/arial.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "/Library/Fonts/Arial.ttf",
)

COLUMN_TEXTS = [
    (
        "Die Stadtverwaltung Musterstadt informiert über die neue Gebührensatzung für die "
        "Sondernutzung öffentlicher Straßen. Wer einen Stand, ein Gerüst oder einen Container "
        "auf dem Gehweg aufstellen möchte, braucht eine Erlaubnis. Der Antrag ist spätestens "
        "zwei Wochen vor Beginn beim Ordnungsamt zu stellen."
    ),
    (
        "Die Gebühr richtet sich nach der Fläche und der Dauer. Für einen Marktstand bis zu "
        "zehn Quadratmetern werden je Tag zwölf Euro erhoben. Gemeinnützige Vereine können "
        "eine Ermäßigung beantragen. Die Zahlung ist innerhalb eines Monats nach Zugang des "
        "Bescheides fällig."
    ),
    (
        "Gegen den Bescheid kann innerhalb eines Monats nach seiner Bekanntgabe Widerspruch "
        "erhoben werden. Der Widerspruch ist schriftlich oder zur Niederschrift bei der "
        "Stadtverwaltung einzulegen. Auskünfte erteilt das Bürgerbüro montags bis freitags "
        "von acht bis sechzehn Uhr."
    ),
]


def font(size: int) -> Any:
    from PIL import ImageFont

    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def wrap(text: str, fnt: Any, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if fnt.getlength(trial) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def column_page(
    n_columns: int,
    heading: str = "Amtsblatt der Stadt Musterstadt",
    *,
    gutter: int = 120,
    size: int = 42,
    texts: list[str] | None = None,
) -> tuple[bytes, str]:
    """A page with a heading across the width and ``n_columns`` text columns (PNG, 300 dpi).

    Returns (png bytes, truth text in reading order)."""
    from PIL import Image, ImageDraw

    img = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(img)
    body_font, head_font = font(size), font(64)
    draw.text((MARGIN, MARGIN), heading, font=head_font, fill=0)
    top = MARGIN + 160
    width = (A4[0] - 2 * MARGIN - (n_columns - 1) * gutter) // n_columns
    truth = [heading]
    texts = texts or [COLUMN_TEXTS[i % len(COLUMN_TEXTS)] for i in range(n_columns)]
    for i, text in enumerate(texts):
        x = MARGIN + i * (width + gutter)
        y = top
        for line in wrap(text, body_font, width):
            draw.text((x, y), line, font=body_font, fill=0)
            y += int(size * 1.4)
        truth.append(text)
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(DPI, DPI))
    return buf.getvalue(), "\n".join(truth)


def letter_png(lines: list[str]) -> bytes:
    """A short letter photo-like image (black on white) for HEIC/AVIF photos."""
    from PIL import Image, ImageDraw

    fnt = font(48)
    img = Image.new("RGB", (1800, 160 + 90 * len(lines)), "white")
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((80, 80 + 90 * i), line, fill="black", font=fnt)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def landscape_photo(fmt: str = "JPEG") -> bytes:
    """A photo without any writing: sky, meadow, trees, branches, sensor noise."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    rng = np.random.default_rng(7)
    w, h = 1600, 1200
    y = np.linspace(0, 1, h)[:, None]
    sky = np.stack([120 + 80 * y, 160 + 60 * y, 230 - 30 * y], -1) * np.ones((h, w, 1))
    sky[int(h * 0.6) :] = [70, 120, 50]
    sky += rng.normal(0, 18, (h, w, 3))
    img = Image.fromarray(np.clip(sky, 0, 255).astype("uint8"))
    draw = ImageDraw.Draw(img)
    for _ in range(40):
        cx, cy = int(rng.integers(0, w)), int(rng.integers(int(h * 0.4), h))
        r = int(rng.integers(20, 90))
        draw.ellipse(
            (cx - r, cy - r, cx + r, cy + r), fill=tuple(int(c) for c in rng.integers(20, 110, 3))
        )
    for _ in range(25):
        x = int(rng.integers(0, w))
        draw.line(
            (x, h * 0.6, x + int(rng.integers(-40, 40)), h * 0.3),
            fill=(60, 40, 20),
            width=int(rng.integers(3, 12)),
        )
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    buf = io.BytesIO()
    img.save(buf, format=fmt, quality=85)
    return buf.getvalue()


def scribble_png() -> bytes:
    """Hatching like a close-up of branches: the old check read it as letters."""
    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(1)
    img = Image.new("L", (1200, 900), 200)
    draw = ImageDraw.Draw(img)
    for _ in range(300):
        x, y = int(rng.integers(0, 1200)), int(rng.integers(0, 900))
        draw.line(
            (x, y, x + int(rng.integers(-60, 60)), y + int(rng.integers(-60, 60))),
            fill=int(rng.integers(0, 120)),
            width=int(rng.integers(1, 4)),
        )
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
