from hypothesis import given, settings, strategies as st

from writer.core.chunking import join, paragraphs, sentences, split_text


def by_chars(texts):
    """A stand-in tokenizer: one token per visible character (whitespace between pieces is free)."""
    return [len("".join(t.split())) for t in texts]


def test_paragraphs_keep_code_blocks_whole():
    text = "Intro.\n\n```\nline\n\nmore\n```\n\nEnd."
    parts = [p.text for p in paragraphs(text)]
    assert parts == ["Intro.", "```\nline\n\nmore\n```", "End."]


def test_sentences_split_on_chinese_and_japanese_punctuation():
    assert [p.text for p in sentences("第一句。第二句！第三句？")] == ["第一句。", "第二句！", "第三句？"]
    assert [p.text for p in sentences("これは文です。次の文。")] == ["これは文です。", "次の文。"]
    assert [p.text for p in sentences("One. Two! Three?")] == ["One.", "Two!", "Three?"]


def test_pieces_respect_the_limit_and_reassemble_exactly():
    text = ("A sentence of some length. " * 30 + "\n\n") * 5 + "这是一个很长的中文句子。" * 40
    pieces = split_text(text, 120, by_chars)
    assert len(pieces) > 5
    assert all(by_chars([p.text])[0] <= 120 for p in pieces)
    assert join(pieces, [p.text for p in pieces]) == text


def test_small_text_is_one_piece():
    pieces = split_text("Short text.", 100, by_chars)
    assert [p.text for p in pieces] == ["Short text."]


def test_giant_word_is_split_anyway():
    pieces = split_text("x" * 1000, 100, by_chars)
    assert all(by_chars([p.text])[0] <= 100 for p in pieces)
    assert "".join(p.text for p in pieces) == "x" * 1000


def test_fifty_thousand_words_split_quickly():
    text = "\n\n".join("Word " * 200 for _ in range(250))
    calls = []

    def count(texts):
        calls.append(len(texts))
        return [len(t.split()) for t in texts]

    pieces = split_text(text, 1000, count)
    assert len(pieces) >= 50
    assert len(calls) <= 3  # batched: one call per level, not one per paragraph


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .。！\n ")), max_size=400), st.integers(min_value=1, max_value=50))
def test_any_text_reassembles(text, limit):
    pieces = split_text(text, limit, by_chars)
    assert join(pieces, [p.text for p in pieces]) == text
    assert all(by_chars([p.text])[0] <= limit for p in pieces)


def test_pieces_carry_their_token_counts():
    text = ("A sentence of some length. " * 30 + "\n\n") * 3
    for piece in split_text(text, 120, by_chars):
        assert piece.tokens == by_chars([piece.text])[0]


def test_paragraphs_keep_every_kind_of_code_and_html_block_whole():
    blocks = ["~~~\nline\n\nmore\n~~~", "````\n```\n\n```\n````", "    indented\n\n    code", "<pre>\nhtml\n\n</pre>"]
    for block in blocks:
        text = f"# Title\n\n{block}\n\nEnd."
        assert [p.text for p in paragraphs(text)] == ["# Title", block.lstrip(), "End."], block  # indentation goes with the break before


def test_plain_text_paragraphs_split_at_every_blank_line():
    text = "Dear Ann,\n\n    It was a long winter.\n\n    We missed you."
    assert [p.text for p in paragraphs(text)] == ["Dear Ann,", "It was a long winter.", "We missed you."]
