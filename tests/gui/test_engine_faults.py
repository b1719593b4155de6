"""The editor survives the engine dying: during generation, during loading, and on every load."""

import os
import signal
import sys
import textwrap
import time

import pytest
from PySide6.QtGui import QTextCursor

from writer.core import paths
from writer.core.settings import Settings
from writer.engine import client as client_module
from writer.engine import protocol
from writer.gui.engine_bridge import EngineBridge
from writer.gui.main_window import MainWindow

DOC = "A first paragraph that the user wrote by hand.\n\nA second one, also precious.\n"


pytestmark = [pytest.mark.usefixtures("discard_on_close"), pytest.mark.model]  # the real worker


@pytest.fixture
def window(qtbot):
    bridge = EngineBridge(backoff=0.1)
    win = MainWindow(Settings(n_ctx=1024, temperature=0, edit_temperature=0), bridge)
    qtbot.addWidget(win)
    win.editor.setPlainText(DOC)
    with qtbot.waitSignal(bridge.model_loaded, timeout=60000):
        win.start_engine()
    yield win
    win.editor.document().setModified(False)
    win.close()


def test_worker_killed_during_generation(qtbot, window):
    cursor = window.editor.textCursor()
    cursor.select(QTextCursor.SelectionType.Document)
    window.editor.setTextCursor(cursor)
    panel = window.panels["generate"]
    panel.instruction.setText("Write a very long story about the sea.")
    window.run_action("generate")
    qtbot.waitUntil(lambda: panel.result != "", timeout=30000)
    os.kill(window.bridge.session.engine.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: panel.job is None, timeout=10000)
    assert panel.outcome == "error" and "stopped unexpectedly" in panel.status.text()
    assert window.editor.toPlainText() == DOC  # the document is untouched
    qtbot.waitUntil(lambda: window.bridge.session.state == "ready", timeout=30000)  # restarted by itself
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    panel.instruction.setText("Write one sentence.")
    window.run_action("generate")
    qtbot.waitUntil(lambda: panel.job is None, timeout=60000)
    # A weak model may ramble to the token limit; either way the restarted engine wrote and finished.
    assert panel.outcome in ("stop", "length"), panel.status.text()
    assert panel.result.strip()


def test_worker_killed_during_loading(qtbot, window):
    states = []
    window.bridge.state_changed.connect(lambda s, d: states.append(s))
    window.bridge.session.engine.kill()  # a fresh worker: loading now includes starting llama.cpp
    window.bridge.load(window.settings)
    qtbot.waitUntil(lambda: window.bridge.session.engine.pid is not None and window.bridge.session.engine.running, timeout=10000)
    os.kill(window.bridge.session.engine.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: window.bridge.session.state == "ready", timeout=30000)
    assert "restarting" in states or "loading" in states
    assert window.editor.toPlainText() == DOC


CRASHING_WORKER = textwrap.dedent("""
    import os, sys, json
    out = sys.stdout.buffer
    VARIANT = os.environ["WRITER_CPU_VARIANT"].replace("auto", "haswell")  # where the client asked
    out.write(json.dumps({"v": VERSION, "type": "ready", "protocol": VERSION, "pid": os.getpid(),
                          "choice": ["cpu", VARIANT], "chain": [["cpu", "haswell"], ["cpu", "x64"]],
                          "gpus": []}).encode() + b"\\n")
    out.flush()
    for line in sys.stdin.buffer:
        if json.loads(line).get("type") == "load":
            DIE
""")


def crashing_bridge(tmp_path, monkeypatch, die):
    """A bridge whose worker dies as it loads the model, and the list of the workers' starts."""
    script = tmp_path / "crashing_worker.py"
    script.write_text(CRASHING_WORKER.replace("VERSION", str(protocol.VERSION)).replace("DIE", die))
    starts = []

    def command():
        starts.append(time.monotonic())
        return [sys.executable, str(script)]

    monkeypatch.setattr(client_module, "worker_command", command)
    return EngineBridge(backoff=0.05), starts


def test_a_model_that_stops_the_engine_every_load_does_not_loop(qtbot, tmp_path, monkeypatch, model_path):
    bridge, starts = crashing_bridge(tmp_path, monkeypatch, "os._exit(1)")
    bridge.load(Settings(model_path=str(model_path)))
    session = bridge.session
    qtbot.waitUntil(lambda: session.state == "error" and session.detail.code == "engine.gave_up", timeout=20000)
    assert "stopped 4 times in a minute" in str(session.detail)
    count = len(starts)
    assert count == 4  # the first start and three restarts with back-off
    time.sleep(1.0)
    assert len(starts) == count  # and then no more
    bridge.shutdown()


def test_a_model_that_crashes_llama_cpp_on_every_choice_stops_after_the_list(qtbot, tmp_path, monkeypatch,
                                                                             model_path):
    # An abort while loading is what llama.cpp does on a failed assertion; it could be the
    # backend's, so the next safer choice is tried, and when the last one crashes too, Writer stops.
    bridge, starts = crashing_bridge(tmp_path, monkeypatch, "os.abort()")
    bridge.load(Settings(model_path=str(model_path)))
    session = bridge.session
    qtbot.waitUntil(lambda: session.state == "error", timeout=20000)
    assert session.detail.code == "placement.exhausted"
    assert "cpu:haswell, cpu:x64" in str(session.detail) and model_path.name in str(session.detail)
    assert len(starts) == 2  # one start per choice
    time.sleep(1.0)
    assert len(starts) == 2  # and then no more
    assert not (paths.state_dir() / "backend.json").exists()  # nothing worked, so nothing is recorded
    bridge.shutdown()
