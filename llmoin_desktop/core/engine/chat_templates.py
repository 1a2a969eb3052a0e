"""Chat templates as the models IT deploys really have them.

Why this module exists: every model family writes its prompt format differently in the GGUF's
``tokenizer.chat_template`` (a Jinja template), and several reject what a naive caller sends:

- Gemma 2/3 and some Mistral conversions raise "System role not supported";
- older Mistral/Mixtral templates raise unless roles strictly alternate user/assistant/…;
- reasoning models (DeepSeek-R1 distills, Qwen3, Magistral, gpt-oss) think before they answer,
  some templates end the prompt with an opened ``<think>``, Qwen3 has an ``enable_thinking``
  switch, gpt-oss writes "harmony" channels.

We learn each template's behaviour by **trial renders at load time** (never by model name:
IT's file names and ``general.name`` say nothing reliable), keep the result in a
:class:`TemplateProfile`, and shape every message list with :func:`prepare_messages` before it
is rendered. The guided tasks' system message therefore reaches every model: merged into the
first user message where the system role is rejected.

We render with our own sandboxed Jinja environment (the same extensions and filters as
llama-cpp-python's ``Jinja2ChatFormatter`` and Transformers) because we need to pass
``enable_thinking`` / ``reasoning_effort`` and to catch a template's ``raise_exception``.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from llmoin_desktop.core.engine.reasoning import MARKERS as REASONING_MARKERS
from llmoin_desktop.core.engine.reasoning import OPEN_TAGS
from llmoin_desktop.core.engine.stop_strings import TurnMarkers, derive_turn_markers
from llmoin_desktop.core.engine.template_probe import (
    explain_template_error,
    thinking_pair,
    vocab_mismatch_note,
)
from llmoin_desktop.core.errors import ModelError
from llmoin_desktop.core.i18n import _, tr

Message = dict[str, str]

# Markers of reasoning in templates and output (the splitter knows more, see reasoning.py).
THINK_TAGS = tuple(OPEN_TAGS.items())
HARMONY_CHANNEL = "<|channel|>"

_SYSTEM_PROBE = "LLMOIN-SYSTEM-PROBE"
_USER_PROBE = "LLMOIN-USER-PROBE"
_ASSISTANT_PROBE = "LLMOIN-ASSISTANT-PROBE"


# A template's own thinking switch named ``thinking`` (not ``enable_thinking``).
_THINKING_VAR = re.compile(r"(?<![\w.])thinking is (?:un)?defined")
# A generation prompt that demands a tool action list although no tools are given.
_TOOL_ONLY_SIGNS = ("Write 'Action:' followed by", "`directly-answer` tool")


class TemplateRenderError(Exception):
    """The template raised (``raise_exception``) or is not valid Jinja.

    ``technical``: a Python/Jinja error inside the template rather than the template's own
    words; the user then gets an explanation (:func:`explain_template_error`) and the raw
    line goes to the log and ``doctor`` only."""

    def __init__(self, message: str, *, technical: bool = False) -> None:
        super().__init__(message)
        self.technical = technical


@dataclass
class TemplateProfile:
    """What the trial renders found out about one model's chat template."""

    system_role: bool = True  # False: system text is merged into the first user message
    strict_alternation: bool = False  # two user turns in a row are rejected
    reasoning: str = ""  # "" | "think" | "harmony"
    opens_think: bool = False  # the generation prompt ends inside an opened <think>
    thinking_switch: bool = False  # the template honours enable_thinking
    source: str = "gguf"  # "gguf" | "builtin:<name>" | "file:<path>"
    # Where an answer ends and what is stripped from it (stop_strings.derive_turn_markers).
    markers: TurnMarkers = field(default_factory=TurnMarkers)
    # The template's own thinking markers when they are none of the known formats.
    think_open: str = ""
    think_close: str = ""
    # Control markers that are no token of the vocabulary (set at load).
    vocab_missing: list[str] = field(default_factory=list)

    @property
    def extra_tags(self) -> dict[str, str]:
        return {self.think_open: self.think_close} if self.think_open and self.think_close else {}

    @property
    def is_reasoning(self) -> bool:
        return bool(self.reasoning)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        """One line for `models`, the model list and the model check."""
        parts = [
            tr("Systemrolle: {v}", v=_yes_no(self.system_role)),
            tr("strikter Wechsel: {v}", v=_yes_no(self.strict_alternation)),
        ]
        if self.reasoning:
            parts.append(tr("denkt vor der Antwort ({kind})", kind=self.reasoning))
        if self.thinking_switch:
            parts.append(tr("Denken abschaltbar"))
        if self.reasoning == "unknown":
            parts.append(_("Denkformat unbekannt: Denken bleibt aus"))
        if self.vocab_missing:
            parts.append(vocab_mismatch_note(self.vocab_missing))
        return ", ".join(parts)


