"""Facts about this PC and the llama.cpp build: device, threads, free RAM/VRAM, KV size."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from dataclasses import dataclass

import psutil

from llmoin_desktop.core.engine.gguf import GGUFHeader
from llmoin_desktop.core.settings.config import SettingsStore


@dataclass
class MemorySnapshot:
    total: int
    available: int
    vram_total: int = 0
    vram_free: int = 0


@functools.lru_cache(maxsize=1)
def system_info() -> str:
    """llama.cpp's own description of its build (SIMD flags, compiled backends)."""
    try:
        from llama_cpp import llama_cpp as lc

        return lc.llama_print_system_info().decode("utf-8", errors="replace")
    except Exception as exc:  # noqa: BLE001 - doctor shows this instead
        return f"llama.cpp not available: {exc}"


@functools.lru_cache(maxsize=1)
def gpu_offload_supported() -> bool:
    try:
        from llama_cpp import llama_cpp as lc

        return bool(lc.llama_supports_gpu_offload())
    except Exception:  # noqa: BLE001
        return False


@functools.lru_cache(maxsize=1)
def compiled_device() -> str:
    """The accelerator llama.cpp was built for: CUDA, Metal, Vulkan, … or CPU."""
    if not gpu_offload_supported():
        return "CPU"
    info = system_info().upper()
    for name, label in (
        ("CUDA", "CUDA"),
        ("METAL", "Metal"),
        ("VULKAN", "Vulkan"),
        ("HIP", "ROCm"),
        ("SYCL", "SYCL"),
    ):
        if name in info:
            return label
    return "Metal" if sys.platform == "darwin" else "GPU"


def n_threads(store: SettingsStore) -> int:
    """Generation threads on a quiet PC: the setting, else the thread plan's ceiling.

    The loaded engine moves below it while other programs use the CPU (``threads.py``);
    ``EngineStatus.n_threads`` shows the count in use."""
    from llmoin_desktop.core.engine.threads import plan_threads

    return plan_threads(int(store.settings.n_threads or 0)).gen


def n_gpu_layers(store: SettingsStore) -> int:
    layers = int(store.settings.n_gpu_layers)
    return -1 if layers < 0 else layers


def _nvidia_vram() -> tuple[int, int]:
    exe = shutil.which("nvidia-smi")
    if not exe:
        return 0, 0
    try:
        out = subprocess.run(
            [exe, "--query-gpu=memory.total,memory.free", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout
        total, free = (int(x.strip()) for x in out.splitlines()[0].split(","))
        return total * 2**20, free * 2**20
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return 0, 0


def memory_snapshot() -> MemorySnapshot:
    vm = psutil.virtual_memory()
    snap = MemorySnapshot(total=vm.total, available=vm.available)
    if gpu_offload_supported() and compiled_device() == "CUDA":
        snap.vram_total, snap.vram_free = _nvidia_vram()
    return snap


def kv_bytes_per_token(header: GGUFHeader) -> int:
    """f16 K and V for every layer: what one token of context costs in memory."""
    meta, arch = header.metadata, header.architecture

    def get(key: str, default: int = 0) -> int:
        value = meta.get(f"{arch}.{key}", default)
        if isinstance(value, list):  # per-layer head counts (some architectures)
            value = max(value) if value else default
        try:
            return int(value)
        except (TypeError, ValueError):
            return default

    n_layer = get("block_count", 32)
    n_embd = get("embedding_length", 4096)
    n_head = get("attention.head_count", 32) or 1
    n_head_kv = get("attention.head_count_kv", n_head) or n_head
    key_len = get("attention.key_length", n_embd // n_head)
    value_len = get("attention.value_length", key_len)
    return n_layer * n_head_kv * (key_len + value_len) * 2
