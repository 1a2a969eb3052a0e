"""Windows Group Policy: read policy keys from ``HKLM\\Software\\Policies\\LLMoin\\Desktop``.

Registry values become locked keys, like top-level keys in ``policy.toml``; a sub-key
``Defaults`` holds unlocked machine defaults. On other systems this returns nothing.

A missing key means "no Group Policy". Any other error (access denied, a damaged hive) is
raised as OSError: the caller then fails closed (core/settings/policy_load.py) instead of dropping locks.
Values of a type the key cannot hold (REG_BINARY for a text, …) are rejected by ``coerce``.
"""

from __future__ import annotations

import sys
from typing import Any

REGISTRY_PATH = r"Software\Policies\LLMoin\Desktop"
_LIST_KEYS = {"allowed_tasks", "hidden_tasks", "allowed_models", "task_editors"}  # MULTI_SZ: list


def read_registry_policy() -> dict[str, Any]:
    if sys.platform != "win32":
        return {}
    import winreg  # noqa: PLC0415 - Windows only

    def read_key(path: str) -> dict[str, Any]:
        values: dict[str, Any] = {}
        try:
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, path) as key:
                index = 0
                while True:
                    try:
                        name, value, kind = winreg.EnumValue(key, index)
                    except OSError:
                        break
                    if kind == winreg.REG_MULTI_SZ and name not in _LIST_KEYS:
                        value = "\n".join(value)  # ADMX multiText: lines of one text
                    values[name] = value
                    index += 1
        except FileNotFoundError:
            return {}
        return values

    result = read_key(REGISTRY_PATH)
    defaults = read_key(REGISTRY_PATH + r"\Defaults")
    if defaults:
        result["defaults"] = defaults
    return result
