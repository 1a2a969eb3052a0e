"""IT policy that fails *closed*: a broken policy never drops the locks.

``policy.toml`` (and on Windows the Group Policy registry key) is read strictly: a syntax
error, a value of the wrong type or out of range, an unknown key or an unreadable file makes
the *whole* policy invalid, because a typo in one key can be a lock IT meant to set
(``free_chats = false``). An empty file counts as damaged too (a copy cut short); a policy
without locks is a missing file or one with only comments. Then, in this order:

1. the last policy that was valid on this PC for this user is used again. It is cached as
   ``policy-lastgood.json`` in the user's config folder each time a valid policy is read (the
   machine-wide folder is normally not writable for the user, so the cache cannot live there).
   A cached copy is checked like the policy itself; a user who edits it gains nothing, because
   it only applies while IT's file is broken, which a user without admin rights cannot cause.
2. without a usable cache: ``LOCKDOWN`` locks — no free chat, only the local model, no server
   addresses, no extra task folder, the "KI-erzeugt" note on exports, no publishing of own
   tasks to the department folder. Guided tasks stay usable.

Each case adds a loud German problem naming the file, the line and the reason; the GUI shows
it in a banner that stays until dismissed, the CLI on stderr, ``doctor`` fails with it.
A BOM, UTF-16 and Windows-1252 are ordinary encodings here, not errors (config_files.py).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmoin_desktop.core.errors import SettingsError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.settings.config_files import atomic_write_text, read_text_any

CACHE_FILE = "policy-lastgood.json"

LOCKDOWN: dict[str, Any] = {
    "free_chat": False,
    "backend": "local",
    "remote_url": "",
    "remote_api_key": "",
    "library_server": "",
    "extra_tasks_dir": "",
    "export_ai_note": True,
    "task_publishing": "niemand",  # only IT copies tasks into the department folder
}

# tomllib's English reasons for the errors IT actually makes, in German
_TOML_REASONS = {
    "Invalid statement": "ungültige Zeile (fehlt ein „=“ oder ein Anführungszeichen?)",
    "Expected '=' after a key in a key/value pair": "nach dem Namen fehlt „=“",
    "Invalid value": "ungültiger Wert (Text muss in Anführungszeichen stehen)",
    "Cannot overwrite a value": "Schlüssel doppelt gesetzt",
    "Cannot declare": "Tabelle doppelt angelegt",
    "Unclosed array": "Liste nicht geschlossen (fehlt „]“?)",
    "Unterminated string": "Text nicht geschlossen (fehlt ein Anführungszeichen?)",
    "Illegal character": "unerlaubtes Zeichen",
    "Expected newline or end of document after a statement": "nach dem Wert folgt noch etwas",
}


@dataclass
class PolicyState:
    locked: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    mode: str = "none"  # none | ok | cached | lockdown


@dataclass
class _Issue:
    line: int
    reason: str


def _toml_issue(exc: tomllib.TOMLDecodeError) -> _Issue:
    text = str(exc)
    match = re.search(r"\(at line (\d+), column \d+\)", text)
    line = int(match.group(1)) if match else 0
    reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", text).strip()
    german = next((v for k, v in _TOML_REASONS.items() if reason.startswith(k)), "")
    return _Issue(line, tr("Syntaxfehler: {reason}", reason=_(german) if german else reason))


def _line_of(text: str, key: str, table: str = "") -> int:
    """Line number (1-based) of ``key =`` (inside ``[table]`` when given); 0 if not found."""
    current = ""
    pattern = re.compile(rf'^\s*["\']?{re.escape(key)}["\']?\s*=')
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"^\s*\[([^\]]+)\]", line)
        if header:
            current = header.group(1).strip()
            continue
        if current == table and pattern.match(line):
            return number
    return 0


def parse_policy(
    raw: dict[str, Any], coerce: Callable[[str, Any], Any], check: Callable[[str, Any], None]
) -> tuple[dict[str, Any], dict[str, Any], list[tuple[str, str, str]]]:
    """Locked keys, defaults and the issues as (table, key, German reason)."""
    locked: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    issues: list[tuple[str, str, str]] = []
    for key, value in raw.items():
        if key == "defaults":
            if not isinstance(value, dict):
                issues.append(("", key, _("„defaults“ muss eine Tabelle [defaults] sein")))
                continue
            target, table, items = defaults, "defaults", list(value.items())
        else:
            target, table, items = locked, "", [(key, value)]
        for k, v in items:
            try:
                target[k] = coerce(k, v)
                check(k, target[k])
            except SettingsError as exc:
                target.pop(k, None)
                issues.append((table, k, exc.user_message))
    return locked, defaults, issues


def _read_file(path: Path) -> tuple[dict[str, Any] | None, str, list[_Issue]]:
    """(parsed table or None when there is no file, text, issues)."""
    try:
        if not path.exists():
            return None, "", []
        text, _encoding = read_text_any(path)
    except OSError as exc:
        reason = tr("nicht lesbar ({error})", error=exc.strerror or exc)
        return {}, "", [_Issue(0, reason)]
    if not text.strip():  # 0 bytes: a copy cut short (full disk, failed GPO copy), not "no locks"
        return {}, text, [_Issue(0, _("die Datei ist leer (unvollständig kopiert?)"))]
    try:
        return tomllib.loads(text), text, []
    except tomllib.TOMLDecodeError as exc:
        return {}, text, [_toml_issue(exc)]


def _where(path: Path | str, issue: _Issue) -> str:
    if issue.line:
        return tr("{path}, Zeile {line}: {reason}", path=path, line=issue.line, reason=issue.reason)
    return tr("{path}: {reason}", path=path, reason=issue.reason)


def load_policy(
    policy_file: Path,
    cache_dir: Path,
    coerce: Callable[[str, Any], Any],
    check: Callable[[str, Any], None],
    registry: Callable[[], dict[str, Any]] | None = None,
) -> PolicyState:
    """Read, validate, cache; on any problem fall back to the cached policy or LOCKDOWN."""
    raw, text, issues = _read_file(policy_file)
    where: list[str] = [_where(policy_file, i) for i in issues]
    present = raw is not None
    raw = dict(raw or {})
    reg: dict[str, Any] = {}
    if registry is not None:
        from llmoin_desktop.core.settings.policy_registry import REGISTRY_PATH

        reg_label = "HKLM\\" + REGISTRY_PATH
        try:
            reg = registry()
        except OSError as exc:
            where.append(tr("{path}: {reason}", path=reg_label, reason=exc.strerror or exc))
    locked, defaults, bad = parse_policy(raw, coerce, check)
    for table, key, reason in bad:
        where.append(_where(policy_file, _Issue(_line_of(text, key, table), reason)))
    if reg:
        reg_locked, reg_defaults, reg_bad = parse_policy(reg, coerce, check)
        locked.update(reg_locked)
        defaults.update(reg_defaults)
        for table, _key, reason in reg_bad:
            label = "HKLM\\" + REGISTRY_PATH + ("\\Defaults" if table else "")
            where.append(tr("{path}: {reason}", path=label, reason=reason))
    if not present and not reg and not where:
        return PolicyState()
    if not where:
        _save_cache(cache_dir, policy_file, locked, defaults)
        return PolicyState(locked, defaults, [], "ok")
    return _fail_closed(cache_dir, where, coerce, check, policy_file)


def _fail_closed(
    cache_dir: Path,
    where: list[str],
    coerce: Callable[[str, Any], Any],
    check: Callable[[str, Any], None],
    source: Path,
) -> PolicyState:
    details = "; ".join(where)
    cached = _load_cache(cache_dir, coerce, check, source)
    if cached is not None:
        locked, defaults, saved_at = cached
        message = tr(
            "Die Richtlinie der IT ist fehlerhaft ({details}). Es gilt weiter die zuletzt "
            "gültige Richtlinie (gespeichert {saved_at}). Bitte die IT-Abteilung informieren.",
            details=details,
            saved_at=saved_at,
        )
        return PolicyState(locked, defaults, [message], "cached")
    message = tr(
        "Die Richtlinie der IT ist fehlerhaft ({details}). Bis sie korrigiert ist, gelten "
        "Sicherheitssperren: kein freies Chatten, nur das Modell auf diesem PC, keine "
        "Server-Adressen, keine zusätzlichen Aufgabenordner. Bitte die IT-Abteilung informieren.",
        details=details,
    )
    return PolicyState(dict(LOCKDOWN), {}, [message], "lockdown")


# Keys whose values are credentials. The cache lives in the user's own folder, so their
# values are never written there (issue 18): only a SHA-256 to notice a change. A cached
# policy keeps such a key locked, but empty (the server then refuses with a clear message
# until IT's file is readable again) — a user who edits the cache gains nothing either way.
SECRET_KEYS = ("remote_api_key", "library_server_token")


def _secret_hash(value: Any) -> str:
    return "sha256:" + hashlib.sha256(str(value).encode("utf-8")).hexdigest()


def _without_secrets(table: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The table without credential values, and their hashes."""
    clean = {k: v for k, v in table.items() if k not in SECRET_KEYS}
    hashes = {k: _secret_hash(v) for k, v in table.items() if k in SECRET_KEYS and v}
    return clean, hashes


