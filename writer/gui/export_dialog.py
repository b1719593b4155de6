"""File → Export… and File → Print… (with a preview): the window's text through the same renderers as
`writer export`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from writer import APP_NAME
from writer.core.errors import UserError
from writer.core.export import source_of
from writer.gui.i18n import tr, tr_message


def _filters() -> dict[str, str]:
    return {"pdf": tr("PDF document (*.pdf)"), "docx": tr("Word document (*.docx)"),
            "odt": tr("OpenDocument text (*.odt)"), "html": tr("Web page (*.html)")}


def _busy():
    """A wait cursor while pages are laid out (a long document takes a few seconds)."""
    from contextlib import contextmanager

    from PySide6.QtCore import Qt

    @contextmanager
    def cursor():
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            yield
        finally:
            QApplication.restoreOverrideCursor()
    return cursor()


def export_target(origin: Path | None, fmt: str) -> Path:
    """Where the dialog starts: beside the document, named like it."""
    if origin is None:
        return Path.home() / (tr("Untitled") + "." + fmt)
    return origin.with_suffix("." + fmt)


def export(window, fmt: str = "pdf") -> Path | None:
    """Asks where to export (Qt's dialog asks before replacing a file) and writes it; None if cancelled
    or failed (the reason is shown)."""
    filters = _filters()
    path, chosen = QFileDialog.getSaveFileName(window, tr("Export"), str(export_target(window.documents.origin(), fmt)),
                                               ";;".join(filters.values()), filters[fmt])
    if not path:
        return None
    out = Path(path)
    wanted = next((name for name, label in filters.items() if label == chosen), fmt)
    if out.suffix.lower().lstrip(".") not in filters:
        out = out.with_name(out.name + "." + wanted)
    return export_to(window, out, wanted)


def export_to(window, out: Path, fmt: str) -> Path | None:
    from writer.gui.rendering import export_file

    try:
        with _busy():
            written = export_file(window.editor.toPlainText(), window.documents.origin(), out, fmt, replace=True)
    except UserError as exc:
        QMessageBox.warning(window, APP_NAME, tr_message(exc.message))
        return None
    window.statusBar().showMessage(tr("Exported {name}", name=written.name), 6000)
    return written


def print_preview(window, open_dialog: bool = True):
    """The print preview (printing starts from it), drawn by the PDF export's own page painter."""
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

    from writer.gui.rendering import page_layout, paint_pages, system_paper, text_document

    source = source_of(window.editor.toPlainText(), window.documents.origin(), tr("Untitled"))
    try:
        with _busy():
            document = text_document(source)
    except UserError as exc:
        QMessageBox.warning(window, APP_NAME, tr_message(exc.message))
        return None
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(page_layout(system_paper()))
    printer.setDocName(source.title)
    dialog = QPrintPreviewDialog(printer, window)
    dialog.setWindowTitle(tr("Print Preview"))
    dialog.paintRequested.connect(lambda device: paint_pages(document, device, source.title))
    if open_dialog:
        dialog.exec()
    return dialog
