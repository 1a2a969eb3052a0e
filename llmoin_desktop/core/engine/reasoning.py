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
"""

from __future__ import annotations

from collections.abc import Callable

OPEN_TAGS = {"<think>": "</think>", "[THINK]": "[/THINK]"}
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

    ``opened`` is the reasoning tag the prompt already opened (e.g. ``"<think>"``), or ``""``."""

    def __init__(
        self,
        *,
        opened: str = "",
        on_answer: Sink | None = None,
        on_reasoning: Sink | None = None,
    ) -> None:
        self._on_answer = on_answer
        self._on_reasoning = on_reasoning
        self._buf = ""
        self._sink = "reasoning" if opened else "answer"
        self._open_tag = opened
        self._channel_name: list[str] | None = None  # collecting a harmony channel name
        self._lstrip = False
        self._harmony = False
        self.answer_parts: list[str] = []
        self.reasoning_parts: list[str] = []

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

    def close_text(self) -> str:
        """What to feed the model to end its thinking now (reasoning budget, early EOS)."""
        if self._harmony:
            return HARMONY_FINAL
        return OPEN_TAGS.get(self._open_tag or "<think>", "</think>") + "\n\n"

    # Streaming ---------------------------------------------------------------------
    def feed(self, text: str) -> None:
        self._buf += text
        while self._buf:
            pos, marker = _earliest_marker(self._buf)
            if marker:
                self._emit(self._buf[:pos])
                self._buf = self._buf[pos + len(marker) :]
                self._on_marker(marker)
                continue
            keep = _partial_marker_suffix(self._buf)
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

    # Internals ---------------------------------------------------------------------
    def _emit(self, text: str) -> None:
        if not text:
            return
        if self._channel_name is not None:
            self._channel_name.append(text)
            return
        if self._sink == "answer":
            if self._lstrip:
                text = text.lstrip()
                if not text:
                    return
                self._lstrip = False
            self.answer_parts.append(text)
            if self._on_answer is not None:
                self._on_answer(text)
        elif self._sink == "reasoning":
            self.reasoning_parts.append(text)
            if self._on_reasoning is not None:
                self._on_reasoning(text)

    def _on_marker(self, marker: str) -> None:
        if marker in OPEN_TAGS:
            self._sink = "reasoning"
            self._open_tag = marker
        elif marker in CLOSE_TAGS:
            if self._sink == "reasoning":
                self._sink = "answer"
                self._lstrip = True
                self._separate_reasoning()
            elif not self._open_tag and not self.reasoning_parts:
                # A server's template opened the block in the prompt (DeepSeek-R1 behind an
                # OpenAI-compatible server): what came so far was thinking. It has streamed
                # already; the final result (what is shown, stored and exported) is clean.
                self.reasoning_parts = self.answer_parts
                self.answer_parts = []
                self._open_tag = CLOSE_TAGS[marker]
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
            self._harmony = True
            if self._sink == "reasoning":
                self._separate_reasoning()
            self._sink = "drop"
        elif marker in H_STOPS:
            self._sink = "drop"
        # H_CONSTRAIN: part of a harmony header, nothing to do

    def _separate_reasoning(self) -> None:
        if self.reasoning_parts and not self.reasoning_parts[-1].endswith("\n\n"):
            self.reasoning_parts.append("\n\n")


def _earliest_marker(buf: str) -> tuple[int, str]:
    best_pos, best = -1, ""
    for marker in MARKERS:
        pos = buf.find(marker)
        if pos >= 0 and (best_pos < 0 or pos < best_pos):
            best_pos, best = pos, marker
    return best_pos, best


def _partial_marker_suffix(buf: str) -> int:
    """Length of the longest end of ``buf`` that could be the start of a marker."""
    longest = 0
    for marker in MARKERS:
        for n in range(min(len(marker) - 1, len(buf)), longest, -1):
            if marker.startswith(buf[-n:]):
                longest = n
                break
    return longest


def split_reasoning(text: str, *, opened: str = "") -> tuple[str, str]:
    """(answer, reasoning) of a complete text; for non-streaming callers and tests."""
    splitter = ReasoningSplitter(opened=opened)
    splitter.feed(text)
    splitter.finish()
    return splitter.answer, splitter.reasoning
