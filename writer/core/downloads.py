"""Model downloads from the Hugging Face hub (or a mirror) that never leave a broken model.

The hub's metadata (size, and for LFS files the sha256 as ETag) comes through huggingface-hub.
Bytes go to a `.part` file beside a small note of what they belong to. A dropped connection is
resumed by itself with an HTTP Range request from the bytes on disk, a few times with growing
waits, before the user is told; the part is kept, so a later download continues from it. Only a
file whose size and sha256 match is moved into the models folder, so a partial or corrupted file is never listed as usable.
"""

from __future__ import annotations

import errno
import hashlib
import importlib
import json
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from writer.core.errors import UserError, WriterError
from writer.core.messages import msg
from writer.core.paths import models_dir

CHUNK = 1024 * 1024
RETRIES = 5  # automatic resumes after a dropped connection before the user is asked
FIRST_WAIT_S = 1.0  # then 2, 4, 8 and 16 s: about half a minute in all
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
    retry: int = 0  # set while waiting to resume after a dropped connection (1 for the first try); else 0

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


def _http():
    """The HTTP library under huggingface-hub (httpx for 1.x, httpx2 with the same classes for 2.x),
    whose exception classes say what went wrong with a request."""
    from huggingface_hub.utils import get_session

    return importlib.import_module(type(get_session()).__module__.split(".")[0])


def _network_errors() -> tuple[type[BaseException], ...]:
    http = _http()
    return http.TimeoutException, http.NetworkError, http.ProxyError


def _status_error(status: int, repo_id: str, filename: str, base: str) -> UserError:
    if status == 404:
        return UserError("download.not_found", "{filename} was not found in {repo} on {base}.", filename=filename,
                         repo=repo_id, base=base)
    if status in (401, 403):
        return UserError("download.gated", "{repo} needs a Hugging Face account or licence acceptance; download it in a "
                         "browser and import it.", repo=repo_id)
    if status == 429 or status >= 500:
        return UserError("download.server_error", "{base} could not serve {filename} right now (HTTP {status}); try again "
                         "later, or set a mirror in the settings.", base=base, filename=filename, status=status)
    return UserError("download.refused", "{base} refused the download of {filename} (HTTP {status}).", base=base,
                     filename=filename, status=status)


def _hub_error(exc: Exception, repo_id: str, filename: str, base: str) -> UserError:
    """One sentence for a failed hub request, chosen by the exception's type and HTTP status."""
    from huggingface_hub import errors

    if isinstance(exc, errors.GatedRepoError):
        return _status_error(403, repo_id, filename, base)
    if isinstance(exc, errors.RepositoryNotFoundError):  # the hub answers 401 for private and missing repositories alike
        return UserError("download.no_repository", "{repo} was not found on {base}, or it is private.", repo=repo_id,
                         base=base)
    if isinstance(exc, (errors.EntryNotFoundError, errors.RevisionNotFoundError)):
        return _status_error(404, repo_id, filename, base)
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(status, int) and status >= 400:
        return _status_error(status, repo_id, filename, base)
    if isinstance(exc, errors.OfflineModeIsEnabled):
        return UserError("download.offline", "Downloads are switched off (HF_HUB_OFFLINE is set), so {filename} cannot be "
                         "downloaded.", filename=filename)
    if isinstance(exc, _network_errors()):
        return UserError("download.unreachable", UNREACHABLE, base=base)
    return UserError("download.failed", "The download of {filename} failed ({reason}); retry it.", filename=filename,
                     reason=f"{type(exc).__name__}: {exc}"[:160])


def check_reachable(base: str, timeout: float = 5.0) -> None:
    """Fails within seconds, with a clear sentence, when the hub (or mirror) cannot be reached."""
    from huggingface_hub.utils import get_session

    try:
        get_session().head(base, timeout=timeout)
    except (*_network_errors(), OSError):
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
        raise _hub_error(exc, query, query, base) from None


def gguf_files(repo_id: str, base: str | None = None) -> list[str]:
    """The .gguf files in a hub repository."""
    from huggingface_hub import HfApi

    base = endpoint(base)
    try:
        return [f for f in HfApi(endpoint=base).list_repo_files(repo_id) if f.lower().endswith(".gguf")]
    except Exception as exc:
        raise _hub_error(exc, repo_id, repo_id, base) from None


