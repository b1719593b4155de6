"""Which words are checked, which dictionary a language gets, and the personal word list."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from writer.core import spelling
from writer.core.errors import UserError
from writer.core.markdown import front_matter_end, inline_verbatim

ROOT = str(Path(__file__).resolve().parents[2])


def checked(line):
    return [word for _, _, word in spelling.words(line)]


@pytest.mark.parametrize("line,expected", [
    ("Teh cat sat.", ["Teh", "cat", "sat"]),
    ("Run `pip instal` now", ["Run", "now"]),
    ("See [the docz](https://exampel.org/pathh) and ![a pictur](imgs/phto.png).", ["See", "the", "docz", "and", "a", "pictur"]),
    ("Mail <bob@exampel.org> or <https://exampel.org>; <span class=\"notte\">texxt</span>", ["Mail", "or", "texxt"]),
    ("Visit https://exampel.org/a?b=c or www.exampel.com, write to ann@exampel.org", ["Visit", "or", "write", "to"]),
    ("NASA and HTTPS are fine, so are abc123, snake_case and 3rd", ["and", "are", "fine", "so", "are", "and"]),
    ("中文不检查 but English is, 日本語も, 한국어도", ["but", "English", "is"]),
    ("It’s the writer's pen &amp; ink", ["It’s", "the", "writer's", "pen", "ink"]),
])
def test_only_prose_words_are_checked(line, expected):
    assert checked(line) == expected


def test_positions_are_the_words_own():
    line = "A `x` wrod"
    assert [(line[s:e], w) for s, e, w in spelling.words(line)] == [("A", "A"), ("wrod", "wrod")]


def test_inline_verbatim_uses_the_markdown_parser():
    line = "a `b` [c](d) <e> x"
    assert [line[s:e] for s, e in inline_verbatim(line)] == ["`b`", "(d)", "<e>"]
    assert inline_verbatim("``not closed") == []


@pytest.mark.parametrize("lines,end", [
    (["---", "title: Notes", "tags: [a]", "---", "Body"], 4),
    (["---", "title: x", "...", ""], 3),
    (["---", "never closed"], 0),
    (["Text", "---"], 0),
    ([], 0),
])
def test_front_matter(lines, end):
    assert front_matter_end(lines) == end


@pytest.mark.parametrize("language,locale,expected", [
    ("en", "en_GB.UTF-8", "en_GB"), ("en", "fr_FR", "en_US"), ("en", "", "en_US"), ("fr", "en_US", "fr_FR"),
    ("de", "de_AT", "de_AT"), ("pt", "", "pt_BR"), ("xx", "", None), (None, "", None),
])
def test_dictionary_for_a_language(language, locale, expected):
    tags = ["de_AT", "de_DE", "en_GB", "en_US", "fr_FR", "pt_BR", "zh_CN"]
    assert spelling.choose(language, tags, locale) == expected


SHIPPED_CHECK = """
from writer.core import spelling
speller = spelling.Speller("en_US")
assert (spelling.dictionary_folder() / "hunspell" / "en_US.dic").is_file()
assert speller._dict.provider.name == "hunspell", speller._dict.provider.name
assert speller.check("hello") and not speller.check("helo") and "hello" in speller.suggest("helo")
print("ok")
"""


def test_shipped_english_works_with_no_system_dictionary(tmp_path):
    """In a fresh process, with the system's Hunspell folders hidden (a private mount namespace, where
    the machine allows one): the shipped en_US, copied into Writer's own Enchant folder, does the work."""
    env = {**os.environ, "WRITER_HOME": str(tmp_path / "home"), "PYTHONPATH": ROOT}
    env.pop("ENCHANT_CONFIG_DIR", None)
    command = [sys.executable, "-c", SHIPPED_CHECK]
    hidden = [d for d in ("/usr/share/hunspell", "/usr/share/myspell") if os.path.isdir(d)]
    empty = tmp_path / "empty"
    empty.mkdir()
    if hidden and shutil.which("unshare") and os.geteuid() == 0:
        mounts = " && ".join(f"mount --bind {empty} {d}" for d in hidden)
        probe = subprocess.run(["unshare", "-m", "sh", "-c", f"{mounts} && ls {hidden[0]}"], capture_output=True)
        if probe.returncode == 0:
            command = ["unshare", "-m", "sh", "-c", f"{mounts} && exec \"$@\"", "sh", *command]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr


def test_personal_words_are_a_plain_text_file_per_language():
    speller = spelling.Speller("en_US")
    assert not speller.check("Zorblax")
    speller.add("Zorblax")
    speller.add("Quuxify")
    assert speller.check("Zorblax")
    path = spelling.personal_list_path("en_US")
    assert path.read_text(encoding="utf-8") == "Quuxify\nZorblax\n"
    assert spelling.Speller("en_US").check("Quuxify")  # read back by a new checker


def test_ignored_words_last_the_session_only():
    speller = spelling.Speller("en_US")
    speller.ignore("Frobnitz")
    assert speller.check("Frobnitz")
    assert not spelling.Speller("en_US").check("Frobnitz")
    assert not spelling.personal_list_path("en_US").exists()


def test_a_missing_dictionary_is_one_sentence():
    with pytest.raises(UserError, match="There is no xx_YY dictionary; see README to add a language."):
        spelling.Speller("xx_YY")
