"""A department server whose model's template rejects the system role (Gemma 2 behind
llama-cpp-python's OpenAI-compatible server on 127.0.0.1): the remote backend shapes the
messages as for such a local model and the guided task runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import chat_template_samples as samples
import pytest
from gguf_copies import copy_with_chat_template

from llmoin_desktop.core.engine.backend import GenerationParams
from llmoin_desktop.core.engine.llama_server import (
    ServerNotReady,
    running_llama_server,
    server_installed,
)
from llmoin_desktop.core.engine.remote import RemoteBackend
from llmoin_desktop.core.settings.config import Settings
from llmoin_desktop.core.tasks.catalog import load_catalog
from llmoin_desktop.core.tasks.runner import TaskRunner

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def gemma2_server(demo_model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not server_installed():
        pytest.skip("llama-cpp-python[server] not installed")
    folder = tmp_path_factory.mktemp("gemma2-server")
    model = copy_with_chat_template(demo_model_path, folder / "demo-gemma2.gguf", samples.GEMMA2)
    try:
        with running_llama_server(model, folder / "server.log") as url:
            yield url
    except ServerNotReady as exc:
        pytest.fail(str(exc))


def test_guided_task_through_a_server_that_rejects_the_system_role(gemma2_server: str) -> None:
    remote = RemoteBackend(base_url=gemma2_server, model="demo")
    try:
        spec = load_catalog(Settings()).get("zusammenfassen")
        runner = TaskRunner(remote, params=GenerationParams(max_tokens=16, temperature=0.0, seed=1))
        text = "Der Antrag auf Wohngeld ist schriftlich bei der Wohngeldbehörde zu stellen."
        result = runner.run(spec, {"text": text, "laenge": "kurz"})
        assert result.answer.strip()
        # …and a refinement (user / assistant / user) as well.
        refined = runner.refine(result, spec.refinements[0])
        assert refined.answer.strip()
    finally:
        remote.close()
