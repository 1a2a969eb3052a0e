"""Chat-template behaviour found by trial renders, message shaping, and the reasoning splitter
(no model needed; the real engine runs the same templates in test_chat_templates_model.py)."""

from __future__ import annotations

import chat_template_samples as samples
import pytest

from llmoin_desktop.core.engine.chat_templates import (
    BUILTIN_TEMPLATES,
    ChatRenderer,
    TemplateProfile,
    detect_profile,
    fallback_template,
    opened_tag,
    prepare_messages,
)
from llmoin_desktop.core.engine.reasoning import ReasoningSplitter, split_reasoning
from llmoin_desktop.core.errors import ModelError

SYSTEM = {"role": "system", "content": "Du bist ein Assistent der Verwaltung."}
USER = {"role": "user", "content": "Fasse zusammen."}


def profile_of(template: str) -> TemplateProfile:
    return detect_profile(ChatRenderer(template, bos_token="<s>", eos_token="</s>"), "Testmodell")


def test_chatml_profile_is_plain() -> None:
    p = profile_of(BUILTIN_TEMPLATES["chatml"])
    assert p.system_role and not p.strict_alternation and not p.reasoning and not p.opens_think


def test_gemma2_rejects_system_and_requires_alternation() -> None:
    p = profile_of(samples.GEMMA2)
    assert not p.system_role and p.strict_alternation and not p.reasoning


def test_mistral_strict_alternation_keeps_system() -> None:
    p = profile_of(samples.MISTRAL_STRICT)
    assert p.system_role and p.strict_alternation


def test_deepseek_prompt_opens_think() -> None:
    p = profile_of(samples.DEEPSEEK_R1)
    assert p.opens_think and p.reasoning == "think"


def test_qwen3_switch_detected_and_closes_the_block_when_off() -> None:
    p = profile_of(samples.QWEN3)
    assert p.thinking_switch and p.reasoning == "think" and not p.opens_think
    r = ChatRenderer(samples.QWEN3)
    assert opened_tag(r.render([USER], enable_thinking=False)) == ""
    assert r.render([USER], enable_thinking=False).endswith("</think>\n\n")


def test_harmony_detected() -> None:
    assert profile_of(samples.HARMONY).reasoning == "harmony"


def test_broken_template_names_model_and_reason() -> None:
    with pytest.raises(ModelError) as err:
        profile_of(samples.BROKEN)
    assert "Testmodell" in err.value.user_message
    assert "nicht unterstützt" in err.value.user_message


def test_system_text_reaches_a_model_without_system_role() -> None:
    p = TemplateProfile(system_role=False, strict_alternation=True)
    msgs = [SYSTEM, USER]
    shaped = prepare_messages(msgs, p)
    assert [m["role"] for m in shaped] == ["user"]
    assert shaped[0]["content"].startswith(SYSTEM["content"])
    assert shaped[0]["content"].endswith(USER["content"])
    rendered = ChatRenderer(samples.GEMMA2).render(shaped)
    assert SYSTEM["content"] in rendered and USER["content"] in rendered


def test_refinement_history_alternates() -> None:
    p = TemplateProfile(system_role=False, strict_alternation=True)
    msgs = [
        SYSTEM,
        {"role": "assistant", "content": "Guten Tag!"},  # a greeting strict templates reject
        USER,
        {"role": "user", "content": "Mit Quellen."},
        {"role": "assistant", "content": "Entwurf"},
        {"role": "user", "content": "Kürzer bitte."},
    ]
    shaped = prepare_messages(msgs, p)
    assert [m["role"] for m in shaped] == ["user", "assistant", "user"]
    assert "Mit Quellen." in shaped[0]["content"] and SYSTEM["content"] in shaped[0]["content"]
    ChatRenderer(samples.GEMMA2).render(shaped)  # no exception


def test_nothing_changes_for_a_tolerant_template() -> None:
    msgs = [SYSTEM, USER]
    assert prepare_messages(msgs, TemplateProfile()) == msgs


def test_fallback_names_and_files(tmp_path) -> None:
    assert fallback_template("") is None
    text, source = fallback_template("ChatML")
    assert "<|im_start|>" in text and source == "builtin:chatml"
    f = tmp_path / "vorlage.jinja"
    f.write_text("{{ messages[0]['content'] }}", encoding="utf-8")
    assert fallback_template(str(f))[1] == f"file:{f}"
    with pytest.raises(ModelError) as err:
        fallback_template("chatmll")
    assert "chatmll" in err.value.user_message


# --------------------------------------------------------------------------------------
# Reasoning splitter
# --------------------------------------------------------------------------------------
def stream(text: str, *, opened: str = "", step: int = 1) -> tuple[str, str, list[str]]:
    streamed: list[str] = []
    s = ReasoningSplitter(opened=opened, on_answer=streamed.append)
    for i in range(0, len(text), step):
        s.feed(text[i : i + step])
    s.finish()
    return s.answer, s.reasoning, streamed


@pytest.mark.parametrize("step", [1, 2, 3, 7, 1000])
def test_think_block_in_output_split_at_any_piece_size(step: int) -> None:
    answer, thinking, streamed = stream(
        "<think>Der Bürger fragt nach Fristen.</think>\n\nSehr geehrte Frau Meier,", step=step
    )
    assert answer == "Sehr geehrte Frau Meier,"
    assert thinking == "Der Bürger fragt nach Fristen."
    assert "".join(streamed) == answer


def test_prompt_opened_think() -> None:
    answer, thinking, _ = stream("Erst überlegen.\n</think>\n\nAntwort.", opened="<think>", step=2)
    assert (answer, thinking) == ("Antwort.", "Erst überlegen.")


def test_magistral_tags() -> None:
    assert split_reasoning("[THINK]hmm[/THINK]Ja.") == ("Ja.", "hmm")


@pytest.mark.parametrize("step", [1, 4, 1000])
def test_harmony_channels(step: int) -> None:
    text = (
        "<|channel|>analysis<|message|>Nutzer will eine Zusammenfassung.<|end|>"
        "<|start|>assistant<|channel|>final<|message|>Kurz gesagt: ja.<|return|>"
    )
    answer, thinking, streamed = stream(text, step=step)
    assert answer == "Kurz gesagt: ja."
    assert thinking == "Nutzer will eine Zusammenfassung."
    assert "".join(streamed) == answer


def test_plain_text_untouched_including_angle_brackets() -> None:
    text = "Bitte <b>fett</b> und a < b, dazu 3 <|x|> Zeichen."
    assert split_reasoning(text) == (text, "")


def test_close_text_matches_format() -> None:
    s = ReasoningSplitter(opened="<think>")
    assert s.close_text().startswith("</think>")
    h = ReasoningSplitter()
    h.feed("<|channel|>analysis<|message|>x")
    assert h.in_reasoning and h.close_text().endswith("<|channel|>final<|message|>")
    h.feed(h.close_text() + "Antwort")
    assert h.answer == "Antwort"


def test_block_opened_by_a_server_side_template_is_taken_out_of_the_answer() -> None:
    answer, thinking, _ = stream("Ich überlege kurz.\n</think>\n\nDie Antwort.", step=3)
    assert (answer, thinking) == ("Die Antwort.", "Ich überlege kurz.")
