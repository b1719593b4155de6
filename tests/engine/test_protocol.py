import io
import json

import pytest
from hypothesis import given, settings, strategies as st

from writer.engine import protocol


def test_round_trip_keeps_unicode():
    data = protocol.encode({"type": "delta", "id": 3, "text": "你好 — 世界\n"})
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    assert protocol.decode(data, protocol.EVENTS) == {"v": protocol.VERSION, "type": "delta", "id": 3, "text": "你好 — 世界\n"}


@pytest.mark.parametrize("line", [
    b"not json\n", b"[1,2]\n", b'{"type":"delta"}\n', b'{"v":1,"type":"delta"}\n',
    b'{"v":%d,"type":"explode"}\n' % protocol.VERSION, b'{"v":%d,"type":"delta","id":"7"}\n' % protocol.VERSION,
    b"\xff\xfe\n",
])
def test_malformed_messages_are_rejected(line):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(line, protocol.EVENTS)


def test_oversized_message_is_rejected_and_stream_stays_in_step(monkeypatch):
    monkeypatch.setattr(protocol, "MAX_MESSAGE_BYTES", 100)
    v = b"%d" % protocol.VERSION
    stream = io.BytesIO(b'{"v":' + v + b',"type":"info","pad":"' + b"x" * 300 + b'"}\n'
                        + b'{"v":' + v + b',"type":"info","id":2}\n')
    with pytest.raises(protocol.ProtocolError):
        protocol.read_message(stream, protocol.REQUESTS)
    assert protocol.read_message(stream, protocol.REQUESTS)["id"] == 2
    with pytest.raises(protocol.ProtocolError):
        protocol.encode({"type": "info", "pad": "y" * 200})


def test_end_of_stream_is_none():
    assert protocol.read_message(io.BytesIO(b""), protocol.REQUESTS) is None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_decoder_fuzz_raises_only_protocol_errors(data):
    try:
        message = protocol.decode(data, protocol.REQUESTS | protocol.EVENTS)
    except protocol.ProtocolError:
        return
    assert isinstance(message, dict) and message["v"] == protocol.VERSION


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({}, optional={
    "v": st.sampled_from([1, protocol.VERSION - 1, protocol.VERSION, str(protocol.VERSION), None]),
    "type": st.sampled_from(sorted(protocol.REQUESTS) + ["delta", "explode", ""]),
    "id": st.one_of(st.none(), st.integers(), st.booleans(), st.text(max_size=3)),
    "text": st.text(max_size=20),
}))
def test_a_message_is_accepted_exactly_when_it_follows_the_protocol(message):
    valid = (message.get("v") == protocol.VERSION and message.get("type") in protocol.REQUESTS
             and (message.get("id") is None or type(message.get("id")) is int))
    try:
        decoded = protocol.decode(json.dumps(message).encode(), protocol.REQUESTS)
    except protocol.ProtocolError:
        assert not valid
    else:
        assert valid and decoded == message
