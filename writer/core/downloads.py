"""Model downloads from the Hugging Face hub (or a mirror) that never leave a broken model.

The hub's metadata (size, and for LFS files the sha256 as ETag) comes through huggingface-hub.
Bytes go to a `.part` file beside a small note of what they belong to; an interrupted download
resumes with an HTTP Range request when the server allows it. Only a file whose size and sha256
match is moved into the models folder, so a partial or corrupted file is never listed as usable.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from writer.core.errors import UserError, WriterError
from writer.core.messages import msg
from writer.core.paths import models_dir

CHUNK = 1024 * 1024
SPACE_MARGIN = 64 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
UNREACHABLE = "Could not reach {base}: check the network connection, or set a mirror in the settings."


class DownloadCancelled(WriterError):
    """The user cancelled; the partial file is kept so the download can resume."""

    def __init__(self) -> None:
        super().__init__(msg("download.paused", "The download was paused; starting it again resumes it."))


@dataclass
class Progress:
    done: int
    total: int
    bytes_per_s: float

    @property
    def eta_s(self) -> float | None:
        if self.bytes_per_s <= 0:
            return None
        return (self.total - self.done) / self.bytes_per_s


def endpoint(override: str | None = None) -> str:
    return (override or os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")


def safe_filename(filename: str) -> str:
    """The name a hub file is stored under; refuses anything that could leave the models folder."""
    parts = filename.replace("\\", "/").split("/")
    name = parts[-1]
    if not name or any(p in ("", ".", "..") for p in parts) or filename.startswith(("/", "~")) or ":" in filename:
        raise UserError("download.unsafe_name", "'{filename}' is not a safe file name for a model.", filename=filename)
    if not name.lower().endswith(".gguf"):
        raise UserError("download.not_gguf", "'{filename}' is not a GGUF file; Writer downloads .gguf models only.", filename=filename)
    return name


def _friendly_http_error(exc: Exception, repo_id: str, filename: str, base: str) -> UserError:
    text = f"{type(exc).__name__}: {exc}"
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if status == 404 or "404" in text or "EntryNotFound" in text or "RepositoryNotFound" in text:
        return UserError("download.not_found", "{filename} was not found in {repo} on {base}.", filename=filename, repo=repo_id, base=base)
    if status in (401, 403) or "Gated" in text:
        return UserError("download.gated", "{repo} needs a Hugging Face account or licence acceptance; download it in a browser and import it.",
                         repo=repo_id)
    if any(word in text for word in ("Connect", "connect", "Timeout", "timed out", "Name or service", "resolve", "Network", "Offline")):
        return UserError("download.unreachable", UNREACHABLE, base=base)
    return UserError("download.failed", "The download of {filename} failed ({reason}); retry it.", filename=filename, reason=text[:160])


def check_reachable(base: str, timeout: float = 5.0) -> None:
    """Fails within seconds, with a clear sentence, when the hub (or mirror) cannot be reached."""
    from huggingface_hub.utils import get_session

    try:
        get_session().head(base, timeout=timeout)
    except Exception:
        raise UserError("download.unreachable", UNREACHABLE, base=base) from None


def search(query: str, base: str | None = None, limit: int = 20) -> list[tuple[str, int]]:
    """(repository id, downloads) of GGUF repositories matching `query`, most downloaded first."""
    from huggingface_hub import HfApi

    base = endpoint(base)
    check_reachable(base)
    try:
        found = HfApi(endpoint=base).list_models(search=query, filter="gguf", sort="downloads", limit=limit)
        return [(m.id, getattr(m, "downloads", 0) or 0) for m in found]
    except Exception as exc:
        raise _friendly_http_error(exc, query, query, base) from None


def gguf_files(repo_id: str, base: str | None = None) -> list[str]:
    """The .gguf files in a hub repository."""
    from huggingface_hub import HfApi

    base = endpoint(base)
    try:
        return [f for f in HfApi(endpoint=base).list_repo_files(repo_id) if f.lower().endswith(".gguf")]
    except Exception as exc:
        raise _friendly_http_error(exc, repo_id, repo_id, base) from None


def format_size(n: int | None) -> str:
    return "" if not n else f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def fetch_metadata(repo_id: str, filename: str, base: str, revision: str = "main") -> tuple[str, int, str | None]:
    """(url, size, sha256 or None) for a hub file."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url

    url = hf_hub_url(repo_id, filename, revision=revision, endpoint=base)
    try:
        meta = get_hf_file_metadata(url, timeout=10, endpoint=base)
    except Exception as exc:
        raise _friendly_http_error(exc, repo_id, filename, base) from None
    etag = (meta.etag or "").strip('"').lower()
    if meta.size is None:
        raise UserError("download.no_size", "{base} did not say how large {filename} is; try again or use another mirror.", base=base,
                        filename=filename)
    return url, int(meta.size), etag if _SHA256.match(etag) else None


