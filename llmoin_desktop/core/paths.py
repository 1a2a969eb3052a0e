"""Where things live: bundled resources and the per-user / machine-wide folders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "llmoin-desktop"
APP_AUTHOR = "LLMoin"


def resources_dir() -> Path:
    """Bundled resources: a PyInstaller bundle, a source checkout, or an override for tests.

    The override (LLMOIN_RESOURCES) follows the rule of the policy override below: the bundled
    tasks are trusted and the high-risk rules live here, so a clerk's copy must never stand in
    for them where IT set a policy or in an installed build (issue 18)."""
    override = os.environ.get("LLMOIN_RESOURCES")
    if override and not is_installed_build() and not machine_policy_present():
        return Path(override)
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def user_config_dir() -> Path:
    """User settings; LLMOIN_CONFIG_DIR lets tests and scripts use a temporary folder."""
    return Path(
        os.environ.get("LLMOIN_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)
    )


def user_data_dir() -> Path:
    """History, library, models folder; LLMOIN_DATA_DIR overrides (tests, trainer sandbox)."""
    return Path(
        os.environ.get("LLMOIN_DATA_DIR") or platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)
    )


# Where IT's policy lives. Fixed in code, never taken from a variable or setting the user can
# change (issue 18): platformdirs reads XDG_CONFIG_DIRS (also on macOS) and
# WIN_PD_OVERRIDE_COMMON_APPDATA, and an environment variable is the user's to set.
LINUX_POLICY_DIR = Path("/etc/xdg") / APP_NAME
MACOS_POLICY_DIR = Path("/Library/Application Support") / APP_NAME
POLICY_OVERRIDE_ENV = "LLMOIN_POLICY_DIR"
POLICY_FILE_NAME = "policy.toml"
_FOLDERID_PROGRAMDATA = "{62AB5D82-FDC1-4DC3-A9DD-070D1D495D97}"


def _windows_program_data() -> Path:
    """%ProgramData% from the shell's known-folder API, not from the environment variable:
    the folder can only be moved by an administrator (HKLM), the variable by anybody."""
    import ctypes  # noqa: PLC0415 - Windows only
    import uuid  # noqa: PLC0415
    from ctypes import wintypes  # noqa: PLC0415

    class _GUID(ctypes.Structure):
        _fields_ = [  # noqa: RUF012 - ctypes layout
            ("Data1", wintypes.DWORD),
            ("Data2", wintypes.WORD),
            ("Data3", wintypes.WORD),
            ("Data4", wintypes.BYTE * 8),
        ]

    raw = uuid.UUID(_FOLDERID_PROGRAMDATA).bytes_le
    guid = _GUID.from_buffer_copy(raw)
    out = ctypes.c_wchar_p()
    try:
        shell32 = ctypes.windll.shell32  # type: ignore[attr-defined]
        if shell32.SHGetKnownFolderPath(ctypes.byref(guid), 0, None, ctypes.byref(out)) == 0:
            value = out.value or ""
            ctypes.windll.ole32.CoTaskMemFree(out)  # type: ignore[attr-defined]
            if value:
                return Path(value)
    except (AttributeError, OSError):
        pass
    return Path("C:/ProgramData")


def machine_policy_dir() -> Path:
    """IT's policy folder on this OS: /etc/xdg/llmoin-desktop, /Library/Application
    Support/llmoin-desktop, %ProgramData%\\LLMoin\\llmoin-desktop (created admin-only by the
    installer). Only an administrator can write there."""
    if sys.platform == "win32":
        return _windows_program_data() / APP_AUTHOR / APP_NAME
    if sys.platform == "darwin":
        return MACOS_POLICY_DIR
    return LINUX_POLICY_DIR


def is_installed_build() -> bool:
    """A frozen (PyInstaller) build: what IT rolls out. It never honours the test override."""
    return bool(getattr(sys, "frozen", False) or getattr(sys, "_MEIPASS", None))


def machine_policy_present() -> bool:
    """True when IT set any policy: a policy file (even an unreadable one) or, on Windows,
    Group Policy values. Doubt counts as present, so doubt never opens the override."""
    machine = machine_policy_dir()
    for candidate in (machine / POLICY_FILE_NAME, machine):
        try:
            os.stat(candidate)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError:
            return True  # e.g. a folder the user may not search: IT's, not absent
        if candidate.name == POLICY_FILE_NAME:
            return True
    from llmoin_desktop.core.settings.policy_registry import read_registry_policy

    try:
        return bool(read_registry_policy())
    except OSError:
        return True


def policy_override_dir() -> Path | None:
    """LLMOIN_POLICY_DIR (tests, CI, screenshots), honoured only where it cannot remove a lock:
    never in an installed build, and only while IT set no machine policy at all. Then there
    is no lock to lose, so a policy from that folder can only add locks."""
    override = os.environ.get(POLICY_OVERRIDE_ENV)
    if not override or is_installed_build() or machine_policy_present():
        return None
    return Path(override)


def site_config_dir() -> Path:
    """The policy folder in use: IT's machine folder, or the test override (see above)."""
    return policy_override_dir() or machine_policy_dir()