def _yes_no(flag: bool) -> str:
    return tr("ja") if flag else tr("nein")


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------
class ChatRenderer:
    """Renders one template; ``render`` raises :class:`TemplateRenderError` on any failure."""

    def __init__(self, template: str, *, bos_token: str = "", eos_token: str = "") -> None:
        import jinja2
        import jinja2.ext
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        class _IgnoreGeneration(jinja2.ext.Extension):
            """HF's ``{% generation %}`` tag (training masks) renders its body unchanged."""

            tags = {"generation"}

            def parse(self, parser: Any) -> Any:
                parser.stream.skip(1)
                return parser.parse_statements(("name:endgeneration",), drop_needle=True)

        env = ImmutableSandboxedEnvironment(
            loader=jinja2.BaseLoader(),
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=[_IgnoreGeneration, jinja2.ext.loopcontrols],
        )
        env.filters["tojson"] = _tojson
        self.template = template
        self._fill: dict[str, Any] = {}  # string values a template needs (_render_filled)
        self.bos_token = bos_token
        self.eos_token = eos_token
        try:
            self._compiled = env.from_string(template)
        except jinja2.TemplateError as exc:
            raise TemplateRenderError(str(exc), technical=True) from exc

    def render(
        self,
        messages: list[Message],
        *,
        add_generation_prompt: bool = True,
        enable_thinking: bool | None = None,
    ) -> str:
        """The prompt text. ``tools``/``functions`` stay undefined, as llama.cpp leaves them
        when there are no tools: Phi-4-mini, Hermes and Command-R+ templates test
        ``tools is defined`` and then iterate over ``None``."""
        extra: dict[str, Any] = {}
        if enable_thinking is not None:
            extra["enable_thinking"] = enable_thinking
            if _THINKING_VAR.search(self.template):
                extra["thinking"] = enable_thinking  # Kimi K3's and DeepSeek V3.1+'s switch
            # gpt-oss cannot switch thinking off; "low" is its cheapest setting.
            extra["reasoning_effort"] = "medium" if enable_thinking else "low"
        try:
            return self._render_filled(messages, add_generation_prompt, extra)
        except TemplateRenderError:
            if "reasoning_effort" not in extra:
                raise
        # Some templates know other effort names (Hunyuan: no_think/low/high): without it.
        del extra["reasoning_effort"]
        return self._render_filled(messages, add_generation_prompt, extra)

    def _render_filled(
        self, messages: list[Message], add_generation_prompt: bool, extra: dict[str, Any]
    ) -> str:
        """Function-calling templates (firefunction-v2) concatenate ``functions`` and
        ``datetime`` as strings: where one is missing, it gets an empty list / today's date
        (never ``None``) and the render is tried again."""
        for _attempt in range(len(_STRING_DEFAULTS) + 1):
            try:
                return self._render(messages, add_generation_prompt, {**self._fill, **extra})
            except TemplateRenderError as exc:
                name = next(
                    (k for k in _STRING_DEFAULTS if f"'{k}' is undefined" in str(exc)), None
                )
                if not exc.technical or name is None or name in self._fill:
                    raise
                self._fill[name] = _STRING_DEFAULTS[name]()
        raise TemplateRenderError("render failed", technical=True)

    def _render(
        self, messages: list[Message], add_generation_prompt: bool, extra: dict[str, Any]
    ) -> str:
        def raise_exception(message: str) -> None:
            raise TemplateRenderError(message)

        try:
            return self._compiled.render(
                messages=messages,
                bos_token=self.bos_token,
                eos_token=self.eos_token,
                add_generation_prompt=add_generation_prompt,
                raise_exception=raise_exception,
                strftime_now=lambda fmt: datetime.now().strftime(fmt),
                **extra,
            )
        except TemplateRenderError:
            raise
        except Exception as exc:  # any Jinja or Python error inside a foreign template
            raise TemplateRenderError(f"{type(exc).__name__}: {exc}", technical=True) from exc


_STRING_DEFAULTS = {
    "functions": lambda: "[]",
    "datetime": lambda: datetime.now().strftime("%d.%m.%Y"),
}


