import pytest

from writer.core.actions import ActionRequest, styles
from writer.core.errors import UserError
from writer.core.languages import find_language


@pytest.mark.parametrize("name,code", [
    ("French", "fr"), ("fr", "fr"), ("Français", "fr"), ("简体中文", "zh-CN"), ("zh-CN", "zh-CN"),
    ("zh_cn", "zh-CN"), ("繁體中文", "zh-TW"), ("日本語", "ja"), ("한국어", "ko"), ("Español", "es"),
    ("German", "de"), ("pt", "pt"), ("Italiano", "it"), ("Русский", "ru"), ("english", "en"),
])
def test_languages_by_name_code_or_native_name(name, code):
    assert find_language(name).code == code


def test_unknown_language_is_a_clear_error():
    with pytest.raises(UserError, match="Unknown language 'Klingon'"):
        find_language("Klingon")


def test_messages_put_text_first_and_task_last():
    a = ActionRequest("rewrite", "Some text.", style="formal").validated().messages()
    b = ActionRequest("translate", "Some text.", language="fr").validated().messages()
    assert a[0] == b[0]  # one shared system prompt
    shared = 'Text:\n"""\nSome text.\n"""\n\n'
    assert a[1]["content"].startswith(shared) and b[1]["content"].startswith(shared)
    assert "French" in b[1]["content"] and "formal" in a[1]["content"]


def test_non_translation_tasks_keep_the_input_language():
    for req in (ActionRequest("rewrite", "x", style="concise"), ActionRequest("summarize", "x"),
                ActionRequest("rewrite", "x", instruction="Make it rhyme"), *[
                    ActionRequest("rewrite", "x", style=s) for s in styles()]):
        assert "same language" in req.validated().task()


def test_translation_asks_about_formatting_only_when_the_piece_has_markdown():
    req = ActionRequest("translate", "Plain words. Nothing else.", language="zh-CN").validated()
    assert "Markdown" not in req.messages()[1]["content"] and "Simplified Chinese" in req.messages()[1]["content"]
    for piece in ("Bring the **tickets**.", "See [the page] first.", "Run `writer --help`.", "# Title", "- item",
                  "| a | b |"):
        assert "Markdown" in req.messages(piece)[1]["content"], piece
    assert "Markdown" in req.task()  # sizing allows for the longest instruction


def test_every_rewrite_style_builds_a_prompt():
    for style in styles():
        assert ActionRequest("rewrite", "x", style=style).validated().task()


@pytest.mark.parametrize("request_, message", [
    (ActionRequest("summarize", "   \n"), "no text to summarize"),
    (ActionRequest("generate", ""), "nothing to work on"),
    (ActionRequest("rewrite", "x", style="pirate"), "Unknown style 'pirate'"),
    (ActionRequest("summarize", "x", length="epic"), "Unknown length 'epic'"),
    (ActionRequest("translate", "x"), "Choose a language"),
    (ActionRequest("rewrite", "bin\x00ary"), "binary"),
])
def test_bad_requests_say_what_is_wrong(request_, message):
    with pytest.raises(UserError, match=message):
        request_.validated()


def test_generate_from_an_instruction_alone():
    req = ActionRequest("generate", "", instruction="Write a haiku about rain.").validated()
    assert req.messages()[1]["content"].startswith("Write a haiku about rain.")


def test_rewrite_with_instruction_is_custom():
    req = ActionRequest("rewrite", "x", instruction="Make it rhyme").validated()
    assert req.style == "custom" and "Make it rhyme" in req.task()


def test_the_language_to_keep_is_named_when_it_can_be_told():
    zh = ActionRequest("summarize", "星期六一大早我们就出发了，沿着海岸线一路向北开。一开始天气阴沉。").validated()
    assert "in Chinese, the language of the text" in zh.task()
    en = ActionRequest("rewrite", "We missed the last train, so we walked home through the park.", style="formal")
    assert "in English, the language of the text" in en.validated().task()
    assert "same language" in ActionRequest("rewrite", "ok", style="formal").validated().task()  # too short to tell
