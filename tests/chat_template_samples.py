"""Chat templates written for the tests, each reproducing one behaviour of a real model family.

They use SmolLM2's own ``<|im_start|>``/``<|im_end|>`` markers where the family's markers do
not matter, so the demo model still sees a prompt format it knows."""

from __future__ import annotations

# Gemma 2: no system role, strict user/model alternation.
GEMMA2 = (
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}"
    "{{ raise_exception('System role not supported') }}{% endif %}"
    "{% for message in messages %}"
    "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
    "{% endif %}{% set role = 'model' if message['role'] == 'assistant' else message['role'] %}"
    "{{ '<|im_start|>' + role + '\n' + message['content'] | trim + '<|im_end|>\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

# Older Mistral: a leading system message is folded into the first [INST], then strict
# alternation.
MISTRAL_STRICT = (
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}"
    "{% set sys = messages[0]['content'] %}{% set loop_messages = messages[1:] %}"
    "{% else %}{% set sys = '' %}{% set loop_messages = messages %}{% endif %}"
    "{% for message in loop_messages %}"
    "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
    "{% endif %}{% if message['role'] == 'user' %}"
    "{{ '<|im_start|>user\n' + (sys + '\n\n' if loop.first and sys else '') "
    "+ message['content'] + '<|im_end|>\n<|im_start|>assistant\n' }}"
    "{% else %}{{ message['content'] + '<|im_end|>\n' }}{% endif %}{% endfor %}"
)

# DeepSeek-R1 distill: the generation prompt already opens <think>.
DEEPSEEK_R1 = (
    "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\n' + m['content'] + '<|im_end|>\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n<think>\n' }}{% endif %}"
)

# Qwen3: the model writes <think>…</think> itself; enable_thinking=false closes an empty block.
QWEN3 = (
    "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\n' + m['content'] + '<|im_end|>\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}"
    "{% if enable_thinking is defined and enable_thinking is false %}"
    "{{ '<think>\n\n</think>\n\n' }}{% endif %}{% endif %}"
)

# gpt-oss "harmony": channels analysis/final, a reasoning_effort variable.
HARMONY = (
    "{{ '<|start|>system<|message|>Reasoning: ' + (reasoning_effort or 'medium') + "
    "'\n# Valid channels: analysis, commentary, final.<|end|>' }}"
    "{% for m in messages %}{% if m['role'] == 'system' %}"
    "{{ '<|start|>developer<|message|>' + m['content'] + '<|end|>' }}"
    "{% elif m['role'] == 'assistant' %}"
    "{{ '<|start|>assistant<|channel|>final<|message|>' + m['content'] + '<|end|>' }}"
    "{% else %}{{ '<|start|>' + m['role'] + '<|message|>' + m['content'] + '<|end|>' }}"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|start|>assistant' }}{% endif %}"
)

# A template that cannot render anything (a broken conversion).
BROKEN = "{{ raise_exception('Dieses Format wird nicht unterstützt') }}"

# --- Issue 21: llama.cpp's collection, each behaviour in a small template of our own ---------

