"""A server as the engine: llama-cpp-python's own OpenAI-compatible server with the bundled model
for what works (streaming, Stop, models, keys), and a fake server for each failure."""

import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from writer.core.errors import EngineError, UserError
from writer.core.events import Delta, Finished
from writer.core.server_url import is_this_computer, server_host, server_root
from writer.core.settings import Settings
from writer.engine.remote import RemoteEngine, estimate_tokens, sse_data
from tests.helpers.llama_server import API_KEY, MODEL_ALIAS, cpu_seconds, free_port, llama_server
from tests.helpers.openai_fake import WORDS, FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]
COUNTING = [{"role": "user", "content": "Count from 1 to 500, one number per line."}]
STORY = [{"role": "user", "content": "Write a long story about a lighthouse keeper and a storm."}]  # hundreds of tokens


@pytest.fixture(scope="module")
def llama(model_path):
    with llama_server(model_path) as (process, url):
        yield process, url


@pytest.fixture
def fake():
    server = FakeOpenAI()
    yield server
    server.close()


def engine_for(url, **options) -> RemoteEngine:
    """An engine for the fake server: it stalls on purpose, so a second counts as a stall."""
    options.setdefault("stall_timeout", 1.0)
    return RemoteEngine(url, **options)


def failure(call) -> EngineError:
    with pytest.raises(EngineError) as info:
        call()
    return info.value


def drain(generation):
    """The text and the events of a generation, and the error it ended with, if any."""
    events, error = [], None
    try:
        for event in generation:
            events.append(event)
    except EngineError as exc:
        error = exc
    return "".join(e.text for e in events if isinstance(e, Delta)), events, error


# -- addresses and small parts -------------------------------------------------------------
@pytest.mark.parametrize("typed", ["http://localhost:8080", "http://localhost:8080/", "http://localhost:8080/v1",
                                   " http://localhost:8080/v1/ "])
def test_an_address_is_accepted_with_or_without_v1(typed):
    assert server_root(typed) == "http://localhost:8080"
    assert server_host(typed) == "localhost:8080"
    assert is_this_computer(typed)


@pytest.mark.parametrize("typed", ["", "localhost:8080", "ftp://host/v1", "http://", "http://host:port/v1"])
def test_a_bad_address_is_one_sentence(typed):
    with pytest.raises(UserError) as info:
        RemoteEngine(typed)
    assert info.value.code == "server.bad_url"


def test_other_hosts_are_not_this_computer():
    assert not is_this_computer("http://gpu-box.lan:8000/v1")
    assert is_this_computer("http://127.0.0.1:1234")


def test_server_sent_events_are_read_line_by_line():
    lines = ["data: one", "", ": ping", "event: message", "data:two", "data: three", "", "data: [DONE]"]
    assert list(sse_data(lines)) == ["one", None, "two\nthree", "[DONE]"]


def test_the_settings_keep_a_server_and_drop_a_bad_one(writer_home):
    settings = Settings(engine="server", server_url="http://gpu-box:8080/v1", server_model="qwen", server_context=8192)
    settings.save()
    loaded = Settings.load()
    assert (loaded.engine, loaded.server_url, loaded.server_model, loaded.server_context) == \
           ("server", "http://gpu-box:8080/v1", "qwen", 8192)
    assert loaded.engine_options() != Settings().engine_options()
    data = json.loads(Settings.path().read_text())
    data.update(engine="cloud", server_url="gpu-box:8080", server_context=12)
    Settings.path().write_text(json.dumps(data))
    loaded = Settings.load()
    assert (loaded.engine, loaded.server_url, loaded.server_context) == ("local", None, None)


# -- llama-cpp-python's server ---------------------------------------------------------------
@pytest.mark.parametrize("path", ["", "/v1", "/v1/"])
def test_load_lists_the_model_and_names_the_host(llama, path):
    _, url = llama
    engine = RemoteEngine(url.replace("127.0.0.1", "localhost") + path, api_key=API_KEY, context=4096)
    info = engine.load().model
    assert (info.name, info.context, info.server) == (MODEL_ALIAS, 4096, server_host(url.replace("127.0.0.1", "localhost")))
    assert engine.list_models() == [MODEL_ALIAS]
    engine.close()


