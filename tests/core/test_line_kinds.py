import random

import pytest

from writer.core import line_kinds
from writer.core.line_kinds import LineKinds

DOC = ["# Title", "", "Text with `code`.", "", "````", "```", "inside", "```", "````", "", "~~~", "tilde", "~~~", "",
       "    indented", "", "[1]: https://example.org", "<div>", "html", "</div>", "", "> quoted", "", "| a | b |",
       "|---|---|", "| c | d |", "", "Underlined", "==="]


def test_every_line_has_the_kind_the_parser_gives_it():
    kinds = LineKinds(DOC).kinds
    assert kinds[0] == "heading" and kinds[2] == "paragraph"
    assert kinds[4:9] == ["code"] * 5 and kinds[10:13] == ["code"] * 3 and kinds[14] == "code"
    assert kinds[16] == "" and kinds[17:20] == ["html"] * 3 and kinds[21] == "quote"
    assert kinds[23:26] == ["table"] * 3 and kinds[27:29] == ["heading"] * 2


def test_opening_a_fence_turns_the_rest_into_code_and_closing_it_gives_it_back():
    kinds = LineKinds(DOC)
    changed = kinds.edit(2, 1, ["```"])
    assert kinds.kinds[2:] == ["code"] * (len(DOC) - 2) and changed.stop == len(DOC)
    kinds.edit(2, 1, ["Text with `code`."])
    assert kinds.kinds == LineKinds(DOC).kinds


def test_an_underline_makes_the_line_above_a_heading():
    kinds = LineKinds(["Intro", "", "Title", "", "End"])
    changed = kinds.edit(3, 1, ["-----"])
    assert kinds.kinds[2:4] == ["heading", "heading"] and 2 in changed


def test_an_edit_in_a_long_document_is_parsed_near_it_only():
    lines = [f"Paragraph {i} with some words." if i % 2 == 0 else "" for i in range(20000)]
    kinds = LineKinds(lines)
    changed = kinds.edit(10000, 1, ["# Now a heading"])
    assert len(changed) < 10 and kinds.kinds[10000] == "heading"


@pytest.mark.parametrize("seed", range(3))
def test_edits_give_the_same_kinds_as_parsing_again(seed, monkeypatch):
    monkeypatch.setattr(line_kinds, "FIRST_WINDOW", 3)  # small windows: the growing search is exercised
    rnd = random.Random(seed)
    pool = ["```", "~~~", "    code", "", "text", "# h", "- item", "> q", "| a | b |", "|---|---|", "<div>", "===",
            "  more", "[x]: /u", "1. one", "<!--", "-->"]
    lines = [rnd.choice(pool) for _ in range(60)]
    kinds = LineKinds(list(lines))
    for _ in range(400):
        first = rnd.randrange(len(lines) + 1)
        removed = rnd.randrange(min(3, len(lines) - first) + 1)
        added = [rnd.choice(pool) for _ in range(rnd.randrange(3))]
        lines[first : first + removed] = added
        kinds.edit(first, removed, added)
        fresh = LineKinds(list(lines))
        assert (kinds.kinds, kinds.starts) == (fresh.kinds, fresh.starts)
