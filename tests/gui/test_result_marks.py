"""Findings in the editor: each one sentence in the panel, in the interface language, the part of
the result it is about highlighted, and Apply still offered (a finding never blocks it)."""

import pytest

from tests.helpers.fakes import FakeEngine
from writer.core.events import Delta, Done, Note
from writer.core.messages import msg
from writer.core.settings import Settings
from writer.gui import ask_panel, i18n
from writer.gui.ask_panel import AskPanel
from writer.gui.engine_bridge import EngineBridge
from writer.gui.panels import RewritePanel, TranslatePanel

CHANGED = Note(msg("result.fact_changed", "{result} has {found} where your text has {expected}.",
                   result=msg("result.kind.translation", "The translation"), found="33万", expected="680,000"),
               ("33万",))
LIBRARY = "第一章\n\n市图书馆共有藏书68万册，将从三月一日起闭馆装修。\n\n第二章\n\n老王负责仓库的钥匙，每天早上七点开门。\n"


@pytest.fixture
def chinese():
    yield i18n.install("zh_CN")
    i18n.install("en")


def marked(edit):
    return [s.cursor.selectedText() for s in edit.extraSelections()]


def finish(panel, result, *notes):
    panel.begin(1, (0, 10, "The library has 680,000 books."))
    panel.handle_event(Delta(result))
    for note in notes:
        panel.handle_event(note)
    panel.handle_event(Done(result, "stop"))


def test_a_changed_number_is_said_and_highlighted_and_apply_stays_offered(qtbot):
    panel = TranslatePanel()
    qtbot.addWidget(panel)
    finish(panel, "图书馆有33万本书，其中33万是旧书。", CHANGED)
    assert "The translation has 33万 where your text has 680,000." in panel.status.text()
    assert marked(panel.output) == ["33万", "33万"]
    assert panel.replace_button.isEnabled() and panel.insert_button.isEnabled()
    panel.discard()
    assert marked(panel.output) == []


def test_the_finding_speaks_the_interface_language(qtbot, chinese):
    panel = TranslatePanel()
    qtbot.addWidget(panel)
    finish(panel, "图书馆有33万本书。", CHANGED)
    assert "译文中是 33万，而你的文本中是 680,000。" in panel.status.text()


def test_marks_show_in_the_changes_view_too(qtbot):
    panel = RewritePanel()
    qtbot.addWidget(panel)
    added = "This is a corrected version of the text."
    note = Note(msg("result.closing_note", "The result ends with a remark about itself, not your text: “{text}”; "
                    "delete it before applying.", text=added), (added,))
    finish(panel, "The library has 680,000 books. " + added, note)
    assert panel.diff_toggle.isChecked() and "#d3f5dd" in panel.output.toHtml()  # the changes view
    assert marked(panel.output) == [added]
    panel.diff_toggle.setChecked(False)
    assert marked(panel.output) == [added]


def test_an_ungrounded_answer_is_flagged_beside_it(qtbot, monkeypatch):
    monkeypatch.setattr(ask_panel, "INDEX_DELAY_MS", 20)
    engine = FakeEngine(lambda m: "图书馆有33万册藏书。", context=2048)
    bridge = EngineBridge(lambda current, settings, on_death: engine)
    bridge.session.load(Settings())
    panel = AskPanel(lambda: LIBRARY, bridge)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: not panel.indexer.busy, timeout=5000)
    panel.question.setText("图书馆有多少藏书？")
    panel.ask_button.click()
    qtbot.waitUntil(lambda: panel.job is None and panel.ask_button.isEnabled(), timeout=5000)
    page = panel.output.toHtml()
    assert "Not in the sources: 33万; check the answer against them." in panel.output.toPlainText()
    assert "background-color:#ffe08a" in page.replace(" ", "")  # the number is highlighted in the answer
    assert "Not in the sources" in panel.status.text()
    assert panel.insert_button.isEnabled() and panel.answer == "图书馆有33万册藏书。"
