"""The app's side of the engine: starts the worker, sends requests, routes events.

Thread-safe and callback-based: a reader thread turns worker output into events, delivered to
the per-request stream that asked for them and to an optional `listener` (the editor turns
that into Qt signals). If the worker dies or stops answering, every open request ends with an
error event and the next request starts a fresh worker with the last model.
"""

from __future__ import annotations

import collections
import itertools
import os
import queue
import subprocess
import sys
import threading
from typing import Callable, Iterator

from writer.core.wording import sentence
from writer.engine import protocol

Listener = Callable[[dict], None]


class EngineFailure(Exception):
    """The engine could not do what was asked; str() is a sentence for the user."""

    def __init__(self, message: str, code: str = "engine") -> None:
        super().__init__(message)
        self.code = code


def worker_command() -> list[str]:
    if getattr(sys, "frozen", False):
        # A frozen app has no interpreter to run -m with; its own executable knows this flag.
        return [sys.executable, "--engine-worker"]
    return [sys.executable, "-m", "writer.engine.worker"]


class Generation:
    """A running generate request: iterate for events; `cancel()` from any thread."""

    def __init__(self, client: "EngineClient", rid: int, events: queue.Queue) -> None:
        self.client, self.id, self._events = client, rid, events

    def __iter__(self) -> Iterator[dict]:
        while True:
            event = self._events.get()
            yield event
            if event["type"] in ("done", "error"):
                return

    def cancel(self) -> None:
        self.client.cancel(self.id)


class EngineClient:
    def __init__(self, listener: Listener | None = None, hang_timeout: float = 5.0) -> None:
        self.listener = listener
        self.hang_timeout = hang_timeout
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._proc: subprocess.Popen | None = None
        self._streams: dict[int, queue.Queue] = {}
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=20)
        self._last_load: dict | None = None
        self._closing = False

    # -- process ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self) -> None:
        with self._lock:
            if self.running:
                return
            env = dict(os.environ, PYTHONUNBUFFERED="1")
            proc = subprocess.Popen(
                worker_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=env, bufsize=0,
            )
            ready: queue.Queue = queue.Queue()
            self._proc = proc
            threading.Thread(target=self._read_events, args=(proc, ready), daemon=True, name="engine-events").start()
            threading.Thread(target=self._read_stderr, args=(proc,), daemon=True, name="engine-stderr").start()
        try:
            hello = ready.get(timeout=60)
        except queue.Empty:
            self.kill()
            raise EngineFailure(sentence("The engine did not start within a minute.")) from None
        if hello is None:
            raise EngineFailure(self._death_message(proc))

    def _read_stderr(self, proc: subprocess.Popen) -> None:
        for raw in proc.stderr:
            self._stderr_tail.append(raw.decode("utf-8", "replace").rstrip())

    def _read_events(self, proc: subprocess.Popen, ready: queue.Queue) -> None:
        while True:
            try:
                event = protocol.read_message(proc.stdout, protocol.EVENTS)
            except protocol.ProtocolError as exc:
                self._dispatch({"type": "error", "id": None, "code": "protocol", "message": str(exc)})
                continue
            if event is None:
                break
            if event["type"] == "ready":
                ready.put(event)
                continue
            self._dispatch(event)
        proc.wait()
        ready.put(None)
        with self._lock:
            if self._proc is proc:
                self._proc = None
            streams, self._streams = self._streams, {}
        if not self._closing:
            message = self._death_message(proc)
            for rid, stream in streams.items():
                stream.put({"type": "error", "id": rid, "code": "worker_died", "message": message})
            if self.listener:
                self.listener({"type": "error", "id": None, "code": "worker_died", "message": message})

    def _death_message(self, proc: subprocess.Popen) -> str:
        code = proc.returncode
        if code is not None and code < 0:
            message = sentence("The engine stopped unexpectedly (it was killed by signal {signal}); it will restart on "
                               "the next request.", signal=-code)
        else:
            message = sentence("The engine stopped unexpectedly (it exited with code {code}); it will restart on the "
                               "next request.", code=code)
        detail = next((line for line in reversed(self._stderr_tail) if line.strip()), "")
        return sentence("{message} Last message: {detail}", message=message, detail=detail[:200]) if detail else message

    def _dispatch(self, event: dict) -> None:
        rid = event.get("id")
        with self._lock:
            stream = self._streams.get(rid)
            if stream is not None and event["type"] != "delta":
                self._streams.pop(rid, None)
        if stream is not None:
            stream.put(event)
        if self.listener:
            self.listener(event)

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
                proc.stdin.write(protocol.encode({"type": "shutdown"}))
                proc.stdin.close()
                proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()

    # -- requests --------------------------------------------------------------------------
    def submit(self, message: dict) -> tuple[int, queue.Queue]:
        """Sends a request; returns its id and the queue its events arrive on."""
        restart_with = None
        with self._lock:
            if not self.running:
                restart_with = self._last_load if message["type"] != "load" else None
        if not self.running:
            self.start()
            if restart_with:
                self._call({"type": "load", **restart_with}, timeout=None)
        rid = next(self._ids)
        events: queue.Queue = queue.Queue()
        with self._lock:
            self._streams[rid] = events
            proc = self._proc
        try:
            proc.stdin.write(protocol.encode({**message, "id": rid}))
        except (OSError, AttributeError):
            with self._lock:
                self._streams.pop(rid, None)
            raise EngineFailure(sentence("The engine stopped unexpectedly; try again."), "worker_died") from None
        return rid, events

    def _call(self, message: dict, timeout: float | None) -> dict:
        rid, events = self.submit(message)
        try:
            event = events.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            raise EngineFailure(sentence("The engine stopped answering and was restarted."), "hang") from None
        if event["type"] == "error":
            raise EngineFailure(event["message"], event.get("code", "engine"))
        return event

    def load(self, path: str, n_ctx: int = 4096, gpu_layers="auto", threads: int | None = None) -> dict:
        params = {"path": str(path), "n_ctx": n_ctx, "gpu_layers": gpu_layers, "threads": threads}
        info = self._call({"type": "load", **params}, timeout=None)
        self._last_load = params
        return info

    def probe(self, path: str) -> dict:
        """Reads a model file's description in the worker, so a malformed file cannot hurt the app."""
        return self._call({"type": "probe", "path": str(path)}, timeout=None)["model"]

    def info(self) -> dict:
        return self._call({"type": "info"}, timeout=30)

    def count_tokens(self, texts: list[str]) -> list[int]:
        return self._call({"type": "count", "texts": list(texts)}, timeout=120)["counts"]

    def generate(self, messages: list[dict] | None = None, prompt: str | None = None, **params) -> Generation:
        body = {"messages": messages} if messages is not None else {"prompt": prompt or ""}
        rid, events = self.submit({"type": "generate", **body, **params})
        return Generation(self, rid, events)

    def prefill(self, messages: list[dict]) -> int:
        """Starts evaluating a likely prompt ahead of time; returns its id, for cancel()."""
        rid, _events = self.submit({"type": "prefill", "messages": messages})
        return rid

    def cancel(self, rid: int) -> None:
        """Asks the worker to stop `rid`; if it has not finished within the hang timeout,
        the worker is killed (and restarted on the next request)."""
        with self._lock:
            proc = self._proc
            pending = rid in self._streams
        if proc is None or not pending:
            return
        try:
            proc.stdin.write(protocol.encode({"type": "cancel", "target": rid}))
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