def _save_cache(
    cache_dir: Path, source: Path, locked: dict[str, Any], defaults: dict[str, Any]
) -> None:
    locked_clean, locked_secrets = _without_secrets(locked)
    defaults_clean, default_secrets = _without_secrets(defaults)
    payload: dict[str, Any] = {
        "source": str(source),
        "locked": locked_clean,
        "defaults": defaults_clean,
        "secrets": {"locked": locked_secrets, "defaults": default_secrets},
        "locked_secret_keys": sorted(k for k in SECRET_KEYS if k in locked),
    }
    path = cache_dir / CACHE_FILE
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
        if {k: old.get(k) for k in payload} == payload:
            return  # unchanged: no write at every start
    except (OSError, ValueError, AttributeError):
        pass
    payload["saved_at"] = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    # a read-only profile: the policy still applies, only the fallback stays older
    with contextlib.suppress(OSError):
        atomic_write_text(path, json.dumps(payload, indent=2, ensure_ascii=False))


def _load_cache(
    cache_dir: Path,
    coerce: Callable[[str, Any], Any],
    check: Callable[[str, Any], None],
    source: Path,
) -> tuple[dict[str, Any], dict[str, Any], str] | None:
    try:
        data = json.loads((cache_dir / CACHE_FILE).read_text(encoding="utf-8"))
        locked_raw = {k: v for k, v in dict(data["locked"]).items() if k not in SECRET_KEYS}
        for key in data.get("locked_secret_keys") or []:
            if key in SECRET_KEYS:
                locked_raw[key] = ""  # still locked; the value was never cached
        defaults_raw = {k: v for k, v in dict(data["defaults"]).items() if k not in SECRET_KEYS}
        raw = {**locked_raw, "defaults": defaults_raw}
        saved_at = str(data.get("saved_at", ""))
        cached_from = str(data.get("source", ""))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if cached_from != str(source):
        # A copy of another folder's policy (a test override, an older install path) is not
        # the last valid version of *this* file: lockdown rather than someone else's rules.
        return None
    locked, defaults, bad = parse_policy(raw, coerce, check)
    if bad:
        return None
    return locked, defaults, saved_at.replace("T", " ")[:16]