def format_size(n: int | None) -> str:
    return "" if not n else f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def fetch_metadata(repo_id: str, filename: str, base: str, revision: str = "main") -> tuple[str, int, str | None]:
    """(url, size, sha256 or None) for a hub file."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url

    url = hf_hub_url(repo_id, filename, revision=revision, endpoint=base)
    try:
        meta = get_hf_file_metadata(url, timeout=10, endpoint=base)
    except Exception as exc:
        raise _hub_error(exc, repo_id, filename, base) from None
    etag = (meta.etag or "").strip('"').lower()
    if meta.size is None:
        raise UserError("download.no_size", "{base} did not say how large {filename} is; try again or use another mirror.", base=base,
                        filename=filename)
    return url, int(meta.size), etag if _SHA256.match(etag) else None


class _Dropped(Exception):
    """The connection failed in a way that resuming may fix: a reset, a timeout, a server hiccup."""


@dataclass
class _Part:
    """The bytes received so far: the .part file and the running sha256 of its content."""
    path: Path
    done: int = 0
    digest: "hashlib._Hash" = field(default_factory=hashlib.sha256)

    @classmethod
    def resume(cls, path: Path, keep: bool) -> "_Part":
        part = cls(path)
        if not keep:
            path.write_bytes(b"")
            return part
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(CHUNK), b""):
                part.digest.update(block)
                part.done += len(block)
        return part

    def restart(self) -> None:
        self.path.write_bytes(b"")
        self.done, self.digest = 0, hashlib.sha256()


def _receive(url: str, part: _Part, size: int, read_timeout: float, cancel: threading.Event | None,
             report: Callable[[], None], status_error: Callable[[int], UserError]) -> None:
    """One GET from the bytes already on disk to the end of the file, appended to the part."""
    from huggingface_hub.utils import get_session

    if part.done == size:
        return  # all there already (the last run stopped before verifying): asking for more gets HTTP 416
    headers = {"Range": f"bytes={part.done}-"} if part.done else {}
    try:
        with get_session().stream("GET", url, headers=headers, timeout=read_timeout, follow_redirects=True) as response:
            status = response.status_code
            if status == 429 or status >= 500:
                raise _Dropped(f"HTTP {status}")
            if status >= 400:
                raise status_error(status)
            if part.done and status != 206:
                part.restart()  # the server ignored the Range request: start over
            with part.path.open("ab") as out:
                for block in response.iter_bytes():  # as received, so a drop loses nothing already here
                    if cancel is not None and cancel.is_set():
                        raise DownloadCancelled()
                    out.write(block)
                    part.digest.update(block)
                    part.done += len(block)
                    report()
                out.flush()
                os.fsync(out.fileno())
    except (*_network_errors(), _http().RemoteProtocolError) as exc:
        raise _Dropped(type(exc).__name__) from None
    if part.done < size:
        raise _Dropped("the server ended the file early")


def download(repo_id: str, filename: str, *, base: str | None = None, sha256: str | None = None,
             on_progress: Callable[[Progress], None] | None = None, cancel: threading.Event | None = None,
             dest_dir: Path | None = None, read_timeout: float = 30.0, retries: int = RETRIES,
             first_wait_s: float = FIRST_WAIT_S) -> Path:
    """Downloads, verifies and installs one model file; returns its final path. A dropped connection
    is resumed from the bytes on disk up to `retries` times, waiting first_wait_s, then twice as long
    each time, before the user is told; the partial file is kept for a later call."""
    base = endpoint(base)
    name = safe_filename(filename)
    folder = dest_dir or models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    url, size, hub_sha = fetch_metadata(repo_id, filename, base)
    expected = (sha256 or hub_sha or "").lower() or None
    if sha256 and hub_sha and sha256.lower() != hub_sha:
        raise UserError("download.catalog_mismatch", "The catalog's checksum for {name} does not match the hub's; the file "
                        "was not downloaded.", name=name)

    part_path, note = folder / f".{name}.part", folder / f".{name}.part.json"
    have = part_path.stat().st_size if part_path.exists() else 0
    try:
        previous = json.loads(note.read_text()) if note.exists() else {}
    except ValueError:
        previous = {}
    if have and (previous.get("url") != url or previous.get("size") != size or previous.get("sha256") != expected or have > size):
        have = 0  # the partial file belongs to another version: start over
    needed = size - have + SPACE_MARGIN
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise UserError("download.no_space", "Not enough disk space for {name}: it needs {needed} GB and {free} GB is free.",
                        name=name, needed=f"{needed / 1e9:.1f}", free=f"{free / 1e9:.1f}")
    note.write_text(json.dumps({"url": url, "size": size, "sha256": expected}))

    part = _Part.resume(part_path, keep=have > 0)
    started, first = time.monotonic(), part.done
    retry, reported = 0, -CHUNK

    def report(retrying: int = 0) -> None:  # about once a megabyte, so a window is not flooded with updates
        nonlocal reported
        if on_progress and (retrying or part.done - reported >= CHUNK or part.done == size):
            reported = part.done
            elapsed = max(time.monotonic() - started, 1e-6)
            on_progress(Progress(part.done, size, (part.done - first) / elapsed, retrying))

    try:
        while True:
            try:
                _receive(url, part, size, read_timeout, cancel, report,
                         lambda status: _status_error(status, repo_id, filename, base))
                break
            except _Dropped:
                retry += 1
                if retry > retries:
                    raise UserError("download.interrupted", "The connection kept dropping while downloading {name} "
                                    "({percent}% done); the downloaded part is kept, and downloading it again continues "
                                    "from there.", name=name, percent=part.done * 100 // size) from None
                report(retrying=retry)
                if (cancel or threading.Event()).wait(first_wait_s * 2 ** (retry - 1)):
                    raise DownloadCancelled() from None
    except (UserError, DownloadCancelled):
        raise
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise UserError("download.disk_full", "The disk filled up while downloading {name}; free some space and "
                            "download it again.", name=name) from None
        raise _hub_error(exc, repo_id, filename, base) from None
    except Exception as exc:
        raise _hub_error(exc, repo_id, filename, base) from None

    if part.done != size or (expected and part.digest.hexdigest() != expected):
        part_path.unlink(missing_ok=True)
        note.unlink(missing_ok=True)
        raise UserError("download.checksum", "{name} did not verify (its sha256 does not match); the damaged file was "
                        "deleted, download it again.", name=name)
    os.replace(part_path, target)
    note.unlink(missing_ok=True)
    return target
