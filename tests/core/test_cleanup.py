from hypothesis import given, settings, strategies as st

from writer.core.cleanup import StreamCleaner, clean


def test_removes_preamble_and_closing_chatter():
    raw = "Sure! Here is the rewritten text:\n\nHello world.\n\nLet me know if you need anything else!"
    assert clean(raw) == "Hello world."


def test_removes_think_block():
    assert clean("<think>the user wants French</think>\n\nBonjour le monde.") == "Bonjour le monde."


def test_removes_wrapping_fence_and_quotes():
    assert clean("```markdown\n# Title\nBody\n```") == "# Title\nBody"
    assert clean('"Quoted answer."') == "Quoted answer."
    assert clean("“整句。”") == "整句。"


def test_keeps_quotes_that_do_not_wrap_everything():
    assert clean('"Hi," she said. "Bye."') == '"Hi," she said. "Bye."'


def test_chinese_preamble_and_chatter():
    assert clean("以下是翻译：\n你好，世界。\n希望这对你有帮助！") == "你好，世界。"


def test_keeps_ordinary_text_that_starts_like_a_preamble():
    assert clean("Here we go again, said Tom.") == "Here we go again, said Tom."
    assert clean("- a\n- b\n") == "- a\n- b"


def test_keeps_chatter_like_lines_in_the_middle():
    text = "First paragraph.\n\nI hope the rain stops.\n\nLast paragraph."
    assert clean(text) == text


def test_streams_before_the_end():
    cleaner = StreamCleaner()
    assert cleaner.feed("The first line of a long answer.\nAnd the second") == "The first line of a long answer.\nAnd the second"
    assert cleaner.feed(" line.\n\nLet me know") == " line."  # held: it may be closing chatter
    assert cleaner.feed(" if this helps.") + cleaner.finish() == ""


samples = st.sampled_from([
    "Sure! Here is the text:\n\nHello there.\nLine two.\n\nI hope this helps!",
    "<think>x</think>Answer with\nlines.",
    '```\ncode\n```', '"wrapped"', "以下是摘要：\n中文。\n如有问题请告诉我。", "Plain.\n\n- list\n- more",
    "Fixed text.\n\nI changed one word, as asked.", "Kept.\n\nI changed my plans.",
    'Here is the corrected text:\n"""\nBody line.\n"""', '"""\nThe revised text is:\nBody.\n\nMore body.',
    "Sure, I've already done that. Dont forget.\nMore.", "以下是摘要：他们走回家了。\n第二行。", '"""One line."""',
    "Here's the proofread version.\n\nBody.", "Sure, I can come.\nSee you.",
])


@settings(max_examples=200, deadline=None)
@given(samples, st.lists(st.integers(min_value=1, max_value=12), max_size=40))
def test_streaming_matches_whole_text(text, cuts):
    source = "Kept. I changed my plans."
    cleaner, out, pos = StreamCleaner(source, edit_reports=True), "", 0
    for n in cuts:
        out += cleaner.feed(text[pos:pos + n])
        pos += n
    out += cleaner.feed(text[pos:]) + cleaner.finish()
    assert out == clean(text, source, edit_reports=True)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_cleans_to_a_trimmed_part_of_itself(text):
    # The cleaner only cuts (chatter before and after, wrapping quotes); it never adds or rewrites.
    cleaned = clean(text)
    assert cleaned in text and cleaned == cleaned.strip()


# Lines of words no preamble, chatter, quote or fence starts with: ordinary text.
words = st.text("abcdefgh", min_size=1, max_size=8)
line = st.tuples(st.sampled_from(["", " ", "\t"]), st.lists(words, max_size=8).map(" ".join), st.sampled_from(["", ".", ", "]))
plain_text = st.lists(line.map("".join), min_size=1, max_size=8).map("\n".join).filter(str.strip)


@settings(max_examples=200, deadline=None)
@given(plain_text)
def test_ordinary_text_comes_back_as_it_was(text):
    assert clean(text) == text.strip()


