"""Spelling in the editor window: underlines, the right-click menu, the status bar and the switch."""

import pytest
from PySide6.QtGui import QTextCharFormat, QTextCursor

from tests.helpers.fakes import shown_window
from writer.core import spelling
from writer.core.settings import Settings

pytestmark = pytest.mark.usefixtures("discard_on_close")

DOC = """---
title: Notse on teh trip
---
# Teh plan

We will leave erly in the morning, wiht `fixd code` and [a linkk](https://exampel.org/pathh).

```
badd code
```

> A quoet here.

| Naem | Value |
| --- | --- |
| alpha | one |

今天早上很冷。 NASA abc123
"""


def underlined(window, line):
    block = window.editor.document().findBlockByNumber(line)
    return [block.text()[r.start : r.start + r.length] for r in block.layout().formats()
            if r.format.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline]


def all_underlined(window):
    return {n: words for n in range(window.editor.document().blockCount()) if (words := underlined(window, n))}


@pytest.fixture
def window(qtbot):
    return shown_window(qtbot)


def load(qtbot, window, text):
    window.editor.setPlainText(text)
    window.spelling.detect()


EXPECTED = {3: ["Teh"], 5: ["erly", "wiht", "linkk"], 11: ["quoet"], 13: ["Naem"]}


def test_misspelled_prose_is_underlined_and_nothing_else(qtbot, window):
    load(qtbot, window, DOC)
    qtbot.waitUntil(lambda: all_underlined(window) == EXPECTED)
    assert window.spelling.button.text() == "Spelling: English (US)"


def test_a_large_document_is_checked_in_the_background(qtbot, window):
    """Past BULK_CHARS the first paint has no spelling; the sweep underlines afterwards."""
    text = DOC + "\n".join(f"Line {n} has a mistaek." for n in range(3000)) + "\n"
    load(qtbot, window, text)
    assert window.editor.highlighter._sweep.running() or window.editor.highlighter._bulk
    qtbot.waitUntil(lambda: underlined(window, window.editor.document().blockCount() - 2) == ["mistaek"], timeout=20000)
    assert all_underlined(window)[5] == EXPECTED[5]


def type_on_a_new_line(qtbot, window, keys):
    """Types `keys` on the line after "Fine words here." and returns the cursor."""
    load(qtbot, window, "Fine words here.\n")
    cursor = window.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    window.editor.setTextCursor(cursor)
    qtbot.keyClicks(window.editor, keys)
    return cursor


def test_typing_underlines_the_new_word(qtbot, window):
    type_on_a_new_line(qtbot, window, "Anothr line.")
    qtbot.waitUntil(lambda: underlined(window, 1) == ["Anothr"])
    assert underlined(window, 0) == []


def context_menu_at(window, line, word):
    block = window.editor.document().findBlockByNumber(line)
    cursor = QTextCursor(block)
    cursor.setPosition(block.position() + block.text().index(word) + 1)
    point = window.editor.cursorRect(cursor).center()
    return window.editor.context_menu(point)


def test_suggestions_replace_the_word_in_one_undo_step(qtbot, window):
    load(qtbot, window, "We leave erly today.\n")
    qtbot.waitUntil(lambda: underlined(window, 0) == ["erly"])
    menu = context_menu_at(window, 0, "erly")
    texts = [a.text() for a in menu.actions()]
    assert "early" in texts[:7] and "Add to Dictionary" in texts and "Ignore" in texts
    next(a for a in menu.actions() if a.text() == "early").trigger()
    assert window.editor.toPlainText() == "We leave early today.\n"
    qtbot.waitUntil(lambda: underlined(window, 0) == [])
    window.editor.undo()
    assert window.editor.toPlainText() == "We leave erly today.\n"


def test_no_spelling_entries_for_a_correct_word_or_code(qtbot, window):
    load(qtbot, window, "Good words.\n\n```\nbadd\n```\n")
    qtbot.waitUntil(lambda: window.spelling.service.cache.get("Good") is True)
    assert "Add to Dictionary" not in [a.text() for a in context_menu_at(window, 0, "Good").actions()]
    assert "Add to Dictionary" not in [a.text() for a in context_menu_at(window, 3, "badd").actions()]


def test_add_to_dictionary_writes_the_personal_list(qtbot, window):
    load(qtbot, window, "The Zorblax engine and the Zorblax wheel.\n")
    qtbot.waitUntil(lambda: underlined(window, 0) == ["Zorblax", "Zorblax"])
    next(a for a in context_menu_at(window, 0, "Zorblax").actions() if a.text() == "Add to Dictionary").trigger()
    qtbot.waitUntil(lambda: underlined(window, 0) == [])
    assert spelling.personal_list_path("en_US").read_text(encoding="utf-8") == "Zorblax\n"


def test_ignore_clears_the_underline_without_writing(qtbot, window):
    load(qtbot, window, "A Frobnitz here.\n")
    qtbot.waitUntil(lambda: underlined(window, 0) == ["Frobnitz"])
    next(a for a in context_menu_at(window, 0, "Frobnitz").actions() if a.text() == "Ignore").trigger()
    qtbot.waitUntil(lambda: underlined(window, 0) == [])
    assert not spelling.personal_list_path("en_US").exists()


def test_the_switch_turns_underlines_off_and_on(qtbot, window):
    load(qtbot, window, "A mistaek.\n")
    qtbot.waitUntil(lambda: underlined(window, 0) == ["mistaek"])
    window.spelling.set_enabled(False)
    qtbot.waitUntil(lambda: underlined(window, 0) == [])
    assert window.spelling.button.text() == "Spelling: off"
    window.spelling.set_enabled(True)
    qtbot.waitUntil(lambda: underlined(window, 0) == ["mistaek"])


def test_settings_switch(qtbot, window, monkeypatch):
    from writer.gui.dialogs import SettingsDialog

    dialog = SettingsDialog(window.settings)
    assert dialog.spell_check.isChecked()
    dialog.spell_check.setChecked(False)
    settings = Settings()
    dialog.apply_to(settings)
    assert settings.spell_check is False


def test_language_follows_the_text(qtbot, window):
    load(qtbot, window, "今天早上很冷，我们去公园散步。天气很好，大家都很高兴。\n")
    assert window.spelling.button.text() == "Spelling: not checked (Chinese)"
    assert all_underlined(window) == {}
    load(qtbot, window, "Nous sommes partis tôt le matin pour voir la mer et les bateaux du port.\n")
    expected = "Spelling: French (FR)" if "fr_FR" in spelling.available() else "Spelling: no French dictionary"
    assert window.spelling.button.text() == expected


def test_choosing_a_dictionary_in_the_status_bar(qtbot, window):
    load(qtbot, window, "Nous sommes partis tôt le matin pour voir la mer et les bateaux du port.\n")
    window.spelling.menu.aboutToShow.emit()
    labels = [a.text() for a in window.spelling.menu.actions()]
    assert labels[0] == "Detect from the text" and "English (US)" in labels
    next(a for a in window.spelling.menu.actions() if a.text() == "English (US)").trigger()
    assert window.spelling.button.text() == "Spelling: English (US)"
    qtbot.waitUntil(lambda: "partis" in underlined(window, 0))


def test_the_word_being_typed_waits_until_the_writer_moves_on(qtbot, window):
    cursor = type_on_a_new_line(qtbot, window, "Wrng")
    qtbot.wait(300)
    assert underlined(window, 1) == []
    cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock)
    window.editor.setTextCursor(cursor)
    qtbot.waitUntil(lambda: underlined(window, 1) == ["Wrng"])
