"""The local engine: the editor's side of the worker process (writer.engine.worker).

Thread-safe: a reader thread turns worker output into events for the request that asked for
them. Every wait on the worker has a timeout: a call's answer, and each token of a stream (a
worker that writes nothing for too long is killed, as the remote engine gives up on a stalled
server). If the worker dies, every open request ends with an EngineError and `on_death` is
told; the next request starts a fresh worker without a model, and the engine session
(writer.engine.session) decides whether to load it again.
"""

from __future__ import annotations

import collections
import itertools
import os
import queue
import subprocess
import sys
import threading
from dataclasses import fields, replace
from typing import Callable, Iterator, Union

from writer.core.errors import EngineError
from writer.core.events import Delta, EngineInfo, Finished, ModelInfo
from writer.core.messages import Message, msg, plain
from writer.core.models import no_model_loaded
from writer.engine import placement, protocol
from writer.engine.placement import Choice
from writer.engine.protocol import Done, Error, Text

START_TIMEOUT = 60.0
LOAD_TIMEOUT = 600.0  # a large model from a slow disk
CALL_TIMEOUT = 120.0  # counting tokens of a whole document
STALL_TIMEOUT = 60.0  # seconds without a token before a stream counts as stalled (as remote.py's)
PROMPT_TIMEOUT = 300.0  # the same before the first token: a long prompt on a slow CPU takes a while


# A model file and how to run it: exactly what the worker's load request carries, defaults included.
LocalModel = protocol.Load


def _start_failed(reason: Message) -> EngineError:
    return EngineError(msg("engine.start_failed", "The engine could not start: {reason}", reason=reason))


def worker_command() -> list[str]:
    if getattr(sys, "frozen", False):
        # A frozen app has no interpreter to run -m with; its own executable knows this flag.
        return [sys.executable, "--engine-worker"]
    return [sys.executable, "-m", "writer.engine.worker"]


def probe_file(path: str) -> dict:
    """Describes a model file in a worker of its own, started and stopped for it (blocking)."""
    client = EngineClient()
    try:
        return client.probe(path)
    finally:
        client.close()


def model_info(data: dict) -> ModelInfo:
    """A ModelInfo from the worker's description of a model."""
    known = {f.name for f in fields(ModelInfo)}
    values = {k: v for k, v in data.items() if k in known}
    if values.get("gpu_fallback") is not None:
        values["gpu_fallback"] = Message.from_data(values["gpu_fallback"])
    return ModelInfo(**values)


def engine_info(event: protocol.Described) -> EngineInfo:
    model = model_info(event.model) if event.model else None
    return EngineInfo(event.llama_cpp_version, event.gpu_offload_supported, event.system_info, event.cpu_variant,
                      model, event.backend, tuple(event.gpus))


class NativeCrash(EngineError):
    """The worker's native code crashed before its choice of backend was proven (placement.py)."""


def _first_use_crash(choice: Choice, returncode: int) -> Message:
    return msg("engine.first_use_crash", "llama.cpp crashed as it began to run on {choice} (exit status {status}).",
               choice=choice.describe(), status=returncode)


def _failure(event: Error) -> EngineError:
    message = Message.from_data(event.message)
    return (NativeCrash if message.code == "engine.first_use_crash" else EngineError)(message)


def _hang() -> EngineError:
    return EngineError(msg("engine.hang", "The engine stopped answering and was restarted."))