@settings(max_examples=200, deadline=None)
@given(plain_text)
def test_any_answer_loses_its_preamble_and_closing_chatter(text):
    raw = f"Sure! Here is the rewritten text:\n\n{text}\n\nLet me know if you need anything else!"
    assert clean(raw) == text.strip()
    assert clean(f'"""\n{text}\n"""\n\nI hope this helps.') == text.strip()


def test_streams_a_new_paragraph_before_its_line_ends():
    cleaner = StreamCleaner()
    released = cleaner.feed("First paragraph.\n\nSecond paragraph is still being wri")
    assert released == "First paragraph.\n\nSecond paragraph is still being wri"


def test_text_after_an_echoed_closing_delimiter_is_dropped():
    raw = 'Bonjour le monde.\n"""\n\nI have translated the text exactly as requested.'
    assert clean(raw) == "Bonjour le monde."


def test_announcement_lines_are_removed():
    assert clean("The following passage is to be reworded for a professional tone:\n\nDear team,") == "Dear team,"
    assert clean("以下是改写后的文本：\n你好。") == "你好。"
    assert clean("Ingredients:\n- flour") == "Ingredients:\n- flour"


def test_stacked_announcements_and_echoed_delimiters_all_go():
    assert clean('"""\nThe original text is:\nDraft one.') == "Draft one."
    assert clean("Here is the corrected text:\nThe revised version:\n\nDraft one.") == "Draft one."
    assert clean('Text:\n"""\nDraft one.\n"""') == "Draft one."
    assert clean("Summary: the boats left early.\nThen the fog came.") == "Summary: the boats left early.\nThen the fog came."


def test_rewrite_drops_a_report_of_its_edits():
    source = "The boats was leaving early, and we was late."
    raw = ('The boats were leaving early, and we were late.\n\nI changed "was" to "were" in both places, '
           "because the subjects are plural.")
    assert clean(raw, source, edit_reports=True) == "The boats were leaving early, and we were late."
    assert clean("Hola.\n\nNote: I kept the informal tone.", "Hi.") == "Hola."


def test_closing_lines_that_are_the_users_own_text_are_kept():
    letter = "Dear Ann,\n\nthe parcel arrived today.\n\nLet me know when you are back.\nI changed my plans, by the way."
    assert clean(letter, letter, edit_reports=True) == letter.strip()
    # A translated letter may end with a wish; only phrases about the answer itself are chatter.
    assert clean("亲爱的安：\n\n包裹今天到了。\n\n希望早日见到你。", "Dear Ann...") == "亲爱的安：\n\n包裹今天到了。\n\n希望早日见到你。"
    assert clean("We arrived.\n\nI hope to see you soon.", "我们到了。希望早日见到你。") == "We arrived.\n\nI hope to see you soon."


def test_an_opener_on_the_same_line_as_the_answer_goes():
    assert clean("Sure, I've already done that. Don't forget the slides.") == "Don't forget the slides."
    assert clean("Here is the corrected text: Don't forget the slides.") == "Don't forget the slides."
    assert clean("Certainly! Here's the translation: Bonjour.") == "Bonjour."
    assert clean("以下是修改后的文本：请不要忘记幻灯片。") == "请不要忘记幻灯片。"
    assert clean("好的，以下是摘要：他们走回家了。") == "他们走回家了。"
    assert clean("Here's the proofread version.\n\nDon't forget the slides.") == "Don't forget the slides."


def test_an_opener_that_may_be_the_users_own_words_stays():
    # A bare "Of course." or "Sure, I can…" may translate the user's words; a remark about the task cannot.
    assert clean("Of course. Don't forget the slides.") == "Of course. Don't forget the slides."
    assert clean("Sure, I can come on Thursday.") == "Sure, I can come on Thursday."
    assert clean("Here we go again, said Tom.") == "Here we go again, said Tom."
    # The text being edited starts that way itself.
    letter = "Sure, I'm happy to help with the move.\nSee you Saturday."
    assert clean(letter, letter) == letter
    assert clean("Here is the summary: costs rose.", "Here is the summary: costs rise.") == "Here is the summary: costs rose."


def test_a_whole_answer_in_triple_quotes_on_one_line_is_unwrapped():
    assert clean('"""Don\'t forget the slides."""') == "Don't forget the slides."
    assert clean('"""A""" and """B"""') == '"""A""" and """B"""'
