"""The editor window, driven as a user drives it (offscreen)."""

import pytest
from PySide6.QtGui import QFont, QGuiApplication, QTextCursor
from PySide6.QtWidgets import QApplication, QMessageBox, QTableWidget

from tests.helpers.fakes import fake_engines
from writer.core.settings import Settings
from writer.gui.dialogs import FindReplaceDialog, SettingsDialog, ShortcutsDialog, plain_label
from writer.gui.engine_bridge import EngineBridge
from writer.gui.main_window import MainWindow

DOC = "# Notes\n\nThe boats was leaving early.\n\n今天早上很冷。\n"


pytestmark = pytest.mark.usefixtures("discard_on_close")


@pytest.fixture
def make_window(qtbot):
    def make(delay=0.0, bridge=None):
        bridge = bridge or EngineBridge(fake_engines(delay=delay))
        window = MainWindow(Settings(temperature=0, edit_temperature=0), bridge)  # greedy: the real model answers the same each run
        qtbot.addWidget(window)
        window.editor.setPlainText(DOC)
        window.editor.document().setModified(False)
        window.show()
        with qtbot.waitSignal(bridge.model_loaded, timeout=60000):
            window.start_engine()
        return window
    return make


def select_block(window, number):
    block = window.editor.document().findBlockByNumber(number)
    cursor = QTextCursor(block)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
    window.editor.setTextCursor(cursor)
    return block.text()


def run_and_wait(qtbot, window, action, timeout=5000):
    window.run_action(action)
    panel = window.panels[action]
    qtbot.waitUntil(lambda: panel.job is None, timeout=timeout)
    return panel


def test_rewrite_streams_then_replace_is_one_undo_step(qtbot, make_window):
    window = make_window()
    original = select_block(window, 2)
    panel = run_and_wait(qtbot, window, "rewrite")
    assert panel.result == "Echo: " + original
    assert "Show changes" == panel.diff_toggle.text() and panel.diff_toggle.isVisibleTo(panel)
    panel.replace_button.click()
    assert window.editor.document().findBlockByNumber(2).text() == "Echo: " + original
    window.editor.undo()
    assert window.editor.toPlainText() == DOC


def test_each_panel_runs_its_action(qtbot, make_window):
    window = make_window()
    for action in ("generate", "summarize", "translate", "rewrite"):
        select_block(window, 4)
        panel = run_and_wait(qtbot, window, action)
        assert panel.result.strip(), action
    engine = window.bridge.session.engine
    assert any("Translate" in r for r in engine.requests) and any("Summarize" in r for r in engine.requests)


def test_edits_sample_faithfully_and_new_text_more_freely(qtbot, make_window):
    window = make_window()
    window.settings.temperature, window.settings.edit_temperature = 0.9, 0.1
    for action in ("generate", "rewrite"):
        select_block(window, 2)
        run_and_wait(qtbot, window, action)
    assert [p["temperature"] for p in window.bridge.session.engine.params[-2:]] == [0.9, 0.1]


def test_insert_below_copy_and_discard(qtbot, make_window):
    window = make_window()
    original = select_block(window, 2)
    panel = run_and_wait(qtbot, window, "translate")
    panel.copy_button.click()
    assert QGuiApplication.clipboard().text() == panel.result
    panel.insert_button.click()
    assert (original + "\n\nEcho: " + original) in window.editor.toPlainText()
    window.editor.undo()
    assert window.editor.toPlainText() == DOC
    panel = run_and_wait(qtbot, window, "translate")
    panel.discard_button.click()
    assert panel.result == "" and not panel.replace_button.isEnabled()


def test_stop_stops_a_running_action(qtbot, make_window):
    window = make_window(delay=0.2)
    long_text = "The boats left. " * 20
    window.editor.setPlainText(long_text)
    window.editor.selectAll()
    window.run_action("rewrite")
    panel = window.panels["rewrite"]
    qtbot.waitUntil(lambda: panel.result != "", timeout=5000)
    panel.stop_button.click()
    qtbot.waitUntil(lambda: panel.job is None, timeout=2000)
    assert panel.status.text().startswith("Stopped")
    assert window.editor.toPlainText() == long_text


def test_replace_refuses_when_the_selection_changed(qtbot, make_window):
    window = make_window()
    select_block(window, 2)
    panel = run_and_wait(qtbot, window, "rewrite")
    cursor = window.editor.textCursor()
    cursor.setPosition(12)
    cursor.insertText("XYZ")  # the user edits inside the selected text meanwhile
    before = window.editor.toPlainText()
    panel.replace_button.click()
    assert window.editor.toPlainText() == before
    assert "changed" in panel.status.text()


