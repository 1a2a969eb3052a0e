"""Configuration faults for ``bench/faults.py``: settings, policy, locks, folders (issue 14).

Each case builds its folders under the given temp dir, breaks something the way Windows
editors, IT typos or a read-only share do, and runs the real CLI (or ``--self-test`` for the
GUI start path) as a child process. ``lost_items`` counts user settings that are gone.

Two faults need more than a temp folder, because the bench runs as root (root ignores file
permissions): "unreadable folder" drops root's permission override with ``setpriv``, and
"read-only data folder" uses a read-only bind mount in a private mount namespace
(``unshare --mount``). Where those tools are missing the case reports itself as skipped
with a note, rather than pretending.
"""

from __future__ import annotations

import codecs
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fault_cases_common import (  # noqa: E402
    ROOT,
    CliResult,
    FaultCase,
    FaultOutcome,
    cli_env,
    folders,
    outcome,
    run_cli,
)

USER_SETTINGS = {
    "schema_version": 1,
    "font_scale": 125,
    "models_dir": "C:\\Modelle\\Bürgerdienste",
    "max_tokens": 700,
    "high_contrast": True,
}
POLICY_LOCKED = "free_chat = false\nmax_tokens = 512\n# Richtlinie für das Bürgeramt (ü, ß)\n"


def _skipped(detail: str) -> FaultOutcome:
    """Not counted as tried by faults.py (``skipped``), with the reason in the report."""
    result = FaultOutcome(True, detail=detail)
    result.skipped = True  # type: ignore[attr-defined] - field added in fault_cases_common
    return result


def _python(base: Path, code: str) -> CliResult:
    """A child Python process using the app's own code (the settings dialog's save path)."""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=cli_env(base),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def _save_a_change(base: Path) -> CliResult:
    return _python(
        base,
        "from llmoin_desktop.core.settings.config import SettingsStore\n"
        "SettingsStore().set('idle_unload_minutes', 15)\n",
    )


