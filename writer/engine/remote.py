"""An OpenAI-compatible inference server as the engine (llama-server, vLLM, Ollama, LM Studio,
llama-cpp-python's server): the same interface as the local worker (writer.engine.base).

Generation always streams (Server-Sent Events): a server stops generating when a streaming
client disconnects, while a plain request runs to the end. So each generation has a connection
of its own, and cancel() shuts that socket down, from any thread, even while the server is still
reading the prompt. Nothing is sent anywhere until an engine is built with a server's URL.
"""

from __future__ import annotations

import json
import math
import socket
import ssl
import threading
import time
from typing import Iterable, Iterator, Union

import httpx2 as httpx  # huggingface-hub 2.x brings it: the httpx API, with truststore and SSE

from writer.core.errors import EngineError, UserError
from writer.core.events import Delta, EngineInfo, Finished, ModelInfo, tokens_per_second
from writer.core.messages import Message, msg
from writer.core.server_url import server_host, server_root
from writer.engine.base import NoPrefill, OneByOne
from writer.engine.protocol import TEMPERATURE

CONNECT_TIMEOUT = 5.0  # seconds to reach the server
STALL_TIMEOUT = 60.0  # seconds without a token before a generation counts as stalled
PROMPT_TIMEOUT = 300.0  # the same before the first token: reading a long prompt on a CPU takes a while
DEFAULT_CONTEXT = 2048  # when neither the server nor the settings say (llama-cpp-python's own default)
REQUEST_TIMEOUT = 30.0  # model list, tokenizer, properties
# The server counts up to this many texts at a time, one request each (a few milliseconds apiece);
# a long document's thousands of paragraphs would take minutes, so those get the estimate.
EXACT_COUNT_LIMIT = 64


def estimate_tokens(text: str) -> int:
    """A count that is rarely below the real one: a token per 3 ASCII characters (English averages
    about 4) and 2 per other character (a Chinese character is 1 or 2 tokens in most tokenizers)."""
    ascii_chars = sum(1 for c in text if c < "\x80")
    return math.ceil(ascii_chars / 3) + 2 * (len(text) - ascii_chars)


def sse_data(lines: Iterable[str]) -> Iterator[str | None]:
    """The data of each Server-Sent Event in `lines`; None for a comment (a keep-alive ping)."""
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield "\n".join(data)
                data = []
        elif line.startswith("data:"):
            data.append(line[6:] if line.startswith("data: ") else line[5:])
        elif line.startswith(":"):
            yield None
        # "event:", "id:" and "retry:" fields mean nothing to a chat completion stream
    if data:
        yield "\n".join(data)


def _ssl_context(ca_file: str | None) -> ssl.SSLContext:
    """The operating system's certificates (httpx2 uses truststore on Windows and macOS, so a frozen
    build finds them too); for an internal server, Python's default certificates plus its CA's
    certificate. Always verifying."""
    if not ca_file:
        return httpx.create_ssl_context(trust_env=False)
    context = ssl.create_default_context()
    try:
        context.load_verify_locations(cafile=ca_file)
    except (OSError, ssl.SSLError):
        raise UserError("server.ca_file", "Writer could not read the CA certificate file {path}; choose a "
                        "PEM file with the certificate of the server's certificate authority.", path=ca_file) from None
    return context


def _tls_reason(exc: BaseException) -> str | None:
    """The TLS failure behind an httpx error, if it is one."""
    seen = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen.verify_message or str(seen)
        if isinstance(seen, ssl.SSLError):
            return seen.reason or str(seen)
        seen = seen.__cause__ or seen.__context__
    return None


