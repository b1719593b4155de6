"""Settings → Engine: this computer's model, or an OpenAI-compatible server (address, key, model,
CA file, context length), with Refresh for the server's models and Test connection. Both talk to
the server in the background (writer.gui.background); only the latest question is answered. Nothing is sent
until the user chooses a server and asks (or applies the settings)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup, QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
    QPushButton, QRadioButton, QSpinBox, QVBoxLayout, QWidget,
)

from writer.core import secrets
from writer.core.errors import WriterError
from writer.core.server_url import is_this_computer, server_root
from writer.core.settings import CONTEXT, Settings
from writer.gui.background import Background
from writer.gui.i18n import tr, tr_message


class ServerSettingsPage(QWidget):
    tested = Signal(bool, str)  # the connection test ended: whether it worked, and the sentence shown
    models_listed = Signal(list)  # the server's models, after Refresh

    def __init__(self, settings: Settings, parent=None) -> None:
        super().__init__(parent)
        self._http_confirmed = settings.server_http_confirmed
        self._jobs = Background(self)  # one kind: a test or a refresh replaces the question before it

        self.local = QRadioButton(tr("This computer"))
        self.server = QRadioButton(tr("A server"))
        choice = QButtonGroup(self)
        for button in (self.local, self.server):
            choice.addButton(button)
        (self.server if settings.engine == "server" else self.local).setChecked(True)
        self.server.toggled.connect(self._sync)

        self.url = QLineEdit(settings.server_url or "")
        self.url.setPlaceholderText("http://localhost:8080/v1")
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText(tr("Only if the server asks for one"))
        if settings.server_url:  # a valid address: Settings.load checks it
            self.key.setText(secrets.get_key(settings.server_url) or "")
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.setEditText(settings.server_model or "")
        self.model.lineEdit().setPlaceholderText(tr("The first model the server lists"))
        self.refresh = QPushButton(tr("Refresh"))
        self.refresh.clicked.connect(self.refresh_models)
        self.ca_file = QLineEdit(settings.server_ca_file or "")
        self.ca_file.setPlaceholderText(tr("Only for a server with an internal certificate"))
        browse = QPushButton(tr("Browse…"))
        browse.clicked.connect(self._browse)
        self.context = QSpinBox()
        self.context.setRange(0, CONTEXT.high)
        self.context.setSingleStep(1024)
        self.context.setSpecialValueText(tr("As the server says (else 2048)"))
        self.context.setValue(settings.server_context or 0)
        self.context.setSuffix(" " + tr("tokens"))
        self.test = QPushButton(tr("Test connection"))
        self.test.clicked.connect(self.test_connection)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setObjectName("hint")

        form = QFormLayout()
        form.addRow(tr("Address"), self.url)
        form.addRow(tr("API key"), self.key)
        form.addRow(tr("Model"), _row(self.model, self.refresh))
        form.addRow(tr("CA certificate"), _row(self.ca_file, browse))
        form.addRow(tr("Context length"), self.context)
        self.details = QWidget()
        self.details.setLayout(form)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(tr("Where the model runs")))
        layout.addWidget(self.local)
        layout.addWidget(self.server)
        layout.addWidget(self.details)
        layout.addWidget(_row(self.test, None))
        layout.addWidget(self.result)
        self._sync()

    def _sync(self) -> None:
        for widget in (self.details, self.test):
            widget.setEnabled(self.server.isChecked())

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Choose the CA certificate"), "",
                                              tr("Certificates (*.pem *.crt *.cer);;All files (*)"))
        if path:
            self.ca_file.setText(path)

    # -- what the page says ---------------------------------------------------------------------
    def choice(self) -> Settings:
        """The page's values as settings (the rest left at their defaults)."""
        return Settings(engine="server" if self.server.isChecked() else "local",
                        server_url=self.url.text().strip() or None,
                        server_model=self.model.currentText().strip() or None,
                        server_ca_file=self.ca_file.text().strip() or None,
                        server_context=self.context.value() or None,
                        server_http_confirmed=self._http_confirmed)

    def ready_to_apply(self) -> bool:
        """Call before applying (the dialog's OK): False, with the reason on the page, when the
        address is not one, or when the user does not want the key sent unencrypted."""
        if not self.server.isChecked() and not self.url.text().strip():
            return True
        try:
            server_root(self.url.text())
        except WriterError as exc:
            self.result.setText(tr_message(exc.message))
            return False
        return self.confirm_sending_key()

    def confirm_sending_key(self) -> bool:
        """An http:// address to another computer with a key sends that key readable on the way:
        asks once per server. True when it may go ahead."""
        url, key = self.url.text().strip(), self.key.text().strip()
        try:
            root = server_root(url)
        except WriterError:
            return True  # nothing will be sent to an address that is not one
        if not key or not root.startswith("http://") or is_this_computer(url) or root == self._http_confirmed:
            return True
        answer = QMessageBox.question(
            self, tr("Send the key unencrypted?"),
            tr("{url} is not encrypted (http://, not https://): the API key and your text can be read on the way to "
               "{host}. Use this server anyway?", url=root, host=root.split("://", 1)[1]),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self._http_confirmed = root
        return True

    def apply_to(self, settings: Settings) -> bool:
        """Writes the page into `settings` and the key into the keyring (after ready_to_apply()).
        False when no keyring service runs, so the key lasts only until Writer quits (the page
        says so)."""
        choice = self.choice()
        for name in ("engine", "server_url", "server_model", "server_ca_file", "server_context", "server_http_confirmed"):
            setattr(settings, name, getattr(choice, name))
        if not choice.server_url:
            return True
        kept = secrets.set_key(choice.server_url, self.key.text().strip() or None)
        if not kept and self.key.text().strip():
            self.result.setText(tr("No keyring service runs on this computer, so the key is kept only until Writer quits."))
        return kept

    # -- talking to the server, off the GUI thread ---------------------------------------------------
    def _start(self, kind: str, work, waiting: str) -> None:
        from writer.engine.remote import RemoteEngine

        if not self.confirm_sending_key():
            return
        self.result.setText(waiting)
        self.test.setEnabled(False)
        self.refresh.setEnabled(False)
        choice, key = self.choice(), self.key.text().strip() or None  # read on the GUI thread

        def run():
            engine = RemoteEngine(choice.server_url or "", api_key=key, model=choice.server_model,
                                  ca_file=choice.server_ca_file, context=choice.server_context)
            try:
                return work(engine)
            finally:
                engine.close()
        self._jobs.run("server", run, done=lambda payload: self._answer(kind, True, payload),
                       failed=lambda message: self._answer(kind, False, message))

    def test_connection(self) -> None:
        self._start("test", lambda engine: engine.test_connection(), tr("Connecting…"))

    def refresh_models(self) -> None:
        self._start("models", lambda engine: engine.list_models(), tr("Asking the server for its models…"))

    def _answer(self, kind: str, ok: bool, payload) -> None:
        self._sync()
        self.refresh.setEnabled(True)
        if kind == "models" and ok:
            typed = self.model.currentText()
            self.model.clear()
            self.model.addItems(payload)
            self.model.setEditText(typed if typed in payload or not payload else payload[0])
            self.result.setText(tr("The server offers {count} models.", count=len(payload)) if len(payload) != 1
                                else tr("The server offers 1 model."))
            self.models_listed.emit(payload)
            return
        text = tr_message(payload)
        self.result.setText(text)
        if kind == "test":
            self.tested.emit(ok, text)


def _row(widget: QWidget, button: QWidget | None) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget, 1 if button is not None else 0)
    if button is not None:
        layout.addWidget(button)
    else:
        layout.addStretch(1)
    return row
