"""Issue 21 without a model: stop strings derived from the template, the streaming stop/strip
filter, the further thinking formats, tools left undefined and refusals in words (the real
engine runs the same templates in test_chat_templates_turns.py)."""

from __future__ import annotations

import chat_template_samples as samples
import pytest

from llmoin_desktop.core.engine.catalog import file_vocab_missing, find_demo_model
from llmoin_desktop.core.engine.chat_templates import (
    ChatRenderer,
    TemplateProfile,
    detect_profile,
    opened_tag,
)
from llmoin_desktop.core.engine.reasoning import ReasoningSplitter
from llmoin_desktop.core.engine.stop_strings import StopFilter, TurnMarkers, generic_markers
from llmoin_desktop.core.engine.template_probe import (
    explain_template_error,
    vocab_tokens,
)
from llmoin_desktop.core.errors import ModelError

USER = {"role": "user", "content": "Fasse zusammen."}


def profile_of(template: str) -> TemplateProfile:
    return detect_profile(ChatRenderer(template, eos_token="<|im_end|>"), "Testmodell")


def run(profile: TemplateProfile, text: str, step: int, prompt: str = "") -> ReasoningSplitter:
    streamed: list[str] = []
    s = ReasoningSplitter(
        opened=opened_tag(prompt, profile.extra_tags),
        on_answer=streamed.append,
        markers=profile.markers,
        extra_tags=profile.extra_tags,
    )
    for i in range(0, len(text), step):
        s.feed(text[i : i + step])
        if s.ended:
            break
    s.finish()
    assert "".join(streamed) == s.answer  # nothing streamed that the result does not hold
    return s


# --------------------------------------------------------------------------------------
# Stop strings from the template
# --------------------------------------------------------------------------------------
def test_llama3_stops_are_the_turn_end_and_the_next_turn() -> None:
    stops = profile_of(samples.LLAMA3_FOREIGN).markers.stops
    assert stops[0] == "<|eot_id|>"
    assert "<|start_header_id|>" in stops
    assert "<|start_header_id|>user<|end_header_id|>" in stops


@pytest.mark.parametrize("step", [1, 2, 3, 5, 1000])
def test_answer_stops_at_the_turn_end_at_any_piece_size(step: int) -> None:
    p = profile_of(samples.LLAMA3_FOREIGN)
    text = "Sehr geehrte Frau Meier,<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nNoch was"
    s = run(p, text, step)
    assert s.answer == "Sehr geehrte Frau Meier," and s.ended


@pytest.mark.parametrize("step", [1, 4, 1000])
def test_repeated_assistant_header_at_the_start_is_stripped(step: int) -> None:
    p = profile_of(samples.LLAMA3_FOREIGN)
    s = run(p, "<|start_header_id|>assistant<|end_header_id|>\n\nGuten Tag.<|eot_id|>", step)
    assert s.answer.strip() == "Guten Tag."


def test_partial_marker_is_held_back_then_released_as_text() -> None:
    out: list[str] = []
    f = StopFilter(TurnMarkers(stops=["<|eot_id|>"]), out.append)
    f.feed("a <|eo")
    assert "".join(out) == "a "  # the tail might still become the stop
    f.feed("x und weiter")
    f.finish()
    assert "".join(out) == "a <|eox und weiter" and not f.hit


def test_text_formats_stop_at_the_next_role() -> None:
    rwkv = "{% for m in messages %}{{ m['role'] | capitalize + ': ' + m['content'] + '\n\n' }}" + (
        "{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}"
    )
    p = profile_of(rwkv)
    s = run(p, " Ja, gern.\n\nUser: und noch", 3)
    assert s.answer.strip() == "Ja, gern."


def test_generic_markers_for_a_server_without_template() -> None:
    s = ReasoningSplitter(markers=generic_markers())
    s.feed("Antwort.<|im_end|>\n<|im_start|>user\nmehr")
    s.finish()
    assert s.answer == "Antwort." and s.ended


# --------------------------------------------------------------------------------------
# Thinking formats
# --------------------------------------------------------------------------------------
FORMATS = {
    "GEMMA4_CHANNELS": "<|channel>thought\nIch überlege.<channel|>Die Antwort.<turn|>",
    "SEED_THINK": "<seed:think>Ich überlege.</seed:think>\nDie Antwort.<seed:eos>",
    "KIMI_K3": "Ich überlege.<|close|>think<|sep|><|open|>response<|sep|>Die Antwort."
    "<|close|>response<|sep|><|close|>message<|sep|>",
    "COMMAND_A": "Ich überlege.<|END_THINKING|><|START_TEXT|>Die Antwort.<|END_TEXT|>",
    "APRIEL": "Ich überlege.\n[BEGIN FINAL RESPONSE]\nDie Antwort.<|im_end|>",
    "OWN_THINK": "<|reflect|>Ich überlege.<|/reflect|>Die Antwort.<|im_end|>",
}


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("step", [1, 3, 1000])
def test_thinking_formats_split_like_think(name: str, step: int) -> None:
    template = getattr(samples, name)
    p = profile_of(template)
    assert p.reasoning == "think"
    prompt = ChatRenderer(template).render([USER])
    s = run(p, FORMATS[name], step, prompt)
    assert s.answer.strip() == "Die Antwort."
    assert s.reasoning.strip() == "Ich überlege."