def _server_detail(response: httpx.Response) -> str:
    """The server's own explanation of an error answer, shortened."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:200]
    error = body.get("error", body.get("detail", body)) if isinstance(body, dict) else body
    if isinstance(error, dict):
        error = error.get("message", error)
    return str(error).strip()[:200]


class RemoteEngine:
    kind = "server"

    def __init__(self, url: str, *, api_key: str | None = None, model: str | None = None,
                 ca_file: str | None = None, context: int | None = None,
                 stall_timeout: float = STALL_TIMEOUT, prompt_timeout: float = PROMPT_TIMEOUT,
                 connect_timeout: float = CONNECT_TIMEOUT) -> None:
        self.root = server_root(url)
        self.host = server_host(url)
        self.api_key = api_key or None
        self.model = model or None
        self.ca_file = ca_file or None
        self.context_setting = context
        self.stall_timeout = stall_timeout
        self.prompt_timeout = prompt_timeout
        self.connect_timeout = connect_timeout
        self._clients: tuple[httpx.Client, httpx.Client] | None = None
        self._tokenizer: tuple[str, str] | None = None  # (path, field of the text) once probed
        self._model_info: ModelInfo | None = None
        self._context_told = False  # whether the server said its context length

    @classmethod
    def from_settings(cls, settings, api_key: str | None = None) -> "RemoteEngine":
        """The server in the settings; the key given, else the one stored for that server."""
        if not settings.server_url:
            raise UserError("server.no_url", "No server address is set; enter one in Settings → Engine.")
        if api_key is None:
            from writer.core import secrets
            api_key = secrets.get_key(settings.server_url)
        return cls(settings.server_url, api_key=api_key, model=settings.server_model,
                   ca_file=settings.server_ca_file, context=settings.server_context)

    # -- HTTP ------------------------------------------------------------------------------
    def _http(self) -> tuple[httpx.Client, httpx.Client]:
        """Two clients: a pooled one for short requests, and one that opens a connection for each
        generation, so cancel() can shut exactly that connection down."""
        if self._clients is None:
            context = _ssl_context(self.ca_file)
            headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
            timeout = httpx.Timeout(REQUEST_TIMEOUT, connect=self.connect_timeout)
            # trust_env=False: no proxy or netrc from the environment decides where the text goes
            common = dict(verify=context, headers=headers, timeout=timeout, trust_env=False)
            self._clients = (httpx.Client(**common),
                             httpx.Client(**common, limits=httpx.Limits(max_keepalive_connections=0)))
        return self._clients

    def _get(self, path: str) -> httpx.Response:
        return self._request("GET", path)

    def _request(self, method: str, path: str, body: dict | None = None) -> httpx.Response:
        url = self.root + path
        try:
            response = self._http()[0].request(method, url, json=body)
        except httpx.HTTPError as exc:
            raise self.failure(exc, waited=REQUEST_TIMEOUT) from None
        return response

    def failure(self, exc: BaseException, waited: float | None = None) -> EngineError:
        """One sentence for a transport error; `waited`: the read timeout that ran out, if not the stall's."""
        reason = _tls_reason(exc)
        if reason is not None:
            return EngineError(msg("server.tls", "The secure connection to {host} failed ({reason}); for a server with "
                                   "an internal certificate, choose its CA file in the settings.", host=self.host, reason=reason))
        if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
            return EngineError(msg("server.unreachable", "Writer could not reach the server at {host} within {seconds} "
                                   "seconds; check the address and that the server is running.",
                                   host=self.host, seconds=round(self.connect_timeout)))
        if isinstance(exc, httpx.ReadTimeout):
            return EngineError(msg("server.stalled", "The server at {host} sent nothing for {seconds} seconds; it may "
                                   "be overloaded. Try again later.", host=self.host,
                                   seconds=round(waited or self.stall_timeout)))
        return EngineError(msg("server.incomplete", "The connection to {host} broke before the answer was complete.",
                               host=self.host))

    def refusal(self, response: httpx.Response, model: str | None = None) -> EngineError:
        """One sentence for an error status."""
        status, host = response.status_code, self.host
        if status in (401, 403):
            if self.api_key:
                return EngineError(msg("server.key_wrong", "The server at {host} did not accept the API key; check the "
                                       "key in the settings.", host=host))
            return EngineError(msg("server.key_missing", "The server at {host} needs an API key; enter it in the settings.",
                                   host=host))
        if status == 404:
            return EngineError(msg("server.not_found", "The server has no {url} or no model named “{model}”; check the "
                                   "server address and the model.", url=str(response.request.url),
                                   model=model or self.model or "?"))
        if status in (429, 503):
            return EngineError(msg("server.busy", "The server at {host} is busy; try again in a moment.", host=host))
        return EngineError(msg("server.refused", "The server at {host} answered {status}: {detail}", host=host,
                               status=status, detail=_server_detail(response) or response.reason_phrase))

    def _json(self, response: httpx.Response):
        try:
            return response.json()
        except ValueError:
            raise self.malformed() from None

    def malformed(self) -> EngineError:
        return EngineError(msg("server.bad_json", "The server at {host} sent an answer that is not valid JSON; is it an "
                               "OpenAI-compatible server?", host=self.host))

    # -- what the server offers --------------------------------------------------------------
    def _model_entries(self) -> list[dict]:
        response = self._get("/v1/models")
        if response.status_code != 200:
            raise self.refusal(response)
        body = self._json(response)
        entries = body.get("data") if isinstance(body, dict) else None
        if not isinstance(entries, list):
            raise self.malformed()
        entries = [e for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)]
        if not entries:
            raise EngineError(msg("server.no_models", "The server at {host} offers no models; load one on the server "
                                  "first.", host=self.host))
        return entries

    def list_models(self) -> list[str]:
        return [entry["id"] for entry in self._model_entries()]

    def _server_context(self, entry: dict) -> int | None:
        """The context length the server tells: vLLM in the model list, llama-server in /props."""
        value = entry.get("max_model_len")
        if isinstance(value, int) and value > 0:
            return value
        props = self._object(self._get("/props"))
        if props is None:
            return None
        settings = props.get("default_generation_settings")
        value = settings.get("n_ctx") if isinstance(settings, dict) else props.get("n_ctx")
        return value if isinstance(value, int) and value > 0 else None

    def _probe_tokenizer(self) -> tuple[str, str] | None:
        """The server's tokenize endpoint, if it has one: llama-cpp-python's /extras/tokenize takes
        "input", llama-server's /tokenize "content", vLLM's /tokenize "prompt"."""
        for path, field in (("/extras/tokenize", "input"), ("/tokenize", "content"), ("/tokenize", "prompt")):
            response = self._request("POST", path, {"model": self.model, field: "Hello"})
            if self._token_count(response) is not None:
                return path, field
        return None

    @staticmethod
    def _object(response: httpx.Response) -> dict | None:
        """A successful answer's JSON object, or None (an error, a web page, another kind of server)."""
        if response.status_code != 200:
            return None
        try:
            body = response.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _token_count(self, response: httpx.Response) -> int | None:
        body = self._object(response)
        if body is None:
            return None
        if isinstance(body.get("count"), int):
            return body["count"]
        return len(body["tokens"]) if isinstance(body.get("tokens"), list) else None

    # -- the Engine interface ----------------------------------------------------------------
    def load(self) -> EngineInfo:
        entries = self._model_entries()
        names = [entry["id"] for entry in entries]
        if self.model is None:
            self.model = names[0]
        elif self.model not in names:
            raise EngineError(msg("server.unknown_model", "The server at {host} has no model named “{model}”; it "
                                  "offers: {models}.", host=self.host, model=self.model, models=", ".join(names[:10])))
        entry = entries[names.index(self.model)]
        told = self._server_context(entry)
        context = told or self.context_setting or DEFAULT_CONTEXT
        self._tokenizer = self._probe_tokenizer()
        self._context_told = told is not None
        self._model_info = ModelInfo(name=self.model, context=context, server=self.host)
        return self.info()

    def test_connection(self) -> Message:
        """What works, in one sentence (raises EngineError with what does not)."""
        info = self.load().model
        key = (msg("server.key_accepted", "the key is accepted") if self.api_key
               else msg("server.no_key_needed", "no key is needed"))
        if self._context_told:
            return msg("server.ok", "{host} answers, {key}, model “{model}” is there, with a context of {context} "
                       "tokens.", host=self.host, key=key, model=info.name, context=info.context)
        return msg("server.ok_no_context", "{host} answers, {key}, model “{model}” is there; the server does not "
                   "say its context length, so Writer assumes {context} tokens (see the settings).",
                   host=self.host, key=key, model=info.name, context=info.context)

    def info(self) -> EngineInfo:
        return EngineInfo(system_info=f"OpenAI-compatible server at {self.root}", model=self._model_info)

    def count_tokens(self, texts: list[str]) -> list[int]:
        if self._tokenizer is None or len(texts) > EXACT_COUNT_LIMIT:
            return [estimate_tokens(text) for text in texts]
        path, field = self._tokenizer
        counts = []
        for text in texts:
            response = self._request("POST", path, {"model": self.model, field: text})
            count = self._token_count(response)
            counts.append(estimate_tokens(text) if count is None else count)
        return counts

    def generate(self, messages: list[dict], *, max_tokens: int | None = None, temperature: float = TEMPERATURE,
                 seed: int | None = None) -> "RemoteGeneration":
        body: dict = {"model": self.model, "messages": messages, "stream": True, "temperature": temperature}
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        if seed is not None:
            body["seed"] = seed
        return RemoteGeneration(self, body)

    def generate_pieces(self, pieces: list[tuple[list[dict], int]], **params) -> OneByOne:
        return OneByOne(self, pieces, params)  # one connection, one piece at a time (ModelInfo.parallel 1)

    def prefill(self, messages: list[dict]) -> NoPrefill:
        return NoPrefill()  # a server keeps its own prompt cache; reading ahead would only cost its time

    def close(self) -> None:
        if self._clients is not None:
            for client in self._clients:
                client.close()
            self._clients = None


