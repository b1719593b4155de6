import re

import pytest
from hypothesis import given, settings, strategies as st

from writer.core.actions import ActionRequest
from writer.core.markdown import blocks, hide_links, one_line, restore_links, runs
from writer.core.pipeline import ActionRun
from tests.helpers.echo_engine import EchoEngine

DOC = """# Travel notes

We left early. See [the map](https://example.org/map "Map") for the route.

## Packing list

- warm coat
- [x] tickets
1. passport

> Travel light.

| Item | Cost |
|------|-----:|
| Train | 42 |

```python
print("do not translate me")

total = 42
```
"""

# Every construct that must come back byte-identical, and the document that holds them all.
CODE_BLOCKS = [
    "```python\nprint('three backticks')\n\nx = 1\n```\n",
    "````markdown\n```\nfour backticks around three\n```\n````\n",
    "~~~\ntilde fence text\n~~~\n",
    "    indented code line one\n\n    indented code line two\n",
]
INLINE = ["`inline code`", "``code with ` backtick``", "<https://example.org/autolink>", "(https://example.org/target)",
          "(images/photo.png \"A photo\")", "[ref]", "<kbd>", "</kbd>"]
LINE_KEPT = ["[ref]: https://example.org/reference \"Reference\"\n", "<div class=\"note\">\nRaw HTML block.\n</div>\n",
             "|:-----|------:|\n", "- [ ] ", "> "]
EVERYTHING = f"""# Notes on the trip

The guide said to run `inline code` first and ``code with ` backtick`` after it.
Write to <https://example.org/autolink> or read [the page](https://example.org/target).

![A photo of the harbour](images/photo.png "A photo") shows the boats; see [the reference][ref] too.
Press <kbd>Enter</kbd> to go on.

{CODE_BLOCKS[0]}
{CODE_BLOCKS[1]}
{CODE_BLOCKS[2]}
Some words between the fences.

{CODE_BLOCKS[3]}
{LINE_KEPT[0]}
{LINE_KEPT[1]}
| Place | Price |
|:-----|------:|
| Harbour | Ten euros |

- [ ] Pack the warm coat
> The sea was calm that morning.
"""


def prose_of(text):
    return [r.text for r in runs(text) if r.prose]


def test_runs_reassemble_exactly():
    assert "".join(r.text for r in runs(DOC)) == DOC
    assert "".join(r.text for r in runs(EVERYTHING)) == EVERYTHING


def test_structure_is_never_sent_to_the_model():
    prose = prose_of(DOC)
    assert "Travel notes" in prose and "warm coat" in prose and "Train" in prose
    assert not any("#" in p or "print(" in p or p.startswith("- ") or "|" in p for p in prose)


@pytest.mark.parametrize("block", CODE_BLOCKS)
def test_every_kind_of_code_block_is_structure(block):
    text = f"# Title\n\nBefore the code.\n\n{block}\nAfter the code.\n"
    assert prose_of(text) == ["Title", "Before the code.", "After the code."]


def test_code_inside_a_list_item_is_structure():
    text = "- Step one:\n\n  ```\n  make build\n  ```\n- Step two\n"
    assert prose_of(text) == ["Step one:", "Step two"]


def test_link_definitions_and_html_blocks_are_structure():
    text = "Intro with [a link][1].\n\n[1]: https://example.org/one\n\n<div>\nDo not translate.\n</div>\n\nEnd.\n"
    assert prose_of(text) == ["Intro with [a link][1].", "End."]


def test_headings_keep_their_markers():
    parts = runs("# Title #\n\nSubtitle\n--------\n")
    assert [(r.text, r.prose) for r in parts] == [("# ", False), ("Title", True), (" #\n", False), ("\n", False),
                                                 ("Subtitle", True), ("\n", False), ("--------\n", False)]


def test_tables_are_cut_cell_by_cell():
    text = "| Name | Note |\n|---|---|\n| a \\| b | `x\\|y` |\n"
    assert "".join(r.text for r in runs(text)) == text
    assert prose_of(text) == ["Name", "Note", "a \\| b", "`x\\|y`"]  # an escaped pipe stays inside its cell
    assert all(r.one_line for r in runs(text) if r.prose)


def test_quote_and_list_lines_keep_their_markers():
    parts = runs("> first line\n> second line\n\n- item\n  continued\n")
    structure = [r.text for r in parts if not r.prose]
    assert structure[:3] == ["> ", "\n", "> "] and "- " in structure
    assert "item\n  continued" in [r.text for r in parts if r.prose]


def test_plain_text_is_cut_at_blank_lines_only():
    letter = "Dear Ann,\n\n    It was a long winter. The snow\nstayed until May.\n\n    We missed you.\n"
    assert prose_of(letter) == ["Dear Ann,", "It was a long winter. The snow\nstayed until May.", "We missed you."]
    assert [r.text for r in runs(letter, whole_plain=True) if r.prose] == [letter.strip()]


def test_blocks_carry_source_lines():
    lines = EVERYTHING.splitlines(keepends=True)
    found = {"".join(lines[b.start : b.end]): b.kind for b in blocks(EVERYTHING)}
    assert all(found[block] == "code" for block in CODE_BLOCKS)
    assert found[LINE_KEPT[1]] == "html" and found["# Notes on the trip\n"] == "heading"