# Llama 3 markers on a model whose vocabulary does not know them (a converted/merged GGUF):
# the markers are text to the model, so only stop strings end its turn.
LLAMA3_FOREIGN = (
    "{{ bos_token }}{% for m in messages %}"
    "{{ '<|start_header_id|>' + m['role'] + '<|end_header_id|>\n\n' + m['content'] + '<|eot_id|>' }}"
    "{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)

# Nemotron-Nano-v2 / StepFun: the generation prompt always opens <think>, no switch.
ALWAYS_THINK = (
    "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\n' + m['content'] + '<|im_end|>\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n<think>\n' }}{% endif %}"
)

# Phi-4-mini / Hermes tool-use: "tools is defined" → iterates over tools (None would fail).
TOOLS_DEFINED = (
    "{% if tools is defined %}{% for t in tools %}{{ '<|im_start|>tool\n' + t['name'] }}"
    "{{ '<|im_end|>\n' }}{% endfor %}{% endif %}"
    "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\n' + m['content'] + '<|im_end|>\n' }}"
    "{% if m.tool_calls is defined %}{% for c in m.tool_calls %}{{ c }}{% endfor %}{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

# Gemma 4: <|turn>role … <turn|>, thinking in <|channel>thought … <channel|>; thinking off
# writes an empty thought channel.
GEMMA4_CHANNELS = (
    "{% for m in messages %}{% set role = 'model' if m['role'] == 'assistant' else m['role'] %}"
    "{{ '<|turn>' + role + '\n' }}"
    "{% if m.reasoning_content is defined %}"
    "{{ '<|channel>thought\n' + m.reasoning_content + '<channel|>' }}{% endif %}"
    "{{ m['content'] + '<turn|>\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|turn>model\n' }}"
    "{% if not enable_thinking | default(false) %}{{ '<|channel>thought\n<channel|>' }}{% endif %}"
    "{% endif %}"
)

# Seed-OSS: <seed:bos>role … <seed:eos>, thinking in <seed:think> … </seed:think>.
SEED_THINK = (
    "{% for m in messages %}{{ '<seed:bos>' + m['role'] + '\n' }}"
    "{% if m.reasoning_content is defined %}"
    "{{ '<seed:think>' + m.reasoning_content + '</seed:think>\n' }}{% endif %}"
    "{{ m['content'] + '<seed:eos>' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<seed:bos>assistant\n' }}{% endif %}"
)

# Kimi K3: XML-like tags of control tokens; the generation prompt opens the thinking.
KIMI_K3 = (
    "{% for m in messages %}{{ '<|open|>message role=\"' + m['role'] + '\"<|sep|>' }}"
    "{% if m['role'] == 'assistant' %}"
    "{{ '<|open|>think<|sep|>' + (m.reasoning_content or '') + '<|close|>think<|sep|>' }}"
    "{{ '<|open|>response<|sep|>' + m['content'] + '<|close|>response<|sep|>' }}"
    "{% else %}{{ m['content'] }}{% endif %}{{ '<|close|>message<|sep|><|end_of_msg|>' }}"
    "{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|open|>message role=\"assistant\"<|sep|><|open|>think<|sep|>' }}{% endif %}"
)

# Command-A (Cohere2): the prompt opens <|START_THINKING|>, the answer is <|START_TEXT|>…
COMMAND_A = (
    "{% for m in messages %}{% set r = 'CHATBOT' if m['role'] == 'assistant' else m['role'] "
    "| upper %}{{ '<|START_OF_TURN_TOKEN|><|' + r + '_TOKEN|>' }}"
    "{% if m['role'] == 'assistant' and m.reasoning_content is defined %}"
    "{{ '<|START_THINKING|>' + m.reasoning_content + '<|END_THINKING|>' }}{% endif %}"
    "{{ '<|START_TEXT|>' + m['content'] + '<|END_TEXT|><|END_OF_TURN_TOKEN|>' }}{% endfor %}"
    "{% if add_generation_prompt %}"
    "{{ '<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|><|START_THINKING|>' }}{% endif %}"
)

# Apriel: the assistant turn starts with "Here are my reasoning steps:", the answer follows
# [BEGIN FINAL RESPONSE].
APRIEL = (
    "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\n' }}"
    "{% if m.reasoning_content is defined %}"
    "{{ m.reasoning_content + '\n[BEGIN FINAL RESPONSE]\n' }}{% endif %}"
    "{{ m['content'] + '<|im_end|>\n' }}{% endfor %}"
    "{% if add_generation_prompt %}"
    "{{ '<|im_start|>assistant\nHere are my reasoning steps:\n' }}{% endif %}"
)

# A thinking format nobody told us about: found by trial render of reasoning_content.
OWN_THINK = (
    "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\n' }}"
    "{% if m.reasoning_content is defined %}"
    "{{ '<|reflect|>' + m.reasoning_content + '<|/reflect|>' }}{% endif %}"
    "{{ m['content'] + '<|im_end|>\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