class RemoteGeneration:
    """One streamed chat completion. A stream that ends without `[DONE]` (or a finish reason)
    raises EngineError("server.incomplete") after the text that did arrive, so the caller keeps
    that text and marks it incomplete."""

    def __init__(self, engine: RemoteEngine, body: dict) -> None:
        self.engine, self.body = engine, body
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._progress = 0.0  # when the last token (or the request) went out or came in
        self._decoding = False  # a token has come
        self._stalled: float | None = None  # the seconds the watchdog waited, once it gave up

    def cancel(self) -> None:
        self._cancelled.set()
        with self._lock:
            self._shutdown()

    def _shutdown(self) -> None:
        """Ends the connection at once, waking the thread that reads it (close() alone would not
        while another thread waits in recv). Called with the lock held."""
        if self._socket is not None:
            try:
                socket.socket.shutdown(self._socket, socket.SHUT_RDWR)  # the plain socket's, also under TLS
            except OSError:
                pass  # already closed

    def _watch(self, ended: threading.Event) -> None:
        """Gives up on a server that sends no token for too long, keep-alive pings or not (they
        come from a task of their own and say nothing about the model)."""
        while True:
            limit = self.engine.stall_timeout if self._decoding else self.engine.prompt_timeout
            left = self._progress + limit - time.monotonic()
            if left <= 0:
                break
            # Looks again at least every quarter of the stall limit: the limit shrinks once tokens come.
            if ended.wait(min(left, self.engine.stall_timeout / 4)):
                return
        with self._lock:
            self._stalled = limit
            self._shutdown()

    def _trace(self, event: str, info: dict) -> None:
        """httpx reports each new connection here: keep its socket for cancel()."""
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            with self._lock:
                self._socket = info["return_value"].get_extra_info("socket")
                if self._cancelled.is_set():
                    self._shutdown()

    def __iter__(self) -> Iterator[Union[Delta, Finished]]:
        engine = self.engine
        if self._cancelled.is_set():
            yield Finished("cancelled")
            return
        start = self._progress = time.monotonic()
        ended = threading.Event()
        threading.Thread(target=self._watch, args=(ended,), daemon=True, name="server-watchdog").start()
        try:
            with engine._http()[1].stream(
                    "POST", engine.root + "/v1/chat/completions", json=self.body,
                    timeout=httpx.Timeout(engine.prompt_timeout + engine.stall_timeout, connect=engine.connect_timeout),
                    extensions={"trace": self._trace}) as response:
                if response.status_code != 200:
                    response.read()
                    raise engine.refusal(response, self.body.get("model"))
                yield from self._read(response, start)
        # A socket shut down by cancel() or the watchdog surfaces as an httpx error, or an OSError below it.
        except (httpx.HTTPError, OSError) as exc:
            if self._cancelled.is_set():
                yield Finished("cancelled")
                return
            raise self._broken(exc) from None
        finally:
            ended.set()

    def _broken(self, exc: BaseException) -> EngineError:
        if self._stalled is not None:
            return self.engine.failure(httpx.ReadTimeout("no token"), waited=self._stalled)
        return self.engine.failure(exc)

    def _read(self, response: httpx.Response, start: float) -> Iterator[Union[Delta, Finished]]:
        engine = self.engine
        tokens, first, last = 0, 0.0, time.monotonic()
        finish, usage = None, None
        for data in sse_data(response.iter_lines()):
            if self._cancelled.is_set():
                yield Finished("cancelled", completion_tokens=tokens)
                return
            if data is None:  # a keep-alive ping
                continue
            now = time.monotonic()
            if data.strip() == "[DONE]":
                break
            try:
                chunk = json.loads(data)
            except ValueError:
                raise engine.malformed() from None
            if not isinstance(chunk, dict):
                raise engine.malformed()
            if "error" in chunk:
                error = chunk["error"]
                detail = error.get("message", error) if isinstance(error, dict) else error
                raise EngineError(msg("server.failed", "The server at {host} stopped with an error: {detail}",
                                      host=engine.host, detail=str(detail)[:200]))
            usage = chunk.get("usage") or usage
            for choice in chunk.get("choices") or ():
                delta = (choice.get("delta") or {}) if isinstance(choice, dict) else None  # a last chunk may have none
                if not isinstance(delta, dict):
                    raise engine.malformed()
                if delta.get("content"):
                    if not tokens:
                        first = now
                    tokens += 1
                    last = self._progress = now
                    self._decoding = True
                    yield Delta(str(delta["content"]))
                finish = choice.get("finish_reason") or finish
        else:
            if self._cancelled.is_set():  # cancel() shut the connection down: the stream ends early
                yield Finished("cancelled", completion_tokens=tokens)
                return
            if finish is None:  # the server (or something between) cut the stream, or the watchdog did
                raise self._broken(httpx.RemoteProtocolError("stream ended without [DONE]"))
        usage = usage if isinstance(usage, dict) else {}
        if isinstance(usage.get("completion_tokens"), int):
            tokens = usage["completion_tokens"]
        decode_s = last - first
        yield Finished("length" if finish == "length" else "stop", completion_tokens=tokens,
                       tokens_per_s=tokens_per_second(tokens, decode_s),
                       prompt_tokens=usage.get("prompt_tokens", 0) if isinstance(usage.get("prompt_tokens"), int) else 0,
                       prompt_s=(first or last) - start)
