"""A small OpenAI-compatible server on 127.0.0.1 that misbehaves on request: error codes, an empty
model list, a stream cut short, malformed JSON, a trickle that stalls. Optionally over TLS."""

from __future__ import annotations

import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORDS = ["Hello", ", ", "world", "."]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hung up mid-stream is what these tests do on purpose


class FakeOpenAI:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.models: list[dict] = [{"id": "fake-model", "object": "model"}]
        self.status: dict[str, int] = {}  # path -> error status to answer with
        self.stream = "ok"  # ok | cut | bad_json | stall | pings | silent | no_done | error | loop
        self.loop = "The document contains footnotes. "  # what "loop" writes again and again
        self.loop_sent = 0  # times it was written before the client hung up
        self.stall_s = 3.0
        self.models_page: bytes | None = None  # a page that is not JSON, answered instead of the model list
        self.props: dict | None = None  # what /props answers (404 when None)
        self.tokenizer = False  # whether /tokenize answers as llama-server's does (a token per word here)
        self.requests: list[tuple[str, str, dict | None, str | None]] = []  # method, path, body, auth
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _json(self, status: int, body) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self, body=None) -> bool:
                fake.requests.append((self.command, self.path, body, self.headers.get("Authorization")))
                status = fake.status.get(self.path)
                if status:
                    self._json(status, {"error": {"message": f"fake {status}", "code": status}})
                return bool(status)

            def do_GET(self):
                if self._record():
                    return
                if self.path == "/v1/models" and fake.models_page is not None:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(fake.models_page)))
                    self.end_headers()
                    self.wfile.write(fake.models_page)
                elif self.path == "/v1/models":
                    self._json(200, {"object": "list", "data": fake.models})
                elif self.path == "/props" and fake.props is not None:
                    self._json(200, fake.props)
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if self._record(body):
                    return
                if self.path == "/v1/chat/completions":
                    self._stream(body)
                elif self.path == "/tokenize" and fake.tokenizer and "content" in body:
                    self._json(200, {"tokens": list(range(len(body["content"].split())))})
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def _event(self, data: str) -> None:
                self.wfile.write(f"data: {data}\n\n".encode())
                self.wfile.flush()

            def _chunk(self, text: str | None, finish: str | None = None) -> str:
                delta = {"content": text} if text is not None else {}
                return json.dumps({"object": "chat.completion.chunk", "model": "fake-model",
                                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})

            def _stream(self, body: dict) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                mode = fake.stream
                if mode == "silent":  # reading the prompt, and never done with it
                    time.sleep(fake.stall_s)
                self._event(json.dumps({"choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}))
                if mode == "loop":  # a model stuck in a loop, until the token limit or the client leaves
                    for _ in range(500):
                        try:
                            self._event(self._chunk(fake.loop))
                        except OSError:
                            return
                        fake.loop_sent += 1
                        time.sleep(0.01)
                    return
                self._event(self._chunk(WORDS[0]))
                self._event(self._chunk(WORDS[1]))
                if mode == "cut":
                    self.close_connection = True
                    return
                if mode == "bad_json":
                    self._event('{"choices": [{"delta": {"content": "wor')
                    return
                if mode == "error":
                    self._event(json.dumps({"error": {"message": "out of memory on the server"}}))
                    return
                if mode in ("stall", "pings"):
                    deadline = time.monotonic() + fake.stall_s
                    while time.monotonic() < deadline:
                        if mode == "pings":
                            self.wfile.write(b": ping\n\n")
                            self.wfile.flush()
                        time.sleep(0.2)
                for word in WORDS[2:]:
                    self._event(self._chunk(word))
                self._event(self._chunk(None, "length" if body.get("max_tokens") == len(WORDS) else "stop"))
                if mode != "no_done":
                    self._event("[DONE]")

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
