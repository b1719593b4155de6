import codecs
import os

import pytest

from writer.core import documents
from writer.core.errors import UserError


def test_bom_and_crlf_survive_a_round_trip(tmp_path):
    path = tmp_path / "crlf bom 文档.txt"
    original = codecs.BOM_UTF8 + "Line one\r\n第二行\r\n".encode()
    path.write_bytes(original)
    doc = documents.load(path)
    assert doc.text == "Line one\n第二行\n" and doc.newline == "\r\n" and doc.bom == codecs.BOM_UTF8
    documents.save(path, doc)
    assert path.read_bytes() == original


def test_utf16_with_bom(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "héllo".encode("utf-16-le"))
    assert documents.load(path).text == "héllo"


def test_binary_and_invalid_utf8_are_clear_errors(tmp_path):
    (tmp_path / "b.bin").write_bytes(b"\x89PNG\x00\x00\x01")
    (tmp_path / "l1.txt").write_bytes("café".encode("latin-1"))
    with pytest.raises(UserError, match="binary"):
        documents.load(tmp_path / "b.bin")
    with pytest.raises(UserError, match="not valid UTF-8"):
        documents.load(tmp_path / "l1.txt")
    assert documents.load(tmp_path / "l1.txt", encoding="latin-1").text == "café"


def test_failed_save_leaves_the_original_untouched(tmp_path, monkeypatch):
    path = tmp_path / "doc.md"
    path.write_text("original")
    doc = documents.Document("new text")

    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    with pytest.raises(UserError, match="disk is full"):
        documents.save(path, doc)
    assert path.read_text() == "original"
    assert os.listdir(tmp_path) == ["doc.md"]


def test_permission_denied_is_a_clear_error(tmp_path, monkeypatch):
    # Tests run as root in CI, where chmod cannot deny writes; the OS error is simulated instead.
    def denied(path, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(documents, "write_atomic", denied)
    with pytest.raises(UserError, match="not allowed to write"):
        documents.save(tmp_path / "x.txt", documents.Document("x"))


def test_mixed_line_endings_are_kept_on_save(tmp_path):
    path = tmp_path / "mixed.txt"
    original = codecs.BOM_UTF8 + b"one\r\ntwo\nthree\rfour\r\n"
    path.write_bytes(original)
    doc = documents.load(path)
    assert doc.text == "one\ntwo\nthree\nfour\n"
    documents.save(path, doc)
    assert path.read_bytes() == original
    doc.text += "five\n"  # new lines take the most common ending
    documents.save(path, doc)
    assert path.read_bytes() == original + b"five\r\n"


def test_ten_megabyte_file_opens(tmp_path):
    path = tmp_path / "big.md"
    path.write_text(("A line of a very long document, with some words in it.\n" * 190_000))
    assert path.stat().st_size > 10_000_000
    assert len(documents.load(path).text) == path.stat().st_size


def test_oversized_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 1000)
    path = tmp_path / "huge.txt"
    path.write_text("x" * 2000)
    with pytest.raises(UserError, match="Writer opens documents up to"):
        documents.load(path)
