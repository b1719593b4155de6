"""What the result checks find reaches standard error after the result, for actions and Ask; the
result itself stays on standard output, whole (a finding never blocks it)."""

import json

import pytest

from tests.helpers.fakes import FakeEngine
from writer import cli
from writer.engine import session

LIBRARY = "第一章\n\n市图书馆共有藏书68万册，将从三月一日起闭馆装修。\n\n第二章\n\n老王负责仓库的钥匙，每天早上七点开门。\n"
HARBOUR = ("The harbour was quiet in the morning and the boats was leaving early. "
           "Their engines were loud in the fog.")


@pytest.fixture
def reply(monkeypatch):
    """Makes the command's engine session answer with the given text."""
    real = session.EngineSession

    def use(text):
        def factory(current, settings, on_death):
            return current or FakeEngine(lambda messages: text)
        monkeypatch.setattr(session, "EngineSession", lambda: real(engine_factory=factory))
    return use


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_prints_a_number_not_in_the_sources_on_standard_error(tmp_path, capsys, reply):
    path = tmp_path / "library.md"
    path.write_text(LIBRARY, encoding="utf-8")
    reply("图书馆有33万册藏书。")
    code, out, err = run(capsys, "ask", "图书馆有多少藏书？", str(path))
    assert code == 0 and out.startswith("图书馆有33万册藏书。") and "Sources:" in out
    assert "writer: Not in the sources: 33万; check the answer against them." in err
    code, out, _ = run(capsys, "ask", "图书馆有多少藏书？", str(path), "--json")
    assert json.loads(out)["notes"][0]["code"] == "ask.not_in_sources"


def test_a_short_proofread_that_lost_a_clause_says_so(tmp_path, capsys, reply):
    path = tmp_path / "harbour.txt"
    path.write_text(HARBOUR, encoding="utf-8")
    reply("The harbour was quiet in the morning, and their engines were loud.")
    code, out, err = run(capsys, "rewrite", "--style", "proofread", str(path))
    assert code == 0 and out == "The harbour was quiet in the morning, and their engines were loud.\n"
    assert ("writer: The proofread leaves out words of your text: “the boats was leaving early”, “in the fog”."
            in err)


def test_a_proofread_with_a_note_after_it_comes_back_without_it(tmp_path, capsys, reply):
    path = tmp_path / "harbour.txt"
    path.write_text(HARBOUR, encoding="utf-8")
    fixed = HARBOUR.replace("boats was", "boats were")
    reply(fixed + "\nThis is a corrected version of the original text with no additional changes.")
    code, out, err = run(capsys, "rewrite", "--style", "proofread", str(path))
    assert code == 0 and out == fixed + "\n" and err == ""
