import io
import json
from dataclasses import fields

import pytest
from hypothesis import given, settings, strategies as st

from writer.core.errors import EngineError
from writer.core.events import Finished
from writer.engine import protocol
from writer.engine.client import EngineClient
from writer.engine.protocol import Done, Generate, GeneratePieces, Piece, Text


def test_round_trip_keeps_unicode_and_types():
    data = protocol.encode(Text("你好 — 世界\n", piece=2), 3)
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    assert protocol.decode(data, protocol.EVENTS) == (3, Text("你好 — 世界\n", 2))
    pieces = GeneratePieces(pieces=[Piece([{"role": "user", "content": "Hi"}], 8)], seed=1)
    assert protocol.decode(protocol.encode(pieces, 4), protocol.REQUESTS) == (4, pieces)


def test_defaults_live_in_the_request():
    request = Generate(messages=[])
    assert (request.max_tokens, request.temperature, request.seed) == (protocol.MAX_TOKENS, protocol.TEMPERATURE, None)
    assert Piece([]).max_tokens == protocol.MAX_TOKENS


def test_one_done_for_every_end_has_finished_fields():
    assert {f.name for f in fields(Finished)} <= {f.name for f in fields(Done)}
    assert Done("length", 3, 9.5, 12, 0.25, 2, 1).finished() == Finished("length", 3, 9.5, 12, 0.25, 2, 1)
    assert Done("cancelled", piece=4).finished() == Finished("cancelled", piece=4)


@pytest.mark.parametrize("line", [
    b"not json\n", b"[1,2]\n", b'{"type":"delta"}\n', b'{"v":1,"type":"delta","text":""}\n',
    b'{"v":%d,"type":"explode"}\n' % protocol.VERSION, b'{"v":%d,"type":"delta","id":"7","text":""}\n' % protocol.VERSION,
    b'{"v":%d,"type":"delta"}\n' % protocol.VERSION, b'{"v":%d,"type":"delta","text":"","colour":1}\n' % protocol.VERSION,
    b"\xff\xfe\n",
])
def test_malformed_messages_are_rejected(line):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(line, protocol.EVENTS)


def test_a_rejected_message_keeps_its_request_id():
    with pytest.raises(protocol.ProtocolError) as error:
        protocol.decode(b'{"v":%d,"type":"generate","id":9,"colour":1}\n' % protocol.VERSION, protocol.REQUESTS)
    assert error.value.id == 9
    with pytest.raises(protocol.ProtocolError) as error:
        protocol.decode(b'{"v":1,"type":"generate","id":5}\n', protocol.REQUESTS)  # another version
    assert error.value.id == 5


def test_oversized_message_is_rejected_and_stream_stays_in_step(monkeypatch):
    monkeypatch.setattr(protocol, "MAX_MESSAGE_BYTES", 100)
    v = b"%d" % protocol.VERSION
    stream = io.BytesIO(b'{"v":' + v + b',"type":"count","texts":["' + b"x" * 300 + b'"]}\n'
                        + b'{"v":' + v + b',"type":"info","id":2}\n')
    with pytest.raises(protocol.ProtocolError):
        protocol.read_message(stream, protocol.REQUESTS)
    assert protocol.read_message(stream, protocol.REQUESTS) == (2, protocol.Info())
    with pytest.raises(protocol.ProtocolError):
        protocol.encode(protocol.Count(["y" * 200]))


def test_an_oversized_request_is_refused_before_it_is_registered(monkeypatch):
    monkeypatch.setattr(protocol, "MAX_MESSAGE_BYTES", 1000)
    client = EngineClient()
    client.start = lambda: pytest.fail("no worker is started for a request that cannot be sent")
    with pytest.raises(EngineError) as error:
        client.generate([{"role": "user", "content": "x" * 2000}])
    assert error.value.message.code == "engine.too_large" and "too large" in str(error.value)
    assert str(error.value).count(".") == 1 and not client._streams


def test_end_of_stream_is_none():
    assert protocol.read_message(io.BytesIO(b""), protocol.REQUESTS) is None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_decoder_fuzz_raises_only_protocol_errors(data):
    try:
        protocol.decode(data, {**protocol.REQUESTS, **protocol.EVENTS})
    except protocol.ProtocolError:
        return


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({}, optional={
    "v": st.sampled_from([1, protocol.VERSION - 1, protocol.VERSION, str(protocol.VERSION), None]),
    "type": st.sampled_from(sorted(protocol.REQUESTS) + ["delta", "explode", ""]),
    "id": st.one_of(st.none(), st.integers(), st.booleans(), st.text(max_size=3)),
    "texts": st.just(["a"]),
}))
def test_a_message_is_accepted_exactly_when_it_follows_the_protocol(message):
    fits = (message.get("type") == "count" if "texts" in message
            else message.get("type") in ("info", "shutdown", "generate", "generate_pieces"))  # no field needed
    valid = (message.get("v") == protocol.VERSION and fits
             and (message.get("id") is None or type(message.get("id")) is int))
    try:
        rid, decoded = protocol.decode(json.dumps(message).encode(), protocol.REQUESTS)
    except protocol.ProtocolError:
        assert not valid
    else:
        assert valid and rid == message.get("id") and protocol.REQUESTS[message["type"]] is type(decoded)


def test_the_worker_answers_a_bad_request_under_its_id_and_the_client_fails_all_for_one_without():
    import queue

    client = EngineClient()
    try:
        client.start()
        mine, others = queue.Queue(), queue.Queue()
        client._streams.update({77: mine, 78: others})
        client._proc.stdin.write(b'{"v":%d,"type":"generate","id":77,"colour":1}\n' % protocol.VERSION)
        error = mine.get(timeout=30)
        assert isinstance(error, protocol.Error) and error.message["code"] == "engine.protocol"
        assert others.empty() and 78 in client._streams
        client._proc.stdin.write(b"not a message\n")  # nobody's: every open request hears of it
        assert isinstance(others.get(timeout=30), protocol.Error) and not client._streams
    finally:
        client.close()
