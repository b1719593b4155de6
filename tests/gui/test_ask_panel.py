"""The Ask panel with a scripted engine: streaming, sources, follow-ups, bad input, indexing."""

import threading

import pytest
from PySide6.QtGui import QGuiApplication

from tests.helpers.ask_documents import ENGLISH
from tests.helpers.fakes import FakeEngine
from writer.core import retrieval
from writer.core.settings import Settings
from writer.gui import ask_panel
from writer.gui.ask_panel import AskPanel
from writer.gui.engine_bridge import EngineBridge


class Document:
    """The editor's text as the panel sees it: a snapshot taken on request."""

    def __init__(self, text):
        self.text = text
        self.snapshots = 0

    def __call__(self):
        self.snapshots += 1
        return self.text


@pytest.fixture
def panel(qtbot, monkeypatch):
    monkeypatch.setattr(ask_panel, "INDEX_DELAY_MS", 20)

    def make(text=ENGLISH, answer=lambda m: "Tomas keeps the key.", delay=0.0, load=True):
        document = Document(text)
        engine = FakeEngine(answer, delay, context=2048, load_delay=0 if load else 0.5)
        bridge = EngineBridge(lambda current, settings, on_death: engine)
        widget = AskPanel(document, bridge)
        qtbot.addWidget(widget)
        widget.engine_fake, widget.bridge, widget.document = engine, bridge, document
        if load:
            bridge.session.load(Settings())
        widget.show()  # a shown panel keeps its index current
        qtbot.waitUntil(lambda: not widget.indexer.busy, timeout=5000)
        return widget

    return make


def ask(qtbot, panel, question):
    panel.question.setText(question)
    panel.ask_button.click()
    qtbot.waitUntil(lambda: panel.job is None and panel.ask_button.isEnabled(), timeout=5000)


def test_answer_streams_with_sources_and_clicking_one_selects_its_lines(qtbot, panel):
    p = panel()
    assert p.scope_label.text() == "Asks about the whole document."
    ask(qtbot, p, "Who keeps the key to the boat shed?")
    assert p.answer == "Tomas keeps the key."
    assert "Tomas keeps the key." in p.output.toPlainText()
    assert p.sources.count() >= 1
    item = p.sources.item(0)
    assert item.text().startswith("lines 10–11: “")
    with qtbot.waitSignal(p.source_clicked) as clicked:
        p.sources.itemClicked.emit(item)
    assert clicked.args == [10, 11]
    assert p.copy_button.isEnabled() and p.insert_button.isEnabled()
    with qtbot.waitSignal(p.insert_requested) as inserted:
        p.insert_button.click()
    assert inserted.args == ["Tomas keeps the key."]
    p.copy_button.click()
    assert QGuiApplication.clipboard().text() == "Tomas keeps the key."


def test_the_document_does_not_say(qtbot, panel):
    p = panel()
    ask(qtbot, p, "What is the capital of France?")
    assert "The document does not seem to say." in p.output.toPlainText()
    assert p.sources.count() == 0 and p.answer == ""
    assert not p.insert_button.isEnabled()
    assert p.engine_fake.requests == []


def test_follow_up_continues_and_new_conversation_clears(qtbot, panel):
    p = panel(answer=lambda m: "Tomas." if len(m) == 2 else "At the end of the season.")
    ask(qtbot, p, "Who keeps the key to the boat shed?")
    assert p.new_button.isEnabled()
    ask(qtbot, p, "And when does it expire?")
    assert p.answer == "At the end of the season."
    shown = p.output.toPlainText()
    assert shown.index("Who keeps the key") < shown.index("Tomas.") < shown.index("And when") < shown.index("At the end")
    assert len(p.engine_fake.conversations[1]) == 4  # system, first question, first answer, follow-up
    p.new_button.click()
    assert p.output.toPlainText() == "" and p.sources.count() == 0
    ask(qtbot, p, "Who keeps the key to the boat shed?")
    assert len(p.engine_fake.conversations[2]) == 2


def test_selection_is_the_scope(qtbot, panel):
    p = panel()
    lines = ENGLISH.splitlines()
    p.set_selection("\n".join(lines[9:11]), first_line=10)
    assert p.scope_label.text() == "Asks about the selection."
    ask(qtbot, p, "Who keeps the key?")
    system = p.engine_fake.conversations[0][0]["content"]
    assert "Tomas" in system and "Mara" not in system  # nothing from outside the selection
    assert p.sources.item(0).text().startswith("lines 10–11")
    p.set_selection("")
    assert p.scope_label.text() == "Asks about the whole document."


def test_stop_ends_the_answer(qtbot, panel):
    p = panel(answer=lambda m: "word " * 200, delay=0.01)
    p.question.setText("Who keeps the key to the boat shed?")
    p.ask_button.click()
    qtbot.waitUntil(lambda: p.answer != "", timeout=5000)
    p.stop_button.click()
    qtbot.waitUntil(lambda: p.job is None, timeout=5000)
    assert p.status.text() == "Stopped. You can still use what was written."
    assert p.answer.count("word") < 200


