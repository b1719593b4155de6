"""Ask the document: passages, ranking, the prompt, follow-ups, "does not say", bad input."""

import pytest

from tests.helpers.ask_documents import ENGLISH
from tests.helpers.scripted_engine import ScriptedEngine
from writer.core import ask, retrieval
from writer.core.ask import AskRun, Conversation, Sources, check_text
from writer.core.errors import UserError
from writer.core.events import Delta, Done, Note
from writer.core.retrieval import PassageIndex, split_passages, tokenize


CHINESE = """第一章

老王负责仓库的钥匙，每天早上七点开门。

第二章

会议定在下周三下午三点，地点是二楼的会议室。

第三章

预算一共是五十万元，其中一半用于设备。"""


def run_all(run):
    return list(run)


def answer_of(events):
    return "".join(e.text for e in events if isinstance(e, Delta))


def sources_of(events):
    return next(e for e in events if isinstance(e, Sources)).sources


# -- passages and ranking ----------------------------------------------------------------------
def test_chinese_is_tokenized_in_character_pairs():
    assert tokenize("是谁负责仓库钥匙的？") == ["是谁", "谁负", "负责", "责仓", "仓库", "库钥", "钥匙", "匙的"]
    assert tokenize("钥") == ["钥"]


def test_words_are_lowercased_stemmed_and_stopwords_dropped_and_paired():
    assert tokenize("What did I PROMISE about the deadlines?") == ["promis", "deadlin", "promis deadlin"]


def test_japanese_mixed_with_latin_keeps_both():
    tokens = tokenize("鍵はTomasが持っています")
    assert "鍵は" in tokens and tokenize("Tomas")[0] in tokens and "持っ" in tokens


def test_passages_follow_paragraphs_with_document_line_numbers():
    long = "This paragraph is long enough to stand alone as a passage of its own. " * 3
    text = f"{long}\n\n\n## Short heading\n\n{long}\nIts second line.\n\n{long}"
    passages = split_passages(text, line_offset=10)
    assert [(p.first_line, p.last_line) for p in passages] == [(11, 11), (14, 17), (19, 19)]
    assert passages[1].text.startswith("## Short heading")
    for p in passages:
        assert text[p.start:p.end] == p.text


def test_long_paragraph_is_cut_between_sentences():
    text = " ".join(f"Sentence number {i} says something about the garden wall." for i in range(80))
    passages = split_passages(text)
    assert len(passages) > 1
    assert all(p.text.endswith(".") for p in passages)
    assert "".join(p.text for p in passages).replace(" ", "") == text.replace(" ", "")


def test_chinese_question_finds_its_passage():
    index = PassageIndex.build(CHINESE)
    hits = index.search("是谁负责仓库钥匙的？")
    assert "老王" in hits[0].passage.text
    assert "五十万元" in index.search("预算是多少？")[0].passage.text


def test_rebuilding_an_edited_text_leaves_the_old_index_as_it_was(monkeypatch):
    index = PassageIndex.build(ENGLISH)
    edited = ENGLISH.replace("Tomas", "Ingrid")
    tokenized = []
    monkeypatch.setattr(retrieval, "tokenize", lambda text: tokenized.append(text) or tokenize(text))
    rebuilt = PassageIndex.build(edited, previous=index)
    assert tokenized == [p.text for p in rebuilt.passages if "Ingrid" in p.text]  # only the edited passage
    assert rebuilt.search("Ingrid")[0].passage.text.startswith("The harbour master, Ingrid")
    assert rebuilt.search("Tomas") == [] and index.search("Tomas") != []
    assert PassageIndex.build(edited, previous=rebuilt) is rebuilt


