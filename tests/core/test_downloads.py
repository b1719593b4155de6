"""Model downloads against a local hub on 127.0.0.1 serving the real default model."""

import hashlib
import shutil
import threading
import time
from collections import namedtuple

import pytest

from tests.helpers.hub_server import HubServer
from writer.core import downloads, library
from writer.core.errors import UserError
from writer.core.paths import models_dir
from writer.core.settings import Settings

REPO, FILE = "writer-tests/tiny-GGUF", "tiny-q4_1.gguf"


@pytest.fixture(scope="module")
def model_bytes(model_path):
    return model_path.read_bytes()


@pytest.fixture
def hub(model_bytes):
    with HubServer() as server:
        server.files[(REPO, FILE)] = model_bytes
        yield server


def installed_files():
    return sorted(p.name for p in models_dir().glob("*.gguf")) if models_dir().exists() else []


def test_good_download_verifies_then_loads_and_generates(hub, model_bytes):
    from writer.core.events import Delta, Finished
    from writer.engine.client import EngineClient, LocalModel

    seen = []
    path = downloads.download(REPO, FILE, base=hub.url, on_progress=seen.append)
    assert path == models_dir() / FILE
    assert hashlib.sha256(path.read_bytes()).hexdigest() == hashlib.sha256(model_bytes).hexdigest()
    assert seen[-1].done == seen[-1].total == len(model_bytes) and seen[-1].bytes_per_s > 0
    assert not list(models_dir().glob(".*part*"))
    client = EngineClient()
    try:
        client.load(LocalModel(str(path), n_ctx=512))
        events = list(client.generate([{"role": "user", "content": "Say hello."}], max_tokens=8, temperature=0))
        assert isinstance(events[-1], Finished) and any(isinstance(e, Delta) for e in events)
    finally:
        client.close()


def file_gets(hub):
    return [rng for method, path, rng in hub.requests if method == "GET" and path.endswith(FILE)]


def test_dropped_connection_resumes_by_itself(hub, model_bytes):
    hub.drop_after, hub.drops = 30_000_000, 1
    seen = []
    path = downloads.download(REPO, FILE, base=hub.url, on_progress=seen.append)
    assert path.read_bytes() == model_bytes and installed_files() == [FILE]
    assert file_gets(hub) == [None, "bytes=30000000-"]  # resumed from exactly the bytes on disk
    assert hub.sent == len(model_bytes)  # nothing fetched twice
    assert [(p.done, p.retry) for p in seen if p.retry] == [(30_000_000, 1)] and seen[-1].retry == 0
    assert not list(models_dir().glob(".*part*"))


def test_a_busy_server_then_a_drop_are_both_retried(hub, model_bytes):
    hub.fail["GET"] = [(503, None), (502, None)]
    hub.drop_after, hub.drops = 10_000_000, 1
    path = downloads.download(REPO, FILE, base=hub.url, first_wait_s=0.05)
    assert path.read_bytes() == model_bytes
    assert file_gets(hub) == [None, None, None, "bytes=10000000-"] and hub.sent == len(model_bytes)


def test_connection_dropping_every_time_keeps_the_part_for_later(hub, model_bytes):
    hub.drop_after, hub.drops = 4_000_000, 100
    started = time.monotonic()
    with pytest.raises(UserError) as caught:
        downloads.download(REPO, FILE, base=hub.url, retries=3, first_wait_s=0.05)
    waited = time.monotonic() - started
    assert caught.value.code == "download.interrupted"
    percent = 16_000_000 * 100 // len(model_bytes)
    assert str(caught.value) == (f"The connection kept dropping while downloading {FILE} ({percent}% done); the "
                                 "downloaded part is kept, and downloading it again continues from there.")
    assert len(file_gets(hub)) == 4 and waited >= 0.05 + 0.1 + 0.2  # growing waits between the tries
    part = models_dir() / f".{FILE}.part"
    assert part.stat().st_size == 16_000_000 and part.read_bytes() == model_bytes[:16_000_000]
    assert installed_files() == []  # a partial file is never a usable model
    hub.drops = 0
    path = downloads.download(REPO, FILE, base=hub.url)
    assert file_gets(hub)[-1] == "bytes=16000000-" and path.read_bytes() == model_bytes


def test_a_complete_part_is_verified_without_asking_the_server_again(hub, model_bytes):
    hub.drop_after, hub.drops = len(model_bytes) - 1, 1
    with pytest.raises(UserError):
        downloads.download(REPO, FILE, base=hub.url, retries=0)
    part = models_dir() / f".{FILE}.part"
    with part.open("ab") as out:  # as if the last byte had arrived just before Writer was closed
        out.write(model_bytes[-1:])
    path = downloads.download(REPO, FILE, base=hub.url)
    assert path.read_bytes() == model_bytes and len(file_gets(hub)) == 1


def test_corrupted_part_is_deleted_and_said(hub, model_bytes):
    hub.drop_after, hub.drops = 5_000_000, 1
    with pytest.raises(UserError):
        downloads.download(REPO, FILE, base=hub.url, retries=0)
    part = models_dir() / f".{FILE}.part"
    with part.open("r+b") as damaged:  # a bad sector, or another program writing into it
        damaged.seek(1000)
        damaged.write(b"garbage")
    with pytest.raises(UserError) as caught:
        downloads.download(REPO, FILE, base=hub.url)
    assert caught.value.code == "download.checksum" and "was deleted" in str(caught.value)
    assert installed_files() == [] and not list(models_dir().glob(".*part*"))