def test_streaming_gives_deltas_then_one_finish(llama):
    engine = RemoteEngine(llama[1], api_key=API_KEY)
    engine.load()
    text, events, error = drain(engine.generate([{"role": "user", "content": "Say hello."}], max_tokens=8, temperature=0))
    assert error is None
    assert [type(e) for e in events[:-1]] == [Delta] * (len(events) - 1) and len(events) > 2
    finished = events[-1]
    assert isinstance(finished, Finished) and finished.finish == "length"
    assert finished.completion_tokens == 8 and finished.tokens_per_s > 0
    assert text.strip()
    engine.close()


def test_the_server_counts_tokens_and_the_estimate_never_counts_fewer(llama):
    engine = RemoteEngine(llama[1], api_key=API_KEY)
    engine.load()
    texts = ["The quick brown fox jumps over the lazy dog. " * 20, "写作助手可以总结、翻译和改写文本。" * 10, ""]
    counts = engine.count_tokens(texts)
    assert counts[0] > 100 and counts[1] > 50 and counts[2] == 0
    assert counts != [estimate_tokens(t) for t in texts]  # these came from the server's tokenizer
    assert all(estimate_tokens(t) >= n for t, n in zip(texts, counts))
    engine.close()


def test_a_wrong_or_missing_key_is_one_sentence(llama):
    _, url = llama
    assert failure(RemoteEngine(url, api_key="wrong").load).code == "server.key_wrong"
    error = failure(RemoteEngine(url).load)
    assert error.code == "server.key_missing" and server_host(url) in str(error)


def test_test_connection_says_what_works(llama):
    engine = RemoteEngine(llama[1], api_key=API_KEY, context=2048)
    message = engine.test_connection()
    assert message.code == "server.ok_no_context"
    assert str(message) == (f"{server_host(llama[1])} answers, the key is accepted, model “{MODEL_ALIAS}” is there; the "
                            "server does not say its context length, so Writer assumes 2048 tokens (see the settings).")
    engine.close()


def test_stop_frees_the_server_within_a_second(llama):
    process, url = llama
    engine = RemoteEngine(url, api_key=API_KEY)
    engine.load()
    generation = engine.generate(STORY, max_tokens=1500, temperature=0)
    events = iter(generation)
    for _ in range(10):
        assert isinstance(next(events), Delta)
    busy_start = cpu_seconds(process.pid)
    time.sleep(0.5)
    busy = cpu_seconds(process.pid) - busy_start
    # A shared machine gives the server a fraction of a core; any steady use means it is generating.
    assert busy >= 0.05, f"the server was not generating ({busy:.2f} s of CPU in 0.5 s)"
    stopped = time.monotonic()
    threading.Thread(target=generation.cancel).start()  # Stop comes from another thread (the editor's)
    rest = list(events)
    assert rest[-1] == Finished("cancelled", completion_tokens=rest[-1].completion_tokens)
    assert time.monotonic() - stopped < 1.0
    time.sleep(1.0)
    idle_start = cpu_seconds(process.pid)
    time.sleep(1.0)
    idle = cpu_seconds(process.pid) - idle_start
    assert idle <= 0.03, f"the server kept working after Stop ({idle:.2f} s of CPU in the second after)"
    # and it takes the next request at once
    text, _, error = drain(engine.generate([{"role": "user", "content": "Hi"}], max_tokens=4, temperature=0))
    assert error is None and text
    engine.close()


def test_stop_before_the_first_token_ends_the_generation(llama):
    engine = RemoteEngine(llama[1], api_key=API_KEY)
    engine.load()
    generation = engine.generate(STORY, max_tokens=1500, temperature=0)
    threading.Timer(0.05, generation.cancel).start()
    started = time.monotonic()
    events = list(generation)
    assert events[-1].finish == "cancelled" and time.monotonic() - started < 2
    engine.close()


# -- failures, from the fake server ------------------------------------------------------------
def test_an_empty_model_list(fake):
    fake.models = []
    error = failure(engine_for(fake.url).load)
    assert error.code == "server.no_models" and f"127.0.0.1:{fake.port}" in str(error)


def test_a_model_the_server_does_not_have(fake):
    error = failure(engine_for(fake.url, model="llama-70b").load)
    assert error.code == "server.unknown_model" and "llama-70b" in str(error) and "fake-model" in str(error)


