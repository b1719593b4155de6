from PySide6.QtGui import QFont, QTextCursor

from writer.gui.editor import Editor

DOC = "# Title\n\nText with `code`.\n\n````\n```\ninside\n```\n````\n\n~~~\ntilde\n~~~\n\n    indented\n\nEnd.\n"


def looks(editor, line):
    formats = editor.document().findBlockByNumber(line).layout().formats()
    if not formats:
        return "plain"
    first = formats[0].format
    whole = formats[0].start == 0 and formats[0].length == len(editor.document().findBlockByNumber(line).text())
    if "monospace" in (first.fontFamilies() or []) and whole:
        return "code"
    return "heading" if first.fontWeight() == QFont.Weight.Bold else "inline"


def make_editor(qtbot, text):
    editor = Editor()
    qtbot.addWidget(editor)
    editor.start_highlighting()
    editor.setPlainText(text)
    return editor


def test_every_kind_of_code_block_looks_like_code(qtbot):
    editor = make_editor(qtbot, DOC)
    assert [looks(editor, n) for n in range(17)] == [
        "heading", "plain", "inline", "plain", "code", "code", "code", "code", "code", "plain", "code", "code", "code",
        "plain", "code", "plain", "plain"]


def test_typing_a_fence_turns_the_lines_below_into_code_and_deleting_it_gives_them_back(qtbot):
    editor = make_editor(qtbot, "Intro.\n\nOne.\n\nTwo.\n")
    cursor = QTextCursor(editor.document())
    cursor.insertText("```\n")
    qtbot.waitUntil(lambda: [looks(editor, n) for n in (0, 1, 3, 5)] == ["code"] * 4)  # blank lines have no format
    for _ in range(4):
        cursor.deletePreviousChar()
    qtbot.waitUntil(lambda: [looks(editor, n) for n in (0, 2, 4)] == ["plain"] * 3)


def test_an_underline_makes_the_line_above_a_heading(qtbot):
    editor = make_editor(qtbot, "Title\n\nText.\n")
    cursor = QTextCursor(editor.document().findBlockByNumber(1))
    cursor.insertText("=====")
    qtbot.waitUntil(lambda: looks(editor, 0) == "heading" and looks(editor, 1) == "heading")
