"""The window's document controller: recent files and dropped files."""

import pytest
from PySide6.QtCore import QMimeData, QUrl

from tests.helpers.fakes import shown_window

pytestmark = pytest.mark.usefixtures("discard_on_close")


def test_opened_files_are_listed_newest_first_once_each_and_reopen_from_the_menu(qtbot, tmp_path):
    window = shown_window(qtbot)
    documents = window.documents
    assert not documents.recent_menu.isEnabled()
    paths = [tmp_path / f"note {n}.md" for n in range(12)]
    for n, path in enumerate(paths):
        path.write_text(f"Note {n}.\n")
        assert window.open_file(str(path))
    assert window.open_file(str(paths[3]))  # opened again: to the top, not listed twice
    listed = [a.text() for a in documents.recent_menu.actions()]
    assert listed[:3] == [str(paths[3]), str(paths[11]), str(paths[10])] and len(listed) == 10
    assert window.settings.recent_files == listed
    documents.recent_menu.actions()[1].trigger()
    assert documents.path == paths[11] and window.editor.toPlainText() == "Note 11.\n"
    assert window.windowTitle().startswith("note 11.md")


def test_a_dropped_file_opens(qtbot, tmp_path):
    window = shown_window(qtbot)
    path = tmp_path / "dropped.md"
    path.write_text("Dropped.\n")
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.com/page"), QUrl.fromLocalFile(str(path))])
    window.documents.open_dropped(mime)
    assert window.documents.path == path and window.editor.toPlainText() == "Dropped.\n"
