"""Result checks: each warning, in English and Chinese, and the texts that must not be flagged."""

import subprocess
import sys

import pytest

from writer.core.actions import ActionRequest
from writer.core.checks import check_result, content_edits
from writer.core.language_id import identify

EN = "We missed the last train, so we walked home through the park and got back after midnight."
ZH = "我们错过了末班车，只好穿过公园走回家，过了午夜才到。路上很冷，但月亮很美。"
EN_TYPOS = ("Dont forget to bring the slides on thursday, becuase the client wants to see the budget numbers "
            "and the new timeline before they sign anything.")
ZH_TYPOS = "请不要忘记在星期四带上幻灯片，因为客户想在签字之前看到预算数字和新的时间表，这很重要得。"


def codes(action, text, result, **options):
    return [m.code for m in check_result(ActionRequest(action, text, **options).validated(), result)]


@pytest.mark.parametrize("text, code", [
    (EN, "en"), (ZH, "zh"), ("終電に乗り遅れて、公園を通って歩いて帰りました。", "ja"),
    ("Nous avons raté le dernier train et sommes rentrés à pied.", "fr"),
    ("# Notes\n\n```python\nprint('hello world, this is code')\n```\n\n- 请在周四之前把幻灯片发给我。", "zh"),
])
def test_identify_reads_the_prose(text, code):
    assert identify(text) == code


@pytest.mark.parametrize("text", ["OK", "Thanks!", "你好", "```\nsome code here that is long enough\n```", ""])
def test_too_short_or_no_prose_is_not_judged(text):
    assert identify(text) is None


def test_translation_into_the_wrong_language_is_flagged():
    assert codes("translate", EN, "Nous avons raté le dernier train et sommes rentrés à pied par le parc.",
                 language="zh-CN") == ["result.wrong_language"]
    assert codes("translate", ZH, "我们错过了末班车，只好走回家。路上很冷。", language="fr") == ["result.wrong_language"]
    message = check_result(ActionRequest("translate", EN, language="zh-CN").validated(), "Wir haben den letzten Zug "
                           "verpasst und sind durch den Park nach Hause gelaufen.")[0]
    assert "Simplified Chinese" in str(message) and "stronger model" in str(message)


def test_a_translation_followed_by_a_note_in_another_language_is_flagged():
    seen = ("没有过的福制,我们在安却无法回来。\n\nIn this context, the original text is a descriptive passage about a "
            "missing train. The translation uses simplified Chinese characters to convey the same message.")
    found = codes("translate", EN, seen, language="zh-CN")
    assert found[0] == "result.wrong_language" and set(found[1:]) == {"result.added_sentence"}  # the note's two


def test_a_right_translation_is_not_flagged():
    both = EN + " It was cold on the way, but the moon was beautiful."  # ZH has that second sentence too
    assert codes("translate", both, ZH, language="zh-CN") == []
    assert codes("translate", ZH, both, language="en") == []
    assert codes("translate", EN, "終電に乗り遅れて、公園を通って歩いて帰りました。", language="ja") == []


def test_summary_must_be_in_the_language_of_the_text():
    assert codes("summarize", ZH, "They missed the last train and walked home through the cold park.") == [
        "result.not_input_language"]
    assert codes("summarize", EN, "他们错过了末班车，步行穿过公园回家。") == ["result.not_input_language"]
    assert codes("summarize", ZH, "他们错过末班车，步行回家。") == []
    assert codes("summarize", EN, "They missed the train and walked home.") == []


def test_rewrite_in_another_language_is_flagged_unless_asked_for():
    assert codes("rewrite", ZH, "We missed the last bus and walked home across the park.", style="formal") == [
        "result.not_input_language"]
    assert codes("rewrite", ZH, "We missed the last bus and walked home across the park.",
                 instruction="Put it in English") == []


