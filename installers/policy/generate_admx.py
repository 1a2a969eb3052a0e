"""Write the Group Policy templates (ADMX + ADML de-DE/en-US) from policy_keys.py.

    python installers/policy/generate_admx.py            # rewrite the files beside this script
    python installers/policy/generate_admx.py --check    # exit 1 if they are out of date
    python installers/policy/generate_admx.py --markdown # the key table for docs/rollout.md

Each key appears twice: under "Festgelegt" (``HKLM\\Software\\Policies\\LLMoin\\Desktop``:
locked, greyed out in the app) and under "Voreinstellungen" (the ``Defaults`` sub-key:
a machine default the user may change), matching ``core/settings/policy_registry.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from policy_keys import DEFAULTS_SUBKEY, GROUPS, KEYS, REGISTRY_KEY, PolicyKey  # noqa: E402

NAMESPACE = "LLMoin.Policies.Desktop"
PREFIX = "llmoin"
BASE = "LLMoinDesktop"
REVISION = "1.0"
XMLNS = "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"
LAYERS = (("Locked", REGISTRY_KEY), ("Defaults", REGISTRY_KEY + "\\" + DEFAULTS_SUBKEY))


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _policy_name(layer: str, key: str) -> str:
    return key if layer == "Locked" else f"Default_{key}"


def _element(k: PolicyKey) -> str:
    if k.kind in ("text", "list"):
        return f'<text id="{k.key}" valueName="{k.key}" maxLength="1023" />'
    if k.kind == "multitext":
        return f'<multiText id="{k.key}" valueName="{k.key}" maxLength="8192" />'
    if k.kind == "decimal":
        return (
            f'<decimal id="{k.key}" valueName="{k.key}" minValue="{k.minimum}" '
            f'maxValue="{k.maximum}" />'
        )
    if k.kind == "enum":
        items = "".join(
            f'<item displayName="$(string.{k.key}_{value})"><value><string>{value}</string>'
            "</value></item>"
            for value, _de, _en in k.options
        )
        return f'<enum id="{k.key}" valueName="{k.key}" required="true">{items}</enum>'
    raise ValueError(k.kind)


def admx() -> str:
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="{REVISION}" '
        f'schemaVersion="1.0" xmlns="{XMLNS}">',
        "  <policyNamespaces>",
        f'    <target prefix="{PREFIX}" namespace="{NAMESPACE}" />',
        '    <using prefix="windows" namespace="Microsoft.Policies.Windows" />',
        "  </policyNamespaces>",
        f'  <resources minRequiredRevision="{REVISION}" />',
        "  <supportedOn>",
        "    <definitions>",
        '      <definition name="SUPPORTED_LLMoin_0_1" '
        'displayName="$(string.SUPPORTED_LLMoin_0_1)" />',
        "    </definitions>",
        "  </supportedOn>",
        "  <categories>",
        '    <category name="LLMoin" displayName="$(string.Cat_LLMoin)" />',
    ]
    for layer, _key in LAYERS:
        lines.append(
            f'    <category name="LLMoin_{layer}" displayName="$(string.Cat_{layer})">'
            '<parentCategory ref="LLMoin" /></category>'
        )
        for group in GROUPS:
            lines.append(
                f'    <category name="LLMoin_{layer}_{group}" '
                f'displayName="$(string.Group_{group})"><parentCategory ref="LLMoin_{layer}" />'
                "</category>"
            )
    lines += ["  </categories>", "  <policies>"]
    for layer, reg in LAYERS:
        for k in KEYS:
            name = _policy_name(layer, k.key)
            head = (
                f'    <policy name="{name}" class="Machine" displayName="$(string.{k.key})" '
                f'explainText="$(string.{k.key}_Help)" key="{_attr(reg)}"'
            )
            body = [
                f'      <parentCategory ref="LLMoin_{layer}_{k.group}" />',
                '      <supportedOn ref="SUPPORTED_LLMoin_0_1" />',
            ]
            if k.kind == "boolean":
                head += f' valueName="{k.key}">'
                body += [
                    '      <enabledValue><decimal value="1" /></enabledValue>',
                    '      <disabledValue><decimal value="0" /></disabledValue>',
                ]
            else:
                head += f' presentation="$(presentation.P_{name})">'
                body.append(f"      <elements>{_element(k)}</elements>")
            lines += [head, *body, "    </policy>"]
    lines += ["  </policies>", "</policyDefinitions>", ""]
    return "\n".join(lines)


def _presentation(k: PolicyKey, name: str, label: str) -> str:
    if k.kind in ("text", "list"):
        control = (
            f'<textBox refId="{k.key}"><label>{escape(label)}</label>'
            f"<defaultValue>{escape(_example_text(k))}</defaultValue></textBox>"
        )
    elif k.kind == "multitext":
        control = f'<multiTextBox refId="{k.key}">{escape(label)}</multiTextBox>'
    elif k.kind == "decimal":
        control = (
            f'<decimalTextBox refId="{k.key}" defaultValue="{int(k.example)}" spinStep="1">'
            f"{escape(label)}</decimalTextBox>"
        )
    else:  # enum
        control = f'<dropdownList refId="{k.key}" noSort="true">{escape(label)}</dropdownList>'
    return f'      <presentation id="P_{name}">{control}</presentation>'


def _example_text(k: PolicyKey) -> str:
    if isinstance(k.example, list):
        return ",".join(k.example)
    return str(k.example)


def adml(lang: str) -> str:
    de = lang == "de-DE"
    strings = {
        "SUPPORTED_LLMoin_0_1": "LLMoin Desktop 0.1 oder neuer"
        if de
        else "LLMoin Desktop 0.1 or later",
        "Cat_LLMoin": "LLMoin Desktop",
        "Cat_Locked": "Festgelegt (für Benutzer gesperrt)" if de else "Enforced (locked for users)",
        "Cat_Defaults": "Voreinstellungen (vom Benutzer änderbar)"
        if de
        else "Defaults (users may change them)",
    }
    for group, (g_de, g_en) in GROUPS.items():
        strings[f"Group_{group}"] = g_de if de else g_en
    for k in KEYS:
        strings[k.key] = k.de if de else k.en
        key_line = (
            f"Schlüssel in policy.toml und Registrierungswert: {k.key}"
            if de
            else f"Key in policy.toml and registry value: {k.key}"
        )
        strings[f"{k.key}_Help"] = f"{k.de_help if de else k.en_help}\n\n{key_line}"
        for value, o_de, o_en in k.options:
            strings[f"{k.key}_{value}"] = o_de if de else o_en
    description = (
        "Richtlinien für LLMoin Desktop (lokaler KI-Assistent)"
        if de
        else "Policies for LLMoin Desktop (local AI assistant)"
    )
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="{REVISION}" '
        f'schemaVersion="1.0" xmlns="{XMLNS}">',
        "  <displayName>LLMoin Desktop</displayName>",
        f"  <description>{escape(description)}</description>",
        "  <resources>",
        "    <stringTable>",
    ]
    lines += [f'      <string id="{sid}">{escape(text)}</string>' for sid, text in strings.items()]
    lines += ["    </stringTable>", "    <presentationTable>"]
    for layer, _reg in LAYERS:
        for k in KEYS:
            if k.kind != "boolean":
                name = _policy_name(layer, k.key)
                lines.append(_presentation(k, name, k.de if de else k.en))
    lines += ["    </presentationTable>", "  </resources>", "</policyDefinitionResources>", ""]
    return "\n".join(lines)


def outputs() -> dict[Path, str]:
    return {
        HERE / f"{BASE}.admx": admx(),
        HERE / "de-DE" / f"{BASE}.adml": adml("de-DE"),
        HERE / "en-US" / f"{BASE}.adml": adml("en-US"),
    }


def markdown() -> str:
    """Key table for docs/rollout.md (English descriptions, TOML examples)."""
    import json

    rows = ["| key | type | meaning | example |", "|---|---|---|---|"]
    kinds = {
        "text": "text",
        "multitext": "text (lines)",
        "decimal": "integer",
        "boolean": "true/false",
        "enum": "choice",
        "list": "list",
    }
    for k in KEYS:
        example = json.dumps(k.example, ensure_ascii=False)
        if isinstance(k.example, bool):
            example = str(k.example).lower()
        help_text = k.en_help.replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{k.key}` | {kinds[k.kind]} | {help_text} | `{example}` |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown())
        return 0
    stale = []
    for path, text in outputs().items():
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8", newline="\n")
    if args.check and stale:
        print("out of date: " + ", ".join(str(p) for p in stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