def test_no_model_chosen_takes_the_first_and_the_context_from_props(fake):
    fake.props = {"default_generation_settings": {"n_ctx": 8192}}
    engine = engine_for(fake.url)
    info = engine.load().model
    assert (info.name, info.context) == ("fake-model", 8192)
    assert engine.test_connection().code == "server.ok"
    assert engine.count_tokens(["abcdef"]) == [2]  # no tokenizer endpoint: the estimate


def test_llama_server_counts_tokens_unless_there_are_too_many_texts(fake):
    from writer.engine.remote import EXACT_COUNT_LIMIT

    fake.tokenizer = True
    engine = engine_for(fake.url)
    engine.load()
    assert engine.count_tokens(["one two three", "four"]) == [3, 1]
    asked = len(fake.requests)
    many = ["one two three"] * (EXACT_COUNT_LIMIT + 1)
    assert engine.count_tokens(many) == [estimate_tokens(many[0])] * len(many) and len(fake.requests) == asked


def test_vllm_tells_its_context_in_the_model_list(fake):
    fake.models = [{"id": "Qwen/Qwen2.5-7B", "max_model_len": 32768}]
    assert engine_for(fake.url).load().model.context == 32768


@pytest.mark.parametrize("status, code", [(401, "server.key_missing"), (403, "server.key_missing"), (429, "server.busy"),
                                          (503, "server.busy"), (500, "server.refused")])
def test_error_statuses_are_one_sentence(fake, status, code):
    engine = engine_for(fake.url)
    engine.load()
    fake.status["/v1/chat/completions"] = status
    text, events, error = drain(engine.generate(COUNTING))
    assert (text, events, error.code) == ("", [], code)
    assert f"127.0.0.1:{fake.port}" in str(error)


def test_a_refused_key_is_named_as_wrong(fake):
    fake.status["/v1/models"] = 403
    assert failure(engine_for(fake.url, api_key="abc").load).code == "server.key_wrong"
    assert fake.requests[-1][3] == "Bearer abc"


def test_not_found_names_the_url_and_the_model(fake):
    engine = engine_for(fake.url)
    engine.load()
    fake.status["/v1/chat/completions"] = 404
    _, _, error = drain(engine.generate(COUNTING))
    assert error.code == "server.not_found"
    assert f"http://127.0.0.1:{fake.port}/v1/chat/completions" in str(error) and "fake-model" in str(error)


def test_a_wrong_base_url_is_not_found(fake):
    error = failure(engine_for(f"http://127.0.0.1:{fake.port}/api/v1").load)
    assert error.code == "server.not_found" and "/api/v1/models" in str(error)


def test_the_stream_is_requested_and_read_whole(fake):
    engine = engine_for(fake.url)
    engine.load()
    text, events, error = drain(engine.generate(COUNTING, max_tokens=len(WORDS), temperature=0.2, seed=7))
    assert error is None and text == "".join(WORDS)
    assert events[-1].finish == "length" and events[-1].completion_tokens == len(WORDS)
    body = fake.requests[-1][2]
    assert body["stream"] is True and body["model"] == "fake-model" and body["seed"] == 7


def test_a_cut_stream_keeps_the_text_and_says_it_is_incomplete(fake):
    engine = engine_for(fake.url)
    engine.load()
    fake.stream = "cut"
    text, events, error = drain(engine.generate(COUNTING))
    assert text == "".join(WORDS[:2]) and not any(isinstance(e, Finished) for e in events)
    assert error.code == "server.incomplete"


def test_a_finish_without_done_is_complete(fake):
    engine = engine_for(fake.url)
    engine.load()
    fake.stream = "no_done"
    text, events, error = drain(engine.generate(COUNTING))
    assert error is None and text == "".join(WORDS) and events[-1].finish == "stop"


def test_malformed_json_in_the_stream(fake):
    engine = engine_for(fake.url)
    engine.load()
    fake.stream = "bad_json"
    text, _, error = drain(engine.generate(COUNTING))
    assert text == "".join(WORDS[:2]) and error.code == "server.bad_json"