def test_translation_keeps_markdown_structure():
    engine = EchoEngine()
    events = list(ActionRun(engine, ActionRequest("translate", DOC, language="fr"), 2048))
    out = events[-1].text
    assert out.startswith("# TRAVEL NOTES\n\nWE LEFT EARLY. SEE [THE MAP](https://example.org/map \"Map\") FOR THE ROUTE.")
    for kept in ("## PACKING LIST", "- WARM COAT", "- [x] TICKETS", "1. PASSPORT", "> TRAVEL LIGHT.",
                 "|------|-----:|", "| TRAIN | 42 |", '```python\nprint("do not translate me")\n\ntotal = 42\n```\n'):
        assert kept in out
    assert not any("https://" in p for p in engine.prompts)  # link targets never reach the model


@pytest.mark.parametrize("action, options", [("translate", {"language": "fr"}), ("rewrite", {"style": "formal"})])
def test_code_urls_and_definitions_survive_a_model_that_changes_everything(action, options):
    engine = EchoEngine()  # upper-cases whatever it is sent, code and URLs included
    out = list(ActionRun(engine, ActionRequest(action, EVERYTHING, **options), 4096))[-1].text
    for kept in CODE_BLOCKS + INLINE + LINE_KEPT:
        assert kept in out, kept
    assert "| HARBOUR | TEN EUROS |" in out and "# NOTES ON THE TRIP" in out


def test_plain_text_rewrite_is_one_piece_as_before():
    engine = EchoEngine()
    text = "First paragraph.\n\n    Indented second paragraph.\n"
    out = list(ActionRun(engine, ActionRequest("rewrite", text, style="formal"), 2048))[-1].text
    assert len(engine.prompts) == 1 and out == "FIRST PARAGRAPH.\n\n    INDENTED SECOND PARAGRAPH.\n"


def test_links_dropped_by_the_model_are_appended():
    hidden, targets = hide_links("Read [this](https://a.example) and [that](https://b.example).")
    assert hidden == "Read [this] and [that]." and len(targets) == 2
    assert restore_links("Lisez [ceci] et [cela].", targets) == "Lisez [ceci](https://a.example) et [cela](https://b.example)."
    assert "https://b.example" in restore_links("Lisez [ceci].", targets)


def test_inline_code_autolinks_and_html_come_back_as_they_were():
    text = "Run `make all` at <https://ci.example/x?a=1> and [![badge](b.svg)](https://ci.example) <b>now</b>."
    hidden, kept = hide_links(text)
    assert hidden == "Run `make all` at <https://ci.example/x?a=1> and [![badge]] <b>now</b>."
    changed = "Lancez `MAKE ALL` sur <HTTPS://CI.EXAMPLE/X?A=1> et [![badge]] <B>maintenant</B>."
    assert restore_links(changed, kept) == ("Lancez `make all` sur <https://ci.example/x?a=1> et "
                                           "[![badge](b.svg)](https://ci.example) <b>maintenant</b>.")
    dropped = restore_links("Lancez tout.", kept)
    assert all(k.text in dropped for k in kept)


def test_shortcut_references_and_plain_brackets_are_left_to_the_model():
    assert hide_links("See [the docs] and [sic] here.") == ("See [the docs] and [sic] here.", [])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab #-*>|`~1.[]()<>\n:x \t=\\")), max_size=300))
def test_any_text_reassembles(text):
    assert "".join(r.text for r in runs(text)) == text
    assert "".join(r.text for r in runs(text, whole_plain=True)) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab `<>[]()!:/x\n*_")), max_size=120))
def test_whatever_the_model_writes_every_kept_part_comes_back(text):
    hidden, kept = hide_links(text)
    for answer in (hidden, hidden[: len(hidden) // 2], hidden.upper()):
        restored = restore_links(answer, kept)
        assert all(k.text in restored for k in kept)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab `<>()!:/x\n*_@")), max_size=120))
def test_restoring_an_unchanged_text_gives_it_back(text):
    hidden, kept = hide_links(text)
    assert restore_links(hidden, kept) == text


def test_a_cell_heading_or_list_item_stays_on_its_line():
    assert one_line("Le port |\n  dix euros \\| ou plus") == "Le port \\| dix euros \\| ou plus"


@pytest.mark.parametrize("action, options", [("translate", {"language": "fr"}), ("rewrite", {"style": "formal"})])
def test_the_real_model_returns_code_urls_definitions_and_tables_byte_identical(engine, action, options):
    run = ActionRun(engine, ActionRequest(action, EVERYTHING, **options), 2048, temperature=0, max_tokens=24)
    out = list(run)[-1].text
    for kept in CODE_BLOCKS + INLINE + LINE_KEPT:
        assert kept in out, kept
    rows = [line for line in out.splitlines() if line.startswith("|")]
    assert len(rows) == 3 and all(len(re.findall(r"(?<!\\)\|", row)) == 3 for row in rows)
    assert out.startswith("# ") and "\n- [ ] " in out and "\n> " in out
