"""`writer export`, run as a user runs it, and .docx input for the command-line actions."""

import os
import subprocess
import sys

import docx
import pypdf
import pytest
from pathlib import Path

from writer.cli.actions import read_input

ROOT = str(Path(__file__).resolve().parents[2])


def writer(*args, cwd=None):
    """As from a terminal with no display: Qt must find its own way to lay out pages."""
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONPATH"] = os.pathsep.join([ROOT, env.get("PYTHONPATH", "")])  # this checkout, from any folder
    return subprocess.run([sys.executable, "-m", "writer", *args], capture_output=True, timeout=300, cwd=cwd, env=env)


def one_line_error(result, fragment):
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert fragment in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err


@pytest.fixture
def notes(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# Trip\n\nWe walked **far**.\n\n北京的秋天很美。\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["pdf", "docx", "odt", "html"])
def test_export_writes_beside_the_source(notes, fmt):
    result = writer("export", str(notes), "--to", fmt)
    assert result.returncode == 0, result.stderr.decode()
    out = notes.with_suffix("." + fmt)
    assert result.stdout.decode().strip() == f"writer: exported {out}"
    assert out.stat().st_size > 100
    if fmt == "pdf":
        text = pypdf.PdfReader(out).pages[0].extract_text()
        assert "北京的秋天很美。" in text and "Trip" in text
    assert notes.read_text(encoding="utf-8").startswith("# Trip")


def test_output_name_gives_the_format_and_existing_files_are_kept(notes, tmp_path):
    out = tmp_path / "sub" / "trip.docx"
    assert writer("export", str(notes), "-o", str(out)).returncode == 0
    assert docx.Document(out).paragraphs[0].style.name == "Heading 1"
    before = out.read_bytes()
    one_line_error(writer("export", str(notes), "-o", str(out)), "already exists")
    assert out.read_bytes() == before
    assert writer("export", str(notes), "-o", str(out), "--force").returncode == 0


def test_docx_in_pdf_out(tmp_path):
    document = docx.Document()
    document.add_heading("From Word", 1)
    document.add_paragraph("A paragraph from Word.")
    source = tmp_path / "draft.docx"
    document.save(source)
    assert writer("export", str(source), "--to", "pdf").returncode == 0
    text = pypdf.PdfReader(tmp_path / "draft.pdf").pages[0].extract_text()
    assert "A paragraph from Word." in " ".join(text.split())


@pytest.mark.parametrize("args,fragment", [
    (["export", "missing.md", "--to", "pdf"], "missing.md does not exist."),
    (["export", "bad.docx", "--to", "html"], "bad.docx is damaged or is not a Word document"),
    (["export", "pic.md", "--to", "pdf"], "The image nowhere.png does not exist"),
    (["export", "pic.md"], "Say which format to export to with --to"),
    (["export", "pic.md", "-o", "pic.rtf"], "Writer exports to pdf, docx, odt, html, not 'rtf'"),
])
def test_bad_input_is_one_sentence(tmp_path, args, fragment):
    (tmp_path / "bad.docx").write_bytes(b"not a zip")
    (tmp_path / "pic.md").write_text("# P\n\n![x](nowhere.png)\n", encoding="utf-8")
    one_line_error(writer(*args, cwd=tmp_path), fragment)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.docx", "pic.md"]


def test_actions_read_docx_as_markdown(tmp_path):
    document = docx.Document()
    document.add_heading("Plan", 1)
    document.add_paragraph("Buy ").add_run("milk").bold = True
    path = tmp_path / "plan.docx"
    document.save(path)
    assert read_input(str(path)) == "# Plan\n\nBuy **milk**\n"
