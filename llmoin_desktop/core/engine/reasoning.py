"""Separate a reasoning model's thinking from its answer while the text streams.

Why: DeepSeek-R1 distills, Qwen3, Magistral and gpt-oss write their deliberation into the
output. In a clerk's letter, the DOCX export, the history or a citation check it is noise at
best and misleading at worst. Every backend feeds its streamed text through one
:class:`ReasoningSplitter`; only the answer reaches ``on_token`` and ``GenerationResult.text``,
the thinking goes to ``on_reasoning`` and ``GenerationResult.reasoning`` (shown collapsed as
"Überlegungen des Modells", never exported).

Formats understood, wherever they appear (so a remote server that passes them through works
too): ``<think>…</think>`` and ``[THINK]…[/THINK]``, including a prompt that already opened the
block; gpt-oss "harmony" channels ``<|channel|>analysis<|message|>…<|end|><|start|>assistant
<|channel|>final<|message|>…`` (analysis and commentary are thinking, final is the answer).
Markers split across streamed pieces are held back until they are complete.

Further formats (issue 21), each recognised wherever it appears and split like ``<think>``:
Gemma 4 ``<|channel>thought…<channel|>``, Seed-OSS ``<seed:think>``, Kimi K3
``<|open|>think<|sep|>…<|close|>think<|sep|>``, Command-A ``<|START_THINKING|>``, MiniMax-M3
``<mm:think>``, Hunyuan ``<think:opensource>`` and Apriel's "Here are my reasoning steps:" …
``[BEGIN FINAL RESPONSE]``. A template may add its own pair (found by trial render,
``extra_tags``). An opening tag after answer text has started is text, not a mode switch
(GLM-4.6 writes ``<think>`` mid-answer). The answer side runs through a
:class:`~llmoin_desktop.core.engine.stop_strings.StopFilter` with the template's stop strings;
``ended`` tells the token loop that the model closed its turn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llmoin_desktop.core.engine.stop_strings import StopFilter, TurnMarkers, partial_suffix

APRIEL_OPEN = "Here are my reasoning steps:"
OPEN_TAGS = {
    "<think>": "</think>",
    "[THINK]": "[/THINK]",
    "<seed:think>": "</seed:think>",
    "<|START_THINKING|>": "<|END_THINKING|>",
    "<|channel>thought": "<channel|>",
    "<|open|>think<|sep|>": "<|close|>think<|sep|>",
    "<mm:think>": "</mm:think>",
    "<think:opensource>": "</think:opensource>",
    APRIEL_OPEN: "[BEGIN FINAL RESPONSE]",
}
CLOSE_TAGS = {v: k for k, v in OPEN_TAGS.items()}
H_CHANNEL = "<|channel|>"
H_MESSAGE = "<|message|>"
H_START = "<|start|>"
H_END = "<|end|>"
H_STOPS = ("<|return|>", "<|call|>")
H_CONSTRAIN = "<|constrain|>"
HARMONY_FINAL = "<|end|><|start|>assistant<|channel|>final<|message|>"

MARKERS = (
    *OPEN_TAGS,
    *CLOSE_TAGS,
    H_CHANNEL,
    H_MESSAGE,
    H_START,
    H_END,
    *H_STOPS,
    H_CONSTRAIN,
)

Sink = Callable[[str], None]


class ReasoningSplitter:
    """Streaming state machine: ``feed`` pieces, ``finish`` at the end.

    ``opened`` is the reasoning tag the prompt already opened (e.g. ``"<think>"``), or ``""``.
    ``markers``: the template's stop/strip strings for the answer (and stops for the
    thinking: a model that ends its turn while thinking). ``extra_tags``: a template's own
    open/close pair found by trial render."""

    def __init__(
        self,
        *,
        opened: str = "",
        on_answer: Sink | None = None,
        on_reasoning: Sink | None = None,
        markers: TurnMarkers | None = None,
        extra_tags: dict[str, str] | None = None,
    ) -> None:
        self._on_answer = on_answer
        self._on_reasoning = on_reasoning
        self._open_tags = {**OPEN_TAGS, **(extra_tags or {})}
        self._close_tags = {v: k for k, v in self._open_tags.items()}
        self._markers = tuple(dict.fromkeys((*MARKERS, *self._open_tags, *self._close_tags)))
        self._buf = ""
        self._sink = "reasoning" if opened else "answer"
        self._open_tag = opened
        self._channel_name: list[str] | None = None  # collecting a harmony channel name
        self._lstrip = False
        self._harmony = False
        self._literal_open = False  # an open tag inside the answer was kept as text
        self.answer_parts: list[str] = []
        self.reasoning_parts: list[str] = []
        self._marker_strings = tuple(markers.all) if markers else ()
        self._answer_filter = StopFilter(markers, self._answer_out)
        stops_only = TurnMarkers(stops=list(markers.stops)) if markers else None
        self._reasoning_filter = StopFilter(stops_only, self._reasoning_out)
        # The model closed its turn (a stop string in the answer, harmony's end of the final
        # channel) / wrote a turn end while still thinking.
        self.ended = False
        self.reasoning_ended = False

    # State -------------------------------------------------------------------------
    @property
    def in_reasoning(self) -> bool:
        return self._sink == "reasoning"

    @property
    def answer(self) -> str:
        return "".join(self.answer_parts)

    @property
    def reasoning(self) -> str:
        return "".join(self.reasoning_parts).strip()

    @property
    def answer_started(self) -> bool:
        return any(p.strip() for p in self.answer_parts)

    def close_text(self) -> str:
        """What to feed the model to end its thinking now (reasoning budget, early EOS,
        thinking switched off)."""
        if self._harmony:
            return HARMONY_FINAL
        close = self._open_tags.get(self._open_tag or "<think>", "</think>")
        return ("\n" if self._open_tag == APRIEL_OPEN else "") + close + "\n\n"

    def visible_markers(self) -> frozenset[str]:
        """Control tokens the engine must print for this splitter: reasoning markers and
        the template's stop/strip strings (other control tokens stay invisible)."""
        return frozenset((*self._markers, *self._marker_strings))

    def resume_reasoning(self) -> None:
        """After the engine closed the thinking for a model that wrote a turn end inside it."""
        self.reasoning_ended = False
        self._reasoning_filter = StopFilter(None, self._reasoning_out)

    # Streaming ---------------------------------------------------------------------
    def feed(self, text: str) -> None:
        self._buf += text
        while self._buf:
            pos, marker = _earliest_marker(self._buf, self._markers)
            if marker:
                self._emit(self._buf[:pos])
                self._buf = self._buf[pos + len(marker) :]
                self._on_marker(marker)
                continue
            keep = partial_suffix(self._buf, self._markers)
            self._emit(self._buf[: len(self._buf) - keep])
            self._buf = self._buf[len(self._buf) - keep :]
            break

    def add_reasoning(self, text: str) -> None:
        """Thinking that arrives apart from the text (a server's ``reasoning_content``)."""
        if text:
            self.reasoning_parts.append(text)
            if self._on_reasoning is not None:
                self._on_reasoning(text)

    def finish(self) -> None:
        if self._buf:
            self._emit(self._buf)
            self._buf = ""
        self._answer_filter.finish()
        self._reasoning_filter.finish()

    # Internals ---------------------------------------------------------------------
    def _answer_out(self, text: str) -> None:
        if self._lstrip:
            text = text.lstrip()
            if not text:
                return
            self._lstrip = False
        self.answer_parts.append(text)
        if self._on_answer is not None:
            self._on_answer(text)

    def _reasoning_out(self, text: str) -> None:
        self.reasoning_parts.append(text)
        if self._on_reasoning is not None:
            self._on_reasoning(text)

    def _emit(self, text: str) -> None:
        if not text:
            return
        if self._channel_name is not None:
            self._channel_name.append(text)
            return
        if self._sink == "answer":
            if self._answer_filter.feed(text):
                self.ended = True
                self._sink = "drop"
        elif self._sink == "reasoning" and self._reasoning_filter.feed(text):
            self.reasoning_ended = True

    def _on_marker(self, marker: str) -> None:
        if self.ended:
            return  # the turn is over; nothing after it counts
        if marker in self._open_tags:
            if self._sink == "answer" and (self.answer_started or self._literal_open):
                # After answer text has started an opening tag is no mode switch (GLM-4.6
                # writes <think> mid-answer): what follows stays answer; the tag itself, and
                # the closing one, are markup and dropped.
                self._literal_open = True
                return
            if self._sink == "answer":
                self._answer_filter.finish()
            self._sink = "reasoning"
            self._open_tag = marker
        elif marker in self._close_tags:
            if self._literal_open and self._sink == "answer":
                pass  # the close of an open tag that was no mode switch: markup, dropped
            elif self._sink == "reasoning":
                self._reasoning_filter.finish()
                self._reasoning_filter = StopFilter(None, self._reasoning_out)
                self._sink = "answer"
                self._lstrip = True
                self._separate_reasoning()
            elif self._sink == "answer" and not self._open_tag and not self.reasoning_parts:
                # A server's template opened the block in the prompt (DeepSeek-R1 behind an
                # OpenAI-compatible server): what came so far was thinking. It has streamed
                # already; the final result (what is shown, stored and exported) is clean.
                self._answer_filter.finish()
                self.reasoning_parts = self.answer_parts
                self.answer_parts = []
                self._open_tag = self._close_tags[marker]
                self._lstrip = True
        elif marker == H_CHANNEL:
            self._harmony = True
            self._channel_name = []
        elif marker == H_MESSAGE:
            self._harmony = True
            name = "".join(self._channel_name or []).strip().split(" ")[0]
            self._channel_name = None
            if name in ("", "final"):
                self._sink = "answer"
            else:
                if self._sink == "reasoning":
                    self._separate_reasoning()
                self._sink = "reasoning"
        elif marker == H_START:
            self._harmony = True
            self._sink = "drop"
        elif marker == H_END:
            if self._sink == "answer" and self.answer_started:
                self.ended = True  # end of the final channel (or Phi's end of turn)
            self._harmony = self._harmony or self._sink != "answer"
            if self._sink == "reasoning":
                self._separate_reasoning()
            self._sink = "drop"
        elif marker in H_STOPS:
            self.ended = True
            self._sink = "drop"
        # H_CONSTRAIN: part of a harmony header, nothing to do

    def _separate_reasoning(self) -> None:
        if self.reasoning_parts and not self.reasoning_parts[-1].endswith("\n\n"):
            self.reasoning_parts.append("\n\n")