def test_replace_reanchors_when_text_moved(qtbot, make_window):
    window = make_window()
    original = select_block(window, 2)
    panel = run_and_wait(qtbot, window, "rewrite")
    cursor = window.editor.textCursor()
    cursor.setPosition(0)
    cursor.insertText("Added at the top.\n")
    panel.replace_button.click()
    assert "Echo: " + original in window.editor.toPlainText()
    assert window.editor.toPlainText().startswith("Added at the top.")


def test_context_menu_offers_one_click_rewrite_and_translate(make_window):
    window = make_window()
    labels = [a.text() for a in window.editor._context_actions]
    assert labels == ["Translate Selection", "Rewrite Selection"]
    shortcuts = {a.text(): a.shortcut().toString() for a in window.all_actions}
    assert shortcuts["Rewrite Selection"] == "Ctrl+Shift+R" and shortcuts["Translate Selection"] == "Ctrl+Shift+T"


def test_help_lists_every_shortcut_by_its_plain_name(qtbot, make_window):
    window = make_window()
    dialog = ShortcutsDialog(window.all_actions, window)
    qtbot.addWidget(dialog)
    table = dialog.findChild(QTableWidget)
    rows = {table.item(i, 0).text(): table.item(i, 1).text() for i in range(table.rowCount())}
    for name in ("Generate Selection", "Summarize Selection", "Translate Selection", "Rewrite Selection", "Stop"):
        assert rows[name], name
    assert "Open" in rows and "Find and Replace" in rows  # no accelerator marks or ellipses
    assert plain_label("打开(&O)…") == "打开" and plain_label("Save &As…") == "Save As"


def test_empty_document_gives_a_clear_message(qtbot, make_window):
    window = make_window()
    window.editor.clear()
    window.run_action("summarize")
    assert "no text to summarize" in window.panels["summarize"].status.text()


def test_save_is_atomic_and_asks_before_overwriting_outside_changes(qtbot, make_window, tmp_path, monkeypatch):
    path = tmp_path / "notes 笔记.md"
    path.write_text("first\r\nversion\r\n", encoding="utf-8", newline="")
    window = make_window()
    assert window.open_file(str(path))
    cursor = window.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertText("more")
    path.write_text("changed elsewhere\n")
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    assert window.save() is False
    assert path.read_text() == "changed elsewhere\n"
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Save)
    assert window.save() is True
    assert path.read_bytes() == b"first\r\nversion\r\nmore"  # line endings kept
    assert [p.name for p in tmp_path.iterdir() if p.name != "writer-home"] == ["notes 笔记.md"]  # no temp files left


def test_closing_with_unsaved_changes_asks(qtbot, make_window, monkeypatch):
    window = make_window()
    window.editor.appendPlainText("unsaved")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    assert window.close() is False and window.isVisible()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    assert window.close() is True


def test_non_utf8_file_asks_for_the_encoding(qtbot, make_window, tmp_path, monkeypatch):
    path = tmp_path / "gbk.txt"
    path.write_bytes("中文文本".encode("gb18030"))
    window = make_window()
    monkeypatch.setattr("writer.gui.document_controller.QInputDialog.getItem", lambda *a, **k: ("gb18030", True))
    assert window.open_file(str(path))
    assert window.editor.toPlainText() == "中文文本"


def test_word_count_counts_chinese_characters(qtbot, make_window):
    window = make_window()
    # Six English words and six Chinese characters; '#' and '。' are not words.
    qtbot.waitUntil(lambda: window.counts.text() == "12 words · 42 characters", timeout=2000)


def test_ten_megabyte_document_opens_and_is_counted_in_slices(qtbot, make_window, tmp_path, monkeypatch):
    import writer.gui.counts as counts

    path = tmp_path / "big.md"
    path.write_text("## Part\n\nA line of a very long document, with some *words* in it.\n" * 160_000)
    assert path.stat().st_size > 10_000_000
    window = make_window()
    assert window.open_file(str(path))
    slices, count = [], counts.count_words
    monkeypatch.setattr(counts, "count_words", lambda text: slices.append(len(text)) or count(text))
    window.editor.insertPlainText("typed")
    qtbot.waitUntil(lambda: window.counts.text().startswith("2,080,00"), timeout=20000)
    # Counted a slice per event-loop turn, so typing never waits for a whole 10 MB count.
    assert len(slices) > 40 and max(slices) < 2 * counts.COUNT_SLICE
    # Selecting it all is counted the same way, for the panels' "Uses the selection" line.
    slices.clear()
    window.editor.selectAll()
    panel = window.panels["rewrite"]
    qtbot.waitUntil(lambda: panel.source_label.text().startswith("Uses the selection (20800"), timeout=20000)
    assert len(slices) > 40 and max(slices) < 2 * counts.COUNT_SLICE


