"""Issue 21 on the real engine: the demo model's weights with templates that reproduce
llama.cpp's collection (tests/chat_template_samples.py). Markers the vocabulary does not know
end the answer and never reach it, a template that always opens <think> costs nothing when
thinking is off, thinking that is on shows a token count, tools stay undefined."""

from __future__ import annotations

from pathlib import Path

import chat_template_samples as samples
import pytest
from gguf_copies import copy_with_chat_template

from llmoin_desktop.core.engine.backend import GenerationParams
from llmoin_desktop.core.engine.catalog import inspect_model
from llmoin_desktop.core.engine.local import LocalBackend
from llmoin_desktop.core.engine.stop_strings import GENERIC_STOPS, markers_in
from llmoin_desktop.core.jobs import Progress
from llmoin_desktop.core.settings.config import Settings, SettingsStore
from llmoin_desktop.core.tasks.catalog import load_catalog
from llmoin_desktop.core.tasks.runner import TaskRunner

pytestmark = pytest.mark.model

LETTER = (
    "Sehr geehrte Damen und Herren, ich beantrage die Verlängerung meines Personalausweises. "
    "Mein Termin ist am 12. März 2026. Mit freundlichen Grüßen, Erika Mustermann"
)
NAMES = ("LLAMA3_FOREIGN", "ALWAYS_THINK", "TOOLS_DEFINED", "KIMI_K3", "COMMAND_A")


@pytest.fixture(scope="module")
def variants(demo_model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("turns")
    return {
        n: copy_with_chat_template(
            demo_model_path, folder / f"demo-{n.lower()}.gguf", getattr(samples, n)
        )
        for n in NAMES
    }


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("turns-settings")
    (base / "policy").mkdir()
    store = SettingsStore(config_dir=base / "config", policy_dir=base / "policy")
    store.set("n_ctx", 2048)
    b = LocalBackend(store)
    yield b
    b.close()


def summary(backend: LocalBackend, **params: object):
    spec = load_catalog(Settings()).get("zusammenfassen")
    p = GenerationParams(max_tokens=24, temperature=0.0, seed=1, **params)  # type: ignore[arg-type]
    return TaskRunner(backend, params=p).run(spec, {spec.source_field.name: LETTER})


def assert_clean(text: str, controls: list[str]) -> None:
    assert text.strip()
    leaked = [m for m in markers_in(text) if m in controls or m in GENERIC_STOPS]
    assert not leaked, text


def test_foreign_turn_markers_end_the_answer_and_are_reported(backend, variants) -> None:
    backend.load(variants["LLAMA3_FOREIGN"])
    profile = backend.template_profile()
    assert "<|eot_id|>" in profile.vocab_missing
    assert "passt nicht zum Vokabular" in profile.describe()
    assert "passt nicht zum Vokabular" in inspect_model(variants["LLAMA3_FOREIGN"]).vocab_note
    result = summary(backend)
    assert_clean(result.answer, profile.markers.controls)
    streamed: list[str] = []
    chat = backend.chat(
        [{"role": "user", "content": "Wie beantrage ich einen Pass?"}],
        GenerationParams(max_tokens=48, temperature=0.0, seed=1),
        on_token=streamed.append,
    )
    assert "".join(streamed) == chat.text  # nothing of a marker was ever on screen
    assert_clean(chat.text, profile.markers.controls)


def test_always_open_think_is_closed_at_once_when_thinking_is_off(backend, variants) -> None:
    backend.load(variants["ALWAYS_THINK"])
    assert backend.template_profile().opens_think
    result = summary(backend, thinking=False, max_reasoning_tokens=1024)
    assert result.stats.n_reasoning == 0
    assert result.answer.strip() and "<think>" not in result.answer


def test_thinking_on_shows_a_token_count(backend, variants) -> None:
    backend.load(variants["ALWAYS_THINK"])
    seen: list[Progress] = []
    result = backend.chat(
        [{"role": "user", "content": "Wie beantrage ich einen Pass?"}],
        GenerationParams(
            max_tokens=16, temperature=0.0, seed=1, thinking=True, max_reasoning_tokens=20
        ),
        on_progress=seen.append,
    )
    assert result.n_reasoning >= 1
    assert any("überlegt" in p.text and "Token" in p.text for p in seen)


@pytest.mark.parametrize("name", ["TOOLS_DEFINED", "KIMI_K3", "COMMAND_A"])
def test_collection_families_answer_without_markup(backend, variants, name: str) -> None:
    backend.load(variants[name])
    profile = backend.template_profile()
    result = summary(backend)
    assert_clean(result.answer, profile.markers.controls)
    assert result.reasoning.strip() == "" or result.reasoning not in result.answer


def test_server_answers_are_cut_and_stripped_the_same_way(variants, tmp_path) -> None:
    """llama-cpp-python's server with the Llama-3 template on the demo vocabulary: the
    remote backend stops at the template's markers (generic turn markers; this server does
    not tell its template) and streams nothing of them."""
    from llmoin_desktop.core.engine.llama_server import (
        ServerNotReady,
        running_llama_server,
        server_installed,
    )
    from llmoin_desktop.core.engine.remote import RemoteBackend

    if not server_installed():
        pytest.skip("llama-cpp-python[server] not installed")
    try:
        with running_llama_server(variants["LLAMA3_FOREIGN"], tmp_path / "server.log") as url:
            remote = RemoteBackend(base_url=url, model="demo")
            try:
                streamed: list[str] = []
                result = remote.chat(
                    [{"role": "user", "content": "Wie beantrage ich einen Pass?"}],
                    GenerationParams(max_tokens=64, temperature=0.0, seed=1),
                    on_token=streamed.append,
                )
            finally:
                remote.close()
    except ServerNotReady as exc:
        pytest.fail(str(exc))
    assert "".join(streamed) == result.text
    controls = ["<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>"]
    assert not [m for m in markers_in(result.text) if m in controls or m in GENERIC_STOPS]