def test_an_error_inside_the_stream(fake):
    engine = engine_for(fake.url)
    engine.load()
    fake.stream = "error"
    _, _, error = drain(engine.generate(COUNTING))
    assert error.code == "server.failed" and "out of memory on the server" in str(error)


def test_a_model_list_that_is_not_json(fake):
    fake.models_page = b"<html><body>Welcome to nginx!</body></html>"
    assert failure(engine_for(fake.url).load).code == "server.bad_json"


@pytest.mark.parametrize("mode", ["stall", "pings"])
def test_a_server_that_stalls(fake, mode):
    engine = engine_for(fake.url, stall_timeout=1.0)
    engine.load()
    fake.stream, fake.stall_s = mode, 4.0
    started = time.monotonic()
    text, _, error = drain(engine.generate(COUNTING))
    assert text == "".join(WORDS[:2]) and error.code == "server.stalled"
    assert 0.9 < time.monotonic() - started < 2.5


def test_a_closed_port_is_unreachable():
    port = free_port()
    started = time.monotonic()
    error = failure(engine_for(f"http://127.0.0.1:{port}").load)
    assert error.code == "server.unreachable" and f"127.0.0.1:{port}" in str(error)
    assert time.monotonic() - started < 5


def test_a_server_that_never_answers_the_connection_is_unreachable_in_time():
    # A listening socket whose queue is full drops new connection attempts without an answer.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        fillers.append(s)
    time.sleep(0.2)
    try:
        started = time.monotonic()
        error = failure(engine_for(f"http://127.0.0.1:{port}", connect_timeout=1.0).load)
        assert error.code == "server.unreachable"
        assert 0.9 < time.monotonic() - started < 3
    finally:
        for s in fillers:
            s.close()
        listener.close()


# -- TLS -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "server.pem", folder / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def server_tls(certificate) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*map(str, certificate))
    return context


@pytest.fixture
def tls_fake(certificate):
    server = FakeOpenAI(tls=server_tls(certificate))
    yield server
    server.close()


def test_an_unknown_certificate_fails_naming_the_host(tls_fake):
    error = failure(engine_for(tls_fake.url).load)
    assert error.code == "server.tls" and f"127.0.0.1:{tls_fake.port}" in str(error)
    assert "certificate" in str(error)


def test_the_servers_ca_file_makes_it_trusted(tls_fake, certificate):
    engine = engine_for(tls_fake.url, ca_file=str(certificate[0]))
    assert engine.load().model.name == "fake-model"
    text, _, error = drain(engine.generate(COUNTING))
    assert error is None and text == "".join(WORDS)


def test_a_server_that_never_finishes_reading_the_prompt(fake):
    engine = engine_for(fake.url, stall_timeout=1.0, prompt_timeout=2.0)
    engine.load()
    fake.stream, fake.stall_s = "silent", 5.0
    started = time.monotonic()
    text, _, error = drain(engine.generate(COUNTING))
    assert text == "" and error.code == "server.stalled" and "for 2 seconds" in str(error)
    assert 1.9 < time.monotonic() - started < 3.5


@pytest.mark.parametrize("tls", [False, True])
def test_cancel_while_the_server_stalls(certificate, tls):
    server = FakeOpenAI(tls=server_tls(certificate) if tls else None)
    try:
        engine = engine_for(server.url, ca_file=str(certificate[0]) if tls else None, stall_timeout=30.0)
        engine.load()
        server.stream, server.stall_s = "stall", 10.0
        generation = engine.generate(COUNTING)
        events = iter(generation)
        next(events)
        threading.Timer(0.2, generation.cancel).start()
        started = time.monotonic()
        assert list(events)[-1].finish == "cancelled" and time.monotonic() - started < 1.0
    finally:
        server.close()


def test_an_unreadable_ca_file(tmp_path, fake):
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    with pytest.raises(UserError) as info:
        engine_for(fake.url, ca_file=str(bad)).load()
    assert info.value.code == "server.ca_file" and str(bad) in str(info.value)


