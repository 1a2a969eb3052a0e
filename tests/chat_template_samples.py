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