def test_find_and_replace_all_is_one_undo_step(qtbot, make_window):
    window = make_window()
    dialog = FindReplaceDialog(window.editor, window)
    dialog.find_text.setText("e")
    dialog.replace_text.setText("E")
    assert dialog.replace_all() > 3
    window.editor.undo()
    assert window.editor.toPlainText() == DOC


def test_settings_dialog_round_trip(qtbot):
    settings = Settings(model_path="/m/x.gguf", n_ctx=8192, gpu_layers=20, threads=3, temperature=0.3, edit_temperature=0.1,
                        hf_endpoint="https://mirror.example", language="zh_CN", read_ahead=False)
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    copy = Settings()
    dialog.apply_to(copy)
    assert copy.edit_temperature == 0.1 and copy.temperature_for("proofread") == 0.1 and copy.temperature_for("generate") == 0.3
    assert (copy.model_path, copy.n_ctx, copy.gpu_layers, copy.threads, copy.temperature, copy.hf_endpoint,
            copy.language, copy.read_ahead) == ("/m/x.gguf", 8192, 20, 3, 0.3, "https://mirror.example", "zh_CN", False)
    copy.save()
    assert Settings.load().gpu_layers == 20


def test_window_layout_is_remembered(qtbot, make_window, monkeypatch):
    window = make_window()
    window.resize(700, 500)
    window.docks["summarize"].raise_()
    window.close()
    again = MainWindow(Settings.load(), EngineBridge(fake_engines()))
    qtbot.addWidget(again)
    assert again.size().width() == 700
    assert not any(key.startswith("window.") for key in Settings.load().last_options)  # not in the core settings


@pytest.mark.model
def test_real_model_end_to_end(qtbot, make_window):
    """The real worker and the default model: select, rewrite, review, replace, undo."""
    window = make_window(bridge=EngineBridge())
    try:
        assert window.engine_status.device_label.text() in ("CPU",) or window.engine_status.device_label.text().startswith("GPU")
        select_block(window, 2)
        panel = window.panels["rewrite"]
        panel.run_requested.emit()
        qtbot.waitUntil(lambda: panel.job is None, timeout=120000)
        assert panel.outcome in ("stop", "length") and panel.result.strip(), panel.status.text()
        assert window.engine_status.speed_label.text().endswith("tokens/s")
        panel.replace_button.click()
        assert panel.result in window.editor.toPlainText()
        assert "Replaced" in panel.status.text()
        window.editor.undo()
        assert window.editor.toPlainText() == DOC
    finally:
        window.editor.document().setModified(False)
        window.close()


def test_window_appears_first_and_builds_the_rest_right_after(qtbot):
    window = MainWindow(Settings(), EngineBridge(fake_engines()), defer=True)
    qtbot.addWidget(window)
    assert window.panels == {} and window.editor is not None
    with qtbot.waitSignal(window.ready, timeout=5000):
        window.show()
    assert set(window.panels) == {"generate", "summarize", "translate", "rewrite"}
    assert [a.text() for a in window.editor._context_actions] == ["Translate Selection", "Rewrite Selection"]
    window.editor.setPlainText("# Title\n\nPlain text.\n\n```\ncode\n```\n")
    document = window.editor.document()
    heading, plain, code = (document.findBlockByNumber(n).layout().formats() for n in (0, 2, 5))
    assert heading and heading[0].format.fontWeight() == QFont.Weight.Bold  # highlighting started after paint
    assert not plain and code and "monospace" in code[0].format.fontFamilies()


def test_notes_stay_in_view_after_the_result_is_done(qtbot):
    from writer.core.events import Done, Note
    from writer.core.messages import msg
    from writer.gui.panels import TranslatePanel

    panel = TranslatePanel()
    qtbot.addWidget(panel)
    panel.begin(1, (0, 5, "Hallo"))
    panel.handle_event(Note(msg("result.unchanged", "The model returned the text unchanged: it may already be in "
                                "{language}.", language="German")))
    panel.handle_event(Done("Hallo", "stop", tokens_per_s=90.0))
    assert panel.status.text().startswith("Done") and "unchanged" in panel.status.text()
    panel.begin(2, (0, 5, "Hallo"))
    panel.handle_event(Note(msg("result.token_limit", "The result stopped at the token limit and may be incomplete.")))
    panel.handle_event(Done("Hal", "length"))
    assert panel.status.text() == "Stopped at the token limit; the result may be incomplete."  # said once


