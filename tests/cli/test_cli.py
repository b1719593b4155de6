"""The `writer` command, run as a user runs it, with the real default model."""

import os
import re
import subprocess
import sys

import pytest

from writer import __version__

SAMPLE = "The quick brown fox jumps over the lazy dog. It was a sunny day, and the fox was happy.\n"


def writer(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "writer", *args], input=stdin, capture_output=True, timeout=300)


def assert_clear_error(result, fragment):
    err = result.stderr.decode()
    assert result.returncode != 0
    assert fragment in err, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "sample text.md"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


@pytest.mark.model
@pytest.mark.parametrize("args", [
    ["summarize", "--length", "sentence"],
    ["rewrite", "--style", "formal"],
    ["generate", "--length", "short"],
])
def test_each_action_streams_real_output(sample, args):
    result = writer(*args, str(sample), "--temperature", "0", "--max-tokens", "60")
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    assert len(out.split()) >= 3
    assert "Traceback" not in result.stderr.decode()


@pytest.mark.model
def test_a_translation_is_in_the_other_language_not_the_input(sample):
    result = writer("translate", "--to", "fr", str(sample), "--temperature", "0", "--max-tokens", "60")
    assert result.returncode == 0, result.stderr.decode()
    written = set(re.findall(r"[a-zà-ÿ]+", result.stdout.decode().lower()))
    english = {"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "it", "was", "sunny", "day", "and",
               "happy"}
    assert len(written) >= 3 and len(written & english) <= 2, result.stdout.decode()  # an echo has all 14


@pytest.mark.model
def test_reads_standard_input_and_chinese(tmp_path):
    result = writer("rewrite", "--style", "proofread", "--max-tokens", "40", "--temperature", "0",
                    stdin="我今天去了商店，买了一些苹果。".encode())
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().strip()


def test_version():
    result = writer("--version")
    assert result.stdout.decode().strip() == f"Writer {__version__}"


def test_doctor_reports_build_gpu_and_folders(writer_home):
    result = writer("doctor")
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    for word in ("llama-cpp-python", "GPU offload", "CPU variant", "Default model", "SmolLM2", "Drafting", "on: edits", "en_US works",
                 str(writer_home)):
        assert word in out


def test_missing_model(sample):
    assert_clear_error(writer("summarize", str(sample), "--model", "/nowhere/m.gguf"), "does not exist")


def test_not_a_gguf_model(sample, tmp_path):
    fake = tmp_path / "fake.gguf"
    fake.write_text("hello")
    assert_clear_error(writer("summarize", str(sample), "--model", str(fake)), "is not a GGUF model file")


def test_truncated_model(sample, tmp_path, model_path):
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(model_path.read_bytes()[:3_000_000])
    assert_clear_error(writer("summarize", str(sample), "--model", str(cut)), "damaged, incomplete")


@pytest.mark.parametrize("data,fragment", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
    ("caf\xe9".encode("latin-1"), "not valid UTF-8"),
    (b"   \n\n", "no text to summarize"),
])
def test_bad_input_files(tmp_path, data, fragment):
    path = tmp_path / "input.txt"
    path.write_bytes(data)
    assert_clear_error(writer("summarize", str(path)), fragment)


def test_empty_standard_input():
    assert_clear_error(writer("summarize", stdin=b""), "no text to summarize")


def test_missing_input_file():
    assert_clear_error(writer("summarize", "/no/such/file.txt"), "does not exist")


def test_unknown_language_and_style(sample):
    assert_clear_error(writer("translate", "--to", "Klingon", str(sample)), "Unknown language 'Klingon'")
    assert_clear_error(writer("rewrite", "--style", "pirate", str(sample)), "Unknown style 'pirate'")


def test_bad_option_values(sample):
    assert_clear_error(writer("summarize", str(sample), "--gpu-layers", "lots"), "not 'auto' or a number")
    assert_clear_error(writer("summarize", str(sample), "--ctx", "0"), "must be at least 1")
    assert_clear_error(writer("summarize", str(sample), "--ctx", "64"), "at least 256 tokens")


@pytest.mark.model
def test_context_too_small_for_the_action(sample):
    assert_clear_error(writer("translate", "--to", "de", str(sample), "--ctx", "256"), "too small for this action")


def test_editor_without_a_display_says_so():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-m", "writer"], capture_output=True, timeout=60, env=env)
    assert result.returncode == 1 and b"no graphical display" in result.stderr and b"Traceback" not in result.stderr
