"""The token loop of the in-process engine: prompt evaluation with a working Stop, decoding
with the C sampler chain, and the reasoning budget.

Why a module of its own: it is the hot path (every token passes here) and reads best apart
from loading, templates and the owner thread in ``local.py``. ``LocalBackend`` mixes it in;
it uses the backend's ``_llm``, ``_cached`` (tokens in the KV cache), ``_abort_cb`` and
``_abort_token``.
"""

from __future__ import annotations

import codecs
import ctypes
import os
import time
from collections.abc import Callable
from typing import Any

from llmoin_desktop.core.engine.backend import GenerationParams, GenerationResult
from llmoin_desktop.core.engine.reasoning import MARKERS as REASONING_MARKERS
from llmoin_desktop.core.engine.reasoning import ReasoningSplitter
from llmoin_desktop.core.engine.sampling import Sampler
from llmoin_desktop.core.errors import BackendError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import CancelToken, Progress

ProgressCallback = Callable[[Progress], None]
# Prompt evaluation batch: small enough that progress updates flow, big enough to be fast.
PROMPT_BATCH = 256


class TokenLoopMixin:
    _llm: Any
    _cached: list[int]
    _abort_cb: Any
    _abort_token: CancelToken | None
    # Thread governor hooks (threads.GovernedThreadsMixin, issue 24).
    _threads_before_call: Callable[[], None]
    _threads_after_batch: Callable[[int, float], None]
    _threads_after_token: Callable[[float], None]
    _threads_batch_deadline: Callable[[int], float]
    _threads_batch_overdue: Callable[[], bool]
    _abort_deadline: float
    _abort_overdue: bool

    def _eval_prompt(
        self, tokens: list[int], cancel: CancelToken, on_progress: ProgressCallback | None
    ) -> int:
        """Evaluate what is not yet in the KV cache; returns the reused prefix, -1 if cancelled."""
        from llama_cpp import llama_cpp as lc

        common = 0
        for a, b in zip(self._cached, tokens, strict=False):
            if a != b:
                break
            common += 1
        # At least the last prompt token must be evaluated to get fresh logits.
        common = min(common, len(tokens) - 1)
        ctx = self._llm._ctx.ctx
        mem = lc.llama_get_memory(ctx)
        if not lc.llama_memory_seq_rm(mem, -1, common, -1):
            common = 0
            lc.llama_memory_clear(mem, True)
        self._cached = self._cached[:common]
        todo = tokens[common:]
        batch = self._llm._batch
        self._abort_token = cancel
        lc.llama_set_abort_callback(ctx, self._abort_cb, None)
        self._threads_before_call()
        try:
            done = 0
            for start in range(0, len(todo), PROMPT_BATCH):
                if cancel.cancelled:
                    return -1
                piece = todo[start : start + PROMPT_BATCH]
                batch.set_batch(batch=piece, n_past=len(self._cached), logits_all=False)
                rc, seconds = self._decode_batch(ctx, batch, piece)
                if rc != 0:
                    if cancel.cancelled:
                        return -1
                    raise BackendError(tr("Die Modell-Engine meldet einen Fehler ({rc}).", rc=rc))
                self._threads_after_batch(len(piece), seconds)
                self._cached.extend(piece)
                done += len(piece)
                if on_progress is not None and len(todo) > PROMPT_BATCH:
                    on_progress(Progress(done, len(todo), _("Eingabe wird gelesen …")))
        finally:
            lc.llama_set_abort_callback(ctx, ctypes.cast(None, lc.ggml_abort_callback), None)
            self._abort_token = None
        return common

    def _decode_batch(self, ctx: Any, batch: Any, piece: list[int]) -> tuple[int, float]:
        """One prompt batch; stuck at the barrier (another program took a core) it is stopped
        by the watchdog and repeated with one thread less (llama.cpp removes the stopped
        batch from the KV cache). Returns llama_decode's code and the last try's seconds."""
        from llama_cpp import llama_cpp as lc

        while True:
            self._abort_overdue = False
            self._abort_deadline = self._threads_batch_deadline(len(piece))
            t_batch = time.perf_counter()
            try:
                rc = lc.llama_decode(ctx, batch.batch)
            finally:
                self._abort_deadline = 0.0
            seconds = time.perf_counter() - t_batch
            if rc == 2 and self._abort_overdue and self._threads_batch_overdue():
                continue
            return rc, seconds

    def _decode_loop(
        self,
        params: GenerationParams,
        room: int,
        splitter: ReasoningSplitter,
        cancel: CancelToken,
        on_progress: ProgressCallback | None = None,
    ) -> GenerationResult:
        """Sample until EOS, a stop string of the template, the answer budget or the context
        is used up.

        ``params.max_tokens`` counts answer tokens only; a reasoning model's thinking has its
        own budget (``max_reasoning_tokens``). When the thinking exceeds it, or the model
        stops while still thinking, we feed the closing marker ourselves and let it answer,
        so thinking can never eat the answer. With thinking switched off (``params.thinking``
        false) a block the template or the model opens is closed at once with an empty
        thinking (templates without a switch, issue 21); while thinking is on, the progress
        line says so with a token count."""
        from llama_cpp import llama_cpp as lc

        ctx = self._llm._ctx.ctx
        vocab = lc.llama_model_get_vocab(self._llm._model.model)
        n_vocab = lc.llama_vocab_n_tokens(vocab)
        sampler = Sampler(_build_sampler(params, n_vocab), n_vocab, params.top_k or 40)
        token_buf = (lc.llama_token * 1)()
        one = lc.llama_batch_get_one(token_buf, 1)
        piece_buf = ctypes.create_string_buffer(256)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        stops = [s for s in params.stop if s]
        finish = "length"
        n_generated = n_answer = n_reasoning = 0
        n_decoded = 0
        n_timed = 0
        t_first = 0.0
        t_last = 0.0
        forced_close = False
        closes = 0  # thinking switched off: blocks closed at once (at most twice)
        empty_ends = 0  # end tokens replaced before the answer began (at most three)
        visible = splitter.visible_markers()
        budget = params.max_reasoning_tokens if params.thinking else 0
        try:
            if splitter.in_reasoning and budget <= 0:
                room -= self._inject(splitter.close_text(), splitter)
                forced_close = True
                closes += 1
            while n_generated < room:
                if cancel.cancelled:
                    finish = "cancelled"
                    break
                token = sampler.sample(ctx)
                now = time.perf_counter()
                if not t_first:
                    t_first = now
                t_last = now
                n_timed = n_decoded
                if not params.ignore_eos and lc.llama_vocab_is_eog(vocab, token):
                    if splitter.in_reasoning and not forced_close and room - n_generated > 32:
                        # The model stopped while thinking: close the block, let it answer.
                        room -= self._inject(splitter.close_text(), splitter)
                        forced_close = True
                        continue
                    if not splitter.in_reasoning and not splitter.answer_started and empty_ends < 3:
                        # An answer never ends before it began (a model that closes its turn
                        # right after the thinking we closed): its most likely other token.
                        empty_ends += 1
                        token = _best_non_end(ctx, vocab, n_vocab)
                    else:
                        finish = "stop"
                        break
                n_generated += 1
                thinking = splitter.in_reasoning
                n = lc.llama_token_to_piece(vocab, token, piece_buf, 256, 0, False)
                if n == 0:
                    n = _marker_piece(vocab, token, piece_buf, visible)
                text = decoder.decode(piece_buf.raw[: max(n, 0)])
                if text:
                    splitter.feed(text)
                thinking = thinking or splitter.in_reasoning
                if thinking:
                    n_reasoning += 1
                else:
                    n_answer += 1
                if not params.ignore_eos and (
                    splitter.ended or (stops and _hit_stop(splitter.answer_parts, stops))
                ):
                    # The template's end of turn (or a caller's stop). ignore_eos (benchmarks,
                    # the sampler equivalence test) generates the full budget, as llama.cpp does.
                    finish = "stop"
                    break
                if thinking and on_progress is not None and n_reasoning % 16 == 1:
                    on_progress(
                        Progress(
                            n_reasoning,
                            max(budget, n_reasoning),
                            tr("Das Modell überlegt … ({n} Token)", n=n_reasoning),
                        )
                    )
                token_buf[0] = token
                t_step = time.perf_counter()
                rc = lc.llama_decode(ctx, one)
                if rc != 0:
                    raise BackendError(tr("Die Modell-Engine meldet einen Fehler ({rc}).", rc=rc))
                self._threads_after_token(time.perf_counter() - t_step)
                self._cached.append(token)
                n_decoded += 1
                if splitter.in_reasoning and splitter.reasoning_ended:
                    # A turn end written while thinking (markers that are text to this
                    # vocabulary): close the block as for an early end token.
                    splitter.resume_reasoning()
                    if forced_close or room - n_generated <= 32:
                        finish = "stop"
                        break
                    room -= self._inject(splitter.close_text(), splitter)
                    forced_close = True
                if splitter.in_reasoning and not params.thinking and closes < 2:
                    room -= self._inject(splitter.close_text(), splitter)
                    forced_close = True
                    closes += 1
                elif (
                    splitter.in_reasoning
                    and not forced_close
                    and n_reasoning >= budget
                    and room - n_generated > 32
                ):
                    room -= self._inject(splitter.close_text(), splitter)
                    forced_close = True
                if n_answer >= params.max_tokens:
                    break
        finally:
            sampler.free()
        tail = decoder.decode(b"", final=True)
        if tail:
            splitter.feed(tail)
        splitter.finish()
        text = splitter.answer
        if stops:
            for stop in stops:
                idx = text.find(stop)
                if idx >= 0:
                    text = text[:idx]
        return GenerationResult(
            text=text,
            finish_reason=finish,
            n_generated=n_generated,
            ttft_s=t_first,
            decode_s=max(0.0, t_last - t_first),
            n_timed=n_timed,
            reasoning=splitter.reasoning,
            n_reasoning=n_reasoning,
        )

    def _inject(self, text: str, splitter: ReasoningSplitter) -> int:
        """Evaluate ``text`` as if the model had written it (closing its thinking); returns
        the number of tokens it took from the context."""
        from llama_cpp import llama_cpp as lc

        tokens = list(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))
        ctx = self._llm._ctx.ctx
        batch = self._llm._batch
        batch.set_batch(batch=tokens, n_past=len(self._cached), logits_all=False)
        if lc.llama_decode(ctx, batch.batch) != 0:
            raise BackendError(_("Die Modell-Engine meldet einen Fehler beim Beenden des Denkens."))
        self._cached.extend(tokens)
        splitter.feed(text)
        return len(tokens)


