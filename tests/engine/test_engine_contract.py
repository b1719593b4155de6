"""Every engine keeps the one contract (writer.engine.base): the fake the GUI tests use, the local
worker with the real model, and a real llama-cpp-python server with the same model. The same
assertions run against each, so a test on the fake means what it says."""

import time

import pytest

from tests.helpers.fakes import FakeEngine
from tests.helpers.generations import collect, texts_by_piece
from tests.helpers.llama_server import API_KEY, MODEL_ALIAS, llama_server
from writer.core.events import Delta, EngineInfo, Finished, ModelInfo
from writer.engine.remote import RemoteEngine

CHAT = [{"role": "system", "content": "You are a writing assistant."},
        {"role": "user", "content": 'Text:\n"""\nThe boats was leaving early and the harbour were quiet.\n"""\n\nFix it.'}]
LONG = [{"role": "user", "content": "Summarize: " + " ".join(
    f"Line {i} says a little more about the harbour and the boats that leave it at dawn." for i in range(120))}]


@pytest.fixture(scope="session")
def remote_engine(model_path):
    with llama_server(model_path, n_ctx=2048, threads=2) as (_, url):
        engine = RemoteEngine(url, api_key=API_KEY, model=MODEL_ALIAS, context=2048)
        engine.load()
        yield engine
        engine.close()


@pytest.fixture(params=["fake", pytest.param("local", marks=pytest.mark.model),
                        pytest.param("remote", marks=pytest.mark.model)])
def any_engine(request):
    if request.param == "fake":
        engine = FakeEngine(context=2048)
        engine.load()
        return engine
    return request.getfixturevalue({"local": "engine", "remote": "remote_engine"}[request.param])


def test_load_describes_the_model_and_what_the_engine_can_do(any_engine):
    info = any_engine.info()
    assert isinstance(info, EngineInfo) and isinstance(info.model, ModelInfo)
    assert info.model.context == 2048 and info.model.name and info.model.parallel >= 1
    assert any_engine.kind in ("fake", "local", "server")


def test_counts_one_number_per_text(any_engine):
    counts = any_engine.count_tokens(["one two three", "", "four"])
    assert len(counts) == 3 and counts[1] == 0 and all(isinstance(n, int) for n in counts)
    assert counts[0] > counts[2] > 0


def test_generation_streams_deltas_then_one_finished(any_engine):
    events = list(any_engine.generate(CHAT, max_tokens=3, temperature=0))
    assert all(isinstance(e, Delta) for e in events[:-1]) and isinstance(events[-1], Finished)
    assert events[-1].finish == "length" and events[-1].completion_tokens == 3
    assert "".join(e.text for e in events[:-1]).strip()


def test_cancel_ends_the_stream_with_cancelled(any_engine):
    generation = any_engine.generate(CHAT, max_tokens=200, temperature=0)
    events = []
    for event in generation:
        events.append(event)
        if len(events) == 2:
            generation.cancel()
    assert isinstance(events[-1], Finished) and events[-1].finish == "cancelled"
    assert events[-1].completion_tokens < 200


def test_a_read_ahead_can_be_cancelled(any_engine):
    prefill = any_engine.prefill(LONG)
    time.sleep(0.2)  # reading by now, where the engine reads ahead
    started = time.perf_counter()
    prefill.cancel()
    [end] = list(prefill)
    if any_engine.info().model.read_ahead:
        assert end.finish == "cancelled" and time.perf_counter() - started < 2.0
    else:
        assert end == Finished("stop")  # a finished no-op: nothing was read
    text, done = collect(any_engine.generate(CHAT, max_tokens=4, temperature=0))
    assert done.finish == "length" and text  # the engine goes on as before


def test_pieces_written_together_each_end_once_with_what_they_write_alone(any_engine):
    chats = [CHAT, [CHAT[0], {"role": "user", "content": 'Text:\n"""\nShe go to school every days.\n"""\n\nFix it.'}]]
    alone = [collect(any_engine.generate(chat, max_tokens=12, temperature=0))[0] for chat in chats]
    texts, ends = texts_by_piece(any_engine.generate_pieces([(chat, 12) for chat in chats], temperature=0), 2)
    assert texts == alone
    assert sorted(e.piece for e in ends) == [0, 1] and all(isinstance(e, Finished) for e in ends)


def test_cancel_ends_every_piece(any_engine):
    generation = any_engine.generate_pieces([(CHAT, 200)] * 6, temperature=0)
    ends = []
    for event in generation:
        if isinstance(event, Finished):
            ends.append(event)
        else:
            generation.cancel()
    assert sorted(e.piece for e in ends) == list(range(6)) and ends[-1].finish == "cancelled"
