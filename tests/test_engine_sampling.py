"""The decode loop's top-k sampler (C extension) picks exactly what llama.cpp's own path picks."""

from __future__ import annotations

import ctypes
import random
import struct

import pytest

from llmoin_desktop.core.engine import sampling, token_loop
from llmoin_desktop.core.engine.backend import GenerationParams
from llmoin_desktop.core.engine.local import LocalBackend


def test_extension_is_built() -> None:
    """CI installs with a compiler: the fast path must be there (the fallback hides nothing)."""
    assert sampling.fast_sampling_available()


def test_top_k_matches_a_full_sort_including_odd_sizes() -> None:
    from llama_cpp import llama_cpp as lc

    if not sampling.fast_sampling_available():
        pytest.skip("C extension not built")
    from llmoin_desktop.core.engine import _topk

    rng = random.Random(7)
    for n, k in [(49_152, 40), (1_000, 200), (5, 40), (17, 1)]:
        values = [rng.gauss(0, 4) for _ in range(n)]
        logits = (ctypes.c_float * n)(*values)
        out = (lc.llama_token_data * max(k, 1))()
        got = _topk.top_k(ctypes.addressof(logits), n, ctypes.addressof(out), k)
        assert got == min(k, n)
        as_f32 = [struct.unpack("f", struct.pack("f", v))[0] for v in values]
        want = sorted(range(n), key=lambda i: -as_f32[i])[: min(k, n)]
        assert sorted(out[i].id for i in range(got)) == sorted(want)
        assert all(out[i].logit == as_f32[out[i].id] for i in range(got))


def test_top_k_rejects_null_addresses() -> None:
    if not sampling.fast_sampling_available():
        pytest.skip("C extension not built")
    from llmoin_desktop.core.engine import _topk

    with pytest.raises(ValueError):
        _topk.top_k(0, 10, 0, 4)


class _LlamaCppSampler(sampling.Sampler):
    """llama.cpp's own path, for comparison."""

    def sample(self, ctx: object) -> int:
        return int(self._lc.llama_sampler_sample(self.chain, ctx, -1))


@pytest.mark.model
@pytest.mark.parametrize(
    "params",
    [
        GenerationParams(max_tokens=120, temperature=0.7, seed=3, ignore_eos=True),
        GenerationParams(max_tokens=120, temperature=0.0, ignore_eos=True),
        GenerationParams(max_tokens=120, temperature=1.2, top_k=200, seed=9, ignore_eos=True),
    ],
    ids=["sampled", "greedy", "k200"],
)
def test_same_tokens_as_llama_cpp_sampling(
    engine: LocalBackend, params: GenerationParams, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = [{"role": "user", "content": "Schreibe einen Bericht über das Rathaus."}]
    engine.clear_cache()
    fast = engine.chat(messages, params)
    monkeypatch.setattr(token_loop, "Sampler", _LlamaCppSampler)
    engine.clear_cache()
    reference = engine.chat(messages, params)
    assert fast.n_generated == reference.n_generated == 120
    assert fast.text == reference.text
