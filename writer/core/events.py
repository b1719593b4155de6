"""The typed values that cross module boundaries: what an engine reports about its model, what
a generation streams, and what an action run streams to the command line and the editor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Union

from writer.core.messages import Message

# Why a generation or an action ended. "length": the token limit; "context": the context window
# was full; "cancelled": the user stopped it.
Finish = Literal["stop", "length", "context", "cancelled"]


@dataclass(frozen=True)
class ModelInfo:
    """The loaded model, as the status bar, the read-ahead and the pipeline need it."""
    name: str
    context: int  # tokens in the context window the engine gives an action
    path: str = ""  # the file, for a local model
    architecture: str = ""
    parameters: int = 0
    size_bytes: int = 0
    layers: int = 0
    kv_token_bytes: int = 0  # what a token takes in the KV cache (fit.kv_bytes_per_token); 0: not known
    context_train: int = 0
    quantization: str | None = None
    chat_template: bool = True
    gpu_layers: int = 0  # layers offloaded to the GPU
    gpu_fallback: Message | None = None  # why fewer GPU layers than asked, if so
    threads: int = 0
    parallel: int = 1  # pieces of a long document the engine writes at once
    drafting: bool = False  # the engine drafts from the prompt (speculative decoding)
    read_ahead: bool = False  # the engine's prefill reads a prompt ahead (else a finished no-op)
    context_finish: bool = False  # a generation the full context stopped ends "context", not "length"
    backend: str = "cpu"  # where a local model runs: "gpu" or "cpu"
    cpu_variant: str | None = None  # llama.cpp's CPU code for this processor ("native", "haswell", …)
    gpu_name: str | None = None  # the GPU it runs on
    server: str | None = None  # the host name, when a server runs the model


@dataclass(frozen=True)
class EngineInfo:
    """What an engine can do, whether or not a model is loaded."""
    llama_cpp_version: str = ""
    gpu_offload_supported: bool = False
    system_info: str = ""
    cpu_variant: str | None = None
    model: ModelInfo | None = None
    backend: str = "cpu"  # what the worker runs on: "gpu" or "cpu"
    gpus: tuple[str, ...] = ()  # the GPU devices llama.cpp sees
    fallback: Message | None = None  # a backend crashed as this load began; what runs instead


@dataclass(frozen=True)
class Loaded:
    """A model is ready: what the status bar shows of it."""
    model: ModelInfo
    gpu_offload_supported: bool
    placement: Message | None = None  # why it runs on fewer GPU layers than asked
    fit: Message | None = None  # how it fits this computer's memory
    fallback: Message | None = None  # a backend crashed on first use; what runs instead (said once)


# -- one generation (what an engine streams) ------------------------------------------------
@dataclass(frozen=True)
class Delta:
    """New text; from an engine raw, from an action run cleaned."""
    text: str
    piece: int = 0  # which prompt it continues, when an engine writes several at once


@dataclass(frozen=True)
class Finished:
    """A generation ended."""
    finish: Finish
    completion_tokens: int = 0
    tokens_per_s: float = 0.0
    prompt_tokens: int = 0
    prompt_s: float = 0.0
    drafted: int = 0  # tokens drafted by speculative decoding (the local engine)
    accepted: int = 0  # drafted tokens the model kept
    piece: int = 0  # which prompt ended, when an engine writes several at once


def tokens_per_second(tokens: int, decode_s: float) -> float:
    """Writing speed, as every engine reports it: the tokens after the first over the `decode_s`
    seconds since the first came (that one ends the prompt's evaluation, timed in prompt_s)."""
    return round((tokens - 1) / decode_s, 2) if tokens > 1 and decode_s > 0 else 0.0


# -- an action run (what the pipeline streams) ----------------------------------------------
@dataclass(frozen=True)
class Progress:
    piece: int
    pieces: int


@dataclass(frozen=True)
class Note:
    """Something the user should know about the result; `message.code` says what. `marks` are
    parts of the result it is about, for the editor to highlight."""
    message: Message
    marks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Waiting:
    """The action waits (for the model to load); the message says for what."""
    message: Message


@dataclass(frozen=True)
class Done:
    text: str
    finish: Finish
    completion_tokens: int = 0
    tokens_per_s: float = 0.0


@dataclass(frozen=True)
class Failed:
    message: Message


RunEvent = Union[Delta, Progress, Note, Waiting, Done, Failed]

