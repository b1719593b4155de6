"""Settings → Engine: the server page (off-thread test and refresh, the http:// question) and
where API keys are kept."""

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from PySide6.QtWidgets import QMessageBox

from writer.core import secrets
from writer.core.settings import Settings
from writer.gui import i18n
from writer.gui.server_settings import ServerSettingsPage
from tests.helpers.llama_server import free_port
from tests.helpers.openai_fake import FakeOpenAI


class MemoryKeyring(KeyringBackend):
    """A keyring service that works, held in memory for the test."""
    priority = 1

    def __init__(self):
        super().__init__()
        self.passwords = {}

    def get_password(self, service, username):
        return self.passwords.get((service, username))

    def set_password(self, service, username, password):
        self.passwords[(service, username)] = password

    def delete_password(self, service, username):
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture(autouse=True)
def no_keyring(monkeypatch):
    """No keyring service, as on a desktop without one (and never the machine's own keyring)."""
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setattr(secrets, "_session", {})
    monkeypatch.delenv(secrets.ENV_KEY, raising=False)
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring():
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def fake():
    server = FakeOpenAI()
    yield server
    server.close()


def page_for(qtbot, **values) -> ServerSettingsPage:
    page = ServerSettingsPage(Settings(**values))
    qtbot.addWidget(page)
    return page


# -- keys ----------------------------------------------------------------------------------------
def test_a_key_goes_to_the_keyring_per_server(memory_keyring):
    assert secrets.set_key("http://gpu-box:8080/v1", "k1") is True
    assert memory_keyring.passwords == {("Writer", "http://gpu-box:8080"): "k1"}
    assert secrets.get_key("http://gpu-box:8080") == "k1" and secrets.get_key("http://other:8080") is None
    assert secrets.set_key("http://gpu-box:8080", None) is True and memory_keyring.passwords == {}


def test_without_a_keyring_a_key_lasts_for_the_session_only(writer_home):
    assert secrets.set_key("http://gpu-box:8080/v1", "secret-k") is False
    assert secrets.get_key("http://gpu-box:8080/") == "secret-k"
    Settings(engine="server", server_url="http://gpu-box:8080/v1").save()
    written = b"".join(p.read_bytes() for p in writer_home.rglob("*") if p.is_file())
    assert b"secret-k" not in written


def test_a_plain_text_keyring_is_never_used(memory_keyring):
    memory_keyring.priority = 0.5  # what keyrings.alt's file backends declare
    assert secrets.set_key("http://gpu-box:8080", "k") is False and memory_keyring.passwords == {}


def test_the_environment_key_wins_for_the_command_line(memory_keyring, monkeypatch):
    secrets.set_key("http://gpu-box:8080", "stored")
    assert secrets.key_for("http://gpu-box:8080") == "stored"
    monkeypatch.setenv("WRITER_API_KEY", "from-env")
    assert secrets.key_for("http://gpu-box:8080") == "from-env"


# -- the page ------------------------------------------------------------------------------------
def test_the_server_fields_follow_the_choice(qtbot):
    page = page_for(qtbot)
    assert page.local.isChecked() and not page.details.isEnabled() and not page.test.isEnabled()
    page.server.setChecked(True)
    assert page.details.isEnabled() and page.test.isEnabled()


def test_apply_writes_the_settings_and_the_key(qtbot, memory_keyring):
    page = page_for(qtbot)
    page.server.setChecked(True)
    page.url.setText("https://llm.example.com/v1")
    page.key.setText("k-123")
    page.model.setEditText("qwen2.5-7b")
    page.context.setValue(8192)
    settings = Settings()
    assert page.apply_to(settings) is True
    assert (settings.engine, settings.server_url, settings.server_model, settings.server_context) == \
           ("server", "https://llm.example.com/v1", "qwen2.5-7b", 8192)
    assert memory_keyring.passwords == {("Writer", "https://llm.example.com"): "k-123"}
    again = page_for(qtbot, **{k: getattr(settings, k) for k in ("engine", "server_url", "server_model")})
    assert again.server.isChecked() and again.key.text() == "k-123" and again.model.currentText() == "qwen2.5-7b"


def test_apply_without_a_keyring_says_the_key_lasts_for_this_session(qtbot):
    page = page_for(qtbot, engine="server", server_url="https://llm.example.com")
    page.key.setText("k")
    assert page.apply_to(Settings()) is False
    assert "until Writer quits" in page.result.text()


