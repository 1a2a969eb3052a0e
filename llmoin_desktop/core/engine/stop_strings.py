"""Where an answer ends, learnt from the chat template itself, and a streaming filter that
stops and strips on it.

Why: generation used to stop only on the vocabulary's end-of-generation tokens. When a GGUF's
template and vocabulary disagree (converted and merged models often ship like that) the turn
markers are plain text to the model: it writes ``<|eot_id|><|start_header_id|>user…`` into the
clerk's letter and goes on with an invented next turn. We therefore render two turns with
probe texts and take what closes the assistant's turn and what opens the next one as stop
strings (never guessed from a model name), and the remaining control markers of the template
(headers such as ``<|end_header_id|>`` or Kimi K3's ``<|open|>response<|sep|>``) as strings to
strip. The same :class:`StopFilter` runs on every backend's answer stream; a partial match at
the end of the stream is held back until it is decided, so nothing of a marker ever reaches the
screen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Marker-shaped pieces of a rendered template: <|im_end|>, <｜User｜>, <|turn>, <channel|>,
# <start_of_turn>, <seed:eos>, <SPECIAL_12>, [INST], [/INST], </s>, MiniMax's [e~[ and ]~b].
_MARKER_RE = re.compile(
    r"<\|[^<>|\s]{1,40}\|>"
    r"|<｜[^<>]{1,40}?｜>"
    r"|<\|[A-Za-z_]{1,30}>"
    r"|<[A-Za-z_]{1,30}\|>"
    r"|</?[A-Za-z_][A-Za-z0-9_:\-.]{0,30}>"
    r"|\[/?[A-Z][A-Z_]{1,30}\]"
    r"|\[e~\[|\]~b\]"
)
# Markers that only make sense as special tokens of a vocabulary (checked at load):
# "<|…|>"-style tokens and a few families' own shapes. Plain-text formats ([INST] in old Mistral,
# "User:" in RWKV, XML-ish <user> tags) are text by design and never reported.
_CONTROL_RE = re.compile(
    r"^(<\|.*\|>|<｜.*｜>|<\|\w+>|<\w+\|>|<(start|end)_of_turn>|<seed:\w+>|<SPECIAL_\d+>"
    r"|<(beginning|end)_of_sentence>|<\|?START_\w+\|?>)$"
)

# What a server's reply may contain when we do not know its template: the turn markers of the
# common families. None of them belongs in a letter.
GENERIC_STOPS = (
    "<|im_end|>",
    "<|im_start|>",
    "<|eot_id|>",
    "<|start_header_id|>",
    "<end_of_turn>",
    "<start_of_turn>",
    "<|end_of_text|>",
    "<|start_of_role|>",
    "<|endoftext|>",
    "<｜end▁of▁sentence｜>",
    "<turn|>",
    "<|END_OF_TURN_TOKEN|>",
    "<seed:eos>",
)

_PROBE_U1 = "LLMOIN-PROBE-USER-ONE"
_PROBE_A1 = "LLMOIN-PROBE-ASSISTANT-ONE"
_PROBE_U2 = "LLMOIN-PROBE-USER-TWO"
_PROBE_R = "LLMOIN-PROBE-REASONING"


@dataclass
class TurnMarkers:
    """What closes an answer (``stops``), what is stripped from it (``strip``), what is
    stripped only at its very start (``lead``: a repeated assistant header) and every
    control marker the template writes (``controls``, checked against the vocabulary)."""

    stops: list[str] = field(default_factory=list)
    strip: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    controls: list[str] = field(default_factory=list)

    @property
    def all(self) -> list[str]:
        return [*self.stops, *self.strip, *self.lead]


def markers_in(text: str) -> list[str]:
    """Marker-shaped pieces of ``text`` in order of first appearance."""
    seen: dict[str, None] = {}
    for m in _MARKER_RE.finditer(text):
        seen.setdefault(m.group(0), None)
    return list(seen)


def is_control_marker(marker: str) -> bool:
    return bool(_CONTROL_RE.match(marker))


def derive_turn_markers(
    render: Callable[..., str], *, eos_token: str = "", reasoning: tuple[str, ...] = ()
) -> TurnMarkers:
    """Stop and strip strings from trial renders (``render`` is ``ChatRenderer.render``).

    ``reasoning``: the template's thinking markers, which the reasoning splitter handles and
    which must never become stops (gpt-oss closes its thinking with ``<|end|>``)."""
    out = TurnMarkers()
    user1 = {"role": "user", "content": _PROBE_U1}
    asst = {"role": "assistant", "content": _PROBE_A1}
    user2 = {"role": "user", "content": _PROBE_U2}
    texts: list[str] = []
    try:
        two = render([user1, asst, user2], add_generation_prompt=True)
        texts.append(two)
    except Exception:  # a template that rejects two turns still gets its generation header
        two = ""
    try:
        gen = render([user1], add_generation_prompt=True)
        texts.append(gen)
    except Exception:
        gen = ""
    with_reasoning = ""
    try:
        r_asst = {**asst, "reasoning_content": _PROBE_R}
        with_reasoning = render([user1, r_asst], add_generation_prompt=False)
        texts.append(with_reasoning)
    except Exception:
        pass
    skip = set(reasoning)

    def add(target: list[str], value: str) -> None:
        if value and value not in skip and value not in out.all and len(value.strip()) >= 2:
            target.append(value)

    if _PROBE_A1 in two and _PROBE_U2 in two:
        between = two[two.index(_PROBE_A1) + len(_PROBE_A1) : two.index(_PROBE_U2)]
        found = markers_in(between)
        stripped = between.strip()
        if found and stripped.startswith(found[0]):
            add(out.stops, found[0])
            rest = stripped[len(found[0]) :].strip()
            # Kimi K3 closes the answer with "<|close|>response<|sep|>": keep the run whole
            # as well, so its pieces are not left over.
        elif stripped:
            # Text formats (RWKV "User:", Reka): the blank line before the next role is the end.
            lead_ws = between[: len(between) - len(between.lstrip())]
            add(out.stops, (lead_ws[-2:] if lead_ws else "") + stripped.split()[0])
            rest = ""
        else:
            rest = ""
        if rest:
            add(out.stops, rest)
            opener = markers_in(rest)
            if opener and rest.startswith(opener[0]):
                add(out.stops, opener[0])
    if _PROBE_U1 in gen:
        header = gen[gen.index(_PROBE_U1) + len(_PROBE_U1) :]
        # What opens the assistant's turn: stripped where a model repeats it at the start.
        close = out.stops[0] if out.stops else ""
        head = header.strip()
        if close and head.startswith(close):
            head = head[len(close) :].strip()
        tags = [t for t in reasoning if t]
        while (first := next((t for t in tags if head.startswith(t)), "")) != "":
            head = head[len(first) :].strip()  # Phi's "<|end|>" before its header
        cut = min((head.find(t) for t in tags if t in head), default=-1)
        if cut >= 0:
            head = head[:cut].strip()  # the splitter takes the thinking markers
        # The whole header and each tail of it that starts at a marker ("<|assistant|>" of
        # "<|end|>\n<|assistant|>"), longest first.
        starts = sorted({0, *(m.start() for m in _MARKER_RE.finditer(head))})
        for at in starts:
            tail = head[at:].strip()
            if tail and (_MARKER_RE.search(tail) or tail.endswith(":")):  # never a bare word
                add(out.lead, tail)
        out.lead.sort(key=len, reverse=True)
    if _PROBE_R in with_reasoning and _PROBE_A1 in with_reasoning:
        after = with_reasoning[with_reasoning.index(_PROBE_R) + len(_PROBE_R) :]
        answer_at = after.find(_PROBE_A1)
        prefix = after[:answer_at]
        for tag in reasoning:
            prefix = prefix.replace(tag, "")
        if prefix.strip():
            add(out.strip, prefix.strip())  # e.g. <|START_TEXT|>, <|open|>response<|sep|>
        suffix = after[answer_at + len(_PROBE_A1) :].strip()
        first = markers_in(suffix)
        if first and suffix.startswith(first[0]) and first[0] not in out.stops:
            # <|END_TEXT|>, <|close|>response<|sep|>: the end of the answer part.
            end_run = suffix.split("\n")[0]
            add(out.stops, end_run if end_run.startswith(first[0]) else first[0])
            add(out.stops, first[0])
    if eos_token and _MARKER_RE.fullmatch(eos_token):
        add(out.stops, eos_token)
    controls: list[str] = []
    for text in texts:
        for probe in (_PROBE_U1, _PROBE_U2, _PROBE_A1, _PROBE_R):
            text = text.replace(probe, " ")
        for marker in markers_in(text):
            if marker not in controls:
                controls.append(marker)
    out.controls = controls
    for marker in controls:
        # Headers and separators left over (<|end_header_id|>, <|sep|>, <|message|>) and the
        # tags of a template's own system text (GigaChat's <assistant_guidelines>, which a
        # model echoes) are stripped; thinking markers stay for the splitter.
        if marker not in skip:
            add(out.strip, marker)
        tag = re.fullmatch(r"<(/?)([A-Za-z_][A-Za-z0-9_:\-.]{0,30})>", marker)
        if tag:  # its counterpart too: a model writes "</beginning_of_sentence>", "<system>"
            other = f"<{tag.group(2)}>" if tag.group(1) else f"</{tag.group(2)}>"
            if other not in skip and other not in out.stops:
                add(out.strip, other)
    return out


def generic_markers() -> TurnMarkers:
    """For a server whose template we cannot see."""
    return TurnMarkers(stops=list(GENERIC_STOPS))


class StopFilter:
    """Streaming stop/strip on one text stream (an answer, or thinking).

    ``feed`` returns True once a stop string was met (everything from it on is dropped); a
    tail that may still become a stop or strip string is held back until it is decided."""

    def __init__(self, markers: TurnMarkers | None, sink: Callable[[str], Any]) -> None:
        markers = markers or TurnMarkers()
        self._stops = [s for s in markers.stops if s]
        self._strip = [s for s in markers.strip if s]
        self._lead = [s for s in markers.lead if s]
        self._all = [*self._stops, *self._strip, *self._lead]
        self._sink = sink
        self._buf = ""
        self._started = False  # something other than whitespace went out
        self._early = 0  # stops met before the answer began (dropped)
        self.hit = ""

    @property
    def active(self) -> bool:
        return bool(self._all)

    def feed(self, text: str) -> bool:
        if self.hit:
            return True
        if not self._all:
            self._out(text)
            return False
        self._buf += text
        while self._buf:
            if not self._started and self._lead:
                body = self._buf.lstrip()
                lead = next((s for s in self._lead if body.startswith(s)), "")
                if lead:
                    self._buf = body[len(lead) :]
                    continue
                if any(s.startswith(body) for s in self._lead) and body:
                    return False  # could still be a repeated header
            pos, found = -1, ""
            for s in self._all:
                p = self._buf.find(s)
                if p >= 0 and (pos < 0 or p < pos or (p == pos and len(s) > len(found))):
                    pos, found = p, s
            if found:
                rest = self._buf[pos:]
                if any(len(s) > len(rest) and s.startswith(rest) for s in self._all):
                    # "<|open|>" may still become "<|open|>response<|sep|>": wait.
                    self._out(self._buf[:pos])
                    self._buf = rest
                    break
                self._out(self._buf[:pos])
                self._buf = self._buf[pos + len(found) :]
                if found in self._stops and not self._started and self._early < 2:
                    # A turn end before any answer text is no answer: dropped, the model
                    # goes on (twice at most; a vocabulary that lacks the markers).
                    self._early += 1
                    continue
                if found in self._stops:
                    self.hit = found
                    self._buf = ""
                    return True
                continue
            keep = max(partial_suffix(self._buf, self._all), _open_control_tail(self._buf))
            self._out(self._buf[: len(self._buf) - keep])
            self._buf = self._buf[len(self._buf) - keep :]
            break
        return False

    def finish(self) -> None:
        """End of stream: a held-back tail that never became a marker is text after all,
        except the cut-off start of a control marker ("<|", "<|eot") when the answer budget
        ended the stream in the middle of one."""
        if self._buf and not self.hit and not _cut_marker(self._buf):
            self._out(self._buf)
        self._buf = ""

    def _out(self, text: str) -> None:
        if self._all:
            # Control-shaped markers never belong in an answer, also misspelt ones a model
            # makes up from the template's ("<|assistant>" for "<|assistant|>").
            text = _CONTROL_LIKE.sub("", text)
        if not text:
            return
        if text.strip():
            self._started = True
        self._sink(text)


_CONTROL_LIKE = re.compile(r"<\|[^<>\s|]{1,40}\|?>|<[^<>\s|]{1,40}\|>|<｜[^<>]{1,40}?｜>")


def _open_control_tail(buf: str) -> int:
    """Length of a tail that starts like a control marker ("<|", "<｜") and is not closed yet
    (held back up to 48 characters, then released as text)."""
    at = max(buf.rfind("<|"), buf.rfind("<｜"))
    if at < 0 or len(buf) - at > 48 or any(c in buf[at:] for c in "> \n\t"):
        return 0
    return len(buf) - at


def _cut_marker(tail: str) -> bool:
    if tail in ("<", "["):
        return True  # the budget ended the stream on the first character of a marker
    return (
        len(tail) >= 2
        and tail[0] in "<["
        and tail[1] in "|｜/e"
        and not any(c.isspace() for c in tail)
    )


def partial_suffix(buf: str, markers: Sequence[str]) -> int:
    """Length of the longest end of ``buf`` that could be the start of a marker: what a
    streaming filter must hold back (shared by the stop filter and the reasoning splitter)."""
    longest = 0
    for marker in markers:
        for n in range(min(len(marker) - 1, len(buf)), longest, -1):
            if marker.startswith(buf[-n:]):
                longest = n
                break
    return longest


def cut_at_stops(text: str, stops: list[str]) -> str:
    """A complete text up to the first stop string (non-streaming callers)."""
    for stop in stops:
        idx = text.find(stop) if stop else -1
        if idx >= 0:
            text = text[:idx]
    return text