def _tojson(
    x: Any,
    ensure_ascii: bool = False,
    indent: int | None = None,
    separators: tuple[str, str] | None = None,
    sort_keys: bool = False,
) -> str:
    return json.dumps(
        x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys
    )


# --------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------
def opened_tag(prompt: str, extra: dict[str, str] | None = None) -> str:
    """The reasoning tag the rendered prompt leaves open (``"<think>"``), or ``""``.

    DeepSeek-R1 distills end their generation prompt with ``<think>\\n``; Qwen3 with thinking
    switched off ends with an already closed ``<think>\\n\\n</think>``. ``extra``: a
    template's own pair (``TemplateProfile.extra_tags``)."""
    tail = prompt[-400:]
    for start, end in (*THINK_TAGS, *(extra or {}).items()):
        if tail.rfind(start) > tail.rfind(end):
            return start
    return ""


def prompt_opens_think(prompt: str) -> bool:
    return bool(opened_tag(prompt))


def reasoning_kind(template: str) -> str:
    if HARMONY_CHANNEL in template:
        return "harmony"
    if any(start in template or end in template for start, end in THINK_TAGS):
        return "think"
    if "reasoning_content" in template:
        return "think"
    return ""


def detect_profile(
    renderer: ChatRenderer, model_name: str, source: str = "gguf"
) -> TemplateProfile:
    """Trial renders that tell how the template behaves; raises ``ModelError`` if it cannot
    render a single user turn (the message names the model and the template's reason)."""
    user = {"role": "user", "content": _USER_PROBE}
    try:
        base = renderer.render([user])
    except TemplateRenderError as exc:
        logging.getLogger(__name__).info("chat template of %s: %s", model_name, exc)
        raise ModelError(
            tr(
                "Das Gesprächsformat (Chat-Vorlage) des Modells „{name}“ lässt sich nicht "
                "verwenden: {reason}. Bitte ein anderes Modell wählen oder die IT bitten, "
                "eine Vorlage festzulegen (Einstellung chat_template_fallback).",
                name=model_name,
                reason=explain_template_error(str(exc), technical=exc.technical),
            ),
            detail=str(exc),
        ) from exc
    if any(sign in base for sign in _TOOL_ONLY_SIGNS):
        # Command-R+'s tool-use template asks for a JSON action list even without tools: a
        # real model would answer every letter with one.
        raise ModelError(
            tr(
                "Die Chat-Vorlage des Modells „{name}“ ist nur für Werkzeug-Aufrufe gebaut: "
                "sie verlangt statt einer Antwort eine Liste von Aktionen. Bitte ein anderes "
                "Modell wählen oder die IT bitten, eine Vorlage festzulegen.",
                name=model_name,
            ),
            detail="tool-use-only template",
        )
    profile = TemplateProfile(source=source)
    try:
        with_system = renderer.render([{"role": "system", "content": _SYSTEM_PROBE}, user])
        profile.system_role = _SYSTEM_PROBE in with_system
    except TemplateRenderError:
        profile.system_role = False
    try:
        renderer.render([user, {"role": "user", "content": _ASSISTANT_PROBE}])
    except TemplateRenderError:
        profile.strict_alternation = True
    profile.reasoning = reasoning_kind(renderer.template)
    if "enable_thinking" in renderer.template:
        try:
            on = renderer.render([user], enable_thinking=True)
            off = renderer.render([user], enable_thinking=False)
            profile.thinking_switch = on != off
        except TemplateRenderError:
            profile.thinking_switch = False
    if not profile.thinking_switch and _THINKING_VAR.search(renderer.template):
        try:
            on = renderer.render([user], enable_thinking=True)
            profile.thinking_switch = on != renderer.render([user], enable_thinking=False)
        except TemplateRenderError:
            pass
    profile.opens_think = prompt_opens_think(base)
    if profile.opens_think and not profile.reasoning:
        profile.reasoning = "think"
    pair = thinking_pair(renderer.render, dict(OPEN_TAGS), REASONING_MARKERS)
    if pair is not None:
        if pair[0] and pair[1]:
            profile.think_open, profile.think_close = pair
            profile.reasoning = profile.reasoning or "think"
        elif not profile.reasoning:
            # The template writes thinking we cannot tell from the answer: thinking stays
            # off (fail safe: it must never reach a result, an export or the history).
            profile.reasoning = "unknown"
    own = (profile.think_open, profile.think_close) if profile.think_open else ()
    profile.markers = derive_turn_markers(
        renderer.render,
        eos_token=renderer.eos_token,
        reasoning=(*REASONING_MARKERS, *own),
    )
    if "[END FINAL RESPONSE]" in renderer.template:  # Apriel closes its answer with it
        profile.markers.stops.append("[END FINAL RESPONSE]")
    return profile