class Generation:
    """A running generate, generate_pieces or prefill request (see writer.engine.base.Generation).
    Each wait for the worker's next event has a limit: the prompt's before the first token (and,
    with pieces, before each piece that starts after another ended), the stall limit after one."""

    def __init__(self, client: "EngineClient", rid: int, events: queue.Queue, pieces: bool = False) -> None:
        self.client, self.id, self._events = client, rid, events
        self._pieces = pieces  # each piece ends with a Finished; the request's own end adds none

    def __iter__(self) -> Iterator[Union[Delta, Finished]]:
        limit = self.client.prompt_timeout
        while True:
            try:
                event = self._events.get(timeout=limit)  # the worker's death ends every stream with an Error
            except queue.Empty:
                self.client.kill()  # a hung worker: the engine session restarts it
                raise _hang() from None
            if isinstance(event, Text):
                limit = self.client.stall_timeout
                yield Delta(event.text, event.piece)
            elif isinstance(event, Error):
                raise _failure(event)
            elif isinstance(event, Done) and event.piece is not None:
                limit = self.client.prompt_timeout
                yield event.finished()
            elif isinstance(event, Done):
                if not self._pieces:
                    yield event.finished()
                return
            else:
                raise EngineError(msg("engine.unexpected", "The engine sent an answer Writer did not expect."))

    def cancel(self) -> None:
        self.client.cancel(self.id)


