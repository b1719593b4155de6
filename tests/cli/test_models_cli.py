"""`writer models …` as a user runs it, against the local hub."""

import os
import subprocess
import sys

import pytest

from tests.helpers.hub_server import HubServer

CATALOG_REPO, CATALOG_FILE = "Qwen/Qwen2.5-0.5B-Instruct-GGUF", "qwen2.5-0.5b-instruct-q4_k_m.gguf"


def writer(*args, env=None):
    return subprocess.run([sys.executable, "-m", "writer", *args], capture_output=True, timeout=300,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def hub(model_path):
    with HubServer() as server:
        # The catalog entry's repository, served with the default model's bytes.
        server.files[(CATALOG_REPO, CATALOG_FILE)] = model_path.read_bytes()
        yield server


def test_download_use_and_write_with_a_catalog_model(hub, tmp_path):
    env = {"HF_ENDPOINT": hub.url}
    result = writer("models", "download", "qwen2.5-0.5b", env=env)
    assert result.returncode == 0, result.stderr.decode()
    assert "100.0%" in result.stderr.decode() and "MB/s" in result.stderr.decode()
    assert writer("models", "use", "qwen2.5-0.5b").returncode == 0
    listing = writer("models", "list").stdout.decode()
    active = [line for line in listing.splitlines() if line.startswith("*")]
    assert len(active) == 1 and "qwen2.5-0.5b" in active[0] and "installed" in active[0]
    sample = tmp_path / "s.txt"
    sample.write_text("Writers like quiet mornings. Coffee helps.")
    out = writer("rewrite", "--style", "concise", str(sample), "--max-tokens", "30", "--temperature", "0")
    assert out.returncode == 0 and out.stdout.decode().strip(), out.stderr.decode()


def test_failed_verification_exits_non_zero_with_one_line(hub):
    hub.wrong_etag = True
    result = writer("models", "download", "qwen2.5-0.5b", env={"HF_ENDPOINT": hub.url})
    err = [line for line in result.stderr.decode().splitlines() if line.startswith("writer:")]
    assert result.returncode == 1 and len(err) == 1 and "did not verify" in err[0]
    assert "Traceback" not in result.stderr.decode()
    assert "installed" not in [l for l in writer("models", "list").stdout.decode().splitlines() if "qwen2.5-0.5b" in l][0]


def test_import_checks_the_file_in_the_worker(tmp_path, model_path):
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"GGUF" + b"\x00" * 100)  # right magic, garbage inside
    result = writer("models", "import", str(fake))
    assert result.returncode == 1 and "damaged, incomplete" in result.stderr.decode()
    text = tmp_path / "notes.gguf"
    text.write_text("just text")
    assert "not a GGUF model file" in writer("models", "import", str(text)).stderr.decode()
    good = writer("models", "import", str(model_path))
    assert good.returncode == 0 and "Q4_1" in good.stdout.decode() and "chat template" in good.stdout.decode()


def test_unknown_model_id():
    result = writer("models", "use", "nope")
    assert result.returncode == 1 and "There is no model 'nope'" in result.stderr.decode()


def test_search_lists_matching_repositories(hub):
    result = writer("models", "search", "qwen", env={"HF_ENDPOINT": hub.url})
    assert result.returncode == 0, result.stderr.decode()
    assert "Qwen/Qwen2.5-0.5B-Instruct-GGUF" in result.stdout.decode()


def test_search_offline_fails_fast_with_one_line():
    result = writer("models", "search", "qwen", env={"HF_ENDPOINT": "http://127.0.0.1:9"})
    assert result.returncode == 1 and "Could not reach" in result.stderr.decode()
    assert len(result.stderr.decode().strip().splitlines()) == 1


def test_download_resumes_by_itself_and_says_so(hub):
    hub.drop_after, hub.drops = 20_000_000, 1
    result = writer("models", "download", "qwen2.5-0.5b", env={"HF_ENDPOINT": hub.url})
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert "connection dropped: resuming (try 1 of 5)" in err and "100.0%" in err
    assert ("GET", f"/{CATALOG_REPO}/resolve/main/{CATALOG_FILE}", "bytes=20000000-") in hub.requests
