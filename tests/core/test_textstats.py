from writer.core.textstats import count_characters, count_words
from writer.core.worddiff import word_diff


def test_counts_english_chinese_and_japanese():
    assert count_words("Hello, world!") == 2
    assert count_words("今天很冷。") == 4
    assert count_words("これはペンです") == 7
    assert count_words("# Title\n\n- item") == 2
    assert count_characters("ab\ncd") == 4


def test_word_diff_marks_changed_words():
    ops = word_diff("A few boats was leaving.", "A few boats were leaving.")
    assert ("removed", "was") in ops and ("added", "were") in ops
    assert "".join(t for op, t in ops if op != "removed") == "A few boats were leaving."


def test_counting_in_slices_gives_the_same_totals():
    from writer.core.textstats import chunks

    text = "Some words, 中文字符 and more words.\n" * 5000
    parts = list(chunks(text, 1000))
    assert "".join(parts) == text and len(parts) > 10
    assert sum(count_words(p) for p in parts) == count_words(text)
