"""The actions' prompts rendered through the chat template of every model family in the catalog,
the way the engine renders them (llama-cpp-python's sandboxed Jinja2ChatFormatter).

The templates are the families' own (from their GGUF metadata), with tool-calling branches left out.
"""

import json
import os

import pytest

from writer.core.actions import ActionRequest, system_prompt
from writer.core.paths import resource
from writer.engine.worker import render_chat

CHATML = (  # Qwen2.5
    "{%- if messages[0]['role'] == 'system' %}"
    "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
    "{%- else %}"
    "{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- for message in messages %}"
    "{%- if (message.role == 'user') or (message.role == 'system' and not loop.first) or (message.role == 'assistant') %}"
    "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
LLAMA3 = (  # Llama 3.1 / 3.2
    "{{- bos_token }}"
    "{%- if not date_string is defined %}{%- set date_string = '26 Jul 2024' %}{%- endif %}"
    "{%- if messages[0]['role'] == 'system' %}"
    "{%- set system_message = messages[0]['content']|trim %}{%- set messages = messages[1:] %}"
    "{%- else %}{%- set system_message = '' %}{%- endif %}"
    "{{- '<|start_header_id|>system<|end_header_id|>\\n\\n' }}"
    "{{- 'Cutting Knowledge Date: December 2023\\n' }}"
    "{{- 'Today Date: ' + date_string + '\\n\\n' }}"
    "{{- system_message }}{{- '<|eot_id|>' }}"
    "{%- for message in messages %}"
    "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}"
)
GEMMA3 = (  # no system role: the system text is put before the first user turn
    "{{ bos_token }}"
    "{%- if messages[0]['role'] == 'system' -%}"
    "{%- set first_user_prefix = messages[0]['content'] + '\\n\\n' -%}{%- set loop_messages = messages[1:] -%}"
    "{%- else -%}{%- set first_user_prefix = '' -%}{%- set loop_messages = messages -%}{%- endif -%}"
    "{%- for message in loop_messages -%}"
    "{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
    "{%- endif -%}"
    "{%- if (message['role'] == 'assistant') -%}{%- set role = 'model' -%}{%- else -%}{%- set role = message['role'] -%}{%- endif -%}"
    "{{ '<start_of_turn>' + role + '\\n' + (first_user_prefix if loop.first else '') }}"
    "{{ message['content'] | trim }}{{ '<end_of_turn>\\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<start_of_turn>model\\n' }}{%- endif -%}"
)
PHI4 = (  # Phi-4 mini
    "{%- if messages[0]['role'] == 'system' %}{%- set system_message = messages[0]['content'] %}{%- endif %}"
    "{%- if system_message is defined -%}{{- '<|system|>' + system_message + '<|end|>' -}}{%- endif -%}"
    "{%- for message in messages -%}"
    "{%- if message['role'] != 'system' -%}{{- '<|' + message['role'] + '|>' + message['content'] + '<|end|>' -}}{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|assistant|>' -}}{%- else -%}{{- eos_token -}}{%- endif -%}"
)
MISTRAL = (  # Mistral 7B Instruct v0.3: the system text goes into the last user turn
    "{%- if messages[0]['role'] == 'system' %}"
    "{%- set system_message = messages[0]['content'] %}{%- set loop_messages = messages[1:] %}"
    "{%- else %}{%- set loop_messages = messages %}{%- endif %}"
    "{{- bos_token }}"
    "{%- for message in loop_messages %}"
    "{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{- raise_exception('After the optional system message, conversation roles must alternate user/assistant/user/assistant/...') }}"
    "{%- endif %}"
    "{%- if message['role'] == 'user' %}"
    "{%- if loop.last and system_message is defined %}"
    "{{- '[INST] ' + system_message + '\\n\\n' + message['content'] + '[/INST]' }}"
    "{%- else %}{{- '[INST] ' + message['content'] + '[/INST]' }}{%- endif %}"
    "{%- elif message['role'] == 'assistant' %}{{- ' ' + message['content'] + eos_token }}"
    "{%- else %}{{- raise_exception('Only user and assistant roles are supported, with optional system message!') }}"
    "{%- endif %}"
    "{%- endfor %}"
)
# family -> (template, bos, eos, what the rendered prompt ends with: the model's turn)
FAMILIES = {
    "qwen": (CHATML, "", "<|im_end|>", "<|im_start|>assistant\n"),
    "llama": (LLAMA3, "<|begin_of_text|>", "<|eot_id|>", "<|start_header_id|>assistant<|end_header_id|>\n\n"),
    "gemma": (GEMMA3, "<bos>", "<eos>", "<start_of_turn>model\n"),
    "phi": (PHI4, "<|endoftext|>", "<|endoftext|>", "<|assistant|>"),
    "mistral": (MISTRAL, "<s>", "</s>", "[/INST]"),
}
TEXT_EN = "We missed the last train, so we walked home through the park."
TEXT_ZH = "我们错过了末班车，只好穿过公园走回家。"
REQUESTS = {
    "generate": ActionRequest("generate", TEXT_EN, length="short"),
    "generate-instruction": ActionRequest("generate", "", instruction="写一段简短的通知。", length="short"),
    "summarize": ActionRequest("summarize", TEXT_ZH, length="sentence"),
    "translate": ActionRequest("translate", TEXT_EN, language="zh-CN"),
    "translate-markdown": ActionRequest("translate", "Bring the **tickets**, see [booking](x).", language="fr"),
    "proofread": ActionRequest("rewrite", TEXT_ZH, style="proofread"),
    "formal": ActionRequest("rewrite", TEXT_EN, style="formal"),
    "custom": ActionRequest("rewrite", TEXT_EN, instruction="Make it rhyme"),
}


GEMMA2 = (  # refuses a system message outright
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
    "{% for message in messages %}"
    "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}"
    "{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}"
)


def render(family: str, messages: list[dict]) -> str:
    template, bos, eos, _ = FAMILIES[family]
    return render_chat(template, messages, bos=bos, eos=eos).prompt


def test_every_catalog_family_has_a_template_here():
    models = json.loads(resource("models", "catalog.json").read_text(encoding="utf-8"))["models"]
    assert {m["id"].split("-")[0].rstrip("0123456789.") for m in models} == set(FAMILIES)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("name", REQUESTS)
def test_each_prompt_renders_whole_and_in_order(family, name):
    request = REQUESTS[name].validated()
    messages = request.messages()
    prompt = render(family, messages)
    task = request.task(request.text)
    # Nothing is lost: the instructions (even where the family has no system role), the text and the task.
    assert prompt.count(system_prompt()) == 1
    assert prompt.count(task) == 1
    if request.text:
        assert prompt.count(request.text) == 1
        assert prompt.index(system_prompt()) < prompt.index(request.text) < prompt.index(task)
    assert prompt.endswith(FAMILIES[family][3])


@pytest.mark.parametrize("family", FAMILIES)
def test_two_actions_on_one_selection_share_the_prompt_up_to_the_end_of_the_text(family):
    """Text first, task last: the model's cached evaluation of the text serves the next action."""
    a = render(family, ActionRequest("summarize", TEXT_EN).validated().messages())
    b = render(family, ActionRequest("rewrite", TEXT_EN, style="formal").validated().messages())
    assert len(os.path.commonprefix([a, b])) >= a.index(TEXT_EN) + len(TEXT_EN)


def test_a_template_that_refuses_a_system_message_gets_it_in_the_users_turn():
    request = ActionRequest("translate", TEXT_EN, language="fr").validated()
    prompt = render_chat(GEMMA2, request.messages(), bos="<bos>", eos="<eos>").prompt
    assert prompt.startswith("<bos><start_of_turn>user\n" + system_prompt() + "\n\n")
    assert prompt.count(TEXT_EN) == 1 and prompt.endswith(request.task(TEXT_EN) + "<end_of_turn>\n<start_of_turn>model\n")


def test_a_template_error_that_is_not_about_the_system_message_is_still_reported():
    with pytest.raises(ValueError, match="alternate"):
        render_chat(GEMMA3, [{"role": "assistant", "content": "x"}], bos="<bos>", eos="<eos>")
