"""Ask with the real default model through the real worker, and `writer ask` as a user runs it."""

import json
import subprocess
import sys

import pytest

from tests.helpers.ask_documents import document
from writer.core.ask import AskRun, Conversation, Sources
from writer.core.events import Delta, Done, Note


def ask(engine, question, text, conversation=None):
    # A 1024-token budget (of the worker's 2048) keeps these tests quick on two cores.
    events = list(AskRun(engine, 1024, question, text, conversation=conversation, temperature=0.0, seed=1))
    answer = "".join(e.text for e in events if isinstance(e, Delta))
    sources = next(e for e in events if isinstance(e, Sources)).sources
    notes = [e.message.code for e in events if isinstance(e, Note)]
    assert isinstance(events[-1], Done)
    return answer, sources, notes


def among(sources, line):
    return any(s.first_line <= line <= s.last_line for s in sources)


@pytest.mark.parametrize("language, size", [("en", 25_000), ("zh", 30_000)])
def test_answers_from_a_long_document_with_the_fact_among_the_sources(engine, language, size):
    text, facts = document(language, size)
    fact = facts[1]  # a budget: a number the model can copy
    answer, sources, notes = ask(engine, fact.question, text)
    assert notes == [] and answer.strip(), (answer, notes)
    assert among(sources, fact.line), (fact, sources)
    assert all(s.quote for s in sources)


def test_follow_up_is_answered_in_the_same_conversation(engine):
    text, facts = document("en", 5_000, facts=4)
    conversation = Conversation()
    ask(engine, facts[1].question, text, conversation)
    answer, sources, _ = ask(engine, "And who approved it?", text, conversation)
    assert len(conversation.turns) == 2
    assert among(sources, facts[1].line)  # the follow-up is answered from the passage of the question it follows
    assert answer.strip()


def test_question_about_something_absent_is_not_answered(engine):
    text, _ = document("en", 5_000, facts=4)
    answer, sources, notes = ask(engine, "What is the capital of France?", text)
    assert notes == ["ask.not_said"] and answer == "" and sources == ()


# -- the command line ---------------------------------------------------------------------------
def writer(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "writer", *args], input=stdin, capture_output=True, timeout=600)


@pytest.fixture(scope="module")
def long_document(tmp_path_factory):
    text, facts = document("en", 25_000)
    path = tmp_path_factory.mktemp("ask") / "notes.md"
    path.write_text(text, encoding="utf-8")
    return path, facts[1]


@pytest.mark.model
def test_cli_prints_the_answer_then_the_sources(long_document):
    path, fact = long_document
    result = writer("ask", fact.question, str(path), "--ctx", "1024")
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    answer, _, sources = out.partition("\n\nSources:\n")
    assert answer.strip()
    lines = sources.rstrip("\n").splitlines()
    assert lines and all(line.startswith("  lines ") and '"' in line for line in lines)
    ranges = [tuple(map(int, line.split()[1].rstrip(":").split("–"))) for line in lines]
    assert any(a <= fact.line <= b for a, b in ranges), (fact, out)


@pytest.mark.model
def test_cli_json(long_document):
    path, fact = long_document
    result = writer("ask", fact.question, str(path), "--ctx", "1024", "--json")
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    assert data["found"] is True and data["answer"].strip()
    assert any(s["first_line"] <= fact.line <= s["last_line"] and s["quote"] for s in data["sources"])


@pytest.mark.model
def test_cli_document_does_not_say(long_document):
    path, _ = long_document
    result = writer("ask", "What is the capital of France?", str(path), "--json")
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout) == {"question": "What is the capital of France?", "answer": None, "found": False,
                                         "notes": [], "sources": []}


@pytest.mark.parametrize("question, content, message", [
    ("", b"Some text.", "Type a question about the document first."),
    ("Who?", b"  \n\n", "There is nothing to ask about: the document is empty."),
    ("Who?", b"A" * 10_000 + b"\x00\x01\x02", "The document contains binary data; Ask works on plain text only."),
    ("Who?", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a binary file"),
])
def test_cli_bad_input_is_one_line(tmp_path, question, content, message):
    path = tmp_path / "input"
    path.write_bytes(content)
    result = writer("ask", question, str(path))
    err = result.stderr.decode()
    assert result.returncode == 1 and message in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.model
def test_cli_question_longer_than_the_context(long_document):
    path, _ = long_document
    result = writer("ask", "Who keeps the key? " + "very " * 2000, str(path), "--ctx", "1024")
    err = result.stderr.decode()
    assert result.returncode == 1 and err.strip() == ("writer: The question is too long for the model's context of 1024 "
                                                     "tokens; shorten it."), err
