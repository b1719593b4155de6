import pytest

from writer.core.actions import ActionRequest
from writer.core.errors import UserError
from writer.core.events import Done, Note, Progress
from writer.core.pipeline import ActionRun
from tests.helpers.echo_engine import EchoEngine


def run(engine, request, context=400):
    return list(ActionRun(engine, request, context))


def test_long_text_is_processed_in_order_and_reassembled():
    paragraphs = [f"Paragraph {i} " + "word " * 40 for i in range(12)]
    text = "  " + "\n\n".join(p.strip() for p in paragraphs) + "\n"
    engine = EchoEngine()
    events = run(engine, ActionRequest("rewrite", text, style="formal"))
    progress = [e for e in events if isinstance(e, Progress)]
    assert len(progress) == len(engine.prompts) > 3
    assert progress[-1].piece == progress[-1].pieces
    done = events[-1]
    assert isinstance(done, Done) and done.finish == "stop"
    expected = "  " + "\n\n".join(p.strip().upper() for p in paragraphs) + "\n"
    assert done.text == expected


def test_long_summary_is_map_reduce():
    text = "\n\n".join("Sentence about the topic. " * 30 for _ in range(10))
    engine = EchoEngine()
    events = run(engine, ActionRequest("summarize", text, length="sentence"))
    pieces = [e for e in events if isinstance(e, Progress)]
    assert pieces[-1].piece == pieces[-1].pieces and len(pieces) > 2
    assert "series of summaries" in engine.prompts[-1]


def test_token_limit_is_reported_not_hidden():
    events = run(EchoEngine(finish="length"), ActionRequest("rewrite", "Short text.", style="concise"))
    assert any(isinstance(e, Note) and "token limit" in str(e.message) for e in events)
    assert events[-1].finish == "length"


def test_a_translation_handed_back_unchanged_is_pointed_out():
    events = run(EchoEngine(upper=False), ActionRequest("translate", "Bonjour tout le monde.", language="de"))
    notes = [str(e.message) for e in events if isinstance(e, Note)]
    assert notes and "unchanged" in notes[0] and "German" in notes[0]
    assert not [e for e in run(EchoEngine(), ActionRequest("translate", "Bonjour.", language="de")) if isinstance(e, Note)]


def test_generate_uses_the_end_of_a_long_text_and_says_so():
    text = "\n\n".join(f"Part {i}. " + "filler " * 50 for i in range(20))
    engine = EchoEngine()
    events = run(engine, ActionRequest("generate", text, length="short"))
    assert any(isinstance(e, Note) and "last" in str(e.message) for e in events)
    assert "Part 19" in engine.prompts[0] and "Part 0." not in engine.prompts[0]


def test_context_too_small_even_in_pieces():
    with pytest.raises(UserError, match="too small for this action"):
        run(EchoEngine(), ActionRequest("translate", "Hello there.", language="de"), context=120)


def test_real_model_translates_a_long_text_in_pieces(engine):
    text = "\n\n".join(f"This is paragraph number {i}. The weather was fine and the town was quiet." * 3 for i in range(8))
    events = list(ActionRun(engine, ActionRequest("translate", text, language="fr"), 512, temperature=0, max_tokens=80))
    progress = [e for e in events if isinstance(e, Progress)]
    assert len(progress) >= 2 and progress[-1].piece == progress[-1].pieces
    done = events[-1]
    assert isinstance(done, Done) and done.text.strip()
    assert done.text.count("\n\n") >= len(progress) - 1
