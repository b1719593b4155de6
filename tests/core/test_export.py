"""Exports read back as a reader's program reads them: DOCX by python-docx, PDF by pypdf, ODT by its
content.xml, HTML by a parser; and the failures, each one sentence with nothing half-written."""

import errno
import io
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import docx
import pypdf
import pytest

from writer.core import atomic
from writer.core.docx_export import docx_bytes
from writer.core.errors import UserError
from writer.core.export import check_target, format_of, html_bytes, paper_for, source_of, title_of, write_export
from writer.gui.rendering import export_file, odt_bytes, pdf_bytes

# Rendering would otherwise make a bare QGuiApplication, on which a later test's window cannot be built.
pytestmark = pytest.mark.usefixtures("qapp")

CHINESE = "今天早上很冷，我们去公园散步。"
DOC = f"""# Field notes

Some *emphasis*, **bold** and `inline code` with a [link](https://example.org/page).

- one
- two
  - nested item
1. first
2. second

> A quoted line.

```python
def double(x):
    return  x * 2   # spaces kept
```

| Name | Value |
| --- | --- |
| alpha | 1 |
| 北京 | 2 |

---

![a dot](dot.png)

{CHINESE}
"""


def png(width: int = 2, height: int = 1) -> bytes:
    """A small red PNG, built by hand so the test needs no image library."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\0" + b"\xff\0\0" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PNG = png()


@pytest.fixture
def source(tmp_path):
    (tmp_path / "dot.png").write_bytes(PNG)
    path = tmp_path / "notes.md"
    path.write_text(DOC, encoding="utf-8")
    return source_of(DOC, path)


def test_title_is_the_first_heading_or_the_file_name(tmp_path):
    assert title_of(DOC, "x") == "Field notes"
    assert title_of("Just a letter.\n\nRegards", "letter") == "letter"
    assert source_of("no heading", tmp_path / "report.md").title == "report"


@pytest.mark.parametrize("locale,paper", [("en_US", "Letter"), ("es-MX", "Letter"), ("en_GB", "A4"), ("zh_CN.UTF-8", "A4"),
                                          ("C", "A4"), ("fr_CA", "Letter")])
def test_paper_follows_the_locale(locale, paper):
    assert paper_for(locale) == paper


def test_docx_keeps_headings_lists_tables_code_and_links(source):
    document = docx.Document(io.BytesIO(docx_bytes(source)))
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 1", "Field notes") in styles
    assert ("List Bullet", "one") in styles and ("List Bullet 2", "nested item") in styles
    assert ("List Number", "first") in styles and ("Quote", "A quoted line.") in styles
    assert any(text == "def double(x):\n    return  x * 2   # spaces kept" for _, text in styles)
    code = next(p for p in document.paragraphs if p.text.startswith("def double"))
    assert code.runs[0].font.name == "Consolas"
    assert [[c.text for c in row.cells] for row in document.tables[0].rows] == [["Name", "Value"], ["alpha", "1"], ["北京", "2"]]
    assert [h.address for p in document.paragraphs for h in p.hyperlinks] == ["https://example.org/page"]
    assert len(document.inline_shapes) == 1
    assert any(p.text == CHINESE for p in document.paragraphs)
    assert document.core_properties.title == "Field notes"
    assert "PAGE" in document.sections[0].footer.paragraphs[0]._p.xml


def test_plain_text_exports_as_paragraphs(tmp_path):
    text = "Dear Ann,\n\nThanks for the *notes*.\nSee you soon.\n"
    document = docx.Document(io.BytesIO(docx_bytes(source_of(text, tmp_path / "letter.txt"))))
    assert [p.text for p in document.paragraphs] == ["Dear Ann,", "Thanks for the *notes*.\nSee you soon."]


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text, self.attrs = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_one_self_contained_page(source):
    page = _Collect()
    page.feed(html_bytes(source).decode("utf-8"))
    for tag in ("h1", "em", "strong", "code", "ul", "ol", "blockquote", "pre", "table", "hr", "img", "a"):
        assert tag in page.tags, tag
    assert dict(page.attrs)["img"]["src"].startswith("data:image/png;base64,")
    assert dict(page.attrs)["a"]["href"] == "https://example.org/page"
    assert CHINESE in "".join(page.text) and "Field notes" in "".join(page.text)


def test_pdf_has_the_text_chinese_fonts_embedded_links_and_page_numbers(source):
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes(source)))
    text = " ".join("".join(page.extract_text() for page in reader.pages).split())  # pypdf spaces words with tabs
    assert CHINESE in text
    assert "Field notes" in text and "def double(x):" in text and "1 / 1" in text
    assert reader.metadata.title == "Field notes"
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"].get_object(), "font not embedded"
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("CJK" in name for name in fonts), fonts
    links = [a.get_object()["/A"]["/URI"] for page in reader.pages for a in page.get("/Annots", [])]
    assert links == ["https://example.org/page"]


def test_pdf_paper_size(source):
    page = pypdf.PdfReader(io.BytesIO(pdf_bytes(source, "Letter"))).pages[0]
    assert round(float(page.mediabox.width)) == 612 and round(float(page.mediabox.height)) == 792
    page = pypdf.PdfReader(io.BytesIO(pdf_bytes(source, "A4"))).pages[0]
    assert round(float(page.mediabox.width)) == 595


def test_odt_has_the_text(source):
    with zipfile.ZipFile(io.BytesIO(odt_bytes(source))) as odt:
        assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        content = odt.read("content.xml").decode("utf-8")
    for part in ("Field notes", CHINESE, "nested item", "def double(x):", "北京"):
        assert part in content, part


def test_a_missing_image_is_one_sentence_and_writes_nothing(tmp_path):
    text = "# T\n\n![chart](charts/missing.png)\n"
    for fmt in ("pdf", "docx", "odt", "html"):
        out = tmp_path / f"out.{fmt}"
        with pytest.raises(UserError, match=r"The image charts/missing.png does not exist"):
            export_file(text, tmp_path / "t.md", out, fmt)
        assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_never_overwrites_without_asking_nor_the_source(tmp_path):
    source = tmp_path / "notes.html"
    source.write_text("# Hi\n", encoding="utf-8")
    with pytest.raises(UserError, match="is the document being exported"):
        check_target(source, source, replace=True)
    existing = tmp_path / "old.pdf"
    existing.write_bytes(b"old")
    with pytest.raises(UserError, match="already exists"):
        export_file("# Hi\n", source, existing, "pdf")
    assert existing.read_bytes() == b"old"
    export_file("# Hi\n", source, existing, "pdf", replace=True)
    assert existing.read_bytes().startswith(b"%PDF")
    assert source.read_text(encoding="utf-8") == "# Hi\n"


def test_unknown_format():
    with pytest.raises(UserError, match="Writer exports to pdf, docx, odt, html, not 'rtf'"):
        format_of(Path("x.rtf"), None)


@pytest.mark.parametrize("error,expected", [
    (PermissionError(errno.EACCES, "Permission denied"), "not allowed to write in"),
    (OSError(errno.ENOSPC, "No space left on device"), "the disk is full, and nothing was written"),
])
def test_write_failures_leave_nothing(tmp_path, monkeypatch, error, expected):
    """Disk full and an unwritable folder, as the operating system reports them mid-write."""
    real_fdopen = atomic.os.fdopen

    class Failing(io.BufferedWriter):
        pass

    def failing_fdopen(fd, mode):
        handle = real_fdopen(fd, mode)
        original = handle.write

        def write(data):
            original(data[: len(data) // 2])
            raise error
        handle.write = write
        return handle

    monkeypatch.setattr(atomic.os, "fdopen", failing_fdopen)
    out = tmp_path / "out.docx"
    with pytest.raises(UserError, match=expected):
        write_export(out, b"x" * 1000)
    assert list(tmp_path.iterdir()) == []
