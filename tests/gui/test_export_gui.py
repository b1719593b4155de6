"""File → Export…, File → Print… and opening Word documents in the editor window."""

import docx
import pypdf
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from tests.helpers.fakes import shown_window
from writer.gui.export_dialog import print_preview

pytestmark = pytest.mark.usefixtures("discard_on_close")


@pytest.fixture
def window(qtbot):
    return shown_window(qtbot)


@pytest.fixture
def warnings(monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append(text))
    return shown


def choose_file(monkeypatch, path, chosen_filter=""):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), chosen_filter))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), chosen_filter))


def word_document(path):
    document = docx.Document()
    document.add_heading("Minutes", 1)
    document.add_paragraph("Agreed to ").add_run("ship").bold = True
    document.save(path)
    return path


def test_export_menu_writes_a_pdf_of_the_text(window, monkeypatch, tmp_path):
    window.editor.setPlainText("# Plan\n\nShip on Friday. 周五发货。\n")
    choose_file(monkeypatch, tmp_path / "plan", "PDF document (*.pdf)")
    export = next(a for a in window.all_actions if a.text() == "&Export…")
    export.trigger()
    text = " ".join(pypdf.PdfReader(tmp_path / "plan.pdf").pages[0].extract_text().split())
    assert "Ship on Friday. 周五发货。" in text
    assert window.statusBar().currentMessage() == "Exported plan.pdf"


def test_export_failure_is_shown_and_leaves_nothing(window, monkeypatch, tmp_path, warnings):
    window.editor.setPlainText("# Plan\n\n![chart](missing.png)\n")
    choose_file(monkeypatch, tmp_path / "plan.docx", "Word document (*.docx)")
    window.documents.export()
    assert warnings == ["The image missing.png does not exist; correct its path or remove it, then export again."]
    assert not (tmp_path / "plan.docx").exists()


def test_a_word_file_opens_as_new_markdown_and_is_never_overwritten(window, monkeypatch, tmp_path):
    source = word_document(tmp_path / "minutes.docx")
    before = source.read_bytes()
    choose_file(monkeypatch, source)
    window.documents.open_dialog()
    assert window.editor.toPlainText() == "# Minutes\n\nAgreed to **ship**\n"
    assert window.documents.path is None and window.windowTitle().startswith("minutes.md (from minutes.docx)")
    assert window.editor.document().isModified()
    seen = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda parent, title, start, *a: seen.append(start) or (start, ""))
    assert window.save()
    assert seen == [str(tmp_path / "minutes.md")]
    assert (tmp_path / "minutes.md").read_text(encoding="utf-8").startswith("# Minutes")
    assert source.read_bytes() == before
    assert window.windowTitle().startswith("minutes.md[*]")


def test_saving_as_docx_is_refused(window, monkeypatch, tmp_path, warnings):
    window.editor.setPlainText("text")
    choose_file(monkeypatch, tmp_path / "x.docx")
    assert not window.documents.save_as()
    assert "use File → Export… to write a Word document" in warnings[0]
    assert not (tmp_path / "x.docx").exists()


def test_a_damaged_word_file_is_one_sentence(window, monkeypatch, tmp_path, warnings):
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04garbage")
    assert not window.open_file(bad)
    assert warnings == ["broken.docx is damaged or is not a Word document, so Writer could not read it."]


def test_print_preview_draws_the_pages_of_the_pdf_export(window, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    window.editor.setPlainText("# Letter\n\n" + "A line of the letter.\n\n" * 80)
    dialog = print_preview(window, open_dialog=False)
    assert dialog is not None and dialog.windowTitle() == "Print Preview"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    dialog.paintRequested.emit(printer)
    reader = pypdf.PdfReader(tmp_path / "printed.pdf")
    assert len(reader.pages) >= 2
    last = " ".join(reader.pages[-1].extract_text().split())
    assert f"{len(reader.pages)} / {len(reader.pages)}" in last and "Letter" in last
    dialog.deleteLater()


def test_print_has_ctrl_p(window):
    from PySide6.QtGui import QKeySequence

    action = next(a for a in window.all_actions if a.text() == "&Print…")
    assert action.shortcut() == QKeySequence(QKeySequence.StandardKey.Print)