def _marker_piece(vocab: Any, token: int, buf: Any, visible: frozenset[str] | None = None) -> int:
    """Bytes of a control token that is a reasoning marker (gpt-oss's ``<|channel|>``,
    Magistral's ``[THINK]``) or one of the template's turn markers (``visible``: they stop
    or are stripped by the splitter); other control tokens stay invisible, as before."""
    from llama_cpp import llama_cpp as lc

    n = lc.llama_token_to_piece(vocab, token, buf, 256, 0, True)
    if n <= 0:
        return 0
    piece = buf.raw[:n].decode("utf-8", "replace")
    return n if piece in REASONING_MARKERS or (visible and piece in visible) else 0


def _best_non_end(ctx: Any, vocab: Any, n_vocab: int) -> int:
    """The most likely token that does not end the generation (from the last logits)."""
    import numpy as np
    from llama_cpp import llama_cpp as lc

    logits = np.ctypeslib.as_array(lc.llama_get_logits_ith(ctx, -1), shape=(n_vocab,))
    for token in np.argsort(-logits)[:64]:
        if not lc.llama_vocab_is_eog(vocab, int(token)):
            return int(token)
    return int(np.argsort(-logits)[0])


def _hit_stop(pieces: list[str], stops: list[str]) -> bool:
    tail = "".join(pieces[-8:])
    return any(stop in tail for stop in stops)


def _build_sampler(params: GenerationParams, n_vocab: int) -> Any:
    """C sampler chain. top-k runs first so the later stages see 40 candidates, not the vocab."""
    from llama_cpp import llama_cpp as lc

    chain = lc.llama_sampler_chain_init(lc.llama_sampler_chain_default_params())
    if params.temperature <= 0:
        if params.repeat_penalty and params.repeat_penalty != 1.0:
            lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_top_k(params.top_k or 40))
            lc.llama_sampler_chain_add(
                chain, lc.llama_sampler_init_penalties(n_vocab, 64, params.repeat_penalty, 0.0, 0.0)
            )
        lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_greedy())
        return chain
    seed = params.seed if params.seed is not None else int.from_bytes(os.urandom(4), "little")
    lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_top_k(params.top_k or 40))
    if params.repeat_penalty and params.repeat_penalty != 1.0:
        lc.llama_sampler_chain_add(
            chain, lc.llama_sampler_init_penalties(n_vocab, 64, params.repeat_penalty, 0.0, 0.0)
        )
    lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_top_p(params.top_p, 1))
    lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_temp(params.temperature))
    lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_dist(seed & 0xFFFFFFFF))
    return chain
