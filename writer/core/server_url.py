"""A server's address as the user types it: with or without a trailing `/v1`, `localhost` or
127.0.0.1. Checked before anything is sent."""

from __future__ import annotations

from urllib.parse import urlsplit

from writer.core.errors import UserError


def server_root(url: str) -> str:
    """The server's base URL without a trailing slash or `/v1`: "http://h:8080/v1/" -> "http://h:8080"."""
    text = (url or "").strip().rstrip("/")
    if text.endswith("/v1"):
        text = text[:-3].rstrip("/")
    parts = urlsplit(text)
    try:
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a port that is not a number
        valid = False
    if not valid:
        raise UserError("server.bad_url", "'{url}' is not a server address; it should look like "
                        "http://localhost:8080 or https://llm.example.com/v1.", url=url)
    return text


def server_host(url: str) -> str:
    """The host (and port) of a server URL, as the status bar and the messages name it."""
    parts = urlsplit(server_root(url))
    return parts.netloc.rpartition("@")[2]


def is_this_computer(url: str) -> bool:
    host = urlsplit(server_root(url)).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")
