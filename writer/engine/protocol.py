"""The engine's wire format: one JSON object per line, each carrying the protocol version, its
type and, for everything that answers a request, the request's id.

Each request and each event is a dataclass below, shared by the worker (writer.engine.worker)
and the client (writer.engine.client); their defaults are the engine's defaults. A request ends
with exactly one Done (a generation, a read-ahead, a cancelled request) or its one answer
(Loaded, Probed, Counted, Described), or with an Error carrying its id. An Error without an id
answers a line the worker could not read at all; the client fails every open request with it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from writer.core.events import Finished

VERSION = 4  # 2: messages as data; 3: generate_pieces; 4: typed messages, one "done" for every end
MAX_MESSAGE_BYTES = 32 * 1024 * 1024
MAX_TOKENS = 512  # what a generation writes at most when the request does not say
TEMPERATURE = 0.7


class ProtocolError(ValueError):
    """A message that is not valid under this protocol; `id` is its request's, when it could be read."""

    def __init__(self, reason: str, id: int | None = None) -> None:
        super().__init__(reason)
        self.id = id


# -- requests (client -> worker) ------------------------------------------------------------
@dataclass(frozen=True)
class Load:
    path: str
    n_ctx: int = 4096
    gpu_layers: str | int = "auto"
    threads: int | None = None
    speculative: bool = True  # draft from the prompt (writer.engine.decoding); off on a GPU


@dataclass(frozen=True)
class Probe:
    path: str


@dataclass(frozen=True)
class Sampling:
    """How a generation picks its tokens: llama-cpp-python's sampler and its defaults."""
    temperature: float = TEMPERATURE
    top_k: int = 40
    top_p: float = 0.95
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    seed: int | None = None
    ignore_eos: bool = False  # write to max_tokens (benchmarks, tests)


@dataclass(frozen=True)
class Generate(Sampling):
    messages: list | None = None  # chat messages, rendered with the model's template
    prompt: str | None = None  # or a raw prompt
    max_tokens: int = MAX_TOKENS
    speculative: bool | None = None  # None: as loaded


@dataclass(frozen=True)
class Piece:
    messages: list
    max_tokens: int = MAX_TOKENS


@dataclass(frozen=True)
class GeneratePieces(Sampling):
    pieces: list = field(default_factory=list)  # Piece each


@dataclass(frozen=True)
class Prefill:
    messages: list


@dataclass(frozen=True)
class Cancel:
    target: int  # the id of the request to stop


@dataclass(frozen=True)
class Count:
    texts: list


@dataclass(frozen=True)
class Info:
    pass


@dataclass(frozen=True)
class Shutdown:
    pass


# -- events (worker -> client) --------------------------------------------------------------
@dataclass(frozen=True)
class Ready:
    """The worker started; what it runs on (writer.engine.placement.Choice data)."""
    protocol: int
    pid: int
    choice: list
    chain: list
    gpus: list = field(default_factory=list)


@dataclass(frozen=True)
class Described:
    """The engine, and its model once one is loaded (writer.engine.client.engine_info)."""
    llama_cpp_version: str
    gpu_offload_supported: bool
    system_info: str
    cpu_variant: str | None = None
    backend: str = "cpu"
    gpus: list = field(default_factory=list)
    model: dict | None = None


@dataclass(frozen=True)
class Loaded(Described):
    pass


@dataclass(frozen=True)
class Probed:
    model: dict


@dataclass(frozen=True)
class Text:
    text: str
    piece: int = 0


@dataclass(frozen=True)
class Done:
    """The one end of a generation, a read-ahead or a cancelled request: Finished's fields. With
    `piece` set, one piece of a GeneratePieces ended and the request goes on."""
    finish: str = "stop"
    completion_tokens: int = 0
    tokens_per_s: float = 0.0
    prompt_tokens: int = 0
    prompt_s: float = 0.0
    drafted: int = 0
    accepted: int = 0
    piece: int | None = None

    def finished(self) -> Finished:
        return Finished(**{f.name: getattr(self, f.name) for f in fields(Finished) if f.name != "piece"},
                        piece=self.piece or 0)


@dataclass(frozen=True)
class Counted:
    counts: list


@dataclass(frozen=True)
class Error:
    message: dict  # writer.core.messages.Message.to_data()


REQUESTS: dict[str, type] = {"load": Load, "probe": Probe, "generate": Generate, "generate_pieces": GeneratePieces,
                             "prefill": Prefill, "cancel": Cancel, "count": Count, "info": Info, "shutdown": Shutdown}
EVENTS: dict[str, type] = {"ready": Ready, "loaded": Loaded, "info": Described, "probed": Probed, "delta": Text,
                           "done": Done, "counted": Counted, "error": Error}
_NAMES = {cls: name for table in (REQUESTS, EVENTS) for name, cls in table.items()}


def encode(message: Any, id: int | None = None) -> bytes:
    """One line for `message` (a dataclass above); raises ProtocolError when it is too large."""
    body = {"v": VERSION, "type": _NAMES[type(message)], **({} if id is None else {"id": id}), **asdict(message)}
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
    if len(data) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {len(data)} bytes exceeds the {MAX_MESSAGE_BYTES}-byte limit", id)
    return data


def decode(line: bytes, table: dict[str, type]) -> tuple[int | None, Any]:
    """(id, message) from one line; raises ProtocolError for anything malformed, oversized or
    unexpected, with the id when the line had a valid one."""
    if len(line) > MAX_MESSAGE_BYTES:
        raise ProtocolError("message too large")
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"not a JSON line: {exc.__class__.__name__}") from None
    if not isinstance(data, dict):
        raise ProtocolError("message is not an object")
    rid = data.pop("id", None)
    if rid is not None and (not isinstance(rid, int) or isinstance(rid, bool)):
        raise ProtocolError("id must be an integer")
    if data.pop("v", None) != VERSION:
        raise ProtocolError(f"unsupported protocol version (this engine speaks {VERSION})", rid)
    cls = table.get(data.pop("type", None))
    if cls is None:
        raise ProtocolError("unknown message type", rid)
    try:
        message = cls(**data)
    except TypeError:
        raise ProtocolError(f"missing or unknown fields in {_NAMES[cls]!r}", rid) from None
    if cls is GeneratePieces:
        try:
            message = GeneratePieces(**{**data, "pieces": [Piece(**p) for p in message.pieces]})
        except TypeError:
            raise ProtocolError("a piece needs messages and at most max_tokens", rid) from None
    return rid, message


def read_message(stream, table: dict[str, type]) -> tuple[int | None, Any] | None:
    """Reads one message from a binary stream; None at end of stream."""
    line = stream.readline(MAX_MESSAGE_BYTES + 1)
    if not line:
        return None
    if len(line) > MAX_MESSAGE_BYTES:
        # Skip the rest of the oversized line so the stream stays in step.
        while line and not line.endswith(b"\n"):
            line = stream.readline(MAX_MESSAGE_BYTES)
        raise ProtocolError("message too large")
    return decode(line, table)
