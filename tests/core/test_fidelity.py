"""Results that keep the writer's text: dropped and added sentences, lost words, changed facts and
closing notes, at any length, in English and Chinese, flagged as each action allows."""

import pytest

from writer.core.actions import ActionRequest
from writer.core.alignment import align, segments
from writer.core.checks import result_findings
from writer.core.fidelity import fidelity

HARBOUR = ("The harbour was quiet in the morning and the boats was leaving early. "
           "Their engines were loud in the fog.")
HARBOUR_FIXED = HARBOUR.replace("boats was", "boats were")
NOTE_EN = "Please send me the slides before Thursday. The client wants to see the budget."
NOTE_ZH = "请在周四之前把幻灯片发给我。客户想在签字之前看到预算。"
DIARY = "今天天气很好，我们一家人去公园散步。孩子们玩得很开心，我们在湖边坐了很久，直到太阳下山才回家。"


def findings(action, text, result, **options):
    return fidelity(ActionRequest(action, text, **options).validated(), result)


def codes(action, text, result, **options):
    return [f.message.code for f in findings(action, text, result, **options)]


def test_segments_follow_lines_and_sentences_with_their_offsets():
    text = "First one. Second one!\n- a list item\n第一句。第二句？"
    parts = segments(text)
    assert [s.text for s in parts] == ["First one.", "Second one!", "- a list item", "第一句。", "第二句？"]
    assert all(text[s.start:s.start + len(s.text)] == s.text for s in parts)


def test_the_issue_proofread_that_lost_a_clause_is_flagged_though_short():
    found = findings("rewrite", HARBOUR, "The harbour was quiet in the morning, and their engines were loud.",
                     style="proofread")
    assert [f.message.code for f in found] == ["result.left_out_words"]
    assert "the boats was leaving early" in str(found[0].message) and "fog" in str(found[0].message)


def test_a_proofread_note_on_its_own_line_is_cleaned_and_one_on_the_text_line_is_flagged():
    note = "This is a corrected version of the original text with no additional changes."
    found = findings("rewrite", HARBOUR, HARBOUR_FIXED + " " + note, style="proofread")
    assert [f.message.code for f in found] == ["result.closing_note"]
    assert found[0].marks == (note,)
    assert codes("rewrite", HARBOUR, HARBOUR_FIXED, style="proofread") == []


@pytest.mark.parametrize("text, result, dropped", [
    (HARBOUR, "The harbour was quiet in the morning and the boats were leaving early.", "Their engines"),
    (DIARY, "今天天气很好，我们一家人去公园散步。", "孩子们玩得很开心"),
])
def test_a_dropped_sentence_in_a_proofread_is_named(text, result, dropped):
    found = findings("rewrite", text, result, style="proofread")
    assert found[0].message.code == "result.dropped_sentence" and dropped in str(found[0].message)


def test_an_added_sentence_in_a_proofread_is_marked_in_the_result():
    added = "The fog lifted at noon."
    found = findings("rewrite", HARBOUR, HARBOUR_FIXED + " " + added, style="proofread")
    assert [f.message.code for f in found] == ["result.added_sentence"] and found[0].marks == (added,)


@pytest.mark.parametrize("text, result, language, dropped", [
    (NOTE_EN, "请在周四之前把幻灯片发给我。", "zh-CN", "The client wants to see the budget"),
    (NOTE_ZH, "Please send me the slides before Thursday.", "en", "客户想在签字之前看到预算"),
    ("我们错过了末班车，只好穿过公园走回家。天很冷，但月亮很美。",
     "Nous avons raté le dernier bus, alors nous avons dû rentrer à pied par le parc.", "fr", "天很冷"),
    ("We missed the last train, so we walked home through the park. It was cold, but the moon was beautiful. "
     "We got back after midnight.", "Nous avons raté le dernier train, alors nous sommes rentrés à pied par le "
     "parc. Nous sommes rentrés après minuit.", "fr", "It was cold"),
])
def test_a_dropped_sentence_in_a_translation_is_found_by_length(text, result, language, dropped):
    found = findings("translate", text, result, language=language)
    assert [f.message.code for f in found] == ["result.dropped_sentence"] and dropped in str(found[0].message)


@pytest.mark.parametrize("text, result, language", [
    (NOTE_EN, NOTE_ZH, "zh-CN"), (NOTE_ZH, NOTE_EN, "en"),
    (NOTE_EN, "Veuillez m'envoyer les diapositives avant jeudi. Le client veut voir le budget.", "fr"),
    ("我们错过了末班车，只好穿过公园走回家。天很冷，但月亮很美。",
     "We missed the last bus and had to walk home through the park. It was cold, but the moon was beautiful.", "en"),
    ("Short. Then a much longer second sentence that goes on for a while.", "短。然后是一个长得多的第二句，说了好一会儿。", "zh-CN"),
    ("Please send the slides. The client wants them.", "Please send the slides, since the client wants them.", "en"),
])
def test_a_whole_translation_is_not_flagged(text, result, language):
    assert codes("translate", text, result, language=language) == []


def test_the_issue_number_change_is_named_with_both_numbers():
    found = findings("translate", "In 2026 the library had 680,000 books.", "2026年，图书馆有33万本书。",
                     language="zh-CN")
    assert [f.message.code for f in found] == ["result.fact_changed"]
    assert str(found[0].message) == "The translation has 33万 where your text has 680,000."
    assert found[0].marks == ("33万",)


def test_missing_and_added_facts_in_a_rewrite():
    text = "Write to ana@example.com before 5 May; the fee is 40 euros."
    found = findings("rewrite", text, "Please write before 5 May; the fee is 40 euros.", style="formal")
    assert [f.message.code for f in found] == ["result.fact_missing"] and "ana@example.com" in str(found[0].message)
    found = findings("rewrite", text, text + " Call 555-0100 too.", style="formal")
    assert [f.message.code for f in found] == ["result.fact_added"]


def test_what_each_action_may_do():
    long = "The meeting is on 3 May. Bring the report. We also need coffee and some biscuits for everyone."
    # Concise may drop a sentence, not a number.
    assert codes("rewrite", long, "The meeting is on 3 May; bring the report.", style="concise") == []
    assert codes("rewrite", long, "The meeting is on 4 May; bring the report.", style="concise") == ["result.fact_changed"]
    # A summary may leave numbers out but not invent one.
    assert codes("summarize", long, "A meeting needs a report.") == []
    assert codes("summarize", long, "A meeting on 9 May needs a report.") == ["result.fact_added"]
    # A custom instruction may ask for anything.
    assert codes("rewrite", long, "Meeting.", instruction="Keep only the first word") == []
    assert codes("generate", long, "Something else entirely, 42.") == []


def test_findings_come_after_the_overall_checks():
    request = ActionRequest("translate", NOTE_EN, language="zh-CN").validated()
    assert [f.message.code for f in result_findings(request, NOTE_EN + " Added 99 lines.")] == [
        "result.wrong_language", "result.added_sentence", "result.fact_added"]


def test_alignment_reports_matches_and_gaps():
    found = align("One here. Two there. Three again.", "One here. Three again. Four new.", same_language=True)
    assert [g.segments[0].text for g in found.dropped] == ["Two there."]
    assert [g.segments[0].text for g in found.added] == ["Four new."]
    assert found.matched == [("One here.", "One here."), ("Three again.", "Three again.")]
