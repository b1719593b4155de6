"""Word documents opened as Markdown, and the ways a .docx can be unreadable."""

import docx
import pytest

from writer.core.docx_export import docx_bytes
from writer.core.docx_import import load_docx, markdown_name, read_text
from writer.core.errors import UserError
from writer.core.export import source_of
from writer.core.markdown import blocks


def word_file(tmp_path):
    """A .docx as Word writes one: built with python-docx's own calls (styles, numbering, a table)."""
    document = docx.Document()
    document.add_heading("Quarterly report", level=1)
    paragraph = document.add_paragraph("Sales were ")
    paragraph.add_run("strong").bold = True
    paragraph.add_run(" and ")
    paragraph.add_run("steady").italic = True
    paragraph.add_run(" (*really*).")
    document.add_heading("Details", level=2)
    document.add_paragraph("first point", style="List Bullet")
    document.add_paragraph("inner point", style="List Bullet 2")
    document.add_paragraph("step one", style="List Number")
    table = document.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "Region", (0, 1): "Total", (1, 0): "北方", (1, 1): "12 | 13"}.items():
        table.cell(r, c).text = text
    document.add_paragraph("A wise remark.", style="Quote")
    path = tmp_path / "report.docx"
    document.save(path)
    return path


def test_word_structure_becomes_markdown(tmp_path):
    text = load_docx(word_file(tmp_path))
    assert text.startswith("# Quarterly report\n\nSales were **strong** and *steady* (\\*really\\*).\n\n## Details\n")
    assert "- first point\n   - inner point\n1. step one\n" in text
    assert "| Region | Total |\n| --- | --- |\n| 北方 | 12 \\| 13 |" in text
    assert "> A wise remark." in text
    kinds = [b.kind for b in blocks(text)]
    assert kinds.count("heading") == 2 and "table" in kinds


def test_links_and_code_come_back_from_writers_own_export(tmp_path):
    original = "# Links\n\nSee [the site](https://example.org) now.\n\n```\nkeep   this\n```\n"
    path = tmp_path / "links.docx"
    path.write_bytes(docx_bytes(source_of(original, tmp_path / "links.md")))
    text = read_text(path)
    assert "See [the site](https://example.org) now." in text
    assert "```\nkeep   this\n```" in text


def test_markdown_name():
    assert markdown_name("/x/Report Final.DOCX") == "Report Final.md"


@pytest.mark.parametrize("content,expected", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "protected by a password or is an old Word 97-2003 file"),
    (b"PK\x03\x04 this is not really a zip", "is damaged or is not a Word document"),
    (b"just some text", "is damaged or is not a Word document"),
])
def test_unreadable_word_files_are_one_sentence(tmp_path, content, expected):
    path = tmp_path / "bad.docx"
    path.write_bytes(content)
    with pytest.raises(UserError, match=expected) as info:
        load_docx(path)
    assert "\n" not in str(info.value)


def test_a_zip_without_a_document_inside(tmp_path):
    import zipfile

    path = tmp_path / "empty.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(UserError, match="is damaged or is not a Word document"):
        load_docx(path)


def test_missing_file(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        load_docx(tmp_path / "nope.docx")
