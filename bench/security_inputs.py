"""Hostile inputs and data at rest (issue 18, items 7-9, 12, 13), each attack a real process.

Files are made here in a temp folder (``security_files.py``): a 600-byte PDF with a 30000-pt
page, .odt/.docx bombs that expand to gigabytes, a task file and a file name carrying
``<img src=…>``. Every parser run is measured (peak RSS of the process and its workers), every
GUI probe watches the bait image with inotify (an open counts as a file read outside), the
network probes log every lookup and connection through the app's own network guard.

``bench/security.py`` imports :func:`run_attacks`; run alone it prints its own summary line:

    .venv/bin/python bench/security_inputs.py [--only NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from security_files import (  # noqa: E402
    OpenWatch,
    bait_image,
    docx_zip_bomb,
    hostile_strings,
    odt_text_bomb,
    pdf_with_page,
)

PY = str(ROOT / ".venv" / "bin" / "python")
PROBES = str(ROOT / "bench" / "security_probes.py")
RSS_GOAL_MB = 1536
CODE = ""  # --code: another checkout's package
SCAN = ROOT.parent / "shared" / "corpus" / "scans" / "beschwerde-laerm-foto.jpg"


@dataclass
class Outcome:
    held: bool
    detail: str
    rss_mb: int = 0
    files_read: int = 0
    network: int = 0


@dataclass
class World:
    """One attack's folders and the environment of the clerk's processes."""

    base: Path

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LLMOIN_", "XDG_"))}
        env.update(
            HOME=str(self.base / "home"),
            LLMOIN_CONFIG_DIR=str(self.base / "config"),
            LLMOIN_DATA_DIR=str(self.base / "data"),
            LLMOIN_POLICY_DIR=str(self.base / "policy"),
            LLMOIN_LIBRARY_DIR=str(self.base / "bibliothek"),
            QT_QPA_PLATFORM="offscreen",
            LANG="C.UTF-8",
        )
        if CODE:  # run another checkout's package (before/after comparisons)
            env.update(PYTHONPATH=CODE, LLMOIN_BENCH_CODE=CODE)
        return env

    def policy(self, text: str) -> None:
        (self.base / "policy").mkdir(exist_ok=True)
        (self.base / "policy" / "policy.toml").write_text(text, encoding="utf-8")

    def settings(self, data: dict[str, object]) -> None:
        (self.base / "config").mkdir(exist_ok=True)
        (self.base / "config" / "settings.json").write_text(json.dumps(data), encoding="utf-8")

    def run(self, *argv: str, timeout: int = 300, cwd: Path | None = None) -> tuple[dict, str]:
        """``argv`` under the RSS meter; (the probe's RESULT, stdout+stderr)."""
        cmd = [PY, PROBES, "measure", "--", *argv]
        proc = subprocess.run(
            cmd,
            env=self.env,
            cwd=str(cwd or self.base),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
        )
        results = [json.loads(x[7:]) for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
        meter = results[-1] if results else {"code": -1}
        inner = results[0] if len(results) > 1 else {}
        meter.update({f"probe_{k}": v for k, v in inner.items()})
        return meter, proc.stdout + proc.stderr

    def cli(self, *args: str, timeout: int = 300) -> tuple[dict, str]:
        return self.run(PY, "-m", "llmoin_desktop", *args, timeout=timeout)

    def probe(self, *args: str, timeout: int = 300, cwd: Path | None = None) -> tuple[dict, str]:
        return self.run(PY, PROBES, *args, timeout=timeout, cwd=cwd)


def _rss(meter: dict) -> int:
    return int(max(meter.get("children_rss_mb", 0), meter.get("probe_self_rss_mb", 0)))


def _parse_attack(
    make: Callable[[Path], Path], words: tuple[str, ...]
) -> Callable[[World], Outcome]:
    """Read a hostile file with the CLI (sandboxed parser): a clear message, no traceback,
    the parser's peak RSS within the goal."""

    def attack(w: World) -> Outcome:
        path = make(w.base)
        meter, text = w.cli("read", str(path), timeout=600)
        rss = _rss(meter)
        clear = "Traceback" not in text and (not words or any(x in text for x in words))
        held = clear and rss <= RSS_GOAL_MB and meter.get("seconds", 999) < 300
        first = next((x for x in text.splitlines() if "„" in x), "read, no error")
        return Outcome(held, f"{meter.get('seconds')} s, {rss} MB: {first[:110]}", rss)

    return attack


MEMORY_WORDS = ("Arbeitsspeicher", "Millionen Zeichen", "zu groß")


def a_viewer_huge_page(w: World) -> Outcome:
    pdf = pdf_with_page(w.base / "riesig.pdf", 30000, 30000)
    meter, _text = w.probe("viewer", str(pdf))
    rss = _rss(meter)
    message = str(meter.get("probe_message", ""))
    held = "ungewöhnlich groß" in message and rss <= RSS_GOAL_MB
    held = held and float(meter.get("probe_seconds", 99)) < 10
    return Outcome(
        held, f"{pdf.stat().st_size} bytes, {meter.get('probe_seconds')} s, {rss} MB", rss
    )


def a_viewer_long_page(w: World) -> Outcome:
    pdf = pdf_with_page(w.base / "lang.pdf", 600, 14400)
    meter, _text = w.probe("viewer", str(pdf))
    rss, pixels = _rss(meter), int(meter.get("probe_pixels", 0))
    held = 0 < pixels <= 16_000_000 and rss <= RSS_GOAL_MB
    return Outcome(held, f"rendered {pixels} px, {rss} MB", rss)


def a_text_cap(w: World) -> Outcome:
    small = w.base / "klein.txt"
    small.write_text("klein", encoding="utf-8")
    meter, _text = w.probe("text-cap", str(small))
    message = str(meter.get("probe_message", ""))
    return Outcome("Millionen Zeichen" in message, message[:100], _rss(meter))


def _gui_outcome(meter: dict, watch: OpenWatch, image: Path, need: str) -> Outcome:
    opened = 1 if image.name in watch.opened() else 0
    problems = meter.get("probe_problems", ["probe failed"])
    done = int(meter.get(f"probe_{need}", 0))
    held = not opened and not problems and done > 0
    detail = f"{need}={done}, bait opened={bool(opened)}, markup={problems[:2]}"
    return Outcome(held, detail, _rss(meter), files_read=opened)


def _hostile_task(w: World, image: Path, task_id: str) -> str:
    h = hostile_strings(image)
    return (
        f"id = \"{task_id}\"\ntitle = '{h[0]}'\ndescription = '{h[1]}'\noutput = \"prose\"\n\n"
        f"[[fields]]\nname = \"text\"\nkind = \"longtext\"\nlabel = '{h[2]}'\nhelp = '{h[3]}'\n"
        "source = true\n\n[prompt]\n"
        'system = "Du bist ein sorgfältiger Assistent für die Verwaltung."\n'
        'user = "Fasse den folgenden Text zusammen und nenne alle Fristen:\\n{text}"\n'
    )


def a_task_markup(w: World) -> Outcome:
    bait = w.base / "koeder"
    bait.mkdir()
    image = bait_image(bait)
    tasks = w.base / "config" / "tasks"
    tasks.mkdir(parents=True)
    (tasks / "boese.toml").write_text(_hostile_task(w, image, "boese_titel"), encoding="utf-8")
    shared = w.base / "Bescheid.llmoin-task"
    shared.write_text(_hostile_task(w, image, "boese_import"), encoding="utf-8")
    with OpenWatch(bait) as watch:
        meter, _text = w.probe("gui-task", str(shared), cwd=bait)
    return _gui_outcome(meter, watch, image, "tiles")


def a_file_name_markup(w: World) -> Outcome:
    bait = w.base / "koeder"
    bait.mkdir()
    image = bait_image(bait)
    docs = w.base / "ablage"
    docs.mkdir()
    hostile = docs / f"<img src={image.name}> Bescheid.txt"  # relative to the cwd: the bait
    hostile.write_text(
        f'Frist: zwei Wochen. <img src="{image}"> <a href="file://{image}">Anhang</a>\n',
        encoding="utf-8",
    )
    with OpenWatch(bait) as watch:
        meter, _text = w.probe("gui-library", str(hostile), cwd=bait)
    return _gui_outcome(meter, watch, image, "indexed")


def _guard_code(body: str) -> str:
    """Python for a child process: the app's network guard records every lookup/connect."""
    return (
        "import os, sys\nfrom llmoin_desktop.core.offline.network_guard import install_from_env\n"
        "install_from_env()\n" + body
    )


def _network_attempts(log: Path, word: str) -> int:
    if not log.exists():
        return 0
    lines = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines() if x.strip()]
    return sum(1 for a in lines if word in str(a.get("target", "")))


def a_localhost_subdomain(w: World) -> Outcome:
    """The clerk's own settings name ``evil.localhost`` for the library and the model server."""
    w.settings(
        {
            "library_server": "http://evil-llmoin.localhost:8000",
            "backend": "remote",
            "remote_url": "http://evil-llmoin.localhost:9",
        }
    )
    log = w.base / "guard.jsonl"
    env_code = (
        f"os.environ.update(LLMOIN_OFFLINE_GUARD='record', LLMOIN_OFFLINE_GUARD_LOG={str(log)!r},"
        " LLMOIN_OFFLINE_GUARD_LOOPBACK='0')\n"
    )
    body = (
        "from llmoin_desktop.core.settings.config import SettingsStore\n"
        "from llmoin_desktop.core.errors import LLMoinError\n"
        "from llmoin_desktop.core.library.server import parse_server\n"
        "from llmoin_desktop.core.engine.factory import create_backend\n"
        "s = SettingsStore()\n"
        "for name, call in (('library', lambda: parse_server(s.settings.library_server, from_policy=False)),"
        " ('remote', lambda: create_backend(s).list_models())):\n"
        "    try:\n        call(); print('ACCEPTED', name)\n"
        "    except Exception as e:\n        print('REFUSED', name, type(e).__name__)\n"
    )
    code = env_code.replace("os.environ", "import os; os.environ", 1) + _guard_code(body)
    meter, text = w.run(PY, "-c", code)
    attempts = _network_attempts(log, "evil-llmoin")
    held = "ACCEPTED" not in text and text.count("REFUSED") == 2 and attempts == 0
    detail = f"refused={text.count('REFUSED')}/2, lookups/connects={attempts}"
    return Outcome(held, detail, _rss(meter), network=attempts)


def a_files_private(w: World) -> Outcome:
    """What the app writes is readable by the clerk's account only (and by no other one)."""
    code = (
        "import os, sys; os.umask(0o022)\n"
        "from llmoin_desktop.__main__ import main\n"
        "main(['terms', '--accept'])\n"
        "from llmoin_desktop.core.history import HistoryStore\n"
        "from llmoin_desktop.core.tasks.runner import TaskResult\n"
        "HistoryStore().add(TaskResult(task_id='x', values={}, answer='Bescheid Muster',"
        " output_kind='prose'))\n"
    )
    meter, text = w.run(PY, "-c", code)
    os.chmod(w.base, 0o755)  # only the app's own modes may keep another account out
    loose, readable = [], 0
    tops = [t for t in (w.base / "data", w.base / "config") if t.exists()]
    for top in tops:
        for path in [top, *top.rglob("*")]:
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                loose.append(f"{path.relative_to(w.base)} {oct(mode)}")
    if os.geteuid() == 0 and shutil.which("setpriv"):  # really try as another account
        (w.base / "home").mkdir(exist_ok=True)
        for top in tops:
            for path in [p for p in top.rglob("*") if p.is_file()]:
                other = subprocess.run(
                    [
                        "setpriv",
                        "--reuid=65534",
                        "--regid=65534",
                        "--clear-groups",
                        "cat",
                        str(path),
                    ],
                    capture_output=True,
                )
                readable += other.returncode == 0
    held = not loose and readable == 0 and (w.base / "data" / "history.sqlite3").exists()
    detail = f"loose modes={loose[:3]}, read by another account={readable}"
    return Outcome(held, detail, _rss(meter), files_read=readable)


def _history_code(body: str) -> str:
    return (
        "import sqlite3, time\nfrom llmoin_desktop.core.history import TolerantHistory\n"
        "from llmoin_desktop.core.tasks.runner import TaskResult\n"
        "r = TaskResult(task_id='x', values={}, answer='Bescheid Muster', output_kind='prose')\n"
        + body
    )


def a_history_off(w: World) -> Outcome:
    w.policy("history_enabled = false\n")
    meter, text = w.run(PY, "-c", _history_code("print('ID', TolerantHistory().add(r))\n"))
    stored = (w.base / "data" / "history.sqlite3").exists()
    return Outcome(not stored and "ID None" in text, f"history file written={stored}", _rss(meter))


def a_history_retention(w: World) -> Outcome:
    seed = _history_code(
        "from llmoin_desktop.core.history import HistoryStore\n"
        "h = HistoryStore(enabled=True, retention_days=0); old = h.add(r); h.add(r)\n"
        "c = sqlite3.connect(h.path); c.execute('UPDATE history SET updated_at=? WHERE id=?', "
        "(time.time() - 90 * 86400, old)); c.commit(); c.close(); print('SEEDED', h.count())\n"
    )
    _meter, seeded = w.run(PY, "-c", seed)
    w.policy("history_retention_days = 30\n")
    meter, text = w.run(
        PY, "-c", _history_code("h = TolerantHistory(); print('LEFT', h.store.count())\n")
    )
    left = next((x for x in text.splitlines() if x.startswith("LEFT")), "no answer")
    held = "SEEDED 2" in seeded and "LEFT 1" in text  # the 90-day-old one gone, today's kept
    return Outcome(held, f"2 entries, one 90 days old → {left}", _rss(meter))


def a_api_key_cache(w: World) -> Outcome:
    w.policy('backend = "remote"\nremote_url = "http://127.0.0.1:9"\nremote_api_key = "sk-4711"\n')
    meter, _text = w.cli("tasks")
    cache = w.base / "config" / "policy-lastgood.json"
    text = cache.read_text(encoding="utf-8") if cache.exists() else ""
    held = bool(text) and "sk-4711" not in text
    return Outcome(
        held, f"cache written={bool(text)}, key in plain text={'sk-4711' in text}", _rss(meter)
    )


def a_ocr_cache_removed(w: World) -> Outcome:
    if not SCAN.is_file():
        return Outcome(True, "skipped: corpus scan missing")
    code = (
        "import shutil, sys\nfrom pathlib import Path\n"
        "from llmoin_desktop.core.library.library import Library\n"
        "from llmoin_desktop.core.documents.scan_text import cache_dir\n"
        f"scan = Path({str(w.base)!r}) / 'scan.jpg'; shutil.copy({str(SCAN)!r}, scan)\n"
        f"lib = Library.open(Path({str(w.base)!r}) / 'lib', embedder=None); lib.add([scan])\n"
        "print('STATUS', lib.index_pending().count('indexed'))\n"
        "print('CACHED', len(list(cache_dir().rglob('*.json'))))\n"
        "scan.unlink(); lib.remove(scan)\n"
        "print('LEFT', len(list(cache_dir().rglob('*.json'))))\n"
    )
    meter, text = w.run(PY, "-c", code)
    held = "STATUS 1" in text and "CACHED 0" not in text and "LEFT 0" in text
    lines = [x for x in text.splitlines() if x.startswith(("STATUS", "CACHED", "LEFT"))]
    return Outcome(held, ", ".join(lines), _rss(meter))


@dataclass
class Attack:
    name: str
    what: str
    run: Callable[[World], Outcome]


ATTACKS = [
    Attack(
        "pdf_huge_page_parse",
        "600-byte PDF, 30000-pt page, parser",
        _parse_attack(lambda b: pdf_with_page(b / "riesig.pdf", 30000, 30000), ()),
    ),
    Attack("pdf_huge_page_viewer", "600-byte PDF, 30000-pt page, viewer", a_viewer_huge_page),
    Attack("pdf_long_page_viewer", "600 × 14400-pt page, viewer budget", a_viewer_long_page),
    Attack(
        "odt_text_bomb_200mb",
        ".odt, 200 MB of text in content.xml",
        _parse_attack(lambda b: odt_text_bomb(b / "bombe.odt", 200), MEMORY_WORDS),
    ),
    Attack(
        "odt_text_bomb_2gb",
        ".odt, 2 GB of text in content.xml",
        _parse_attack(lambda b: odt_text_bomb(b / "bombe2.odt", 2000), MEMORY_WORDS),
    ),
    Attack(
        "docx_zip_bomb_2gb",
        ".docx, document.xml inflates to 2 GB",
        _parse_attack(lambda b: docx_zip_bomb(b / "bombe.docx", 2000), MEMORY_WORDS),
    ),
    Attack("worker_text_cap", "a loader hands back 60 M characters", a_text_cap),
    Attack("task_markup", "<img>/<a> in task title, fields, import", a_task_markup),
    Attack("file_name_markup", "<img> in a file name and its text", a_file_name_markup),
    Attack("localhost_subdomain", "evil.localhost as library/model server", a_localhost_subdomain),
    Attack("files_private", "another account reads history/settings", a_files_private),
    Attack("history_off", "history_enabled = false", a_history_off),
    Attack("history_retention", "history_retention_days = 30", a_history_retention),
    Attack("api_key_in_cache", "remote_api_key in the policy cache", a_api_key_cache),
    Attack("ocr_cache_removed", "OCR text after removing the scan", a_ocr_cache_removed),
]


def run_attacks(only: str = "", report: Callable[[str], None] = print) -> dict[str, float]:
    """Run every attack; returns the counts for the summary line."""
    tried = held = files = network = 0
    peak = 0
    for attack in ATTACKS:
        if only and only not in attack.name:
            continue
        base = Path(tempfile.mkdtemp(prefix="llmoin-sec-in-"))
        started = time.perf_counter()
        try:
            outcome = attack.run(World(base))
        except Exception as exc:  # noqa: BLE001 - a broken attack counts as not held
            outcome = Outcome(False, f"attack error: {exc!r}"[:200])
        finally:
            shutil.rmtree(base, ignore_errors=True)
        tried += 1
        held += outcome.held
        files += outcome.files_read
        network += outcome.network
        peak = max(peak, outcome.rss_mb)
        mark = "held  " if outcome.held else "BROKEN"
        seconds = time.perf_counter() - started
        report(f"  {mark} {attack.name:22} {seconds:5.1f} s  {attack.what}: {outcome.detail}")
    return {
        "attacks_tried": tried,
        "held": held,
        "policy_bypasses": 0,
        "files_read_outside": files,
        "network_attempts": network,
        "peak_rss_mb_max": peak,
    }


KEYS = ("attacks_tried", "held", "policy_bypasses", "files_read_outside")
KEYS += ("network_attempts", "peak_rss_mb_max")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the attacks whose name contains this")
    parser.add_argument("--code", default="", help="run this checkout's code (before/after)")
    args = parser.parse_args()
    global CODE
    CODE = args.code
    counts = run_attacks(args.only)
    print(" ".join(f"{k}={counts[k]}" for k in KEYS))
    return 0 if counts["held"] == counts["attacks_tried"] else 1


if __name__ == "__main__":
    sys.exit(main())
