"""Privacy and safety promises, each checked so that breaking it fails a test."""

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QMessageBox

from writer.core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
NETWORK_EVENTS = ("socket.connect", "socket.bind", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto",
                  "urllib.Request", "http.client.connect")
_seen: list[str] = []
_recording = [False]


def _audit(event, args):
    if _recording[0] and event in NETWORK_EVENTS:
        _seen.append(f"{event} {args!r}")


sys.addaudithook(_audit)  # audit hooks cannot be removed; this one only records while a test asks

SITECUSTOMIZE = textwrap.dedent("""
    import sys
    EVENTS = {events!r}
    def _audit(event, args):
        if event in EVENTS:
            with open({log!r}, "a") as log:
                log.write(f"{{event}} {{args!r}}\\n")
    sys.addaudithook(_audit)
""")


@pytest.fixture
def audited_subprocesses(tmp_path, monkeypatch):
    """Every Python child process (the engine worker) logs any network use to a file."""
    folder, log = tmp_path / "audit", tmp_path / "network.log"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE.format(events=NETWORK_EVENTS, log=str(log)))
    monkeypatch.setenv("PYTHONPATH", str(folder))
    # The audit itself must work, or this test could never fail.
    subprocess.run([sys.executable, "-c", "import socket; socket.getaddrinfo('localhost', 80)"], check=True)
    assert "socket.getaddrinfo" in log.read_text()
    log.unlink()
    return log


@pytest.mark.model
def test_a_whole_writing_session_never_touches_the_network(qtbot, tmp_path, audited_subprocesses, monkeypatch, caplog):
    from writer.gui.engine_bridge import EngineBridge
    from writer.gui.main_window import MainWindow

    secret = "The quarterly numbers stay private until Friday."
    path = tmp_path / "private notes.md"
    path.write_text(f"# Notes\n\n{secret}\n", encoding="utf-8")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    caplog.set_level(logging.DEBUG)
    _seen.clear()
    _recording[0] = True
    try:
        bridge = EngineBridge()
        window = MainWindow(Settings(n_ctx=1024, temperature=0, edit_temperature=0), bridge)
        qtbot.addWidget(window)
        with qtbot.waitSignal(bridge.model_loaded, timeout=60000):
            window.start_engine()
        assert window.open_file(str(path))
        window.editor.moveCursor(QTextCursor.MoveOperation.End)
        window.editor.insertPlainText("Edited by hand.\n")
        window.panels["translate"].choice.setCurrentIndex(window.panels["translate"].choice.findData("de"))
        for action in ("generate", "summarize", "translate", "rewrite"):
            window.editor.selectAll()
            window.run_action(action)
            panel = window.panels[action]
            qtbot.waitUntil(lambda: panel.job is None, timeout=120000)
            assert panel.outcome in ("stop", "length"), panel.status.text()
        assert window.save()
        window.close()
    finally:
        _recording[0] = False
    assert _seen == [], "the editor used the network"
    assert not audited_subprocesses.exists(), audited_subprocesses.read_text()
    assert secret not in caplog.text  # no document text in logs
    assert path.read_text(encoding="utf-8").endswith("Edited by hand.\n")


def test_chat_templates_render_sandboxed():
    from jinja2.exceptions import SecurityError
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    evil = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    with pytest.raises(SecurityError):
        Jinja2ChatFormatter(evil, eos_token="", bos_token="")(messages=[{"role": "user", "content": "hi"}])


def test_a_server_with_an_untrusted_certificate_is_refused(tmp_path):
    """TLS verification is on: a hub mirror with a self-signed certificate gets no request at all."""
    import http.server
    import ssl
    import subprocess
    import threading

    from writer.core import downloads
    from writer.core.errors import UserError

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(UserError):
            downloads.check_reachable(f"https://127.0.0.1:{server.server_address[1]}", timeout=5)
        assert requests == []
    finally:
        server.shutdown()


def test_engine_stderr_holds_no_document_text(engine):
    secret = "A sentence nobody else may read."
    list(engine.generate([{"role": "user", "content": secret}], max_tokens=4))
    assert not any(secret in line for line in engine._stderr_tail)


def test_with_a_server_configured_connections_go_to_that_host_and_port_only(model_path):
    from tests.helpers.llama_server import API_KEY, llama_server
    from writer.engine.remote import RemoteEngine

    with llama_server(model_path) as (_, url):
        port = int(url.rsplit(":", 1)[1])
        _seen.clear()
        _recording[0] = True
        try:
            engine = RemoteEngine.from_settings(Settings(engine="server", server_url=url + "/v1"), api_key=API_KEY)
            before_use = list(_seen)
            engine.load()
            engine.count_tokens(["A sentence to count."])
            list(engine.generate([{"role": "user", "content": "Hi"}], max_tokens=4))
            engine.close()
        finally:
            _recording[0] = False
    assert before_use == []  # configuring a server sends nothing; only using it does
    connects = [line for line in _seen if line.startswith("socket.connect ")]
    lookups = [line for line in _seen if line.startswith(("socket.getaddrinfo ", "socket.gethostbyname "))]
    assert connects, "the audit saw no connection at all"
    assert all(line.endswith(f"('127.0.0.1', {port}))") for line in connects), connects
    assert all(line.startswith(f"socket.getaddrinfo ('127.0.0.1', {port},") for line in lookups), lookups
    assert not [line for line in _seen if line.split()[0] in ("socket.sendto", "urllib.Request", "socket.bind")]
