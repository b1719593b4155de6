"""The bridge between the engine session and the editor: its own state changes on the GUI thread only."""

import threading

from PySide6.QtCore import Qt

from tests.helpers.fakes import fake_engines
from writer.core.settings import Settings
from writer.gui.engine_bridge import EngineBridge


def test_a_model_loaded_on_the_pool_is_announced_on_the_gui_thread(qtbot, model_path):
    bridge = EngineBridge(fake_engines(load_delay=0.1))
    threads = []
    bridge.model_loaded.connect(lambda loaded: threads.append(threading.current_thread()),
                                Qt.ConnectionType.DirectConnection)  # runs where the bridge emits it
    bridge.load(Settings(model_path=str(model_path)))
    qtbot.waitUntil(lambda: bool(threads), timeout=5000)
    assert threads == [threading.main_thread()] and bridge._shown is bridge.loaded
    bridge.shutdown()
