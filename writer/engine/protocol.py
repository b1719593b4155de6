"""The engine's wire format: one JSON object per line, each carrying the protocol version.

Requests (client -> worker): load, probe, generate, generate_pieces, prefill, cancel, count, info, shutdown.
Events (worker -> client): ready, loaded, probed, delta, done, prefilled, counted, info, error.
Every request and its events share an integer id; the client drops events of ids it forgot.
An error event carries its message as data (code, template, values), never as finished text.
"""

from __future__ import annotations

import json

VERSION = 3  # 2: messages travel as data (writer.core.messages.Message.to_data); 3: generate_pieces
MAX_MESSAGE_BYTES = 32 * 1024 * 1024

REQUESTS = {"load", "probe", "generate", "generate_pieces", "prefill", "cancel", "count", "info", "shutdown"}
EVENTS = {"ready", "loaded", "probed", "delta", "piece_done", "done", "prefilled", "counted", "info", "error"}


class ProtocolError(ValueError):
    """A message that is not valid under this protocol."""


def encode(message: dict) -> bytes:
    line = json.dumps({"v": VERSION, **message}, ensure_ascii=False, separators=(",", ":"))
    data = line.encode("utf-8") + b"\n"
    if len(data) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {len(data)} bytes exceeds the {MAX_MESSAGE_BYTES}-byte limit")
    return data


def decode(line: bytes, allowed: set[str]) -> dict:
    """Parses one line; raises ProtocolError for anything malformed, oversized or unexpected."""
    if len(line) > MAX_MESSAGE_BYTES:
        raise ProtocolError("message too large")
    try:
        message = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"not a JSON line: {exc.__class__.__name__}") from None
    if not isinstance(message, dict):
        raise ProtocolError("message is not an object")
    if message.get("v") != VERSION:
        raise ProtocolError(f"unsupported protocol version {message.get('v')!r}")
    kind = message.get("type")
    if kind not in allowed:
        raise ProtocolError(f"unknown message type {kind!r}")
    msg_id = message.get("id")
    if msg_id is not None and (not isinstance(msg_id, int) or isinstance(msg_id, bool)):
        raise ProtocolError("id must be an integer")
    return message


def read_message(stream, allowed: set[str]) -> dict | None:
    """Reads one message from a binary stream; None at end of stream."""
    line = stream.readline(MAX_MESSAGE_BYTES + 1)
    if not line:
        return None
    if len(line) > MAX_MESSAGE_BYTES:
        # Skip the rest of the oversized line so the stream stays in step.
        while line and not line.endswith(b"\n"):
            line = stream.readline(MAX_MESSAGE_BYTES)
        raise ProtocolError("message too large")
    return decode(line, allowed)