def _lost(config: Path) -> int:
    """User settings of USER_SETTINGS missing from settings.json now."""
    try:
        data = json.loads((config / "settings.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return len(USER_SETTINGS) - 1
    return sum(1 for k, v in USER_SETTINGS.items() if k != "schema_version" and data.get(k) != v)


def _encoded_settings(encoding: str):  # noqa: ANN202
    def run(base: Path) -> FaultOutcome:
        config = folders(base)["config"]
        text = json.dumps(USER_SETTINGS, ensure_ascii=False, indent=2)
        raw = codecs.BOM_UTF8 + text.encode() if encoding == "utf-8-sig" else text.encode(encoding)
        (config / "settings.json").write_bytes(raw)
        result = run_cli(base, ["tasks"])
        saved = _save_a_change(base)
        lost = _lost(config)
        ok = result.returncode == 0 and saved.returncode == 0 and "beschädigt" not in result.stderr
        return outcome(result, ok and not saved.traceback, f"{encoding}: lost={lost}", lost)

    return run


def settings_broken(base: Path) -> FaultOutcome:
    config = folders(base)["config"]
    (config / "settings.json").write_text(json.dumps(USER_SETTINGS), encoding="utf-8")
    first = _save_a_change(base)  # a normal save: leaves settings.json.bak
    damaged = b'{"font_scale": 125, "models_dir": "C:\\\\Modelle\\\\B\xfc'  # cut off mid-write
    (config / "settings.json").write_bytes(damaged)
    result = run_cli(base, ["tasks"])
    _save_a_change(base)
    kept = [p for p in config.glob("settings.json.broken-*") if p.read_bytes() == damaged]
    lost = _lost(config) + (0 if kept else 1)
    ok = first.returncode == 0 and result.returncode == 0 and "aufbewahrt" in result.stderr
    return outcome(result, ok, f"broken copy kept={bool(kept)}, restored from .bak", lost)


def settings_schema_text(base: Path) -> FaultOutcome:
    config = folders(base)["config"]
    data = {**USER_SETTINGS, "schema_version": "1.0-beta"}
    (config / "settings.json").write_text(json.dumps(data), encoding="utf-8")
    result = run_cli(base, ["tasks"])
    ok = result.returncode == 0 and "schema_version" in result.stderr
    return outcome(result, ok, "non-numeric schema_version reported", _lost(config))


def settings_out_of_range(base: Path) -> FaultOutcome:
    config = folders(base)["config"]
    bad = {
        "schema_version": 1,
        "temperature": 50,
        "n_threads": -3,
        "max_tokens": 0,
        "language": "fr",
    }
    (config / "settings.json").write_text(json.dumps(bad), encoding="utf-8")
    result = run_cli(base, ["tasks"])
    named = [k for k in bad if k != "schema_version" and k in result.stderr]
    ok = result.returncode == 0 and len(named) == 4
    return outcome(result, ok, f"reported {len(named)}/4 invalid values")


def _policy_chat_case(policy: bytes, expect: str, *, cache_first: bytes | None = None):  # noqa: ANN202
    def run(base: Path) -> FaultOutcome:
        dirs = folders(base)
        if cache_first is not None:
            (dirs["policy"] / "policy.toml").write_bytes(cache_first)
            run_cli(base, ["tasks"])  # a start with the valid policy caches it
        (dirs["policy"] / "policy.toml").write_bytes(policy)
        result = run_cli(base, ["chat", "Hallo"], timeout=120)
        refused = result.returncode == 1 and "free_chat" in result.stderr
        ok = refused and expect in result.stderr
        return outcome(result, ok, f"exit {result.returncode}, chat refused={refused}")

    return run


def chat_unreadable_model_folder(base: Path) -> FaultOutcome:
    secret = base / "gesperrt"
    secret.mkdir()
    (secret / "modell.gguf").write_bytes(b"GGUF")
    if shutil.which("setpriv") is None:
        return _skipped("setpriv missing")
    os.chmod(secret, 0)
    try:
        proc = subprocess.run(
            ["setpriv", "--bounding-set", "-dac_override,-dac_read_search",
             sys.executable, "-m", "llmoin_desktop", "chat", "Hallo", "--model",
             str(secret / "modell.gguf")],
            cwd=ROOT, env=cli_env(base), capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        os.chmod(secret, 0o755)
    result = CliResult(proc.returncode, proc.stdout, proc.stderr)
    ok = proc.returncode == 1 and "kann nicht gelesen werden" in proc.stderr
    return outcome(result, ok, f"exit {proc.returncode}")


def settings_unreadable(base: Path) -> FaultOutcome:
    """settings.json without read permission: defaults with a message, and a save (as the
    settings dialog does) keeps the original instead of overwriting it."""
    config = folders(base)["config"]
    original = json.dumps(USER_SETTINGS).encode()
    (config / "settings.json").write_bytes(original)
    if shutil.which("setpriv") is None:
        return _skipped("setpriv missing")
    os.chmod(config / "settings.json", 0)
    code = (
        "from llmoin_desktop.core.settings.config import SettingsStore\n"
        "s = SettingsStore()\n"
        "print(*s.problems, sep='\\n')\n"
        "s.set('idle_unload_minutes', 15)\n"
    )
    proc = subprocess.run(
        ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", sys.executable, "-c",
         code],
        cwd=ROOT, env=cli_env(base), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    kept = [p for p in config.glob("settings.json.broken-*") if p.read_bytes() == original]
    result = CliResult(proc.returncode, proc.stdout, proc.stderr)
    ok = proc.returncode == 0 and "kann nicht gelesen werden" in proc.stdout and bool(kept)
    return outcome(result, ok, f"original kept={bool(kept)}", 0 if kept else 4)


def doctor_read_only_data(base: Path) -> FaultOutcome:
    data = folders(base)["data"]
    if shutil.which("unshare") is None:
        return _skipped("unshare missing")
    # Quoted: the bench's temp folders carry the case name (spaces, a colon).
    folder, python = shlex.quote(str(data)), shlex.quote(sys.executable)
    command = f"mount --bind -o ro {folder} {folder} && exec {python} -m llmoin_desktop doctor"
    proc = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", command],
        cwd=ROOT, env=cli_env(base), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    result = CliResult(proc.returncode, proc.stdout, proc.stderr)
    if "mount" in proc.stderr and "permission denied" in proc.stderr.lower():
        return _skipped("no mount namespace here")
    ok = proc.returncode != 0 and "nicht beschreibbar" in proc.stdout
    return outcome(result, ok, f"doctor exit {proc.returncode}")


def gui_missing_default_model(base: Path) -> FaultOutcome:
    """The GUI start path (--self-test builds the real window) must not load the demo model."""
    dirs = folders(base)
    (dirs["policy"] / "policy.toml").write_text(
        'default_model = "/srv/modelle/fehlt.gguf"\n', encoding="utf-8"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "llmoin_desktop", "--self-test"],
        cwd=ROOT, env=cli_env(base), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    result = CliResult(proc.returncode, proc.stdout, proc.stderr)
    ok = proc.returncode == 1 and "fehlt.gguf" in result.output and "ok=0" in result.output
    return outcome(result, ok, f"self-test exit {proc.returncode}, demo not used={ok}")


GOOD_POLICY = POLICY_LOCKED.encode("utf-8")
CASES: list[FaultCase] = [
    FaultCase("settings: UTF-8 with BOM", _encoded_settings("utf-8-sig")),
    FaultCase("settings: UTF-16 (PowerShell)", _encoded_settings("utf-16")),
    FaultCase("settings: Windows-1252", _encoded_settings("cp1252")),
    FaultCase("settings: damaged JSON", settings_broken),
    FaultCase("settings: schema_version not a number", settings_schema_text),
    FaultCase("settings: values out of range", settings_out_of_range),
    FaultCase("settings: file not readable", settings_unreadable),
    FaultCase("policy: free_chat=false, CLI chat", _policy_chat_case(GOOD_POLICY, "abgeschaltet")),
    FaultCase(
        "policy: Windows-1252",
        _policy_chat_case(POLICY_LOCKED.encode("cp1252"), "abgeschaltet"),
    ),
    FaultCase(
        "policy: UTF-8 BOM", _policy_chat_case(codecs.BOM_UTF8 + GOOD_POLICY, "abgeschaltet")
    ),
    FaultCase(
        "policy: syntax error, no cache",
        _policy_chat_case(b"free_chat = false\nmax_tokens = viel\n", "Sicherheitssperren"),
    ),
    FaultCase(
        "policy: syntax error, cached policy",
        _policy_chat_case(
            b"free_chat = false\n[defaults\n",
            "zuletzt gültige",
            cache_first=GOOD_POLICY,
        ),
    ),
    FaultCase(
        "policy: unknown key (typo)",
        _policy_chat_case(b"free_chats = false\n", "Sicherheitssperren"),
    ),
    FaultCase("chat --model in an unreadable folder", chat_unreadable_model_folder),
    FaultCase("doctor: read-only data folder", doctor_read_only_data),
    FaultCase("GUI start: policy default_model missing", gui_missing_default_model),
]
