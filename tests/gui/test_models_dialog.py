"""The model manager dialog against the local hub."""

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.helpers.hub_server import HubServer
from writer.core import library
from writer.core.settings import Settings
from writer.gui.models_dialog import ModelManagerDialog

STATUS = ModelManagerDialog.COLUMNS.index("status")
REPO, FILE = "Qwen/Qwen2.5-0.5B-Instruct-GGUF", "qwen2.5-0.5b-instruct-q4_k_m.gguf"
META = {"name": "fake", "parameters": 5e8, "quantization": "Q4_K_M", "context_train": 32768, "layers": 24,
        "chat_template": True}


@pytest.fixture
def hub(model_path):
    with HubServer() as server:
        server.files[(REPO, FILE)] = model_path.read_bytes()
        yield server


def make(qtbot, settings, probe=lambda path: META):
    dialog = ModelManagerDialog(settings, probe)
    qtbot.addWidget(dialog)
    return dialog


def select(dialog, model_id):
    row = [m.id for m in dialog.models].index(model_id)
    dialog.table.selectRow(row)
    return row


def test_lists_default_and_catalog_with_the_active_one_marked(qtbot):
    dialog = make(qtbot, Settings(hf_endpoint="http://127.0.0.1:9"))
    assert dialog.table.rowCount() == 1 + len(library.catalog())
    assert dialog.table.item(0, STATUS).text() == "Active" and dialog.table.item(0, 0).font().bold()
    select(dialog, "qwen2.5-1.5b")
    assert "Qwen/Qwen2.5-1.5B-Instruct-GGUF" in dialog.details.text()
    # The memory check (nvidia-smi may be slow) runs off the GUI thread; its estimate follows.
    qtbot.waitUntil(lambda: "GB" in dialog.details.text(), timeout=10000)
    assert "Checking this computer" not in dialog.details.text()
    assert dialog.download_button.isEnabled() and not dialog.use_button.isEnabled()


def test_offline_is_reported_within_seconds(qtbot):
    dialog = make(qtbot, Settings(hf_endpoint="http://127.0.0.1:9"))
    qtbot.waitUntil(lambda: dialog.network.text().startswith("Offline"), timeout=6000)


def test_download_verify_and_use(qtbot, hub):
    settings = Settings(hf_endpoint=hub.url)
    dialog = make(qtbot, settings)
    qtbot.waitUntil(lambda: dialog.network.text().startswith("Connected"), timeout=6000)
    row = select(dialog, "qwen2.5-0.5b")
    dialog.download_button.click()
    assert dialog.cancel_button.isVisibleTo(dialog) and not dialog.download_button.isEnabled()
    qtbot.waitUntil(lambda: "verified" in dialog.progress_label.text(), timeout=60000)
    assert dialog.table.item(row, STATUS).text() == "Installed"
    assert "24 layers" in dialog.details.text()
    with qtbot.waitSignal(dialog.model_chosen):
        dialog.use_button.click()
    assert settings.model_path.endswith(FILE) and Settings.load().model_path == settings.model_path
    assert dialog.table.item(select(dialog, "qwen2.5-0.5b"), STATUS).text() == "Active"


def test_a_dropped_connection_is_resumed_while_the_dialog_says_so(qtbot, hub):
    hub.drop_after, hub.drops = 20_000_000, 1
    dialog = make(qtbot, Settings(hf_endpoint=hub.url))
    row = select(dialog, "qwen2.5-0.5b")
    dialog.download_button.click()
    qtbot.waitUntil(lambda: "connection dropped, resuming (try 1 of 5)" in dialog.progress_label.text(), timeout=30000)
    qtbot.waitUntil(lambda: "verified" in dialog.progress_label.text(), timeout=60000)
    assert dialog.table.item(row, STATUS).text() == "Installed"


def test_failed_verification_offers_retry_and_lists_nothing(qtbot, hub):
    hub.wrong_etag = True
    dialog = make(qtbot, Settings(hf_endpoint=hub.url))
    row = select(dialog, "qwen2.5-0.5b")
    dialog.download_button.click()
    qtbot.waitUntil(lambda: "did not verify" in dialog.progress_label.text(), timeout=60000)
    assert "retry" in dialog.progress_label.text().lower()
    assert dialog.table.item(row, STATUS).text() == "Not downloaded" and dialog.download_button.isEnabled()


def test_cancel_pauses_a_slow_download(qtbot, hub):
    hub.delay = 0.05
    dialog = make(qtbot, Settings(hf_endpoint=hub.url))
    select(dialog, "qwen2.5-0.5b")
    dialog.download_button.click()
    qtbot.waitUntil(lambda: "MB/s" in dialog.progress_label.text(), timeout=10000)
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: "paused" in dialog.progress_label.text(), timeout=5000)
    assert not dialog.progress.isVisibleTo(dialog)


def test_import_rejects_a_file_that_is_not_a_model(qtbot, tmp_path):
    bad = tmp_path / "notes.gguf"
    bad.write_text("hello")
    dialog = make(qtbot, Settings(hf_endpoint="http://127.0.0.1:9"))
    dialog.import_file(str(bad))
    qtbot.waitUntil(lambda: "not a GGUF model file" in dialog.progress_label.text(), timeout=5000)


def test_import_real_file_through_the_worker_then_remove(qtbot, tmp_path, model_path, monkeypatch):
    from writer.engine.client import EngineClient

    copy = tmp_path / "my-model.gguf"
    copy.write_bytes(model_path.read_bytes())
    client = EngineClient()
    try:
        dialog = make(qtbot, Settings(hf_endpoint="http://127.0.0.1:9"), probe=client.probe)
        dialog.import_file(str(copy))
        qtbot.waitUntil(lambda: "Imported" in dialog.progress_label.text(), timeout=30000)
        select(dialog, "my-model")
        assert "30 layers" in dialog.details.text() and "chat template" in dialog.details.text()
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
        dialog.remove_selected()
        assert "my-model" not in [m.id for m in dialog.models]
        assert copy.exists()  # an imported file is never deleted
    finally:
        client.close()


def test_search_the_hub_and_download_a_file(qtbot, hub, monkeypatch):
    answers = iter([(REPO, True), (FILE, True)])  # pick the repository, then its file
    monkeypatch.setattr("writer.gui.models_dialog.QInputDialog.getItem", lambda *a, **k: next(answers))
    dialog = make(qtbot, Settings(hf_endpoint=hub.url))
    dialog.search.setText("qwen")
    dialog.search_hub()
    qtbot.waitUntil(lambda: "verified" in dialog.progress_label.text(), timeout=60000)
    assert "qwen2.5-0.5b" in [m.id for m in dialog.models if m.installed]  # recognised as the catalog model