def test_wrong_sha256_is_rejected_and_deleted(hub):
    hub.wrong_etag = True
    with pytest.raises(UserError, match="did not verify"):
        downloads.download(REPO, FILE, base=hub.url)
    assert installed_files() == [] and not list(models_dir().glob(".*part*"))


@pytest.mark.parametrize("status, error_code, code, words", [
    (503, None, "download.server_error", "could not serve tiny-q4_1.gguf right now (HTTP 503)"),
    (500, None, "download.server_error", "(HTTP 500)"),
    (404, "EntryNotFound", "download.not_found", "was not found in writer-tests/tiny-GGUF"),
    (401, "RepoNotFound", "download.no_repository", "writer-tests/tiny-GGUF was not found on"),
    (403, "GatedRepo", "download.gated", "needs a Hugging Face account or licence acceptance"),
    (403, None, "download.gated", "needs a Hugging Face account"),
])
def test_metadata_errors_are_told_apart(hub, status, error_code, code, words):
    hub.fail["HEAD"] = [(status, error_code)] * 10
    with pytest.raises(UserError) as caught:
        downloads.download(REPO, FILE, base=hub.url)
    assert caught.value.code == code and words in str(caught.value)
    assert "\n" not in str(caught.value) and not file_gets(hub)


def test_download_refused_after_the_lookup_is_not_retried(hub):
    hub.fail["GET"] = [(403, None)] * 10
    with pytest.raises(UserError) as caught:
        downloads.download(REPO, FILE, base=hub.url)
    assert caught.value.code == "download.gated" and len(file_gets(hub)) == 1


def test_catalog_checksum_must_match_the_hub(hub):
    with pytest.raises(UserError, match="does not match"):
        downloads.download(REPO, FILE, base=hub.url, sha256="0" * 64)


def test_missing_file_is_a_clear_404(hub):
    with pytest.raises(UserError, match="was not found in writer-tests/tiny-GGUF"):
        downloads.download(REPO, "absent.gguf", base=hub.url)
    with pytest.raises(UserError, match="writer-tests/absent was not found on .*, or it is private"):
        downloads.gguf_files("writer-tests/absent", hub.url)


def test_slow_download_can_be_cancelled_and_keeps_its_part(hub):
    hub.delay = 0.05
    cancel = threading.Event()
    started = time.monotonic()
    with pytest.raises(downloads.DownloadCancelled):
        downloads.download(REPO, FILE, base=hub.url, cancel=cancel, on_progress=lambda p: cancel.set())
    assert time.monotonic() - started < 5
    assert installed_files() == [] and (models_dir() / f".{FILE}.part").exists()


def test_full_disk_is_refused_before_downloading(hub, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10**9, 10**9 - 1000, 1000))
    with pytest.raises(UserError, match="Not enough disk space"):
        downloads.download(REPO, FILE, base=hub.url)
    assert not [r for r in hub.requests if r[0] == "GET"]


def test_unreachable_server_fails_within_seconds():
    started = time.monotonic()
    with pytest.raises(UserError, match="Could not reach") as caught:
        downloads.download(REPO, FILE, base="http://127.0.0.1:9")
    assert caught.value.code == "download.unreachable"
    with pytest.raises(UserError, match="Could not reach"):
        downloads.check_reachable("http://127.0.0.1:9")
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("name", ["../evil.gguf", "/etc/passwd.gguf", "a/../../b.gguf", "C:\\x.gguf", "~/x.gguf", "model.bin", ""])
def test_unsafe_file_names_are_refused(name):
    with pytest.raises(UserError):
        downloads.safe_filename(name)


def test_subfolder_file_is_stored_flat():
    assert downloads.safe_filename("Q4_K_M/model-q4.gguf") == "model-q4.gguf"


def test_library_lists_uses_and_removes(hub, model_path):
    path = downloads.download(REPO, FILE, base=hub.url)
    library.register("tiny", path, "hub", name="Tiny")
    settings = Settings.load()
    ids = [m.id for m in library.list_models(settings)]
    assert ids[0] == "default" and "qwen2.5-1.5b" in ids and "tiny" in ids
    assert [m.id for m in library.list_models(settings) if m.active] == ["default"]
    library.use(settings, "tiny")
    assert Settings.load().model_path == str(path)
    with pytest.raises(UserError, match="active model"):
        library.remove(Settings.load(), "tiny")
    with pytest.raises(UserError, match="not downloaded"):
        library.use(settings, "qwen2.5-7b")
    library.use(settings, "default")
    library.remove(Settings.load(), "tiny")
    assert not path.exists() and "tiny" not in [m.id for m in library.list_models(Settings.load())]
    with pytest.raises(UserError, match="cannot be removed"):
        library.remove(Settings.load(), "default")


def test_catalog_entries_are_complete():
    for item in library.catalog():
        assert item["file"].endswith(".gguf") and "/" in item["repo"]
        assert item["size_bytes"] > 100e6 and item["memory_gb"] > 0 and item["license"]
        assert isinstance(item["chinese"], bool) and item["translation"] and item["languages"]


def test_offline_mode_is_said_plainly(hub, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(UserError) as caught:
        downloads.download(REPO, FILE, base=hub.url)
    assert caught.value.code == "download.offline" and not hub.requests
