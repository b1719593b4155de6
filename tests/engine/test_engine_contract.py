"""The fake engine the GUI tests use and the real worker must behave alike: the same assertions
run against both, so a GUI test on the fake means what it says."""

import pytest

from tests.helpers.fakes import FakeEngine
from tests.helpers.generations import collect, texts_by_piece
from writer.core.events import Delta, EngineInfo, Finished, ModelInfo

CHAT = [{"role": "system", "content": "You are a writing assistant."},
        {"role": "user", "content": 'Text:\n"""\nThe boats was leaving early and the harbour were quiet.\n"""\n\nFix it.'}]


@pytest.fixture(params=["fake", pytest.param("real", marks=pytest.mark.model)])
def any_engine(request):
    if request.param == "fake":
        return FakeEngine(context=2048)
    return request.getfixturevalue("engine")


def test_load_describes_the_model(any_engine):
    info = any_engine.info()
    assert isinstance(info, EngineInfo) and isinstance(info.model, ModelInfo)
    assert info.model.context == 2048 and info.model.name


def test_counts_one_number_per_text(any_engine):
    counts = any_engine.count_tokens(["one two three", "", "four"])
    assert len(counts) == 3 and counts[1] == 0 and all(isinstance(n, int) for n in counts)
    assert counts[0] > counts[2] > 0


def test_generation_streams_deltas_then_one_finished(any_engine):
    events = list(any_engine.generate(CHAT, max_tokens=3, temperature=0, ignore_eos=True))
    assert all(isinstance(e, Delta) for e in events[:-1]) and isinstance(events[-1], Finished)
    assert events[-1].finish == "length" and events[-1].completion_tokens == 3
    assert "".join(e.text for e in events[:-1]).strip()


def test_cancel_ends_the_stream_with_cancelled(any_engine):
    generation = any_engine.generate(CHAT, max_tokens=200, temperature=0, ignore_eos=True)
    events = []
    for event in generation:
        events.append(event)
        if len(events) == 2:
            generation.cancel()
    assert isinstance(events[-1], Finished) and events[-1].finish == "cancelled"
    assert events[-1].completion_tokens < 200


def test_a_read_ahead_can_be_cancelled(any_engine):
    any_engine.prefill(CHAT).cancel()
    events = list(any_engine.generate(CHAT, max_tokens=2, temperature=0, ignore_eos=True))
    assert isinstance(events[-1], Finished)


def test_pieces_written_together_each_end_once_with_what_they_write_alone(any_engine):
    chats = [CHAT, [CHAT[0], {"role": "user", "content": 'Text:\n"""\nShe go to school every days.\n"""\n\nFix it.'}]]
    alone = [collect(any_engine.generate(chat, max_tokens=12, temperature=0))[0] for chat in chats]
    texts, ends = texts_by_piece(any_engine.generate_pieces([(chat, 12) for chat in chats], temperature=0), 2)
    assert texts == alone
    assert sorted(e.piece for e in ends) == [0, 1] and all(isinstance(e, Finished) for e in ends)


def test_cancel_ends_every_piece(any_engine):
    generation = any_engine.generate_pieces([(CHAT, 200)] * 6, temperature=0, ignore_eos=True)
    ends = []
    for event in generation:
        if isinstance(event, Finished):
            ends.append(event)
        else:
            generation.cancel()
    assert sorted(e.piece for e in ends) == list(range(6)) and ends[-1].finish == "cancelled"
