"""Whole documents far larger than the context: pieces in order, progress, cancel at any point."""

import threading

import pytest

from tests.helpers.fakes import FakePieces
from tests.helpers.echo_engine import EchoEngine
from writer.core.actions import ActionRequest
from writer.core.errors import EngineError
from writer.core.events import Delta, Done, Note, Progress
from writer.core.pipeline import ActionRun


def long_document(words=50_000):
    paragraphs = []
    for i in range(words // 100):
        if i % 50 == 0:
            paragraphs.append(f"## Chapter {i // 50 + 1}")
        paragraphs.append(f"Paragraph {i} begins here. " + "and the story goes on " * 19 + "until it ends.")
    return "\n\n".join(paragraphs) + "\n"


class TogetherEngine(EchoEngine):
    """Writes all pieces at once, a word of each in turn, so later (shorter) pieces end first."""

    def __init__(self, fail_after=None):
        super().__init__()
        self.fail_after = fail_after

    def generate_pieces(self, pieces, **params):
        self.together = True
        answers = [("".join(e.text for e in self.generate(messages, limit) if isinstance(e, Delta)), limit)
                   for messages, limit in pieces]
        return FakePieces(answers, 0.0, self.fail_after)


def shown(events):
    """The text the user sees at each progress step, and at the end."""
    text, steps = "", []
    for event in events:
        if isinstance(event, Delta):
            text += event.text
        elif isinstance(event, Progress):
            steps.append((event.piece, text))
    return steps, text


@pytest.fixture(scope="module")
def document():
    text = long_document()
    assert len(text.split()) >= 50_000
    return text


@pytest.mark.parametrize("action,options", [("translate", {"language": "de"}), ("rewrite", {"style": "concise"})])
def test_fifty_thousand_words_processed_in_order(document, action, options):
    engine = EchoEngine()
    events = list(ActionRun(engine, ActionRequest(action, document, **options), 4096))
    progress = [e for e in events if isinstance(e, Progress)]
    # Translation sends each paragraph and heading on its own; rewrite packs paragraphs into pieces.
    assert len(progress) == len(engine.prompts) >= (500 if action == "translate" else 20)
    assert [p.piece for p in progress] == list(range(1, len(progress) + 1))
    done = events[-1]
    assert done.finish == "stop"
    assert done.text == document.upper()  # every piece, in order, with the original layout between them


def test_fifty_thousand_word_summary_is_map_reduce(document):
    engine = EchoEngine()
    events = list(ActionRun(engine, ActionRequest("summarize", document, length="bullets"), 4096))
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress[-1].piece == progress[-1].pieces > 10
    assert isinstance(events[-1], Done) and events[-1].text


@pytest.mark.parametrize("stop_at", [1, 7, 60])
def test_cancel_at_any_point(document, stop_at):
    engine = EchoEngine()
    run = ActionRun(engine, ActionRequest("translate", document, language="ja"), 4096)
    events = []
    for event in run:
        events.append(event)
        if isinstance(event, Progress) and event.piece == stop_at:
            threading.Thread(target=run.cancel).start()
    assert isinstance(events[-1], Done) and events[-1].finish == "cancelled"
    assert len(engine.prompts) <= stop_at + 1


@pytest.mark.parametrize("action,options", [("translate", {"language": "de"}), ("rewrite", {"style": "concise"}),
                                            ("summarize", {"length": "bullets"})])
def test_pieces_written_together_show_what_one_by_one_shows(document, action, options):
    text = document[:60_000]
    one = list(ActionRun(EchoEngine(), ActionRequest(action, text, **options), 4096))
    together = list(ActionRun(TogetherEngine(), ActionRequest(action, text, **options), 4096, parallel=4))
    assert shown(together) == shown(one)  # the same text before every progress step, in order
    assert (together[-1].text, together[-1].finish) == (one[-1].text, one[-1].finish)


@pytest.mark.parametrize("stop_at", [1, 7, 40])
def test_cancel_while_pieces_are_written_together_keeps_what_was_shown(document, stop_at):
    run = ActionRun(TogetherEngine(), ActionRequest("translate", document[:60_000], language="ja"), 4096, parallel=4)
    events = []
    for event in run:
        events.append(event)
        if isinstance(event, Progress) and event.piece == stop_at:
            threading.Thread(target=run.cancel).start()
    done = events[-1]
    assert isinstance(done, Done) and done.finish == "cancelled"
    assert done.text == shown(events)[1] and document[:60_000].upper().startswith(done.text)
    assert max(e.piece for e in events if isinstance(e, Progress)) <= stop_at + 1


def test_a_failure_while_pieces_are_written_together_keeps_the_text_in_order(document):
    run = ActionRun(TogetherEngine(fail_after=500), ActionRequest("translate", document[:60_000], language="ja"), 4096,
                    parallel=4)
    events = []
    with pytest.raises(EngineError):
        for event in run:
            events.append(event)
    text = shown(events)[1]
    assert len(text) > 100 and document.upper().startswith(text)  # a prefix of the result, no gap


@pytest.mark.parametrize("style,together", [("proofread", False), ("concise", True)])
def test_an_engine_that_drafts_proofreads_one_by_one(document, style, together):
    engine = TogetherEngine()
    events = list(ActionRun(engine, ActionRequest("rewrite", document[:20_000], style=style), 4096, parallel=3,
                            drafting=True))
    assert isinstance(events[-1], Done) and getattr(engine, "together", False) is together


def test_real_model_rewrites_a_document_larger_than_its_context(engine):
    text = long_document(1_500)
    run = ActionRun(engine, ActionRequest("rewrite", text, style="proofread"), 2048, temperature=0, max_tokens=40)
    events = list(run)
    progress = [e for e in events if isinstance(e, Progress)]
    assert len(progress) >= 2 and progress[-1].piece == progress[-1].pieces
    done = events[-1]
    assert isinstance(done, Done) and done.finish == "length"  # 40 tokens a piece: said, not hidden
    assert any(isinstance(e, Note) and "token limit" in str(e.message) for e in events)
