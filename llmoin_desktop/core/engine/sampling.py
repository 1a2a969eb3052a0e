"""Token sampling for the decode loop: llama.cpp's C sampler chain on k candidates.

Why: ``llama_sampler_sample`` copies all logits (49,152 for SmolLM2, up to 262,144 for
Gemma) into a freshly allocated candidate array on every token, and the chain's first stage
(top-k) then throws all but 40 away: ~0.2 ms per token on these cores, about 2 % of the demo
model's decode time (docs/design.md). The small C extension ``_topk`` picks the k largest
logits in one pass into a reused ``llama_token_data`` array; the chain (which starts with the
same top-k stage, or is plain greedy) then runs on those k entries, and the chosen token is
accepted into the chain exactly as ``llama_sampler_sample`` does. Same candidates, same
order after the chain's top-k sort, so with a fixed seed the same tokens (tested).

numpy cannot do this faster than llama.cpp (measured 250–330 µs: between two tokens the
model's weights stream through the caches and every numpy call starts cold). Without the
compiled extension (a source install without a C compiler) we use ``llama_sampler_sample``.
"""

from __future__ import annotations

import ctypes
import logging
from typing import Any

log = logging.getLogger(__name__)

try:
    from llmoin_desktop.core.engine import _topk  # type: ignore[attr-defined]
except ImportError:  # built without a C compiler: the plain llama.cpp path below
    _topk = None


def fast_sampling_available() -> bool:
    return _topk is not None


class Sampler:
    """One generation's sampler: a C chain (owned here, freed by :meth:`free`)."""

    def __init__(self, chain: Any, n_vocab: int, top_k: int) -> None:
        from llama_cpp import llama_cpp as lc

        self._lc = lc
        self.chain = chain
        self.n_vocab = n_vocab
        self.k = max(1, min(top_k, n_vocab))
        self._fast = _topk is not None
        if self._fast:
            self._data = (lc.llama_token_data * self.k)()
            self._data_addr = ctypes.addressof(self._data)
            self._cur = lc.llama_token_data_array(
                data=self._data, size=self.k, selected=-1, sorted=False
            )
            self._cur_ref = ctypes.byref(self._cur)

    def sample(self, ctx: Any) -> int:
        lc = self._lc
        if not self._fast:
            return int(lc.llama_sampler_sample(self.chain, ctx, -1))
        logits = lc.llama_get_logits_ith(ctx, -1)
        addr = ctypes.cast(logits, ctypes.c_void_p).value
        if not addr:
            raise RuntimeError("llama.cpp returned no logits")
        cur = self._cur
        cur.data = self._data  # a sampler may have pointed it elsewhere
        cur.size = _topk.top_k(addr, self.n_vocab, self._data_addr, self.k)
        cur.selected = -1
        cur.sorted = False
        lc.llama_sampler_apply(self.chain, self._cur_ref)
        if not 0 <= cur.selected < cur.size:
            raise RuntimeError("llama.cpp's sampler chose no token")
        token = int(cur.data[cur.selected].id)
        lc.llama_sampler_accept(self.chain, token)
        return token

    def free(self) -> None:
        self._lc.llama_sampler_free(self.chain)
