"""GGUF header reading and validation on real model files and on files broken by the test."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from llmoin_desktop.core.engine.catalog import chat_template_note, inspect_model, scan_models
from llmoin_desktop.core.engine.gguf import GGUFError, read_header
from llmoin_desktop.core.settings.config import SettingsStore


def test_demo_model_metadata(demo_model_path: Path) -> None:
    info = inspect_model(demo_model_path, is_demo=True)
    assert info.problem == ""
    assert info.architecture == "llama"
    assert 120e6 < info.n_params < 150e6
    assert info.quantization == "Q4_1"
    assert info.context_length == 8192
    assert info.has_chat_template and info.usable_for_chat
    assert info.file_size == demo_model_path.stat().st_size


def test_base_model_without_template_is_flagged(gemma_model_path: Path) -> None:
    info = inspect_model(gemma_model_path)
    assert info.architecture.startswith("gemma")
    assert info.quantization == "Q4_K_M"
    assert 200e6 < info.n_params < 300e6
    assert not info.has_chat_template
    assert not info.usable_for_chat
    assert "keine Chat-Vorlage" in chat_template_note(info)


def test_truncated_model_detected(demo_model_path: Path, tmp_path: Path) -> None:
    data = demo_model_path.read_bytes()
    broken = tmp_path / "truncated.gguf"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(GGUFError) as exc:
        read_header(broken)
    assert exc.value.kind == "truncated"
    info = inspect_model(broken)
    assert "unvollständig" in info.problem and not info.usable_for_chat


def test_header_cut_inside_metadata(demo_model_path: Path, tmp_path: Path) -> None:
    broken = tmp_path / "cut.gguf"
    broken.write_bytes(demo_model_path.read_bytes()[:5000])
    with pytest.raises(GGUFError) as exc:
        read_header(broken)
    assert exc.value.kind == "truncated"


def test_not_a_gguf(tmp_path: Path) -> None:
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(GGUFError) as exc:
        read_header(fake)
    assert exc.value.kind == "not_gguf"
    assert "keine GGUF" in inspect_model(fake).problem


def test_absurd_counts_rejected_without_allocating(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.gguf"
    hostile.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 2**60, 2**60) + b"\x00" * 64)
    with pytest.raises(GGUFError) as exc:
        read_header(hostile)
    assert exc.value.kind == "corrupt"


def test_corrupt_metadata_type(demo_model_path: Path, tmp_path: Path) -> None:
    data = bytearray(demo_model_path.read_bytes()[:100000])
    # First key/value pair: magic(4) version(4) n_tensors(8) n_kv(8) key_len(8) key … type(4)
    key_len = struct.unpack_from("<Q", data, 24)[0]
    struct.pack_into("<I", data, 32 + key_len, 999)
    bad = tmp_path / "badtype.gguf"
    bad.write_bytes(bytes(data))
    with pytest.raises(GGUFError) as exc:
        read_header(bad)
    assert exc.value.kind == "corrupt"


def test_unsupported_version(tmp_path: Path) -> None:
    f = tmp_path / "v9.gguf"
    f.write_bytes(b"GGUF" + struct.pack("<IQQ", 9, 0, 0) + b"\x00" * 16)
    with pytest.raises(GGUFError) as exc:
        read_header(f)
    assert exc.value.kind == "version"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(GGUFError) as exc:
        read_header(tmp_path / "nope.gguf")
    assert exc.value.kind == "missing"


def test_scan_finds_demo_and_models_folder(
    demo_model_path: Path, gemma_model_path: Path, isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    models_dir = isolated_dirs["data"] / "models"
    models_dir.mkdir()
    (models_dir / "gemma.gguf").symlink_to(gemma_model_path)
    (models_dir / "kaputt.gguf").write_bytes(b"GGUF\x03\x00\x00\x00")
    it_dir = tmp_path / "it-models"
    it_dir.mkdir()
    (it_dir / "sub").mkdir()
    (it_dir / "sub" / "copy.gguf").write_bytes(demo_model_path.read_bytes()[:200000])
    (isolated_dirs["policy"] / "policy.toml").write_text(
        f'models_dir = "{it_dir}"\n', encoding="utf-8"
    )
    models = scan_models(SettingsStore())
    names = [m.path.name for m in models]
    assert models[0].is_demo and models[0].path == demo_model_path
    assert {"gemma.gguf", "kaputt.gguf", "copy.gguf"} <= set(names)
    broken = {m.path.name: m for m in models}
    assert broken["kaputt.gguf"].problem and broken["copy.gguf"].problem
    assert not broken["gemma.gguf"].problem