def action_while_loading(qtbot, action: str):
    """A window whose model takes 2 s to load, and an action started at once: (window, bridge, panel)."""
    bridge = EngineBridge(fake_engines(load_delay=2.0))
    window = MainWindow(Settings(), bridge)
    qtbot.addWidget(window)
    window.editor.setPlainText(DOC)
    window.start_engine()
    select_block(window, 2)
    panel = window.panels[action]
    panel.run_requested.emit()
    qtbot.waitUntil(lambda: panel.status.text() == "Waiting for the model to load…", timeout=2000)
    return window, bridge, panel


def test_an_action_started_while_the_model_loads_runs_once_it_is_ready(qtbot):
    window, bridge, panel = action_while_loading(qtbot, "rewrite")
    assert window.editor.isEnabled() and bridge.session.state == "loading"  # the editor stays usable meanwhile
    qtbot.waitUntil(lambda: panel.job is None, timeout=10000)
    assert panel.outcome == "stop" and panel.result.startswith("Echo: The boats")
    window.editor.document().setModified(False)


def test_stop_while_waiting_for_the_model_and_a_failed_load_is_said_in_the_panel(qtbot):
    window, bridge, panel = action_while_loading(qtbot, "summarize")
    panel.stop_requested.emit()
    qtbot.waitUntil(lambda: panel.job is None, timeout=2000)
    assert panel.outcome == "cancelled" and bridge.session.state == "loading"

    window.settings.model_path = "/nowhere/model.gguf"
    qtbot.waitUntil(lambda: bridge.session.state == "ready", timeout=10000)
    bridge.load(window.settings)  # this load fails: the file does not exist
    panel.run_requested.emit()
    qtbot.waitUntil(lambda: panel.job is None, timeout=5000)
    assert panel.outcome == "error" and "does not exist" in panel.status.text()
    window.editor.document().setModified(False)


def test_a_settled_selection_is_read_ahead_and_the_click_cancels_the_reading(qtbot, make_window):
    window = make_window()
    client = window.bridge.session.engine
    paragraph = " ".join(f"Sentence {i} of a long paragraph." for i in range(12))
    window.editor.setPlainText(paragraph + "\n")
    window.editor.selectAll()
    qtbot.waitUntil(lambda: bool(client.prefills), timeout=3000)
    rewrite = window.panels["rewrite"].request(paragraph).validated()
    assert client.prefills[0] == rewrite.messages()[-1]["content"]  # as the rewrite would send it
    window.run_action("rewrite")
    qtbot.waitUntil(lambda: window.panels["rewrite"].job is None, timeout=5000)
    assert client.cancelled_prefills == [1]
    assert client.requests[-1] == client.prefills[0]  # the very prompt that was read ahead
    window.editor.setPlainText("Just a few words here.\n")
    window.editor.selectAll()
    qtbot.wait(900)
    assert len(client.prefills) == 1  # a short selection is not worth it
    window.settings.read_ahead = False
    window.editor.setPlainText(paragraph + "\n")
    window.editor.selectAll()
    qtbot.wait(900)
    assert len(client.prefills) == 1  # and the user can turn reading ahead off
    window.editor.document().setModified(False)


def test_settings_reload_the_model_only_when_it_depends_on_them(make_window, monkeypatch):
    window = make_window()
    loads = []
    monkeypatch.setattr(window.bridge, "load", lambda settings: loads.append(settings.n_ctx))

    def accept_with(change):
        monkeypatch.setattr(SettingsDialog, "exec", lambda dialog: change(dialog) or 1)
        window.open_settings()

    accept_with(lambda d: d.temperature.setValue(0.2))
    accept_with(lambda d: d.read_ahead.setChecked(False))
    assert loads == [] and window.settings.temperature == 0.2 and not window.settings.read_ahead
    accept_with(lambda d: d.n_ctx.setValue(8192))
    assert loads == [8192]


def test_ask_is_a_panel_of_the_window_and_its_sources_and_answers_reach_the_editor(qtbot, make_window):
    window = make_window()
    assert window.docks["ask"].widget() is window.ask and window.ask.bridge is window.bridge
    window.ask.source_clicked.emit(3, 3)  # a source: line 3
    assert window.editor.textCursor().selectedText() == "The boats was leaving early."
    window.ask.insert_requested.emit("An answer.")
    assert "The boats was leaving early.\n\nAn answer." in window.editor.toPlainText()
    window.editor.undo()
    assert window.editor.toPlainText() == DOC  # one undo step
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    window.editor.setFocus()
    window.docks["rewrite"].raise_()  # the Ask tab is behind another panel
    window.show_ask()
    assert window.docks["ask"].widget().isVisible()
    assert QApplication.focusWidget() is window.ask.question  # ready to type the question
