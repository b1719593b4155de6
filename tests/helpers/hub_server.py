"""A local stand-in for the Hugging Face hub on 127.0.0.1: HEAD and GET /{repo}/resolve/{rev}/{file}
with ETag (sha256), size and Range support, plus switches to make it misbehave."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

_PATH = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")


class HubServer:
    def __init__(self) -> None:
        self.files: dict[tuple[str, str], bytes] = {}
        self.drop_after: int | None = None  # close the connection after this many body bytes of a response,
        self.drops = 1  # for this many responses
        self.fail: dict[str, list[tuple[int, str | None]]] = {}  # method -> (status, X-Error-Code) answers, used in turn
        self.sent = 0  # file bytes served, to see what a resume fetched again
        self.wrong_etag = False
        self.delay = 0.0  # seconds per 64 KiB
        self.requests: list[tuple[str, str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _failed(self) -> bool:
                queue = server.fail.get(self.command)
                if not queue:
                    return False
                status, code = queue.pop(0)
                self.send_response(status)
                if code:
                    self.send_header("X-Error-Code", code)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return True

            def _lookup(self):
                if self._failed():
                    return None
                m = _PATH.match(self.path)
                data = server.files.get((m["repo"], m["file"])) if m else None
                if data is None:
                    self.send_response(404)
                    self.send_header("X-Error-Code", "EntryNotFound")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                return data

            def _headers(self, data: bytes, status=200, start=0):
                sha = hashlib.sha256(data).hexdigest()
                self.send_response(status)
                self.send_header("X-Repo-Commit", "0" * 40)
                self.send_header("ETag", f'"{"f" * 64 if server.wrong_etag else sha}"')
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(len(data) - start))
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.end_headers()

            def _search(self):
                query = parse_qs(urlparse(self.path).query)
                words = query.get("search", [""])[0].lower()
                self._json([{"id": repo, "modelId": repo, "downloads": 10, "tags": ["gguf"]}
                            for repo in sorted({r for r, _ in server.files}) if words in repo.lower()])

            def _json(self, value):
                body = json.dumps(value).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_HEAD(self):
                server.requests.append(("HEAD", self.path, None))
                data = self._lookup()
                if data is not None:
                    self._headers(data)

            def do_GET(self):
                server.requests.append(("GET", self.path, self.headers.get("Range")))
                if self.path.startswith("/api/models?"):
                    return self._search()
                tree = re.match(r"^/api/models/([^/]+/[^/]+)/tree/", self.path)
                if tree and not any(r == tree.group(1) for r, _ in server.files):
                    self.send_response(401)  # what the hub answers for a missing (or private) repository
                    self.send_header("X-Error-Code", "RepoNotFound")
                    self.send_header("Content-Length", "0")
                    return self.end_headers()
                if tree:
                    return self._json([{"type": "file", "path": f, "size": len(d), "oid": "0" * 40}
                                       for (r, f), d in server.files.items() if r == tree.group(1)])
                data = self._lookup()
                if data is None:
                    return
                rng = re.match(r"bytes=(\d+)-$", self.headers.get("Range") or "")
                start = int(rng.group(1)) if rng else 0
                if start >= len(data):
                    self.send_response(416)  # Range Not Satisfiable, as real servers answer
                    self.send_header("Content-Length", "0")
                    return self.end_headers()
                self._headers(data, 206 if rng else 200, start)
                sent, pos = 0, start
                drop = server.drop_after if server.drop_after is not None and server.drops > 0 else None
                while pos < len(data):
                    block = data[pos:pos + 65536]
                    if drop is not None and sent + len(block) > drop:
                        self.wfile.write(block[: drop - sent])
                        server.sent += drop - sent
                        server.drops -= 1
                        self.close_connection = True
                        return
                    try:
                        self.wfile.write(block)
                    except (BrokenPipeError, ConnectionResetError):
                        return
                    server.sent += len(block)
                    sent += len(block)
                    pos += len(block)
                    if server.delay:
                        time.sleep(server.delay)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