def test_translation_handed_back_is_flagged_unless_already_in_that_language():
    assert codes("translate", EN, EN, language="fr") == ["result.unchanged"]
    assert codes("translate", ZH, ZH, language="en") == ["result.unchanged"]
    assert codes("translate", ZH, ZH, language="zh-CN") == []


@pytest.mark.parametrize("text", [EN, ZH])
def test_rewrite_that_changes_nothing_is_flagged_but_a_clean_proofread_is_not(text):
    assert codes("rewrite", text, text + "\n", style="formal") == ["result.unchanged_rewrite"]
    assert codes("rewrite", text, text, style="simplify") == ["result.unchanged_rewrite"]
    assert codes("rewrite", text, text, style="proofread") == []


@pytest.mark.parametrize("result", [
    "Sure, I've already done that.",
    "Here is the corrected text: we missed the last train and walked home.",
    "I'm sorry, but I cannot help with that request.",
    "以下是修改后的文本：我们错过了末班车。",
    "好的，我已经帮你改好了。",
    '```\nWe missed the last train and walked home.\n```',
])
def test_chatter_instead_of_a_result_is_flagged(result):
    text = EN if result.isascii() else ZH
    assert "result.chatter" in codes("rewrite", text, result, style="proofread")


def test_text_that_itself_starts_like_chatter_is_not_flagged():
    letter = "Sure, I can come on Thursday. I will bring the slides and the budget for the new project."
    assert codes("rewrite", letter, letter.replace("Thursday", "Thursday,"), style="proofread") == []


def test_empty_result_is_flagged_and_generate_is_not_judged():
    assert codes("summarize", EN, "  \n") == ["result.empty"]
    assert codes("generate", EN, "Sure! Bonjour à tous.") == []


def test_proofread_with_corrections_only_is_not_flagged():
    fixed_en = EN_TYPOS.replace("Dont", "Don't").replace("thursday", "Thursday").replace("becuase", "because")
    assert content_edits(EN_TYPOS, fixed_en) == 0
    assert codes("rewrite", EN_TYPOS, fixed_en, style="proofread") == []
    fixed_zh = ZH_TYPOS.replace("很重要得", "很重要的")
    assert codes("rewrite", ZH_TYPOS, fixed_zh, style="proofread") == []


def test_proofread_that_rewrites_the_content_is_flagged():
    rewritten = ("Remember the presentation for Friday: our customer Justin insists on reviewing the cost "
                 "estimates and revised schedule prior to signing the contract.")
    warnings = check_result(ActionRequest("rewrite", EN_TYPOS, style="proofread").validated(), rewritten)
    assert warnings[0].code == "result.proofread_rewrote"  # then the names and words it lost or added
    assert "Show changes" in str(warnings[0]) and warnings[0].values["count"] > 5
    zh_rewritten = "别忘了周五的演示：我们的客户坚持在签署合同前审阅成本估算和修订后的进度安排。"
    assert codes("rewrite", ZH_TYPOS, zh_rewritten, style="proofread")[0] == "result.proofread_rewrote"


def test_short_proofread_is_not_judged():
    assert codes("rewrite", "dont forget the slides", "forget about the slides", style="proofread") == []


def writer(*args, text):
    return subprocess.run([sys.executable, "-m", "writer", *args, "--temperature", "0", "--max-tokens", "80"],
                          input=text.encode(), capture_output=True, timeout=300)


@pytest.mark.model
def test_built_in_model_translating_into_chinese_gives_chinese_or_says_it_did_not():
    result = writer("translate", "--to", "简体中文", text=EN)
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0, err
    assert identify(out) == "zh" or "not seem to be in Simplified Chinese" in err or "unchanged" in err, (out, err)


@pytest.mark.model
def test_built_in_model_summarizing_chinese_gives_chinese_or_says_it_did_not():
    result = writer("summarize", "--length", "sentence", text=ZH * 2)
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0, err
    assert identify(out) in ("zh", None) or "not in the language of your text (Chinese)" in err, (out, err)