# -- answering -----------------------------------------------------------------------------------
def test_answer_streams_and_ends_with_its_sources():
    engine = ScriptedEngine(lambda m: "Tomas keeps the key.")
    events = run_all(AskRun(engine, 2048, "Who keeps the key to the boat shed?", ENGLISH))
    assert answer_of(events) == "Tomas keeps the key."
    sources = sources_of(events)
    assert (sources[0].first_line, sources[0].last_line) == (10, 11)
    assert "key" in sources[0].quote
    done = events[-1]
    assert isinstance(done, Done) and done.text == "Tomas keeps the key."
    system, question = engine.requests[0][0]["content"], engine.requests[0][-1]["content"]
    assert "The harbour master, Tomas" in system and "[lines 10-11]" in system
    assert question.startswith("Who keeps the key to the boat shed?")  # the varying part comes last


def test_selection_line_numbers_are_the_documents():
    selection = "\n".join(ENGLISH.splitlines()[9:11])
    events = run_all(AskRun(ScriptedEngine(lambda m: "Tomas."), 2048, "Who keeps the key?", selection, line_offset=9))
    assert (sources_of(events)[0].first_line, sources_of(events)[0].last_line) == (10, 11)


def test_nothing_relevant_means_the_document_does_not_say_without_asking_the_model():
    engine = ScriptedEngine(lambda m: "Paris.")
    events = run_all(AskRun(engine, 2048, "What is the capital of France?", ENGLISH))
    assert engine.requests == []
    assert isinstance(events[0], Note) and events[0].message.code == "ask.not_said"
    assert sources_of(events) == () and answer_of(events) == ""


def test_model_saying_it_is_not_there_means_the_document_does_not_say():
    engine = ScriptedEngine(lambda m: "NOT IN DOCUMENT")
    events = run_all(AskRun(engine, 2048, "What colour is the key to the boat shed?", ENGLISH))
    assert len(engine.requests) == 1
    assert answer_of(events) == ""  # the marker is held back, never shown
    assert [e.message.code for e in events if isinstance(e, Note)] == ["ask.not_said"]
    assert sources_of(events) == ()


def test_follow_up_keeps_the_turn_and_the_cached_prefix():
    engine = ScriptedEngine(lambda m: "Tomas keeps it." if len(m) == 2 else "At the end of the season.")
    conversation = Conversation()
    run_all(AskRun(engine, 2048, "Who keeps the key to the boat shed?", ENGLISH, conversation=conversation))
    events = run_all(AskRun(engine, 2048, "And when does it expire?", ENGLISH, conversation=conversation))
    first, second = engine.requests
    assert second[0]["content"].startswith(first[0]["content"])  # same instructions and passages first
    assert [m["role"] for m in second] == ["system", "user", "assistant", "user"]
    assert second[1] == first[1] and second[2]["content"] == "Tomas keeps it."
    assert answer_of(events) == "At the end of the season."
    assert sources_of(events)[0].first_line == 10
    conversation.clear()
    run_all(AskRun(engine, 2048, "Who keeps the key to the boat shed?", ENGLISH, conversation=conversation))
    assert len(engine.requests[-1]) == 2


def test_follow_up_in_a_full_context_keeps_the_passages_sent_first():
    filler = "\n\n".join(f"Paragraph {i} says the key was cold and the boat shed door was heavy that day."
                         + " The wind kept on." * (i % 4 * 6) for i in range(400))
    text = filler + "\n\nThe harbour master, Tomas, keeps the key to the boat shed. It expires in May.\n\n" + filler
    engine = ScriptedEngine(lambda m: "Tomas.")
    conversation = Conversation()
    run_all(AskRun(engine, 1024, "Who keeps the key to the boat shed?", text, conversation=conversation))
    run_all(AskRun(engine, 1024, "When does the key expire?", text, conversation=conversation))
    first, second = (r[0]["content"].split("\n\n[lines") for r in engine.requests)
    again = [block for block in second[1:] if block in first[1:]]
    assert len(first) > 3 and again and second[0] == first[0]
    assert second[1:1 + len(again)] == first[1:1 + len(again)]  # a leading run, unchanged: the cache still holds it