@pytest.mark.parametrize("question, text, expected", [
    ("", ENGLISH, "Type a question about the document first."),
    ("Who?", "   \n", "There is nothing to ask about: the document is empty."),
    ("Who?", "PK\x03\x04\x00\x00binary", "The document contains binary data; Ask works on plain text only."),
    ("Who keeps the key? " + "very " * 3000, ENGLISH,
     "The question is too long for the model's context of 2048 tokens; shorten it."),
])
def test_bad_input_is_one_sentence_in_the_panel(qtbot, panel, question, text, expected):
    p = panel(text=text)
    p.question.setText(question)
    p.ask_button.click()
    qtbot.waitUntil(lambda: p.status.text() == expected, timeout=5000)
    assert p.job is None and p.ask_button.isEnabled()


def test_question_asked_while_the_model_loads_waits_for_it(qtbot, panel):
    p = panel(load=False)
    p.bridge.load(Settings())
    p.question.setText("Who keeps the key to the boat shed?")
    p.ask_button.click()
    qtbot.waitUntil(lambda: p.status.text() == "Waiting for the model to load…", timeout=5000)
    qtbot.waitUntil(lambda: p.answer == "Tomas keeps the key." and p.job is None, timeout=5000)


def test_an_answer_is_a_session_job_the_status_and_busy_checks_see(qtbot, panel):
    p = panel(answer=lambda m: "Tomas keeps the key. " * 20, delay=0.01)
    states = []
    p.bridge.state_changed.connect(lambda state, detail: states.append(state))
    p.question.setText("Who keeps the key to the boat shed?")
    p.ask_button.click()
    qtbot.waitUntil(lambda: p.answer != "", timeout=5000)
    assert p.bridge.busy and p.bridge.session.state == "busy"
    # The answer streams into a paragraph of its own, not into the bold question's.
    question, answer = p.output.document().firstBlock(), p.output.document().lastBlock()
    assert question.text() == "Who keeps the key to the boat shed?" and answer.text().startswith("Tomas")
    assert not answer.charFormat().font().bold() and not answer.begin().fragment().charFormat().font().bold()
    qtbot.waitUntil(lambda: p.job is None, timeout=5000)
    assert not p.bridge.busy
    qtbot.waitUntil(lambda: states[-2:] == ["busy", "ready"], timeout=5000)


def test_a_hidden_panel_does_not_index_every_pause_in_typing(qtbot, panel, monkeypatch):
    p = panel()
    p.hide()
    before = p.document.snapshots
    p.document.text = ENGLISH.replace("Tomas", "Ingrid")
    p.document_changed()
    qtbot.wait(200)
    assert p.document.snapshots == before and not p.indexer.current
    p.show()
    qtbot.waitUntil(lambda: p.indexer.current, timeout=5000)
    assert "Ingrid" in p.indexer.index.text


def test_edits_are_indexed_once_typing_pauses_off_the_gui_thread(qtbot, panel, monkeypatch):
    p = panel()
    threads = []
    build = retrieval.PassageIndex.build.__func__

    def recording_build(cls, *args, **kwargs):
        threads.append(threading.current_thread())
        return build(cls, *args, **kwargs)

    monkeypatch.setattr(retrieval.PassageIndex, "build", classmethod(recording_build))
    before = p.document.snapshots
    for word in ("Ingrid", "Ingrid Berg", "Ingrid Bergman"):
        p.document.text = ENGLISH.replace("Tomas", word)
        p.document_changed()
    assert not p.indexer.current
    qtbot.waitUntil(lambda: p.indexer.current, timeout=5000)
    assert p.document.snapshots == before + 1  # debounced: one snapshot for three edits
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert "Ingrid Bergman" in p.indexer.index.text


def test_question_asked_while_indexing_waits_for_the_index(qtbot, panel):
    p = panel()
    p.document.text = ENGLISH.replace("Tomas", "Ingrid")
    p.document_changed()
    ask(qtbot, p, "Who keeps the key to the boat shed?")
    qtbot.waitUntil(lambda: p.sources.count() > 0, timeout=5000)
    assert "Ingrid" in p.engine_fake.conversations[0][0]["content"]


def test_panel_speaks_chinese(qtbot, panel):
    from writer.gui import i18n
    i18n.install("zh_CN")
    try:
        p = panel()
        assert p.scope_label.text() == "针对整篇文档提问。"
        assert p.new_button.text() == "新对话"
        ask(qtbot, p, "What is the capital of France?")
        assert "文档中似乎没有提到。" in p.output.toPlainText()
    finally:
        i18n.install("en")
