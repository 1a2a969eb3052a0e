"""The real llama.cpp engine with the real demo model: stream, cancel, overflow, cache, reload."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from llmoin_desktop.core.engine import hardware
from llmoin_desktop.core.engine.backend import GenerationParams
from llmoin_desktop.core.engine.local import LocalBackend
from llmoin_desktop.core.errors import Cancelled, ContextOverflow, ModelError, ModelNotLoaded
from llmoin_desktop.core.jobs import CancelToken, Progress
from llmoin_desktop.core.settings.config import SettingsStore

pytestmark = pytest.mark.model

SYSTEM = "Du bist ein hilfreicher Assistent für die Verwaltung. Antworte kurz."


def ask(text: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}]


def long_text(n_words: int) -> str:
    base = "Die Behörde prüft den Antrag auf Erteilung einer Genehmigung nach den Vorschriften. "
    words = base.split()
    return " ".join(words[i % len(words)] for i in range(n_words))


def test_status_after_load(engine: LocalBackend) -> None:
    status = engine.status()
    assert status.state == "ready"
    assert status.device == "CPU"  # CI has no GPU build
    assert status.n_ctx == 4096
    assert status.n_threads >= 1
    assert "SmolLM2" in status.model_name


def test_streams_tokens_that_make_up_the_answer(engine: LocalBackend) -> None:
    pieces: list[str] = []
    result = engine.chat(
        ask("Nenne drei Farben."), GenerationParams(max_tokens=24, seed=1), on_token=pieces.append
    )
    assert result.n_generated > 0
    assert len(pieces) >= 2
    assert "".join(pieces) == result.text
    assert result.finish_reason in {"stop", "length"}
    assert result.tokens_per_s > 0


def test_cancel_between_tokens(engine: LocalBackend) -> None:
    cancel = CancelToken()
    seen: list[str] = []

    def on_token(text: str) -> None:
        seen.append(text)
        if len(seen) == 3:
            cancel.cancel()

    result = engine.chat(
        ask("Erzähle eine lange Geschichte."),
        GenerationParams(max_tokens=200, temperature=0.8, seed=3),
        on_token=on_token,
        cancel=cancel,
    )
    assert result.finish_reason == "cancelled"
    assert result.n_generated <= 4


def test_cancel_during_long_prompt_evaluation(engine: LocalBackend) -> None:
    """Stop must not wait for the whole prompt: llama.cpp's abort callback interrupts it."""
    engine.clear_cache()
    cancel = CancelToken()
    started = threading.Event()
    outcome: dict[str, object] = {}

    def on_progress(p: Progress) -> None:
        started.set()

    def run() -> None:
        outcome["result"] = engine.chat(
            ask(long_text(700)),
            GenerationParams(max_tokens=8),
            cancel=cancel,
            on_progress=on_progress,
        )
        outcome["returned_at"] = time.perf_counter()

    worker = threading.Thread(target=run)
    worker.start()
    assert started.wait(60), "prompt evaluation never reported progress"
    cancel.cancel()
    worker.join(30)
    latency = outcome["returned_at"] - cancel.cancelled_at  # type: ignore[operator]
    assert outcome["result"].finish_reason == "cancelled"  # type: ignore[union-attr]
    assert latency < 1.0, f"cancel took {latency:.3f}s"
    # The engine is still usable afterwards and the half-evaluated prompt did not poison it.
    after = engine.chat(ask("Hallo"), GenerationParams(max_tokens=4, seed=1))
    assert after.n_generated > 0


def test_context_overflow_is_typed(engine: LocalBackend) -> None:
    with pytest.raises(ContextOverflow) as exc:
        engine.chat(ask(long_text(6000)), GenerationParams(max_tokens=8))
    assert exc.value.n_ctx == 4096
    assert exc.value.n_prompt > 4096
    assert "zu lang" in exc.value.user_message
    assert engine.count_tokens(ask(long_text(6000))) == exc.value.n_prompt


def test_prefix_cache_reused_for_same_preamble(engine: LocalBackend) -> None:
    preamble = "Hintergrund:\n" + long_text(400)
    engine.clear_cache()
    first = engine.chat(ask(preamble + "\nFrage: Worum geht es?"), GenerationParams(max_tokens=4))
    second = engine.chat(ask(preamble + "\nFrage: Wer prüft?"), GenerationParams(max_tokens=4))
    assert first.n_cached == 0
    assert second.n_cached > 400
    assert second.ttft_s < first.ttft_s


def test_idle_unload_and_reload_on_demand(demo_model_path: Path, tmp_path: Path) -> None:
    store = SettingsStore(config_dir=tmp_path / "c", policy_dir=tmp_path / "p")
    backend = LocalBackend(store, idle_unload_s=0.5)
    states: list[str] = []
    backend.add_status_listener(lambda s: states.append(s.state))
    try:
        backend.load(demo_model_path)
        assert backend.is_loaded
        deadline = time.monotonic() + 10
        while backend.is_loaded and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not backend.is_loaded
        assert "unloaded-idle" in states
        result = backend.chat(ask("Hallo"), GenerationParams(max_tokens=4, seed=1))
        assert result.n_generated > 0 and backend.status().state in {"ready", "busy"}
    finally:
        backend.close()


def test_missing_truncated_and_template_less_models(
    demo_model_path: Path, gemma_model_path: Path, tmp_path: Path
) -> None:
    store = SettingsStore(config_dir=tmp_path / "c", policy_dir=tmp_path / "p")
    backend = LocalBackend(store)
    try:
        with pytest.raises(ModelNotLoaded):
            backend.chat(ask("Hallo"))
        with pytest.raises(ModelError) as exc:
            backend.load(tmp_path / "gibtsnicht.gguf")
        assert "nicht gefunden" in exc.value.user_message
        truncated = tmp_path / "halb.gguf"
        truncated.write_bytes(demo_model_path.read_bytes()[:3_000_000])
        with pytest.raises(ModelError) as exc:
            backend.load(truncated)
        assert "unvollständig" in exc.value.user_message
        assert backend.status().state == "error"
        backend.load(gemma_model_path)  # a base model loads (metadata, embeddings) …
        with pytest.raises(ModelError) as exc:  # … but is never run with a guessed format
            backend.chat(ask("Hallo"))
        assert "Chat-Vorlage" in exc.value.user_message
        backend.load(demo_model_path)  # and the app carries on with a good model
        assert backend.chat(ask("Hallo"), GenerationParams(max_tokens=3)).n_generated > 0
    finally:
        backend.close()


def test_model_too_large_for_memory(
    demo_model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        hardware,
        "memory_snapshot",
        lambda: hardware.MemorySnapshot(total=2**30, available=50 * 2**20),
    )
    backend = LocalBackend(SettingsStore(config_dir=tmp_path / "c", policy_dir=tmp_path / "p"))
    try:
        with pytest.raises(ModelError) as exc:
            backend.load(demo_model_path)
        assert "Arbeitsspeicher" in exc.value.user_message
        assert not backend.is_loaded
    finally:
        backend.close()


def test_cancelled_load(demo_model_path: Path, tmp_path: Path) -> None:
    backend = LocalBackend(SettingsStore(config_dir=tmp_path / "c", policy_dir=tmp_path / "p"))
    cancel = CancelToken()
    progress: list[Progress] = []

    def on_progress(p: Progress) -> None:
        progress.append(p)
        if p.step >= 5:
            cancel.cancel()

    try:
        with pytest.raises(Cancelled):
            backend.load(demo_model_path, progress=on_progress, cancel=cancel)
        assert not backend.is_loaded
        assert progress
    finally:
        backend.close()