def test_test_connection_runs_off_the_gui_thread_and_says_what_works(qtbot, fake):
    fake.props = {"default_generation_settings": {"n_ctx": 4096}}
    page = page_for(qtbot, engine="server", server_url=fake.url)
    with qtbot.waitSignal(page.tested, timeout=10000) as signal:
        page.test.click()
        assert page.result.text() == "Connecting…" and not page.test.isEnabled()  # the click returned at once
    ok, text = signal.args
    assert ok and text == f"127.0.0.1:{fake.port} answers, no key is needed, model “fake-model” is there, with a " \
                          "context of 4096 tokens."
    assert page.result.text() == text and page.test.isEnabled()


def test_refresh_fills_the_model_list(qtbot, fake):
    fake.models = [{"id": "alpha"}, {"id": "beta"}]
    page = page_for(qtbot, engine="server", server_url=fake.url)
    with qtbot.waitSignal(page.models_listed, timeout=10000) as signal:
        page.refresh.click()
    assert signal.args == [["alpha", "beta"]]
    assert [page.model.itemText(i) for i in range(page.model.count())] == ["alpha", "beta"]
    assert page.model.currentText() == "alpha" and page.result.text() == "The server offers 2 models."


def test_a_failed_test_is_one_sentence_in_the_interface_language(qtbot):
    port = free_port()
    page = page_for(qtbot, engine="server", server_url=f"http://127.0.0.1:{port}/v1")
    with qtbot.waitSignal(page.tested, timeout=10000) as signal:
        page.test.click()
    assert signal.args == [False, f"Writer could not reach the server at 127.0.0.1:{port} within 5 seconds; check the "
                                  "address and that the server is running."]
    i18n.install("zh_CN")
    try:
        with qtbot.waitSignal(page.tested, timeout=10000) as signal:
            page.test.click()
    finally:
        i18n.install("en")
    assert signal.args[0] is False and f"127.0.0.1:{port}" in signal.args[1] and "服务器" in signal.args[1]


def test_a_key_over_http_to_another_computer_is_confirmed_once(qtbot, monkeypatch):
    asked = []
    answer = [QMessageBox.StandardButton.No]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or answer[0])
    page = page_for(qtbot, engine="server", server_url="http://gpu-box.invalid:8080/v1")
    assert page.confirm_sending_key()  # no key: nothing secret to send
    page.key.setText("k")
    page.test.click()  # declined: nothing is sent
    assert len(asked) == 1 and "gpu-box.invalid:8080" in asked[0] and page.result.text() == ""
    answer[0] = QMessageBox.StandardButton.Yes
    assert page.confirm_sending_key() and page.confirm_sending_key()
    assert len(asked) == 2  # asked again after a No, then once more only
    settings = Settings()
    page.apply_to(settings)
    assert settings.server_http_confirmed == "http://gpu-box.invalid:8080"
    assert page_for(qtbot, **vars(settings)).confirm_sending_key() and len(asked) == 2
    for safe in ("https://gpu-box.invalid/v1", "http://localhost:8080", "http://127.0.0.1:1234/v1"):
        page.url.setText(safe)
        assert page.confirm_sending_key()
    assert len(asked) == 2


def test_the_engine_takes_the_key_stored_for_its_server():
    from writer.core.errors import UserError
    from writer.engine.remote import RemoteEngine

    secrets.set_key("https://llm.example.com/v1", "stored-k")
    settings = Settings(engine="server", server_url="https://llm.example.com", server_model="m", server_context=8192)
    engine = RemoteEngine.from_settings(settings)
    assert (engine.api_key, engine.model, engine.context_setting) == ("stored-k", "m", 8192)
    assert RemoteEngine.from_settings(settings, api_key="given").api_key == "given"
    with pytest.raises(UserError) as info:
        RemoteEngine.from_settings(Settings(engine="server"))
    assert info.value.code == "server.no_url"


def test_a_bad_address_keeps_the_settings_open(qtbot):
    page = page_for(qtbot)
    assert page.ready_to_apply()  # this computer, nothing typed
    page.server.setChecked(True)
    page.url.setText("gpu-box:8080")
    assert not page.ready_to_apply()
    assert page.result.text() == "'gpu-box:8080' is not a server address; it should look like http://localhost:8080 " \
                                 "or https://llm.example.com/v1."
    page.url.setText("http://gpu-box:8080")
    assert page.ready_to_apply()
