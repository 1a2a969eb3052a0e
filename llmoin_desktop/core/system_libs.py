"""Does this Linux machine have the system libraries Qt's xcb platform plugin loads?

Without them the GUI dies with "could not load the Qt platform plugin "xcb"" and nothing
more. The .deb declares them (installers/linux/build_deb.py); the pip route cannot, so
``doctor`` says which are missing and the one apt line that installs them.

Qt-free on purpose (core/): it only looks for shared objects, it never loads Qt.
"""

from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache

# soname the xcb plugin (Qt >= 6.5) loads -> the Debian/Ubuntu package that ships it
XCB_LIBRARIES: dict[str, str] = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-image": "libxcb-image0",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-randr": "libxcb-randr0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-shape": "libxcb-shape0",
    "xcb-xinerama": "libxcb-xinerama0",
    "xcb-xkb": "libxcb-xkb1",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "EGL": "libegl1",
    "fontconfig": "libfontconfig1",
    "dbus-1": "libdbus-1-3",
}


@dataclass(frozen=True)
class XcbCheck:
    applies: bool  # False off Linux: nothing to check
    missing: tuple[str, ...]  # Debian package names

    @property
    def ok(self) -> bool:
        return not self.missing

    def apt_line(self) -> str:
        return "sudo apt-get install -y " + " ".join(self.missing) if self.missing else ""


@lru_cache(maxsize=1)
def _ldconfig_names() -> frozenset[str]:
    """Library names in the linker cache; empty when ldconfig is not there (then
    ``ctypes.util.find_library`` alone decides)."""
    for exe in ("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"):
        try:
            out = subprocess.run(
                [exe, "-p"], capture_output=True, text=True, timeout=10, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        if out:
            return frozenset(
                line.strip().split(" ", 1)[0] for line in out.splitlines()[1:] if line.strip()
            )
    return frozenset()


def has_library(stem: str) -> bool:
    """``stem`` as in ``-l<stem>``: "xcb-cursor" finds libxcb-cursor.so.0."""
    names = _ldconfig_names()
    if any(n.startswith(f"lib{stem}.so") for n in names):
        return True
    return ctypes.util.find_library(stem) is not None


def check_xcb(platform: str | None = None) -> XcbCheck:
    platform = platform or sys.platform
    if not platform.startswith("linux"):
        return XcbCheck(False, ())
    missing = tuple(pkg for stem, pkg in XCB_LIBRARIES.items() if not has_library(stem))
    return XcbCheck(True, missing)


def desktop_session() -> bool:
    """A display is there, so the GUI is expected to start (a headless server is not)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
