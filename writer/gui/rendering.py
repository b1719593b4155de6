"""Pages from a document, drawn by Qt: the PDF export, the ODT export, printing and its preview all
use this one rendering (the core's HTML laid out by QTextDocument), so what the preview shows is
what the PDF holds.

Each page has the title at the top and "page / pages" at the bottom, inside margins of 20 mm, on A4
or Letter paper as the locale uses. Chinese and Japanese text is set in the system's fonts by Qt's
font fallback, and QPdfWriter embeds the glyphs it used.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QFont, QGuiApplication, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument, QTextDocumentWriter,
)

from writer.core.errors import UserError
from writer.core.export import Source, body_html

MARGIN_MM = 20
BAND_MM = 8  # room for the title above the text and the page number below it
PDF_DPI = 300
STYLE = """pre, code { font-family: monospace; } pre { background-color: #f4f4f4; }
table { border-collapse: collapse; } th, td { border: 1px solid #999999; padding: 4px; }
blockquote { color: #555555; } a { color: #0563c1; }"""


def ensure_app() -> QGuiApplication:
    """Qt needs an application object to lay out text; the command line has none, and often no display."""
    app = QGuiApplication.instance()
    if app is None:
        if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["writer"])
    return app


def page_layout(paper: str) -> QPageLayout:
    size = QPageSize(QPageSize.PageSizeId.Letter if paper == "Letter" else QPageSize.PageSizeId.A4)
    return QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(*[MARGIN_MM] * 4), QPageLayout.Unit.Millimeter)


def text_document(source: Source) -> QTextDocument:
    ensure_app()
    document = QTextDocument()
    document.setDefaultStyleSheet(STYLE)
    font = QFont()
    font.setPointSize(11)
    document.setDefaultFont(font)
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, source.title)
    document.setHtml(body_html(source, lambda path, _src: QUrl.fromLocalFile(str(path)).toString()))
    return document


def paint_pages(document: QTextDocument, device, title: str) -> int:
    """Lays `document` out on `device`'s pages (a QPdfWriter or a QPrinter) and draws them with the
    title and page numbers; returns the number of pages."""
    dpi = device.resolution()
    mm = dpi / 25.4
    page = device.pageLayout().paintRectPixels(dpi)
    band = BAND_MM * mm
    body = QSizeF(page.width(), page.height() - 2 * band)
    document = document.clone()  # laid out for this device's resolution, the caller's copy untouched
    document.documentLayout().setPaintDevice(device)
    document.setPageSize(body)
    _fit_images(document, body.width() * 96 / dpi)  # image sizes are in CSS pixels (96 per inch)
    pages = max(1, document.pageCount())
    painter = QPainter()
    if not painter.begin(device):
        raise UserError("render.no_device", "Could not start drawing the pages (the printer or file refused).")
    try:
        small = QFont(document.defaultFont())
        small.setPointSizeF(9)
        for number in range(pages):
            if number:
                device.newPage()
            painter.setFont(small)
            painter.setPen(Qt.GlobalColor.darkGray)
            painter.drawText(QRectF(0, 0, body.width(), band * 0.7), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, title)
            painter.drawText(QRectF(0, page.height() - band * 0.7, body.width(), band * 0.7),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, f"{number + 1} / {pages}")
            painter.save()
            painter.translate(0, band - number * body.height())
            document.drawContents(painter, QRectF(0, number * body.height(), body.width(), body.height()))
            painter.restore()
    finally:
        painter.end()
    return pages


def _fit_images(document: QTextDocument, width: float) -> None:
    """Pictures wider than the page are scaled down to its width (Qt would cut them off)."""
    from PySide6.QtGui import QImage, QTextCursor

    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            if fmt.isImageFormat():
                image_fmt = fmt.toImageFormat()
                image = QImage(QUrl(image_fmt.name()).toLocalFile())
                if not image.isNull() and image.width() > width:
                    image_fmt.setWidth(width)
                    image_fmt.setHeight(width * image.height() / image.width())
                    cursor = QTextCursor(document)
                    cursor.setPosition(fragment.position())
                    cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                    cursor.setCharFormat(image_fmt)
            it += 1
        block = block.next()


def pdf_bytes(source: Source, paper: str = "A4") -> bytes:
    document = text_document(source)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(source.title)
    writer.setCreator("Writer")
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(page_layout(paper))
    paint_pages(document, writer, source.title)
    del writer  # the PDF is finished when the writer goes
    buffer.close()
    return bytes(data.data())


def odt_bytes(source: Source, paper: str = "A4") -> bytes:
    document = text_document(source)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not QTextDocumentWriter(buffer, QByteArray(b"ODF")).write(document):
        raise UserError("render.odt_failed", "Qt could not write the OpenDocument file.")
    buffer.close()
    return bytes(data.data())


def system_paper() -> str:
    from PySide6.QtCore import QLocale

    from writer.core.export import paper_for

    return paper_for(QLocale.system().name())


def render(source: Source, fmt: str, paper: str) -> bytes:
    from writer.core.docx_export import docx_bytes
    from writer.core.export import html_bytes

    makers = {"html": lambda: html_bytes(source), "docx": lambda: docx_bytes(source, paper),
              "pdf": lambda: pdf_bytes(source, paper), "odt": lambda: odt_bytes(source, paper)}
    return makers[fmt]()


def export_file(text: str, source_path, out, fmt: str | None = None, paper: str | None = None, replace: bool = False):
    """Exports `text` (read from `source_path`, which may be None) to `out`, in `fmt` or the format its
    extension names; the checks come first, so a refused export costs no rendering. Returns the path."""
    from pathlib import Path

    from writer.core.export import check_target, format_of, source_of, write_export

    out = Path(out)
    fmt = format_of(out, fmt)
    check_target(out, source_path, replace)
    data = render(source_of(text, source_path), fmt, paper or system_paper())
    write_export(out, data)
    return out