# -- the command line --------------------------------------------------------------------------
def writer_cli(*args, key=None, stdin=None):
    env = {k: v for k, v in os.environ.items() if k != "WRITER_API_KEY"}
    if key:
        env["WRITER_API_KEY"] = key
    return subprocess.run([sys.executable, "-m", "writer", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300)


@pytest.mark.parametrize("action, extra", [("summarize", []), ("translate", ["--to", "French"]),
                                           ("rewrite", ["--style", "formal"]), ("generate", [])])
def test_every_action_runs_on_the_server_from_the_command_line(llama, action, extra):
    _, url = llama
    result = writer_cli(action, "-", *extra, "--server", url + "/v1", "--server-model", MODEL_ALIAS,
                        "--max-tokens", "16", "--temperature", "0", key=API_KEY,
                        stdin="The lighthouse keeper watched the storm roll in over the grey sea all night.")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    # 16 tokens: at most notes about the result (the token limit, a result check), never an error
    assert all(line.startswith("writer: The ") for line in result.stderr.splitlines()), result.stderr


def test_a_server_failure_is_one_line_on_stderr(llama):
    _, url = llama
    result = writer_cli("summarize", "-", "--server", url, stdin="Some text.")  # no key
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"writer: The server at {server_host(url)} needs an API key; enter it in the settings.\n"
    port = free_port()
    result = writer_cli("summarize", "-", "--server", f"http://127.0.0.1:{port}", stdin="Some text.")
    assert result.returncode == 1 and result.stderr.startswith(f"writer: Writer could not reach the server at 127.0.0.1:{port}")
    assert len(result.stderr.splitlines()) == 1


def test_the_command_line_options_choose_the_server(fake, monkeypatch):
    from writer.cli import build_parser
    from writer.cli.options import server_settings
    from writer.engine.kinds import engine_for

    monkeypatch.setenv("WRITER_API_KEY", "env-key")
    saved = Settings(engine="server", server_url="http://gpu-box:8080", server_model="big", server_context=8192)
    args = build_parser().parse_args(["summarize", "--server", fake.url, "--server-model", "fake-model"])
    settings = server_settings(args, saved)
    assert (settings.engine, settings.server_url, settings.server_model, settings.server_context) == \
           ("server", fake.url, "fake-model", None)  # another server: the saved one's context does not apply
    engine = engine_for(None, settings, None)
    assert (engine.root, engine.model, engine.api_key) == (f"http://127.0.0.1:{fake.port}", "fake-model", "env-key")
    assert engine.load().model.server == f"127.0.0.1:{fake.port}"
    assert fake.requests[-1][3] == "Bearer env-key"
    engine.close()
    same = server_settings(build_parser().parse_args(["summarize", "--server-model", "small"]), saved)
    assert (same.server_url, same.server_model, same.server_context) == ("http://gpu-box:8080", "small", 8192)
    assert server_settings(build_parser().parse_args(["summarize"]), Settings()).engine == "local"  # nothing sent
    with pytest.raises(UserError) as info:
        server_settings(build_parser().parse_args(["summarize", "--server-model", "x"]), Settings())
    assert info.value.code == "cli.server_model_alone"


def test_doctor_says_which_engine_and_whether_it_answers(fake):
    from writer.cli.doctor import engine_status

    assert engine_status(Settings()) == "this computer"
    assert engine_status(Settings(engine="server", server_url=fake.url)) == \
           f"server: 127.0.0.1:{fake.port} answers, no key is needed, model “fake-model” is there; the server does not " \
           "say its context length, so Writer assumes 2048 tokens (see the settings)."
    fake.models = []
    assert "offers no models" in engine_status(Settings(engine="server", server_url=fake.url))


def test_a_server_model_in_a_loop_is_stopped_at_once_and_cut(fake):
    """The repetition stopper reads the stream, so it stops a server as it stops the local model:
    the request is cancelled (the connection closed) at the third copy, not at the token limit."""
    from writer.core.actions import ActionRequest
    from writer.core.events import Done, Note
    from writer.core.pipeline import ActionRun

    engine = engine_for(fake.url)
    engine.load()
    fake.stream = "loop"
    events = list(ActionRun(engine, ActionRequest("rewrite", "The exporter drops footnotes.", style="formal"), 4096))
    done = events[-1]
    assert isinstance(done, Done) and done.finish == "stop"
    assert done.text == "The document contains footnotes."
    assert [e.message.code for e in events if isinstance(e, Note)][0] == "result.repetition"
    time.sleep(0.3)
    assert fake.loop_sent < 20  # of the 500 it would have written
