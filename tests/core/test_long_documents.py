"""Whole documents far larger than the context: pieces in order, progress, cancel at any point."""

import threading

import pytest

from test_pipeline import EchoEngine
from writer.core.actions import ActionRequest
from writer.core.events import Done, Note, Progress
from writer.core.pipeline import ActionRun


def long_document(words=50_000):
    paragraphs = []
    for i in range(words // 100):
        if i % 50 == 0:
            paragraphs.append(f"## Chapter {i // 50 + 1}")
        paragraphs.append(f"Paragraph {i} begins here. " + "and the story goes on " * 19 + "until it ends.")
    return "\n\n".join(paragraphs) + "\n"


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


def test_real_model_rewrites_a_document_larger_than_its_context(engine):
    text = long_document(1_500)
    run = ActionRun(engine, ActionRequest("rewrite", text, style="proofread"), 2048, temperature=0, max_tokens=40)
    events = list(run)
    progress = [e for e in events if isinstance(e, Progress)]
    assert len(progress) >= 2 and progress[-1].piece == progress[-1].pieces
    done = events[-1]
    assert isinstance(done, Done) and done.finish == "length"  # 40 tokens a piece: said, not hidden
    assert any(isinstance(e, Note) and "token limit" in str(e.message) for e in events)