def test_old_turns_are_dropped_to_fit_the_context():
    engine = ScriptedEngine(lambda m: "word " * 200)
    conversation = Conversation()
    for _ in range(6):
        run_all(AskRun(engine, 1024, "Who keeps the key to the boat shed?", ENGLISH, conversation=conversation))
    last = engine.requests[-1]
    assert sum(engine.count_tokens([m["content"] for m in last])) + ask.TEMPLATE_OVERHEAD <= 1024
    assert len(last) < 2 + 2 * 5  # not every earlier turn fits


def test_long_document_keeps_the_prompt_within_the_context():
    filler = "\n\n".join(f"Paragraph {i} talks about the weather, the sea and the boats in the harbour." for i in range(3000))
    text = filler + "\n\nThe harbour master, Tomas, keeps the key to the boat shed.\n\n" + filler
    engine = ScriptedEngine(lambda m: "Tomas.")
    events = run_all(AskRun(engine, 1024, "Who keeps the key to the boat shed?", text))
    sent = sum(engine.count_tokens([m["content"] for m in engine.requests[0]]))
    assert sent + ask.TEMPLATE_OVERHEAD + 256 <= 1024
    assert sources_of(events)[0].first_line == 6001


def test_cancel_ends_the_answer():
    engine = ScriptedEngine(lambda m: "word " * 50, delay=0.001)
    run = AskRun(engine, 2048, "Who keeps the key to the boat shed?", ENGLISH)
    events = []
    for event in run:
        events.append(event)
        if len(events) == 3:
            run.cancel()
    assert events[-1].finish == "cancelled"


def test_an_answer_abandoned_midway_stops_the_engine():
    engine = ScriptedEngine(lambda m: "word " * 50)
    events = iter(AskRun(engine, 2048, "Who keeps the key to the boat shed?", ENGLISH))
    assert isinstance(next(events), Delta)
    events.close()
    assert engine.generations[0].cancelled.is_set()


# -- bad input ------------------------------------------------------------------------------------
@pytest.mark.parametrize("question, text, code", [
    ("", ENGLISH, "ask.empty_question"),
    ("   \n", ENGLISH, "ask.empty_question"),
    ("Who?", "", "ask.empty_document"),
    ("Who?", " \n\n ", "ask.empty_document"),
    ("Who?", "text\x00\x01\x02binary", "ask.binary"),
])
def test_bad_input_is_one_clear_sentence(question, text, code):
    with pytest.raises(UserError) as caught:
        AskRun(ScriptedEngine(), 2048, question, text)
    assert caught.value.code == code
    assert str(caught.value).endswith(".") and "\n" not in str(caught.value)


def test_question_longer_than_the_context():
    question = "Who keeps the key? " + "very " * 3000
    with pytest.raises(UserError) as caught:
        run_all(AskRun(ScriptedEngine(), 2048, question, ENGLISH))
    assert caught.value.code == "ask.question_too_long"
    assert str(caught.value) == "The question is too long for the model's context of 2048 tokens; shorten it."


def test_document_too_large(monkeypatch):
    monkeypatch.setattr(ask, "MAX_DOCUMENT_CHARS", 1000)
    with pytest.raises(UserError) as caught:
        check_text("x" * 2_500_000)
    assert caught.value.code == "ask.too_large"


def test_ten_megabyte_document_is_indexed():
    text = "\n\n".join(f"Paragraph {i}: the harvest of year {i} was stored in barn {i % 97}." for i in range(160_000))
    assert len(text) > 10_000_000
    check_text(text)
    steps = []
    index = PassageIndex.build(text, progress=lambda done, total: steps.append(done))
    assert steps[-1] == len(index.passages) and len(steps) > 2
    assert index.search("year 123456 harvest")[0].passage.text.startswith("Paragraph 123456")


def test_context_too_small_for_any_passage():
    text = "The harbour master, Tomas, keeps the key to the boat shed. " + "He walks the long pier at dawn. " * 30
    with pytest.raises(UserError) as caught:
        run_all(AskRun(ScriptedEngine(), 300, "Who keeps the key to the boat shed?", text))
    assert caught.value.code == "ask.context_too_small"