class EngineClient:
    kind = "local"

    def __init__(self, model: LocalModel | None = None, on_death: Callable[[Message], None] | None = None,
                 hang_timeout: float = 5.0, choice: Choice = Choice(), stall_timeout: float = STALL_TIMEOUT,
                 prompt_timeout: float = PROMPT_TIMEOUT) -> None:
        self.model = model
        self.on_death = on_death
        self.hang_timeout = hang_timeout  # after a cancel, before a worker that goes on is killed
        self.stall_timeout, self.prompt_timeout = stall_timeout, prompt_timeout
        self.setting = choice  # forced by Settings or the command line, else "auto"
        self.choice: Choice | None = None  # what the running worker runs on
        self.chain: tuple[Choice, ...] = ()  # what it would try next, best first
        self._next: Choice | None = None  # what the next worker starts with after a crash
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._proc: subprocess.Popen | None = None
        self._streams: dict[int, queue.Queue] = {}
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=20)
        self._closing = False

    # -- process ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def _start_choice(self) -> Choice:
        """A forced choice; else the one a crash left; else the one recorded for this machine."""
        if self.setting.forced:
            return self.setting
        if self._next is not None:
            return self._next
        record = placement.load_record()
        return record.choice if record else Choice()

    def start(self) -> None:
        with self._lock:
            if self.running:
                return
            wanted = self._start_choice()
            self.choice = None
            env = dict(os.environ, PYTHONUNBUFFERED="1", **wanted.env())
            try:
                proc = subprocess.Popen(
                    worker_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    env=env, bufsize=0,
                )
            except OSError as exc:
                raise EngineError(msg("engine.cannot_start", "The engine could not be started: {reason}",
                                      reason=exc.strerror or str(exc))) from None
            ready: queue.Queue = queue.Queue()
            self._proc = proc
            threading.Thread(target=self._read_events, args=(proc, ready), daemon=True, name="engine-events").start()
            stderr = threading.Thread(target=self._read_stderr, args=(proc,), daemon=True, name="engine-stderr")
            stderr.start()
        try:
            hello = ready.get(timeout=START_TIMEOUT)
        except queue.Empty:
            self.kill()
            raise EngineError(msg("engine.start_timeout", "The engine did not start within a minute.")) from None
        if hello is None and placement.is_native_crash(proc.returncode):
            self.choice = wanted  # what crashed, for load() to step past
            raise NativeCrash(_first_use_crash(wanted, proc.returncode))
        if hello is None:
            # It died before saying it was ready (a missing library, an unsupported CPU):
            # restarting would not help, so say why, once.
            stderr.join(timeout=2)
            detail = next((line for line in reversed(self._stderr_tail) if line.strip()), "")
            reason = plain(detail[:300]) if detail else msg("engine.exit_status", "it exited with code {code}",
                                                            code=proc.returncode)
            raise _start_failed(reason)
        try:
            self.choice = Choice.from_data(hello.choice)
            self.chain = tuple(Choice.from_data(c) for c in hello.chain)
        except (TypeError, ValueError):
            self.kill()
            raise _start_failed(plain("its first message did not say what it runs on")) from None

    def _read_stderr(self, proc: subprocess.Popen) -> None:
        for raw in proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            if not line.startswith("load_backend: loaded"):  # ggml's note as a backend loads, not a reason
                self._stderr_tail.append(line)

    def _read_events(self, proc: subprocess.Popen, ready: queue.Queue) -> None:
        started = proven = False  # proven: a model loaded, so the backend ran its first decode
        while True:
            try:
                read = protocol.read_message(proc.stdout, protocol.EVENTS)
            except protocol.ProtocolError as exc:  # the worker is out of step: its request fails, said
                self._dispatch(exc.id, Error(plain(str(exc), "engine.protocol").to_data()))
                continue
            if read is None:
                break
            rid, event = read
            if isinstance(event, protocol.Ready):
                started = True
                ready.put(event)
                continue
            proven = proven or isinstance(event, protocol.Loaded)
            self._dispatch(rid, event)
        proc.wait()
        ready.put(None)
        with self._lock:
            if self._proc is proc:
                self._proc = None
            streams, self._streams = self._streams, {}
        if self._closing or not started:  # start() reports a worker that never started
            return
        # A native crash before the first decode is the backend's, not the model's: load() tries
        # the next choice. Any other death is restarted by the engine session.
        first_use = not proven and placement.is_native_crash(proc.returncode) and self.choice is not None
        message = _first_use_crash(self.choice, proc.returncode) if first_use else self._death_message(proc)
        for stream in streams.values():
            stream.put(Error(message.to_data()))
        if self.on_death and not first_use:
            self.on_death(message)

    def _death_message(self, proc: subprocess.Popen) -> Message:
        code = proc.returncode
        if code is not None and code < 0:
            message = msg("engine.killed", "The engine stopped unexpectedly (it was killed by signal {signal}).",
                          signal=-code)
        else:
            message = msg("engine.exited", "The engine stopped unexpectedly (it exited with code {status}).", status=code)
        detail = next((line for line in reversed(self._stderr_tail) if line.strip()), "")
        if detail:
            return msg("engine.died_saying", "{message} Last message: {detail}", message=message, detail=detail[:200])
        return message

    def _dispatch(self, rid: int | None, event) -> None:
        """Hands an event to its request; an Error without an id fails every open request, since
        Writer cannot tell whose it is. Events of a forgotten request are dropped."""
        ends = not (isinstance(event, Text) or (isinstance(event, Done) and event.piece is not None))
        with self._lock:
            if rid is None and isinstance(event, Error):
                streams, self._streams = list(self._streams.values()), {}
            else:
                stream = self._streams.pop(rid, None) if ends else self._streams.get(rid)
                streams = [stream] if stream is not None else []
        for stream in streams:
            stream.put(event)

    def kill(self) -> None:
        with self._lock:
            proc = self._proc
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()

    def close(self) -> None:
        self._closing = True
        with self._lock:
            proc = self._proc
        if proc and proc.poll() is None:
            try:
                proc.stdin.write(protocol.encode(protocol.Shutdown()))
                proc.stdin.close()
                proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()

    # -- requests --------------------------------------------------------------------------
    def submit(self, message) -> tuple[int, queue.Queue]:
        """Sends a request (a writer.engine.protocol dataclass), starting a worker if none runs;
        returns its id and its event queue. A request too large to send is refused before anything
        is registered or started."""
        rid = next(self._ids)
        try:
            data = protocol.encode(message, rid)
        except protocol.ProtocolError:
            raise EngineError(msg("engine.too_large", "This text is too large to send to the engine at once (more "
                                  "than {limit} MB); select a part of it.",
                                  limit=protocol.MAX_MESSAGE_BYTES // 1_000_000)) from None
        self.start()
        events: queue.Queue = queue.Queue()
        with self._lock:
            self._streams[rid] = events
            proc = self._proc
        try:
            proc.stdin.write(data)
        except (OSError, AttributeError):
            with self._lock:
                self._streams.pop(rid, None)
            raise EngineError(msg("engine.gone", "The engine stopped unexpectedly; try again.")) from None
        return rid, events

    def _call(self, message, timeout: float):
        rid, events = self.submit(message)
        try:
            event = events.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            raise _hang() from None
        if isinstance(event, Error):
            raise _failure(event)
        return event

    def load(self, model: LocalModel | None = None) -> EngineInfo:
        """Loads `model`, or again the one configured, in the worker. When the worker's native
        code crashes before its first decode, the next safer choice is tried and, once one
        works, recorded for this machine; the EngineInfo then says so in `fallback`."""
        model = model or self.model
        if model is None:
            raise no_model_loaded()
        self.model = model
        crashed: list[Choice] = []
        while True:
            try:
                info = engine_info(self._call(model, LOAD_TIMEOUT))
                break
            except NativeCrash:
                stuck = self.choice in crashed  # a worker that did not start where asked must not loop
                if not stuck:
                    crashed.append(self.choice)
                following = None if stuck or self.setting.forced else placement.next_choice(list(self.chain),
                                                                                            self.choice)
                if following is None or following in crashed:
                    raise EngineError(placement.exhausted(os.path.basename(model.path), crashed)) from None
                self._next = following
        if not crashed:
            return info
        note = placement.fallback_note(crashed, self.choice)
        try:
            placement.save_record(placement.Record(self.choice, note, tuple(crashed)))
        except OSError:
            pass  # this session still starts with the choice that works (self._next)
        return replace(info, fallback=note)

    def probe(self, path: str) -> dict:
        """Reads a model file's description in the worker, so a malformed file cannot hurt the app."""
        return self._call(protocol.Probe(str(path)), LOAD_TIMEOUT).model

    def info(self) -> EngineInfo:
        return engine_info(self._call(protocol.Info(), 30))

    def count_tokens(self, texts: list[str]) -> list[int]:
        return self._call(protocol.Count(list(texts)), CALL_TIMEOUT).counts

    def generate(self, messages: list[dict] | None = None, prompt: str | None = None, *,
                 max_tokens: int | None = None, **params) -> Generation:
        """`params`: writer.engine.protocol.Generate's fields (temperature, seed, speculative, …)."""
        body = {"messages": messages} if messages is not None else {"prompt": prompt or ""}
        limit = {} if max_tokens is None else {"max_tokens": max_tokens}
        rid, events = self.submit(protocol.Generate(**body, **limit, **params))
        return Generation(self, rid, events)

    def generate_pieces(self, pieces: list[tuple[list[dict], int]], **params) -> Generation:
        """Writes several independent prompts at once, each (messages, max_tokens): Delta and
        Finished events carry the piece's index; each piece ends with its own Finished."""
        body = [protocol.Piece(messages, max_tokens) for messages, max_tokens in pieces]
        rid, events = self.submit(protocol.GeneratePieces(pieces=body, **params))
        return Generation(self, rid, events, pieces=True)

    def prefill(self, messages: list[dict]) -> Generation:
        """Starts evaluating a likely prompt ahead of time; cancel() it when the real request
        comes. Its Finished counts the prompt tokens it evaluated."""
        rid, events = self.submit(protocol.Prefill(messages))
        return Generation(self, rid, events)

    def cancel(self, rid: int) -> None:
        """Asks the worker to stop `rid`; if it has not finished within the hang timeout,
        the worker is killed."""
        with self._lock:
            proc = self._proc
            pending = rid in self._streams
        if proc is None or not pending:
            return
        try:
            proc.stdin.write(protocol.encode(protocol.Cancel(rid)))
        except OSError:
            return
        timer = threading.Timer(self.hang_timeout, self._kill_if_pending, args=(proc, rid))
        timer.daemon = True
        timer.start()

    def _kill_if_pending(self, proc: subprocess.Popen, rid: int) -> None:
        with self._lock:
            stuck = rid in self._streams and self._proc is proc
        if stuck and proc.poll() is None:
            proc.kill()
