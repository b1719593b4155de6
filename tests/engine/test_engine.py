"""The real worker process with the real default model."""

import os
import signal
import threading
import time
from dataclasses import replace

import pytest

from tests.helpers.generations import collect
from writer.core.errors import EngineError
from writer.core.events import Delta, Finished
from writer.engine import backends
from writer.engine.client import EngineClient, LocalModel
from writer.engine.placement import Choice
from writer.engine.protocol import Load

CHAT = [{"role": "user", "content": "Write a long story about a dragon who learns to bake bread."}]


def test_info_reports_build_gpu_support_and_model(engine, model_path):
    info = engine.info()
    assert info.llama_cpp_version.startswith("0.3.")
    assert isinstance(info.gpu_offload_supported, bool)
    model = info.model
    assert model.path == str(model_path)
    assert model.layers == 30 and model.context == 2048 and model.context_train == 8192
    assert model.quantization == "Q4_1" and model.chat_template is True
    assert model.gpu_layers == (31 if info.gpu_offload_supported else 0)


def test_generate_streams_text_and_reports_speed(engine):
    text, done = collect(engine.generate(CHAT, max_tokens=40, temperature=0, ignore_eos=True))
    assert isinstance(done, Finished) and done.finish == "length"
    assert done.completion_tokens == 40 and done.tokens_per_s > 0
    assert len(text.split()) >= 10


def test_greedy_output_is_repeatable_and_reuses_the_cached_prompt(engine):
    first, a = collect(engine.generate(CHAT, max_tokens=20, temperature=0))
    second, b = collect(engine.generate(CHAT, max_tokens=20, temperature=0))
    assert first == second
    assert b.prompt_s <= a.prompt_s * 1.5 + 0.01


def test_count_tokens(engine):
    counts = engine.count_tokens(["hello world", "", "你好，世界"])
    assert counts[0] == 2 and counts[1] == 0 and counts[2] > 2


def test_cancel_stops_generation_promptly(engine):
    gen = engine.generate(CHAT, max_tokens=2000, temperature=0, ignore_eos=True)
    seen = 0
    for event in gen:
        if isinstance(event, Delta):
            seen += 1
            if seen == 10:
                started = time.perf_counter()
                gen.cancel()
        else:
            latency = time.perf_counter() - started
            assert event.finish == "cancelled"
            assert event.completion_tokens < 100
            assert latency < 0.5
            break


def test_cancel_during_prompt_evaluation(engine):
    long_prompt = [{"role": "user", "content": "Summarize: " + "The river bends past the old mill and the bakery. " * 170}]
    gen = engine.generate(long_prompt, max_tokens=10, temperature=0)
    time.sleep(0.05)
    started = time.perf_counter()
    gen.cancel()
    _, done = collect(gen)
    assert done.finish == "cancelled" and done.completion_tokens == 0
    assert time.perf_counter() - started < 0.5
    # The engine is still usable afterwards.
    _, again = collect(engine.generate(CHAT, max_tokens=5, temperature=0))
    assert isinstance(again, Finished)


def test_prompt_longer_than_context_is_a_clear_error(engine):
    huge = [{"role": "user", "content": "word " * 3000}]
    with pytest.raises(EngineError) as error:
        collect(engine.generate(huge, max_tokens=10))
    assert error.value.code == "engine.context_exceeded" and error.value.message.values["context"] == 2048
    assert "context holds 2048" in str(error.value)


def test_killed_worker_is_reported_and_a_fresh_one_serves_the_next_load(model_path):
    deaths = []
    client = EngineClient(on_death=deaths.append)
    try:
        client.load(LocalModel(str(model_path), n_ctx=1024))
        events = iter(client.generate(CHAT, max_tokens=2000, ignore_eos=True))
        assert isinstance(next(events), Delta)
        os.kill(client.pid, signal.SIGKILL)
        with pytest.raises(EngineError, match="killed by signal 9") as error:
            list(events)
        assert error.value.code == "engine.killed"
        assert [d.code for d in deaths] == ["engine.killed"]  # the session decides what happens next
        client.load()  # a fresh worker, the same model
        text, done = collect(client.generate(CHAT, max_tokens=8, temperature=0))
        assert isinstance(done, Finished) and text
    finally:
        client.close()


def test_hung_worker_is_killed_after_cancel(model_path):
    client = EngineClient(hang_timeout=0.5)
    try:
        client.load(LocalModel(str(model_path), n_ctx=512))
        gen = client.generate(CHAT, max_tokens=2000, ignore_eos=True)
        events = iter(gen)
        next(events)
        os.kill(client.pid, signal.SIGSTOP)  # a worker that no longer answers
        gen.cancel()
        started = time.perf_counter()
        with pytest.raises(EngineError, match="killed by signal 9"):
            list(events)
        assert time.perf_counter() - started < 5
    finally:
        client.close()


@pytest.mark.parametrize("content,message", [
    (b"not a model at all", "damaged, incomplete or not a supported GGUF"),
    (None, "damaged, incomplete or not a supported GGUF"),  # a truncated copy of the real model
])
def test_bad_model_files_are_clear_errors(tmp_path, model_path, content, message):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(content if content is not None else model_path.read_bytes()[: 5_000_000])
    client = EngineClient()
    try:
        with pytest.raises(EngineError, match=message):
            client.load(LocalModel(str(bad)))
        assert client.running  # a bad file does not take the worker down
    finally:
        client.close()