def download(repo_id: str, filename: str, *, base: str | None = None, sha256: str | None = None,
             on_progress: Callable[[Progress], None] | None = None, cancel: threading.Event | None = None,
             dest_dir: Path | None = None, read_timeout: float = 30.0) -> Path:
    """Downloads, verifies and installs one model file; returns its final path."""
    from huggingface_hub.utils import get_session

    base = endpoint(base)
    name = safe_filename(filename)
    folder = dest_dir or models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    url, size, hub_sha = fetch_metadata(repo_id, filename, base)
    expected = (sha256 or hub_sha or "").lower() or None
    if sha256 and hub_sha and sha256.lower() != hub_sha:
        raise UserError("download.catalog_mismatch", "The catalog's checksum for {name} does not match the hub's; the file was not downloaded.", name=name)

    part, note = folder / f".{name}.part", folder / f".{name}.part.json"
    have = part.stat().st_size if part.exists() else 0
    try:
        previous = json.loads(note.read_text()) if note.exists() else {}
    except ValueError:
        previous = {}
    if have and (previous.get("url") != url or previous.get("size") != size or previous.get("sha256") != expected or have > size):
        have = 0  # the partial file belongs to another version: start over
    needed = size - have + SPACE_MARGIN
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise UserError("download.no_space", "Not enough disk space for {name}: it needs {needed} GB and {free} GB is free.", name=name,
                        needed=f"{needed / 1e9:.1f}", free=f"{free / 1e9:.1f}")
    note.write_text(json.dumps({"url": url, "size": size, "sha256": expected}))

    digest = hashlib.sha256()
    if have:
        with part.open("rb") as handle:
            for block in iter(lambda: handle.read(CHUNK), b""):
                digest.update(block)
    headers = {"Range": f"bytes={have}-"} if have else {}
    started, done = time.monotonic(), have
    try:
        with get_session().stream("GET", url, headers=headers, timeout=read_timeout, follow_redirects=True) as response:
            if response.status_code == 404:
                raise UserError("download.not_found", "{filename} was not found in {repo} on {base}.", filename=filename, repo=repo_id, base=base)
            if response.status_code >= 400:
                raise UserError("download.refused", "{base} refused the download of {name} (HTTP {status}).", base=base, name=name,
                                status=response.status_code)
            if have and response.status_code != 206:
                have = done = 0  # the server ignored the Range request: start over
                digest = hashlib.sha256()
            with part.open("ab" if have else "wb") as out:
                for block in response.iter_bytes(CHUNK):
                    if cancel is not None and cancel.is_set():
                        raise DownloadCancelled()
                    out.write(block)
                    digest.update(block)
                    done += len(block)
                    if on_progress:
                        elapsed = max(time.monotonic() - started, 1e-6)
                        on_progress(Progress(done, size, (done - have) / elapsed))
                out.flush()
                os.fsync(out.fileno())
    except (UserError, DownloadCancelled):
        raise
    except OSError as exc:
        if exc.errno == 28:
            raise UserError("download.disk_full", "The disk filled up while downloading {name}; free some space and retry.", name=name) from None
        raise _friendly_http_error(exc, repo_id, filename, base) from None
    except Exception as exc:
        if done > have:
            raise UserError("download.interrupted", "The download of {name} was interrupted at {percent}%; retry to resume it.", name=name,
                            percent=done * 100 // size) from None
        raise _friendly_http_error(exc, repo_id, filename, base) from None

    if done != size:
        raise UserError("download.incomplete", "The download of {name} stopped early ({done} of {size} bytes); retry to resume it.", name=name,
                        done=f"{done:,}", size=f"{size:,}")
    if expected and digest.hexdigest() != expected:
        part.unlink(missing_ok=True)
        note.unlink(missing_ok=True)
        raise UserError("download.checksum", "{name} did not verify (its sha256 does not match); the damaged file was deleted, retry the download.",
                        name=name)
    os.replace(part, target)
    note.unlink(missing_ok=True)
    return target
