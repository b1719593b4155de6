"""The editor with a server as its engine: llama-cpp-python's own server on loopback."""

import pytest

from tests.helpers.llama_server import API_KEY, MODEL_ALIAS, llama_server
from writer.core import secrets
from writer.core.settings import Settings
from writer.gui.dialogs import SettingsDialog
from writer.gui.engine_bridge import EngineBridge
from writer.gui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("discard_on_close")


def test_an_action_runs_on_the_server_and_the_editor_says_where_the_text_went(qtbot, model_path):
    with llama_server(model_path) as (_process, url):
        settings = Settings(engine="server", server_url=url, server_model=MODEL_ALIAS, edit_temperature=0)
        secrets.set_key(url, API_KEY)
        bridge = EngineBridge()
        window = MainWindow(settings, bridge)
        qtbot.addWidget(window)
        window.editor.setPlainText("The boats was leaving early.\n")
        with qtbot.waitSignal(bridge.model_loaded, timeout=60000):
            window.start_engine()
        host = url.split("//")[1].split("/")[0]
        assert host in window.engine_status.model_label.text() and window.engine_status.device_label.text() == "Server"
        window.editor.selectAll()
        panel = window.panels["rewrite"]
        window.run_action("rewrite")
        assert panel.status.text() == f"Sent to {host}; writing…"
        qtbot.waitUntil(lambda: panel.job is None, timeout=120000)
        assert panel.outcome in ("stop", "length") and panel.result.strip()
        assert window.editor.toPlainText() == "The boats was leaving early.\n"  # nothing applied by itself
        window.editor.document().setModified(False)
        secrets.set_key(url, None)


def test_the_settings_dialog_has_an_engine_page(qtbot):
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == ["General", "Engine"]
    dialog.engine.server.setChecked(True)
    dialog.engine.url.setText("http://127.0.0.1:9/v1")
    copy = Settings()
    dialog.apply_to(copy)
    assert copy.engine == "server" and copy.server_url
