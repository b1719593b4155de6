import pytest

from writer.core.actions import ActionRequest, prompt_data, styles
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


SYSTEM = ("You are Writer, a careful writing assistant. You work on the user's text exactly as asked. Reply with only "
          "the resulting text: no introduction, no explanation, no notes, no quotation marks around it.")
SAME_LANGUAGE = " Reply in the same language as the text."


def test_messages_put_text_first_and_task_last():
    a = ActionRequest("rewrite", "Some text.", style="formal").validated().messages()
    b = ActionRequest("translate", "Some text.", language="fr").validated().messages()
    shared = 'Text:\n"""\nSome text.\n"""\n\n'  # the same for every action: the model's cache of it is reused
    assert a == [{"role": "system", "content": SYSTEM},
                 {"role": "user", "content": shared + "Rewrite the text above in a formal, professional tone. Keep its "
                                                      "meaning." + SAME_LANGUAGE}]
    assert b == [{"role": "system", "content": SYSTEM},
                 {"role": "user", "content": shared + "Translate the text above into French. Write only the French "
                                                      "translation."}]


def test_non_translation_tasks_keep_the_input_language():
    assert ActionRequest("summarize", "x").validated().task() == (
        "Summarize the text above in one short paragraph. Write the summary in the same language as the text.")
    assert ActionRequest("rewrite", "x", instruction="Make it rhyme.").validated().task() == (
        "Rewrite the text above as follows: Make it rhyme." + SAME_LANGUAGE)


def test_translation_asks_about_formatting_only_when_the_piece_has_markdown():
    req = ActionRequest("translate", "Plain words. Nothing else.", language="zh-CN").validated()
    assert "Markdown" not in req.messages()[1]["content"] and "Simplified Chinese" in req.messages()[1]["content"]
    for piece in ("Bring the **tickets**.", "See [the page] first.", "Run `writer --help`.", "# Title", "- item",
                  "| a | b |"):
        assert "Markdown" in req.messages(piece)[1]["content"], piece
    assert "Markdown" in req.task()  # sizing allows for the longest instruction


def test_every_rewrite_style_builds_its_own_prompt():
    tasks = {style: ActionRequest("rewrite", "x", style=style).validated().task() for style in styles()}
    assert tasks == {style: prompt_data("rewrite")["styles"][style]["task"] + SAME_LANGUAGE for style in styles()}
    assert len(set(tasks.values())) == len(styles()) == 6
    assert tasks["proofread"] == ("Correct the spelling, grammar and punctuation of the text above. Change nothing "
                                  "else." + SAME_LANGUAGE)
    assert ActionRequest("rewrite", "x").validated().style == "proofread"  # the default


def test_output_sizes():
    assert [ActionRequest("rewrite", "x", style=s).validated().output_ratio() for s in ("proofread", "expand")] == [1.3, 2.5]
    assert ActionRequest("translate", "x", language="de").validated().output_ratio() == 2.5
    assert ActionRequest("summarize", "x").validated().fixed_max_tokens() == 300
    assert ActionRequest("generate", "x", length="long").validated().fixed_max_tokens() == 1000
    assert ActionRequest("rewrite", "x").validated().fixed_max_tokens() is None  # scales with its input


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
    assert req.messages() == [{"role": "system", "content": SYSTEM}, {
        "role": "user", "content": "Write a haiku about rain.\nWrite about 150 words, in the language of this request."}]


def test_generate_continues_the_text():
    req = ActionRequest("generate", "Once upon a time.", length="short").validated()
    assert req.messages()[1]["content"] == (
        'Text:\n"""\nOnce upon a time.\n"""\n\nContinue the text above naturally from where it ends, in the same '
        "language, voice and style. Write about 50 words of new text and do not repeat the text above.")


def test_rewrite_with_instruction_is_custom():
    req = ActionRequest("rewrite", "x", instruction="  Make it rhyme.  ").validated()
    assert (req.style, req.instruction) == ("custom", "Make it rhyme.")
    assert req.output_ratio() == 2.0


def test_summaries_of_parts_are_merged_with_the_same_length():
    req = ActionRequest("summarize", "x", length="bullets").validated()
    assert req.combine_task() == (
        "The text above is a series of summaries of consecutive parts of one document. Merge them into one. List the key "
        'points of the text above as short bullet points, one per line, each starting with "- ". Write the summary in '
        "the same language as the text.")


def test_the_language_to_keep_is_named_when_it_can_be_told():
    zh = ActionRequest("summarize", "星期六一大早我们就出发了，沿着海岸线一路向北开。一开始天气阴沉。").validated()
    assert "in Chinese, the language of the text" in zh.task()
    en = ActionRequest("rewrite", "We missed the last train, so we walked home through the park.", style="formal")
    assert "in English, the language of the text" in en.validated().task()
    assert "same language" in ActionRequest("rewrite", "ok", style="formal").validated().task()  # too short to tell
