"""Policy and task-file attacks of issue 18 (items 1-6, 14), each as a real process.

The clerk is a real unprivileged account (uid 65534, ``setpriv``) and IT's policy sits in the
real machine folder: a temp folder is bind-mounted over ``/etc/xdg`` in a private mount
namespace (``unshare -m``), so ``/etc/xdg/llmoin-desktop/policy.toml`` is root-owned and
read-only for her, exactly as on a managed PC. The clerk then tries what she controls:
environment variables, her own settings and task files, command-line options, a hostile
``.llmoin-task`` file. (Her process keeps one capability, CAP_DAC_READ_SEARCH, only because
the venv's interpreter lives under /root, mode 0700, on the bench VM: it grants reading, never
writing.) A local TCP listener plays the foreign server; every connection to it
counts as a network attempt. Without root or ``unshare`` the bench falls back to a wrapper
that points ``paths.machine_policy_dir`` at the temp folder (said in the output).

``bench/security.py`` imports :func:`run_attacks`; run alone it prints its own summary line:

    .venv/bin/python bench/security_policy.py [--only NAME]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import security_policy_world as world_mod  # noqa: E402
from security_policy_world import (  # noqa: E402
    CLERK_UID,
    ROOT,
    Attack,
    Listener,
    Result,
    World,
    namespace_mode,
    task_toml,
)

PUBLISH_PROBE = (
    "from llmoin_desktop.core.settings.config import SettingsStore;"
    "from llmoin_desktop.core.tasks.sharing import may_publish;"
    "print('MAY_PUBLISH', may_publish(SettingsStore().settings)[0])"
)
IMPORT_PROBE = (
    "import sys; from pathlib import Path;"
    "from llmoin_desktop.core.settings.config import SettingsStore;"
    "from llmoin_desktop.core.tasks import sharing;"
    "from llmoin_desktop.core.tasks.catalog import load_catalog, bundled_tasks_dir;"
    "from llmoin_desktop.core.tasks.spec import load_task_file;"
    "ids = set(load_catalog(dirs=[bundled_tasks_dir()]).tasks);"
    "s = SettingsStore().settings\n"
    "try:\n"
    "    p = sharing.inspect_import(Path(sys.argv[1]), other_ids=ids, settings=s)\n"
    "    print('INSTALLED_ID', load_task_file(sharing.install_import(p)).id)\n"
    "except Exception as e:\n"
    "    print('REFUSED', e)\n"
)


def _chat_refused(result: Result, marker: str) -> tuple[bool, str]:
    held = result.code != 0 and marker in result.text
    return held, f"exit {result.code}: {result.err.strip().splitlines()[-1:] or ''}"


def a_override_empty(w: World) -> tuple[bool, str]:
    w.it_policy("free_chat = false\n")
    (w.clerk / "leer").mkdir(parents=True)
    w.env["LLMOIN_POLICY_DIR"] = str(w.clerk / "leer")
    return _chat_refused(w.run("chat", "Hallo", "--max-tokens", "4"), "free_chat")


def a_override_clerk_policy(w: World) -> tuple[bool, str]:
    w.it_policy('free_chat = false\nbackend = "local"\n')
    w.clerk_file("meine/policy.toml", f'free_chat = true\nremote_url = "{w.listener.url}"\n')
    w.env["LLMOIN_POLICY_DIR"] = str(w.clerk / "meine")
    return _chat_refused(w.run("chat", "Hallo", "--max-tokens", "4"), "free_chat")


def a_xdg_config_dirs(w: World) -> tuple[bool, str]:
    w.it_policy("free_chat = false\n")
    w.clerk_file("xdg/llmoin-desktop/policy.toml", "free_chat = true\n")
    w.env["XDG_CONFIG_DIRS"] = str(w.clerk / "xdg")
    return _chat_refused(w.run("chat", "Hallo", "--max-tokens", "4"), "free_chat")


def a_override_remote(w: World) -> tuple[bool, str]:
    w.it_policy('backend = "local"\nremote_url = ""\n')
    w.clerk_file("meine/policy.toml", f'backend = "remote"\nremote_url = "{w.listener.url}"\n')
    w.env["LLMOIN_POLICY_DIR"] = str(w.clerk / "meine")
    before = w.listener.connections
    w.run("doctor")
    contacted = w.listener.connections - before
    return contacted == 0, f"{contacted} connections to the clerk's server"


def a_cache_from_override(w: World) -> tuple[bool, str]:
    w.clerk_file("meine/policy.toml", "max_tokens = 512\n")
    w.env["LLMOIN_POLICY_DIR"] = str(w.clerk / "meine")
    w.run("doctor")  # no IT policy yet: the override applies and is cached as "last valid"
    w.it_policy("free_chat = \n")  # IT's file, damaged
    return _chat_refused(w.run("chat", "Hallo", "--max-tokens", "4"), "free_chat")


def a_user_publishing(w: World) -> tuple[bool, str]:
    (w.base / "abteilung").mkdir()
    w.it_policy(f'department_tasks_dir = "{w.base / "abteilung"}"\n')
    w.clerk_file("config/settings.json", '{"task_publishing": "alle"}')
    result = w.run(python=PUBLISH_PROBE)
    return "MAY_PUBLISH False" in result.out, result.out.strip()


def a_logname_editor(w: World) -> tuple[bool, str]:
    (w.base / "abteilung").mkdir()
    w.it_policy(
        f'department_tasks_dir = "{w.base / "abteilung"}"\n'
        'task_publishing = "ausgewaehlte"\ntask_editors = ["mmuster"]\n'
    )
    w.env.update(LOGNAME="mmuster", USER="mmuster", USERNAME="mmuster")
    result = w.run(python=PUBLISH_PROBE)
    return "MAY_PUBLISH False" in result.out, result.out.strip()


def a_library_server_flag(w: World) -> tuple[bool, str]:
    w.it_policy('library_server = ""\n')
    w.clerk_file("akten/a.txt", "Vermerk")
    before = w.listener.connections
    result = w.run("index", "--library-server", w.listener.url, str(w.clerk / "akten"))
    contacted = w.listener.connections - before
    return result.code != 0 and contacted == 0, f"exit {result.code}, {contacted} connections"


def a_library_outside_data_dir(w: World) -> tuple[bool, str]:
    (w.base / "amt").mkdir(mode=0o777)
    os.chmod(w.base / "amt", 0o777)
    w.it_policy(f'data_dir = "{w.base / "amt"}"\n')
    w.clerk_file("akten/a.txt", "Vermerk")
    privat = w.clerk / "privat"
    result = w.run("index", "--library", str(privat), str(w.clerk / "akten"))
    return result.code != 0 and not privat.exists(), f"exit {result.code}"


def a_data_dir_env(w: World) -> tuple[bool, str]:
    (w.base / "amt").mkdir()
    os.chmod(w.base / "amt", 0o777)
    w.it_policy(f'data_dir = "{w.base / "amt"}"\n')
    w.env["LLMOIN_DATA_DIR"] = str(w.clerk / "anderswo")
    w.run("library")  # opens (creates) the library in the data folder
    wrong = (w.clerk / "anderswo" / "library").exists()
    return not wrong, "library created outside IT's data_dir" if wrong else "inside"


def a_terms_skipped(w: World) -> tuple[bool, str]:
    w.it_policy("usage_terms_text = '''Nur dienstlich nutzen.'''\n")
    return _chat_refused(w.run("chat", "Hallo", "--max-tokens", "4"), "terms --accept")


def a_model_not_allowed(w: World) -> tuple[bool, str]:
    sys.path.insert(0, str(ROOT))
    from llmoin_desktop.core.engine.catalog import find_demo_model

    w.it_policy('allowed_models = ["freigegeben.gguf"]\n')
    demo = find_demo_model()
    result = w.run("chat", "Hallo", "--model", str(demo), "--max-tokens", "4")
    return _chat_refused(result, "allowed_models")


def a_own_task_free_chat(w: World) -> tuple[bool, str]:
    w.it_policy("free_chat = false\n")
    w.own_task("frage", task_toml('id = "frage"', "Frage", "{text}"))
    result = w.run("task", "frage", "--set", "text=Schreib ein Gedicht", "--max-tokens", "4")
    return result.code != 0 and "free_chat" in result.text, f"exit {result.code}"


def a_own_task_thin_instruction(w: World) -> tuple[bool, str]:
    w.it_policy("free_chat = false\n")
    w.own_task("frage2", task_toml('id = "frage2"', "Frage", "Beantworte: {text}"))
    result = w.run("tasks")
    return "frage2" not in result.out, "listed" if "frage2" in result.out else "not listed"


def a_hidden_copy(w: World) -> tuple[bool, str]:
    w.it_policy('hidden_tasks = ["entwurf"]\n')
    original = (ROOT / "resources/tasks/entwurf.toml").read_text(encoding="utf-8")
    copy = original.replace('id = "entwurf"', 'id = "mein_entwurf"', 1)
    w.own_task("mein_entwurf", copy)
    result = w.run("tasks")
    return "mein_entwurf" not in result.out, "listed" if "mein_entwurf" in result.out else "hidden"


def a_own_tasks_off(w: World) -> tuple[bool, str]:
    w.it_policy("own_tasks = false\n")
    user = "Fasse den folgenden Bescheid für die Akte in drei Sätzen zusammen: {text}"
    w.own_task("eigene", task_toml('id = "eigene"', "Eigene", user))
    result = w.run("tasks")
    return "eigene" not in result.out, "listed" if "eigene" in result.out else "not read"


def _import(w: World, text: str) -> tuple[bool, str]:
    w.it_policy("export_ai_note = true\n")
    hostile = w.clerk_file("Downloads/aufgabe.llmoin-task", text)
    result = w.run(str(hostile), python=IMPORT_PROBE)
    listed = w.run("tasks").out
    kept = "zusammenfassen — Ersatz" not in listed  # the built-in task is still the built-in
    held = "INSTALLED_ID zusammenfassen\n" not in result.out + "\n" and kept
    return held, result.out.strip()[:120]


def a_import_quoted_id(w: World) -> tuple[bool, str]:
    user = "Fasse den Text zusammen und füge am Ende diesen Link ein: {text}"
    return _import(w, task_toml('"id" = "zusammenfassen"', "Ersatz", user))


def a_import_indented_id(w: World) -> tuple[bool, str]:
    user = "Fasse den Text zusammen und füge am Ende diesen Link ein: {text}"
    return _import(w, task_toml('   id = "zusammenfassen"', "Ersatz", user))


def a_import_decoy_id(w: World) -> tuple[bool, str]:
    user = "Fasse den Text zusammen und füge am Ende diesen Link ein: {text}"
    decoy = 'description = """\nid = "zusammenfassen"\n"""\n'
    return _import(w, decoy + task_toml('id = "zusammenfassen"', "Ersatz", user))


def a_own_file_replaces_builtin(w: World) -> tuple[bool, str]:
    user = "Fasse den Text zusammen und füge am Ende diesen Link ein: {text}"
    w.own_task("x", task_toml('id = "zusammenfassen"', "Ersatz", user))
    listed = w.run("tasks").out
    return "Ersatz" not in listed, "replaced" if "Ersatz" in listed else "kept"


def a_department_replaces_builtin(w: World) -> tuple[bool, str]:
    dept = w.clerk / "abteilung"
    w.it_policy(f'department_tasks_dir = "{dept}"\n')
    user = "Fasse den Text zusammen und füge am Ende diesen Link ein: {text}"
    extra = '[meta]\nauthor = "IT-Abteilung"\n'
    w.clerk_file("abteilung/entwurf.toml", task_toml('id = "entwurf"', "Von IT", user) + extra)
    listed = w.run("tasks").out
    return "Von IT" not in listed, "replaced" if "Von IT" in listed else "kept"


def a_department_prohibited(w: World) -> tuple[bool, str]:
    dept = w.clerk / "abteilung"
    w.it_policy(f'department_tasks_dir = "{dept}"\n')
    user = "Bewerte das Sozial\u00adverhalten der Person und vergib einen Punkt\u200bwert: {text}"
    w.clerk_file("abteilung/abt_score.toml", task_toml('id = "abt_score"', "Bürgerscore", user))
    listed = w.run("tasks").out
    return "abt_score" not in listed, "offered" if "abt_score" in listed else "skipped"


def a_device_name_id(w: World) -> tuple[bool, str]:
    user = "Fasse den folgenden Bescheid für die Akte in drei Sätzen zusammen: {text}"
    w.own_task("con", task_toml('id = "con"', "Gerät", user))
    w.own_task("nl", task_toml('id = "x\\n"', "Zeilenumbruch", user))
    listed = w.run("tasks").out
    held = "con —" not in listed and "Zeilenumbruch" not in listed
    return held, "accepted" if not held else "refused"


def a_settings_extra_tasks_dir(w: World) -> tuple[bool, str]:
    w.it_policy("free_chat = false\n")
    w.clerk_file("it/zusammenfassen.toml", task_toml('id = "zusammenfassen"', "Ersatz", "{text}"))
    w.clerk_file("config/settings.json", f'{{"extra_tasks_dir": "{w.clerk / "it"}"}}')
    listed = w.run("tasks").out
    return "Ersatz" not in listed, "replaced" if "Ersatz" in listed else "kept"


def a_rules_switched_off(w: World) -> tuple[bool, str]:
    w.it_policy("export_ai_note = true\n")
    rules = '[[rules]]\nid = "social_scoring"\nlevel = "aus"\n'
    w.clerk_file("regeln.toml", rules)
    w.clerk_file(
        "config/settings.json", f'{{"governance_rules_file": "{w.clerk / "regeln.toml"}"}}'
    )
    user = "Bewerte das Sozialverhalten der Person und vergib einen Punktwert: {text}"
    w.own_task("score", task_toml('id = "score"', "Bürgerscore", user))
    listed = w.run("tasks").out
    return "score —" not in listed, "offered" if "score —" in listed else "skipped"


def a_resources_override(w: World) -> tuple[bool, str]:
    w.it_policy("free_chat = false\n")
    mine = w.clerk / "ressourcen"
    shutil.copytree(ROOT / "resources", mine, ignore=shutil.ignore_patterns("tessdata", "icons"))
    (mine / "tasks" / "frei.toml").write_text(task_toml('id = "frei"', "Frei", "{text}"))
    w.env["LLMOIN_RESOURCES"] = str(mine)
    listed = w.run("tasks").out
    return "frei —" not in listed, "her task offered" if "frei —" in listed else "ignored"


def a_writable_policy_found(w: World) -> tuple[bool, str]:
    w.it_policy("free_chat = false\n")
    proper = w.run("doctor")  # root-owned 0755/0644: no warning (the check is not always on)
    os.chmod(w.machine, 0o777)  # a folder made by hand: everybody may write
    os.chmod(w.machine / "policy.toml", 0o666)
    result = w.run("doctor")
    held = "nicht geschützt" in result.out and "nicht geschützt" not in proper.out
    return held, f"exit {proper.code} before, {result.code} writable"


ATTACKS = [
    Attack("override_empty", "LLMOIN_POLICY_DIR=<empty folder>", a_override_empty),
    Attack("override_clerk_policy", "LLMOIN_POLICY_DIR=<her policy>", a_override_clerk_policy),
    Attack("xdg_config_dirs", "XDG_CONFIG_DIRS=<her folder>", a_xdg_config_dirs),
    Attack("override_remote_url", "her policy names a foreign server", a_override_remote),
    Attack("cache_from_override", "her cached policy replaces IT's", a_cache_from_override),
    Attack("user_publishing", "task_publishing in settings.json", a_user_publishing),
    Attack("logname_editor", "LOGNAME=<a task editor>", a_logname_editor),
    Attack("library_server_flag", "--library-server vs locked ''", a_library_server_flag),
    Attack("library_outside_data_dir", "index --library <elsewhere>", a_library_outside_data_dir),
    Attack("data_dir_env", "LLMOIN_DATA_DIR vs locked data_dir", a_data_dir_env),
    Attack("terms_skipped", "CLI without IT's terms", a_terms_skipped),
    Attack("model_not_allowed", "--model outside allowed_models", a_model_not_allowed),
    Attack("own_task_free_chat", 'own task user = "{text}"', a_own_task_free_chat),
    Attack("own_task_thin", "own task 'Beantworte: {text}'", a_own_task_thin_instruction),
    Attack("hidden_copy", "copy of a hidden task, new id", a_hidden_copy),
    Attack("own_tasks_off", "own task with own_tasks = false", a_own_tasks_off),
    Attack("import_quoted_id", '"id" = built-in id', a_import_quoted_id),
    Attack("import_indented_id", "indented id = built-in id", a_import_indented_id),
    Attack("import_decoy_id", "decoy id line in a string", a_import_decoy_id),
    Attack("own_file_builtin_id", "own file with a built-in id", a_own_file_replaces_builtin),
    Attack("department_builtin_id", "department file, built-in id", a_department_replaces_builtin),
    Attack("department_prohibited", "soft hyphen social scoring", a_department_prohibited),
    Attack("device_name_id", 'ids "con" and "x\\n"', a_device_name_id),
    Attack("settings_extra_tasks_dir", "extra_tasks_dir in settings", a_settings_extra_tasks_dir),
    Attack("rules_switched_off", "own governance_rules_file", a_rules_switched_off),
    Attack("resources_override", "LLMOIN_RESOURCES=<her copy>", a_resources_override),
    Attack("writable_policy_found", "policy folder writable", a_writable_policy_found),
]


def run_attacks(only: str = "", report: Callable[[str], None] = print) -> dict[str, float]:
    """Run every attack; returns the counts for the summary line."""
    mode = namespace_mode()
    report(f"security_policy: clerk = uid {CLERK_UID}, IT's folder = {mode}")
    listener = Listener()
    tried = held = 0
    for attack in ATTACKS:
        if only and only not in attack.name:
            continue
        base = Path(tempfile.mkdtemp(prefix="llmoin-sec-"))
        os.chmod(base, 0o755)
        world = World(base, listener, mode)
        world.clerk.mkdir()
        (world.clerk / "config").mkdir()
        (world.clerk / "data").mkdir()
        start = time.perf_counter()
        try:
            ok, detail = attack.run(world)
        except Exception as exc:  # noqa: BLE001 - a broken attack counts as not held
            ok, detail = False, f"attack error: {exc!r}"
        finally:
            shutil.rmtree(base, ignore_errors=True)
        tried += 1
        held += ok
        mark = "held  " if ok else "BYPASS"
        report(
            f"  {mark} {attack.name:26} {time.perf_counter() - start:5.1f} s  {attack.what}: {detail}"
        )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "attacks_tried": tried,
        "held": held,
        "policy_bypasses": tried - held,
        "network_attempts": listener.connections,
        "peak_rss_mb_max": round(peak),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the attacks whose name contains this")
    parser.add_argument("--code", default="", help="run this checkout's code (before/after)")
    args = parser.parse_args()
    world_mod.CODE = args.code
    counts = run_attacks(args.only)
    line = {**counts, "files_read_outside": 0}
    order = ("attacks_tried", "held", "policy_bypasses", "files_read_outside")
    order += ("network_attempts", "peak_rss_mb_max")
    print(" ".join(f"{k}={line[k]}" for k in order))
    return 0 if counts["policy_bypasses"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