def _earliest_marker(buf: str, markers: tuple[str, ...] = MARKERS) -> tuple[int, str]:
    best_pos, best = -1, ""
    for marker in markers:
        pos = buf.find(marker)
        if pos >= 0 and (
            best_pos < 0 or pos < best_pos or (pos == best_pos and len(marker) > len(best))
        ):
            best_pos, best = pos, marker
    return best_pos, best


def split_reasoning(text: str, *, opened: str = "") -> tuple[str, str]:
    """(answer, reasoning) of a complete text; for non-streaming callers and tests."""
    splitter = ReasoningSplitter(opened=opened)
    splitter.feed(text)
    splitter.finish()
    return splitter.answer, splitter.reasoning


def thinking_progress(show: Callable[[Any], None], every: int = 16) -> Sink:
    """An ``on_reasoning`` listener that reports "Das Modell überlegt … (N Token)" through
    ``show`` (a Progress callback): the thinking itself is not printed, but nobody stares at
    "0 %" while a reasoning model thinks (CLI stderr, the GUI's progress line). Each piece the
    engine streams is one token (a server's chunk about one)."""
    from llmoin_desktop.core.i18n import tr
    from llmoin_desktop.core.jobs import Progress

    count = 0

    def on_piece(_text: str) -> None:
        nonlocal count
        count += 1
        if count % every == 1:
            show(Progress(count, None, tr("Das Modell überlegt … ({n} Token)", n=count)))

    return on_piece