# --------------------------------------------------------------------------------------
# Shaping the messages
# --------------------------------------------------------------------------------------
def prepare_messages(messages: list[Message], profile: TemplateProfile) -> list[Message]:
    """Messages every template of this profile accepts, with nothing of the content lost.

    - system role rejected: all system text goes in front of the first user message;
    - consecutive messages of the same role are joined (strict templates reject them, and no
      template gains from them);
    - strict templates must start with a user turn: a leading assistant greeting is dropped.
    """
    system_parts = [m["content"] for m in messages if m.get("role") == "system" and m["content"]]
    rest = [dict(m) for m in messages if m.get("role") != "system"]
    out: list[Message] = []
    if profile.system_role and system_parts:
        out.append({"role": "system", "content": "\n\n".join(system_parts)})
    for msg in rest:
        if out and out[-1]["role"] == msg["role"]:
            out[-1]["content"] = f"{out[-1]['content']}\n\n{msg['content']}"
        else:
            out.append({"role": msg["role"], "content": msg["content"]})
    if profile.strict_alternation:
        first = 1 if out and out[0]["role"] == "system" else 0
        while len(out) > first and out[first]["role"] == "assistant":
            out.pop(first)
    if not profile.system_role and system_parts:
        system_text = "\n\n".join(system_parts)
        idx = next((i for i, m in enumerate(out) if m["role"] == "user"), None)
        if idx is None:
            out.insert(0, {"role": "user", "content": system_text})
        else:
            out[idx] = {"role": "user", "content": f"{system_text}\n\n{out[idx]['content']}"}
    return out


# --------------------------------------------------------------------------------------
# Templates IT may assign to a GGUF that has none (setting chat_template_fallback)
# --------------------------------------------------------------------------------------
BUILTIN_TEMPLATES: dict[str, str] = {
    "chatml": (
        "{% for message in messages %}"
        "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
        "{% endfor %}"
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
    ),
    "llama3": (
        "{{ bos_token }}{% for message in messages %}"
        "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
        " + message['content'] | trim + '<|eot_id|>' }}{% endfor %}"
        "{% if add_generation_prompt %}"
        "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
    ),
    "mistral": (
        "{{ bos_token }}{% for message in messages %}"
        "{% if message['role'] == 'system' %}"
        "{{ raise_exception('System role not supported') }}{% endif %}"
        "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
        "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
        "{% endif %}"
        "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
        "{% else %}{{ message['content'] + eos_token }}{% endif %}{% endfor %}"
    ),
    "gemma": (
        "{{ bos_token }}{% for message in messages %}"
        "{% if message['role'] == 'system' %}"
        "{{ raise_exception('System role not supported') }}{% endif %}"
        "{% set role = 'model' if message['role'] == 'assistant' else message['role'] %}"
        "{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}"
        "{% endfor %}{% if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif %}"
    ),
    "phi3": (
        "{% for message in messages %}"
        "{{ '<|' + message['role'] + '|>\n' + message['content'] + '<|end|>\n' }}"
        "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}"
    ),
}


def fallback_template(setting: str) -> tuple[str, str] | None:
    """(template text, source label) for the chat_template_fallback setting, or None.

    The value is a built-in format name (``chatml``, ``llama3``, ``mistral``, ``gemma``,
    ``phi3``) or the path of a Jinja file. Raises ``ModelError`` for an unknown name or an
    unreadable file, so IT sees the typo instead of a silently refused model."""
    value = (setting or "").strip()
    if not value:
        return None
    if value.lower() in BUILTIN_TEMPLATES:
        return BUILTIN_TEMPLATES[value.lower()], f"builtin:{value.lower()}"
    path = Path(value).expanduser()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(
            tr(
                "Die festgelegte Chat-Vorlage „{value}“ ist weder ein bekanntes Format ({names}) "
                "noch eine lesbare Datei.",
                value=value,
                names=", ".join(sorted(BUILTIN_TEMPLATES)),
            ),
            detail=str(exc),
        ) from exc
    return text, f"file:{path}"