def test_own_thinking_format_found_by_trial_render() -> None:
    p = profile_of(samples.OWN_THINK)
    assert (p.think_open, p.think_close) == ("<|reflect|>", "<|/reflect|>")


def test_open_tag_after_answer_text_is_no_mode_switch() -> None:
    s = ReasoningSplitter()
    for piece in ("Die Frist beträgt ", "<think>", " zwei Wochen", "</think>", "."):
        s.feed(piece)
    s.finish()
    assert s.answer == "Die Frist beträgt  zwei Wochen."  # no hidden answer, no markup
    assert not s.reasoning


def test_always_open_think_detected_without_switch() -> None:
    p = profile_of(samples.ALWAYS_THINK)
    assert p.opens_think and not p.thinking_switch
    s = ReasoningSplitter(opened="<think>")
    assert s.in_reasoning and s.close_text().startswith("</think>")


# --------------------------------------------------------------------------------------
# Tools undefined, refusals in words
# --------------------------------------------------------------------------------------
def test_tools_stay_undefined() -> None:
    out = ChatRenderer(samples.TOOLS_DEFINED).render([USER])
    assert "<|im_start|>tool" not in out and out.endswith("<|im_start|>assistant\n")


def test_python_errors_become_words() -> None:
    words = explain_template_error("TypeError: 'NoneType' object is not iterable", technical=True)
    assert "TypeError" not in words and "NoneType" not in words and "Werkzeug" in words
    own = explain_template_error("System role not supported", technical=False)
    assert own == "System role not supported"


def test_refusal_of_a_broken_template_has_no_python_in_it() -> None:
    broken = "{{ messages[0]['content'] + bilder.liste }}"
    with pytest.raises(ModelError) as err:
        profile_of(broken)
    assert "Testmodell" in err.value.user_message
    assert "Error" not in err.value.user_message and "„bilder“" in err.value.user_message
    assert err.value.detail  # the technical line stays for the log and doctor


def test_string_variables_of_function_templates_are_filled() -> None:
    t = "{{ 'Funktionen: ' + functions + ' am ' + datetime }}{{ messages[0]['content'] }}"
    assert "Funktionen: []" in ChatRenderer(t).render([USER])


# --------------------------------------------------------------------------------------
# Vocabulary check (reads the demo model's token list, no weights)
# --------------------------------------------------------------------------------------
def test_vocabulary_check_on_the_demo_file() -> None:
    demo = find_demo_model()
    if demo is None:
        pytest.skip("demo model not installed")
    assert vocab_tokens(demo, {"<|im_end|>", "<|eot_id|>"}) == {"<|im_end|>"}
    assert file_vocab_missing(demo, samples.LLAMA3_FOREIGN)[:1] == ["<|start_header_id|>"]
    assert file_vocab_missing(demo, samples.QWEN3) == []


def test_thinking_progress_counts_tokens() -> None:
    from llmoin_desktop.core.engine.reasoning import thinking_progress

    seen = []
    listener = thinking_progress(seen.append, every=4)
    for _ in range(9):
        listener("x")
    assert [p.step for p in seen] == [1, 5, 9]
    assert "überlegt" in seen[-1].text and "9" in seen[-1].text


@pytest.mark.parametrize("step", [1, 3, 1000])
def test_made_up_control_markers_are_stripped(step: int) -> None:
    p = profile_of(samples.LLAMA3_FOREIGN)
    s = run(p, "Das ist <|assistant>\nder Text <|x|>mit a < b.", step)
    assert s.answer == "Das ist \nder Text mit a < b."


def test_a_turn_end_before_any_answer_is_no_answer() -> None:
    out: list[str] = []
    f = StopFilter(TurnMarkers(stops=["<|eot_id|>"]), out.append)
    assert not f.feed("\n<|eot_id|>\nJa, gern.")  # before any text: dropped, goes on
    assert f.feed(" Mehr.<|eot_id|>Rest")  # after text: the end
    assert "".join(out) == "\n\nJa, gern. Mehr." and f.hit == "<|eot_id|>"


def test_counterparts_of_template_tags_are_stripped() -> None:
    template = (
        "{{ '<system>Du hilfst.</system>\n' }}{% for m in messages %}"
        "{{ '<' + m['role'] + '>' + m['content'] + '</' + m['role'] + '>\n' }}{% endfor %}"
        "{% if add_generation_prompt %}{{ '<assistant>' }}{% endif %}"
    )
    p = profile_of(template)
    s = run(p, "Gern.</system> Und <", 2)
    assert s.answer == "Gern. Und "
