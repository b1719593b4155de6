"""Ask answers checked against the passages they were given: numbers, names, quotes, code and
lists the passages do not have, and an answer in another language than the question."""

from tests.helpers.scripted_engine import ScriptedEngine
from writer.core.ask import AskRun
from writer.core.events import Note
from writer.core.grounding import grounding

LIBRARY = "市图书馆共有藏书68万册，将从三月一日起闭馆装修。馆长李明说，装修费用为1,200万元。"


def codes(answer, question="图书馆有多少藏书？", passages=(LIBRARY,)):
    return [f.message.code for f in grounding(list(passages), question, answer)]


def test_the_issue_number_not_in_the_passage_is_named_and_marked():
    [finding] = grounding([LIBRARY], "图书馆有多少藏书？", "图书馆有33万册藏书。")
    assert str(finding.message) == "Not in the sources: 33万; check the answer against them."
    assert finding.marks == ("33万",)


def test_numbers_from_the_passages_in_any_script_are_grounded():
    assert codes("图书馆有68万册藏书。") == []
    assert codes("The library has 680,000 books; the work costs 12 million yuan.", "How many books?") == []
    assert codes("It closes on 1 March.", "When does it close?") == []  # 三月一日


def test_names_and_quotes_must_be_in_the_passages():
    passages = ["The harbour master, Tomas, keeps the key to the boat shed."]
    assert codes("Tomas keeps the key.", "Who keeps the key?", passages) == []
    assert codes("Ask Helga, who keeps the key.", "Who keeps the key?", passages) == ["ask.not_in_sources"]
    assert codes('It says "the key is lost".', "What about the key?", passages) == ["ask.not_in_sources"]
    assert codes('It says "keeps the key to the boat shed".', "What about the key?", passages) == []


def test_code_and_lists_the_passages_do_not_have_are_flagged():
    passages = ["Export with `writer export`. Footnotes are dropped by the exporter."]
    assert codes("Run:\n```\nwriter export --all\n```", "How do I export?", passages) == ["ask.code_not_in_sources"]
    assert codes("Run `writer export`.", "How do I export?", passages) == []
    invented = "Steps:\n- Buy a ticket\n- Fly to Mars\n- Eat cheese"
    assert codes(invented, "What are the steps?", passages) == ["ask.list_not_in_sources"]
    assert codes("- Export with writer export\n- Footnotes are dropped", "What happens?", passages) == []


def test_an_answer_in_another_language_than_the_question_is_flagged():
    found = grounding([LIBRARY], "图书馆有多少藏书？", "The passage is not in the language of this question.")
    assert [f.message.code for f in found] == ["ask.wrong_language"]
    assert "Chinese" in str(found[0].message)


def test_an_ask_run_notes_an_ungrounded_answer_before_its_sources():
    document = "第一章\n\n" + LIBRARY + "\n\n第二章\n\n老王负责仓库的钥匙，每天早上七点开门。"
    events = list(AskRun(ScriptedEngine(lambda m: "图书馆有33万册藏书。"), 2048, "图书馆有多少藏书？", document))
    notes = [e for e in events if isinstance(e, Note)]
    assert [n.message.code for n in notes] == ["ask.not_in_sources"] and notes[0].marks == ("33万",)
