"""Facts a result must keep: numbers by value in any script, URLs, e-mail addresses, code, names."""

from decimal import Decimal

import pytest

from writer.core.facts import compare, names, numbers, values


@pytest.mark.parametrize("written, value", [
    ("68万", 680000), ("68 万", 680000), ("680,000", 680000), ("680 000", 680000), ("٦٨", 68), ("６８", 68),
    ("6.8万", 68000), ("3,5", Decimal("3.5")), ("1.234,5", Decimal("1234.5")), ("1,000.25", Decimal("1000.25")),
    ("68 million", 68000000), ("2亿", 200000000), ("0.5", Decimal("0.5")),
])
def test_a_number_is_its_value_whatever_the_script(written, value):
    [fact] = numbers(f"about {written} people")
    assert fact.key == Decimal(value)


def test_numbers_keep_their_units_and_currency_for_showing():
    assert [(f.text, f.unit) for f in numbers("It ran 5 km in 45% of the time for $20 and 30元.")] == [
        ("5 km", "km"), ("45%", "%"), ("$20", "$"), ("30元", "元")]


def test_numbers_inside_chinese_text_are_found():
    assert [f.text for f in numbers("图书馆有33万本书和12名员工。")] == ["33万", "12"]


def test_a_year_is_not_joined_to_the_number_after_it():
    assert [f.key for f in numbers("In 2026 100 people came.")] == [2026, 100]


def test_words_and_month_names_give_values():
    assert {2, 12, 680000} <= values("two of them, on 5 December, 六十八万")


def test_translation_with_a_changed_number_pairs_it_with_the_original():
    found = compare("The library has 680,000 books and 12 staff.", "图书馆有33万本书和12名员工。", same_language=False)
    assert [(new.text, old.text) for new, old in found.changed] == [("33万", "680,000")]
    assert not found.missing and not found.added


@pytest.mark.parametrize("source, result", [
    ("图书馆有68万本书。", "The library has 680,000 books."),
    ("The library closes on 1 March 2027 and opens on December 5.", "图书馆2027年3月1日关闭，12月5日开放。"),
    ("图书馆2027年3月1日关闭，12月5日开放。", "The library closes on 1 March 2027 and opens on December 5."),
    ("We need 2 chairs.", "我们需要两把椅子。"),
    ("下午三点开会。", "The meeting is at 3 p.m."),
])
def test_the_same_numbers_in_another_script_are_kept(source, result):
    assert not compare(source, result, same_language=False)


def test_in_the_same_language_a_unit_counts():
    found = compare("It is 5 km away.", "It is 5 miles away.", same_language=True)
    assert found.missing == [] and not found.changed  # "miles" is a word, not a unit symbol
    found = compare("它在 5 km 外。", "它在 5 英里外。", same_language=True)
    assert [(n.text, o.text) for n, o in found.changed] == [("5 英里", "5 km")]


def test_a_month_name_is_not_a_number_in_the_same_language():
    found = compare("The library closes on 1 March.", "The library closes on 3 March.", same_language=True)
    assert [(n.text, o.text) for n, o in found.changed] == [("3", "1")]


def test_urls_emails_and_code_must_come_back_as_they_were():
    source = "Mail ana@example.com, see https://example.com/x and run `make test`."
    found = compare(source, "Mail ana@example.org, see the site and run make.", same_language=True)
    assert {f.text for f in found.missing} == {"ana@example.com", "https://example.com/x", "`make test`"}
    assert [f.text for f in found.added] == ["ana@example.org"]
    assert not compare(source, source.replace("Mail", "Write to"), same_language=True)


def test_names_are_capitalised_words_not_opening_a_sentence_and_recurring_cjk_runs():
    assert [f.text for f in names("Yesterday Mara met Tom. Then they left.")] == ["Mara", "Tom"]
    assert [f.text for f in names("我们去找王小明。王小明不在家，我们就去了公园。")] == ["王小明"]
    assert names("报告还没有完成，数据还没有送来，我们还没有开会。") == []  # a phrase, however often
    found = compare("Mara and Tom came. Ask Mara.", "Mara came. Ask Mara.", same_language=True)
    assert [f.text for f in found.missing] == ["Tom"]


def test_across_languages_only_recurring_names_are_required():
    source = "Then Mara went to London. Mara was tired."
    assert [f.text for f in compare(source, "然后玛拉去了伦敦。玛拉很累。", same_language=False).missing] == ["Mara"]
    assert not compare(source, "Puis Mara est allée à Londres. Mara était fatiguée.", same_language=False)
    assert not compare("See you on Monday at noon, on Monday.", "À lundi midi, lundi.", same_language=False)
