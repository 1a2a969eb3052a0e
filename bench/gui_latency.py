"""GUI responsiveness while the real model streams into the real main window (offscreen).

A 10 ms precise QTimer stamps every tick; a gap is the time between two ticks. If the GUI
thread ever waited on the model, the disk or a flood of token signals, the gap would grow.
Goal: max gap <= 50 ms. Also measures Stop -> answer finished through the UI.

Usage: .venv/bin/python bench/gui_latency.py [--tokens 256] [--model PATH]
The last line is one line of key=value pairs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROMPT = (
    "Schreibe einen ausführlichen Bericht über die Aufgaben eines Bürgeramts: Meldewesen, "
    "Ausweise, Beglaubigungen, Führungszeugnisse und Gewerbeanmeldungen. Erkläre jeden Punkt."
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description="GUI event-loop gaps during generation")
    parser.add_argument("--tokens", type=int, default=256, help="tokens to generate at least")
    parser.add_argument("--idle-s", type=float, default=10.0, help="idle control phase (s)")
    parser.add_argument("--model", type=Path, default=None, help="GGUF file (default: demo model)")
    args = parser.parse_args()

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="llmoin-bench-"))
    for sub in ("config", "data", "policy"):
        (tmp / sub).mkdir()
        os.environ[f"LLMOIN_{sub.upper()}_DIR"] = str(tmp / sub)
    sys.path.insert(0, str(ROOT))

    from PySide6.QtCore import QEventLoop, Qt, QTimer

    from llmoin_desktop.core.engine.catalog import find_demo_model, inspect_model
    from llmoin_desktop.core.engine.local import LocalBackend
    from llmoin_desktop.core.settings.config import SettingsStore
    from llmoin_desktop.ui.app import create_application
    from llmoin_desktop.ui.main_window import MainWindow
    from llmoin_desktop.ui.offscreen import wait_signal, wait_until

    model_path = args.model or find_demo_model()
    if model_path is None:
        print("demo model not installed (pip install -e '.[demo]')", file=sys.stderr)
        return 2
    store = SettingsStore()
    store.set("max_tokens", max(args.tokens, 16), save=False)
    store.set("temperature", 0.7, save=False)
    app = create_application(["bench"], store)
    backend = LocalBackend(store)
    info = inspect_model(model_path)
    window = MainWindow(backend, store, scanner=lambda _s: [info])
    window.resize(1100, 720)
    window.show()
    window.models.load(info)
    if wait_signal(window.models.loaded, timeout_s=300) is None:
        print("model did not load: " + window.banner.text(), file=sys.stderr)
        return 1
    window.show_page("chat")
    view = window.chat_view

    ticks: list[float] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))

    tokens = 0
    rates: list[float] = []
    # Control: the same timer with the model idle, so machine load can be told apart from us.
    timer.start()
    idle_loop = QEventLoop()
    QTimer.singleShot(int(args.idle_s * 1000), idle_loop.quit)
    idle_loop.exec()
    idle_gaps = [(b - a) * 1000 for a, b in zip(ticks, ticks[1:], strict=False)]
    ticks.clear()
    t0 = time.perf_counter()
    for _round in range(20):
        view.input.setPlainText(PROMPT if _round == 0 else "Bitte weiter, noch ausführlicher.")
        view.send_button.click()
        got = wait_signal(window.chat.answer_finished, timeout_s=600)
        if got is None:
            print("generation did not finish: " + window.banner.text(), file=sys.stderr)
            return 1
        result = got[0]
        tokens += result.n_generated
        if result.tokens_per_s:
            rates.append(result.tokens_per_s)
        if tokens >= args.tokens:
            break
        if len(window.chat.messages) > 6:
            window.chat.new_conversation()  # keep the prompt short; we measure the GUI
    gen_s = time.perf_counter() - t0
    timer.stop()
    gaps = [(b - a) * 1000 for a, b in zip(ticks, ticks[1:], strict=False)]

    # Stop through the UI: start a long answer, press Stop after 1 s, time until it is over.
    window.chat.new_conversation()
    view.input.setPlainText(PROMPT)
    view.send_button.click()
    wait_until(lambda: len(view.transcript_text()) > len(PROMPT) + 40, 60)
    time.sleep(0.3)
    pressed = time.perf_counter()
    view.stop_button.click()
    wait_signal(window.chat.answer_finished, timeout_s=30)
    stop_ms = (time.perf_counter() - pressed) * 1000

    window.pool.shutdown()
    window.close()
    backend.close()
    app.processEvents()

    max_gap = max(gaps) if gaps else 0.0
    p99 = percentile(gaps, 0.99)
    mean = statistics.fmean(gaps) if gaps else 0.0
    rate = statistics.fmean(rates) if rates else 0.0
    load1, _load5, _load15 = os.getloadavg()
    print(
        f"model: {info.name} ({model_path.name}); CPUs: {os.cpu_count()}, load average: {load1:.1f}"
    )
    print(f"generation: {tokens} tokens in {gen_s:.1f} s, {rate:.1f} tokens/s (engine-reported)")
    print(
        f"event-loop ticks: {len(ticks)} (10 ms timer); gaps max {max_gap:.1f} ms, "
        f"p99 {p99:.1f} ms, mean {mean:.1f} ms; goal max <= 50 ms"
    )
    idle_max = max(idle_gaps) if idle_gaps else 0.0
    idle_p99 = percentile(idle_gaps, 0.99)
    print(
        f"control, model idle for {args.idle_s:.0f} s: gaps max {idle_max:.1f} ms, p99 {idle_p99:.1f} ms"
    )
    print(f"stop via UI: {stop_ms:.0f} ms (goal <= 200 ms)")
    print(
        f"max_gap_ms={max_gap:.1f} p99_gap_ms={p99:.1f} mean_gap_ms={mean:.1f} "
        f"idle_max_gap_ms={idle_max:.1f} tokens={tokens} tokens_per_s={rate:.1f} ui_stop_ms={stop_ms:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
