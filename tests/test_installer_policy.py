"""Group Policy templates and the example policy.toml cover every setting and really work.

The ADMX/ADML files are generated from installers/policy/policy_keys.py; these tests fail when
a key is added to ``Settings`` without a policy entry, when the committed templates are stale,
or when a reference inside them (string, presentation, element id) does not resolve.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from llmoin_desktop.core.settings.config import SETTING_KEYS, SettingsStore, coerce

POLICY = Path(__file__).resolve().parents[1] / "installers" / "policy"
NS = {"p": "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"}
ADMX = POLICY / "LLMoinDesktop.admx"
ADMLS = [POLICY / "de-DE" / "LLMoinDesktop.adml", POLICY / "en-US" / "LLMoinDesktop.adml"]


def _load(name: str):  # noqa: ANN202 - a module loaded from a path
    spec = importlib.util.spec_from_file_location(name, POLICY / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_policy_key_table_covers_every_setting_exactly() -> None:
    keys = _load("policy_keys")
    table = [k.key for k in keys.KEYS]
    assert len(table) == len(set(table))
    assert set(table) == set(SETTING_KEYS)
    for k in keys.KEYS:
        coerce(k.key, k.example)  # every documented example is a valid value
        assert k.de_help and k.en_help and k.group in keys.GROUPS


def test_committed_templates_are_up_to_date() -> None:
    generator = _load("generate_admx")
    assert generator.main(["--check"]) == 0, "run: python installers/policy/generate_admx.py"


def test_admx_is_well_formed_and_has_a_locked_and_a_default_policy_per_key() -> None:
    root = ET.parse(ADMX).getroot()
    policies = root.findall("p:policies/p:policy", NS)
    locked = {
        p.get("name"): p for p in policies if p.get("key") == r"Software\Policies\LLMoin\Desktop"
    }
    defaults = {
        p.get("name"): p
        for p in policies
        if p.get("key") == r"Software\Policies\LLMoin\Desktop\Defaults"
    }
    assert set(locked) == set(SETTING_KEYS)
    assert set(defaults) == {f"Default_{k}" for k in SETTING_KEYS}
    for policy in policies:
        assert policy.get("class") == "Machine"
        # The registry value name must be the settings key: policy_registry.py reads it as-is.
        names = {policy.get("valueName")} | {
            e.get("valueName") for e in policy.iter() if e.get("valueName")
        }
        names.discard(None)
        assert names == {policy.get("name").removeprefix("Default_")}


@pytest.mark.parametrize("adml", ADMLS, ids=lambda p: p.parent.name)
def test_every_reference_in_the_admx_resolves_in_the_adml(adml: Path) -> None:
    admx_text = ADMX.read_text(encoding="utf-8")
    root = ET.parse(adml).getroot()
    strings = {s.get("id"): s.text or "" for s in root.iter(f"{{{NS['p']}}}string")}
    presentations = {p.get("id"): p for p in root.iter(f"{{{NS['p']}}}presentation")}
    for ref in re.findall(r"\$\(string\.(\w+)\)", admx_text):
        assert strings.get(ref, "").strip(), f"{adml.parent.name}: string {ref} missing"
    admx_root = ET.parse(ADMX).getroot()
    for policy in admx_root.findall("p:policies/p:policy", NS):
        ref = policy.get("presentation")
        elements = policy.find("p:elements", NS)
        if ref is None:
            assert elements is None  # booleans: enabled/disabled value only
            continue
        pres = presentations[re.fullmatch(r"\$\(presentation\.(\w+)\)", ref).group(1)]
        element_ids = {e.get("id") for e in elements}
        control_refs = {c.get("refId") for c in pres}
        assert control_refs == element_ids, policy.get("name")
    # German file in German, English file in English.
    sample = strings["free_chat"]
    assert sample == (
        "Freies Chatten erlauben" if adml.parent.name == "de-DE" else "Allow free chat"
    )


def test_example_policy_parses_with_top_level_keys_locked(isolated_dirs: dict[str, Path]) -> None:
    example = POLICY / "policy.example.toml"
    shutil.copy(example, isolated_dirs["policy"] / "policy.toml")
    store = SettingsStore()
    assert store.problems == []
    with example.open("rb") as fh:
        raw = tomllib.load(fh)
    top = {k for k in raw if k != "defaults"}
    assert top and set(raw["defaults"])
    for key in top:
        assert store.is_locked(key) and store.source(key) == "policy"
    for key in raw["defaults"]:
        assert not store.is_locked(key) and store.source(key) == "policy-default"
    assert store.settings.free_chat is False
    assert store.settings.hidden_tasks == ["extrahieren"]
    assert (
        store.settings.usage_terms_text.splitlines()[0] == "Ergebnisse vor der Verwendung prüfen."
    )
    store.set("font_scale", 150)  # a [defaults] key stays changeable …
    from llmoin_desktop.core.errors import SettingLocked

    with pytest.raises(SettingLocked):  # … a locked one does not
        store.set("free_chat", True)


def test_example_policy_mentions_every_key_with_a_valid_commented_example() -> None:
    """Uncommenting any example line must give a valid policy (IT copies them)."""
    text = (POLICY / "policy.example.toml").read_text(encoding="utf-8")
    mentioned = set()
    for line in text.splitlines():
        m = re.match(r"^#?\s*([a-z_]+) = (.+?)(\s+#.*)?$", line)
        if not m or m.group(1) not in SETTING_KEYS:
            continue
        mentioned.add(m.group(1))
        if line.startswith("#"):
            value = tomllib.loads(f"v = {m.group(2)}")["v"]
            assert coerce(m.group(1), value) is not None
    assert mentioned == set(SETTING_KEYS)


def test_documented_linux_policy_path_is_where_the_app_looks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import platformdirs

    from llmoin_desktop.core import paths

    monkeypatch.delenv("LLMOIN_POLICY_DIR")
    expected = platformdirs.unix.Unix(paths.APP_NAME, paths.APP_AUTHOR).site_config_dir
    assert expected.startswith("/etc/xdg/")
    example = (POLICY / "policy.example.toml").read_text(encoding="utf-8")
    assert f"{expected}/policy.toml" in example
    if sys.platform.startswith("linux"):
        assert str(paths.site_config_dir()).startswith(expected)