def test_model_file_deleted_while_loaded(tmp_path, model_path):
    copy = tmp_path / "soon-gone.gguf"
    copy.write_bytes(model_path.read_bytes())
    client = EngineClient()
    try:
        client.load(LocalModel(str(copy), n_ctx=512))
        copy.unlink()
        text, done = collect(client.generate(CHAT, max_tokens=5, temperature=0))
        assert isinstance(done, Finished) and text  # the loaded model keeps working
        client.kill()  # a fresh worker must load the file again, which is gone
        with pytest.raises(EngineError, match="does not exist"):
            client.load()
    finally:
        client.close()


def test_gpu_load_failure_falls_back_and_says_why(monkeypatch, model_path):
    """A GPU build that runs out of memory: fewer layers, then the CPU, with the reason reported."""
    import llama_cpp

    from writer.engine.worker import Engine

    real, tried = llama_cpp.Llama, []

    def llama(**kwargs):
        tried.append(kwargs["n_gpu_layers"])
        if kwargs["n_gpu_layers"] != 0:
            raise ValueError("Failed to create llama_context")
        return real(**kwargs)

    monkeypatch.setattr(llama_cpp, "Llama", llama)
    monkeypatch.setattr(llama_cpp, "llama_supports_gpu_offload", lambda: True)
    here = backends.started()  # as if llama.cpp had found a GPU
    monkeypatch.setattr(backends, "_started", replace(here, choice=Choice("gpu", here.choice.variant), gpus=("GPU",)))
    engine = Engine(send=lambda rid, message: None, cancel=threading.Event())
    try:
        engine.load(Load(str(model_path), n_ctx=256))
        assert tried == [-1, 16, 0]
        assert engine.load_info["gpu_layers"] == 0
        fallback = engine.load_info["gpu_fallback"]
        assert fallback["code"] == "gpu.load_failed" and fallback["values"]["reason"]["code"] == "model.no_memory"
    finally:
        engine.close()


@pytest.mark.model
def test_cpu_build_says_why_gpu_layers_are_ignored(tmp_path):
    import subprocess
    import sys

    sample = tmp_path / "s.txt"
    sample.write_text("Hello there, friend.")
    result = subprocess.run([sys.executable, "-m", "writer", "rewrite", str(sample), "--gpu-layers", "20",
                             "--max-tokens", "8"], capture_output=True, timeout=120)
    if b"cannot offload" not in result.stderr:
        import llama_cpp
        assert llama_cpp.llama_supports_gpu_offload()  # only a GPU build may stay silent
    else:
        assert b"Running on the CPU because this llama.cpp build cannot offload to a GPU" in result.stderr


def test_cancelling_a_queued_request_ends_it_at_once_and_spares_the_worker(model_path):
    client = EngineClient(hang_timeout=0.5)
    try:
        client.load(LocalModel(str(model_path), n_ctx=1024))
        pid = client.pid
        running = client.generate(CHAT, max_tokens=300, temperature=0, ignore_eos=True)
        waiting = client.generate(CHAT, max_tokens=300, temperature=0)
        events = iter(running)
        next(events)
        started = time.perf_counter()
        waiting.cancel()
        _, done = collect(waiting)
        assert done.finish == "cancelled" and time.perf_counter() - started < 0.5
        time.sleep(1.0)  # longer than the hang timeout: the busy worker must not be killed
        last = list(events)[-1]
        assert isinstance(last, Finished) and last.completion_tokens == 300
        assert client.pid == pid and client.running
    finally:
        client.close()


def _long_prompt(n=40):
    text = " ".join(f"Line {i} says a little more about the harbour and the boats that leave it at dawn." for i in range(n))
    return [{"role": "user", "content": f'Text:\n"""\n{text}\n"""\n\nMake the text above more concise.'}]


def test_a_prompt_read_ahead_is_reused_and_changes_nothing_in_the_answer(engine):
    messages = _long_prompt()
    collect(engine.generate(CHAT, max_tokens=2, temperature=0))  # something else in the cache
    cold_text, cold = collect(engine.generate(messages, max_tokens=24, temperature=0))
    collect(engine.generate(CHAT, max_tokens=2, temperature=0))
    [read] = list(engine.prefill(messages))
    assert isinstance(read, Finished) and read.prompt_tokens > 500 and read.finish == "stop"
    warm_text, warm = collect(engine.generate(messages, max_tokens=24, temperature=0))
    assert warm_text == cold_text  # the same greedy answer
    assert warm.prompt_s < cold.prompt_s / 5


def test_a_read_ahead_stops_at_once_for_the_click(engine):
    collect(engine.generate(CHAT, max_tokens=2, temperature=0))
    prefill = engine.prefill(_long_prompt(120))  # cut to the 2,048-token context: seconds of reading
    time.sleep(0.3)
    started = time.perf_counter()
    prefill.cancel()
    text, done = collect(engine.generate(CHAT, max_tokens=8, temperature=0))
    assert isinstance(done, Finished) and text and time.perf_counter() - started < 2.0


def test_a_stream_from_a_worker_that_stops_writing_ends_within_the_stall_limit(model_path):
    deaths = []
    client = EngineClient(on_death=deaths.append, stall_timeout=1.0, prompt_timeout=30.0)
    try:
        client.load(LocalModel(str(model_path), n_ctx=512))
        events = iter(client.generate(CHAT, max_tokens=300, temperature=0, ignore_eos=True))
        next(events)
        os.kill(client.pid, signal.SIGSTOP)  # alive, silent: only the watchdog can tell
        started = time.perf_counter()
        with pytest.raises(EngineError) as error:
            list(events)
        assert error.value.message.code == "engine.hang" and time.perf_counter() - started < 5
        deadline = time.monotonic() + 5
        while not deaths and time.monotonic() < deadline:
            time.sleep(0.05)
        assert deaths and not client.running  # killed, and the session would restart it
    finally:
        client.close()
