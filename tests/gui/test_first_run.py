"""The first-run assistant: shown on a fresh start, skippable, and one click to a verified model."""

import pytest

from tests.helpers.fakes import fake_engines
from tests.helpers.hub_server import HubServer
from writer.core import library
from writer.core.fit import Machine
from writer.core.settings import Settings
from writer.gui.engine_bridge import EngineBridge
from writer.gui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("discard_on_close")


@pytest.fixture(autouse=True)
def laptop(monkeypatch):
    """A 16 GB computer without a GPU, whatever runs the tests."""
    monkeypatch.setattr("writer.gui.first_run.detect_machine", lambda: Machine(16 * 1024**3))


def fresh_window(qtbot, settings):
    window = MainWindow(settings, EngineBridge(fake_engines()))
    qtbot.addWidget(window)
    window.show()
    return window


def wait_for_advice(qtbot, dialog):
    qtbot.waitUntil(lambda: dialog.recommendation is not None, timeout=15000)
    return dialog.recommendation.model


def test_a_fresh_start_offers_a_model_and_skipping_leaves_a_working_editor(qtbot):
    window = fresh_window(qtbot, Settings(hf_endpoint="http://127.0.0.1:9"))
    window.offer_first_run()
    dialog = window.first_run
    assert dialog.isVisible() and "built-in model" in dialog.intro.text()
    model = wait_for_advice(qtbot, dialog)
    assert dialog.title.text() == f"Recommended: {model['name']}" and "16 GB" in dialog.details.text()
    assert dialog.network.text() == ""  # nothing is sent anywhere until the user asks to download
    dialog.download_button.click()
    qtbot.waitUntil(lambda: dialog.network.text().startswith("Offline"), timeout=10000)
    assert dialog.download_button.isEnabled() and window.settings.model_path is None  # said; the built-in model stays
    dialog.skip_button.click()
    assert not dialog.isVisible() and Settings.load().first_run_done and window.settings.model_path is None
    window.first_run = None
    window.offer_first_run()
    assert window.first_run is None  # never shown again by itself
    window.editor.setPlainText("Still writing.")
    assert window.editor.toPlainText() == "Still writing."


def test_the_recommended_model_is_downloaded_verified_and_made_active(qtbot, model_path):
    with HubServer() as hub:
        window = fresh_window(qtbot, Settings(hf_endpoint=hub.url))
        loads = []
        window.bridge.load = lambda settings: loads.append(settings.model_path)
        window.offer_first_run()
        dialog = window.first_run
        model = wait_for_advice(qtbot, dialog)
        hub.files[(model["repo"], model["file"])] = model_path.read_bytes()  # served with the built-in model's bytes
        dialog.download_button.click()
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=120000)
        active = [m for m in library.list_models(window.settings) if m.active]
        assert [m.id for m in active] == [model["id"]] and active[0].installed
        assert loads == [window.settings.model_path] and Settings.load().first_run_done
