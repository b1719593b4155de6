"""A native crash in a backend's first use (llama.cpp's AMX kernels, a GPU driver) makes Writer
try the next safer choice, record it for this machine, say so once and start there next time;
a crash after the first tokens stays the ordinary restart. The crash is real: the worker kills
itself with SIGSEGV under the choice WRITER_TEST_CRASH names."""

import re
import subprocess
import sys

import pytest

from writer.core.errors import EngineError
from writer.engine import placement
from writer.engine.client import EngineClient, LocalModel


pytestmark = pytest.mark.model  # every test here starts the real worker


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """What a worker on this machine would try, best first (with no record of earlier crashes)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WRITER_HOME", str(tmp_path_factory.mktemp("chain-home")))
        client = EngineClient()
        client.start()
        client.close()
    assert len(client.chain) >= 2, "the install should be the portable llama.cpp build (README's install command)"
    return client.chain


def words(client, n=8):
    from writer.core.events import Delta
    gen = client.generate([{"role": "user", "content": "Say hello."}], max_tokens=n, temperature=0)
    return "".join(e.text for e in gen if isinstance(e, Delta))


def test_a_crash_on_first_use_falls_back_records_and_says_so_once(model_path, chain, monkeypatch):
    first, second = chain[0], chain[1]
    monkeypatch.setenv("WRITER_TEST_CRASH", str(first))
    deaths = []
    client = EngineClient(LocalModel(str(model_path), n_ctx=1024), on_death=deaths.append)
    try:
        info = client.load()
        assert client.choice == second and info.cpu_variant == second.variant
        assert info.fallback is not None and info.fallback.code == "placement.fell_back"
        sentence = str(info.fallback)
        assert second.variant in sentence and "\n" not in sentence and sentence.endswith("."), sentence
        assert words(client).strip()
        assert deaths == []  # the fallback is not a restart
    finally:
        client.close()
    record = placement.load_record()
    assert record.choice == second and record.tried == (first,) and str(record.reason) == sentence

    # The next start begins with the recorded choice (the crash is still armed for the first) and says nothing.
    again = EngineClient(LocalModel(str(model_path), n_ctx=1024))
    try:
        info = again.load()
        assert again.choice == second and info.fallback is None
    finally:
        again.close()


def test_a_crash_after_the_first_tokens_is_an_ordinary_restart(model_path, chain, monkeypatch):
    monkeypatch.setenv("WRITER_TEST_CRASH", "*@later")
    deaths = []
    client = EngineClient(LocalModel(str(model_path), n_ctx=1024), on_death=deaths.append)
    try:
        info = client.load()
        assert info.fallback is None and client.choice == chain[0]
        with pytest.raises(EngineError, match="killed by signal 11"):
            words(client)
        assert len(deaths) == 1
    finally:
        client.close()
    assert placement.load_record() is None


def test_a_model_that_crashes_everywhere_ends_in_one_sentence(model_path, chain, monkeypatch):
    monkeypatch.setenv("WRITER_TEST_CRASH", "*")
    client = EngineClient(LocalModel(str(model_path), n_ctx=1024))
    starts = []
    original = client.start
    monkeypatch.setattr(client, "start", lambda: starts.append(1) or original())
    try:
        with pytest.raises(EngineError) as failure:
            client.load()
    finally:
        client.close()
    message = str(failure.value)
    assert message.startswith(f"llama.cpp crashed with the model {model_path.name} on everything Writer tried")
    assert all(str(choice) in message for choice in chain) and "\n" not in message
    assert len(starts) == len(chain)  # each choice once, then it stops
    assert placement.load_record() is None


def test_a_forced_choice_is_not_replaced(model_path, chain, monkeypatch):
    monkeypatch.setenv("WRITER_TEST_CRASH", str(chain[0]))
    client = EngineClient(LocalModel(str(model_path), n_ctx=1024), choice=chain[0])
    try:
        with pytest.raises(EngineError, match=f"on everything Writer tried \\({chain[0]}\\)"):
            client.load()
    finally:
        client.close()


def test_a_record_for_another_build_is_ignored(model_path, chain, writer_home):
    import json
    placement.save_record(placement.Record(chain[-1], placement.fallback_note([chain[0]], chain[-1])))
    data = json.loads(placement.record_path().read_text())
    placement.record_path().write_text(json.dumps(dict(data, build="an older llama.cpp")))
    client = EngineClient(LocalModel(str(model_path), n_ctx=1024))
    try:
        client.load()
        assert client.choice == chain[0]
    finally:
        client.close()


def cli(*args, env):
    return subprocess.run([sys.executable, "-m", "writer", *args], capture_output=True, text=True, env=env,
                          timeout=300, input="The harbour was quiet in the morning. The boats left early.")


def test_the_command_line_says_it_once_and_doctor_says_why(chain, monkeypatch, writer_home):
    import os
    env = dict(os.environ, WRITER_HOME=str(writer_home), WRITER_TEST_CRASH=str(chain[0]))
    args = ("rewrite", "--style", "proofread", "--max-tokens", "16", "--temperature", "0", "--ctx", "1024", "-")
    first = cli(*args, env=env)
    assert first.returncode == 0, first.stderr
    notes = [line for line in first.stderr.splitlines() if "llama.cpp crashed" in line]
    assert len(notes) == 1 and notes[0].startswith("writer: llama.cpp crashed on the CPU ("), first.stderr
    assert "Traceback" not in first.stderr and first.stdout.strip()
    second = cli(*args, env=env)
    assert second.returncode == 0 and "llama.cpp crashed" not in second.stderr, second.stderr
    doctor = cli("doctor", env=env)
    assert doctor.returncode == 0, doctor.stderr
    assert re.search(rf"^CPU variant +{chain[1].variant} \(portable build\)$", doctor.stdout, re.M), doctor.stdout
    assert "llama.cpp crashed on the CPU (" in doctor.stdout and "backend.json" in doctor.stdout, doctor.stdout
    forced = cli("doctor", "--cpu-variant", "x64", env=env)
    assert re.search(r"^CPU variant +x64 ", forced.stdout, re.M) and "forced" in forced.stdout, forced.stdout


def test_the_editor_says_it_once_in_the_status_bar(qtbot, chain, monkeypatch, discard_on_close):
    from writer.core.settings import Settings
    from writer.gui.engine_bridge import EngineBridge
    from writer.gui.main_window import MainWindow

    monkeypatch.setenv("WRITER_TEST_CRASH", str(chain[0]))
    bridge = EngineBridge(backoff=0.1)
    window = MainWindow(Settings(n_ctx=1024), bridge)
    qtbot.addWidget(window)
    states, loaded = [], []
    bridge.state_changed.connect(lambda state, detail: states.append(state))
    bridge.model_loaded.connect(loaded.append)
    window.start_engine()
    qtbot.waitUntil(lambda: bool(loaded), timeout=60000)
    message = window.statusBar().currentMessage()
    assert message.startswith(f"llama.cpp crashed on the CPU ({chain[0].variant} code), so Writer now uses"), message
    assert chain[1].variant in message and "restarting" not in states and states[-1] == "ready"
    assert window.device_label.text() == "CPU" and message in window.device_label.toolTip()
    window.close()
