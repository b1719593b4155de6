"""The facts of a text that an edit must keep: numbers, URLs, e-mail addresses, code and names.

Translation tools have long checked that numbers and tags survive (the QA checks of CAT tools);
`compare(source, result)` does that for Writer's results. Numbers are compared by value, so
"68万", "680,000", "680 000", "68 万" and "٦٨٠٠٠٠" are one number whatever the script, and a date
is its numbers (a month name counts as its number: "December 5" keeps the 12 of "12月5日").
Numbers written as words ("two", "六十八") count when they keep a number of the source but are
never required: "一" is also "a", and a word may honestly become a figure.

Only what the comparison can be sure of is reported: a fact is missing when its value appears
nowhere in the result, added when its value appears nowhere in the source.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

# A number in any script's digits, with grouping and a decimal part: 680,000 · 3,5 · 68.000 · ٦٨.
_NUMBER = re.compile(r"(?<![A-Za-z_.\d])(?:\d{1,3}(?:[,.'\u066c\u00a0\u202f ]\d{3})+(?!\d)|\d+)(?:[.,\u066b]\d+)?")
_MULTIPLIERS = {
    "万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "千": 10**3, "百": 100, "k": 10**3,
    "thousand": 10**3, "million": 10**6, "millions": 10**6, "billion": 10**9, "billions": 10**9,
    "mille": 10**3, "milliard": 10**9, "milliards": 10**9, "millionen": 10**6, "million(en)": 10**6,
    "milliarde": 10**9, "milliarden": 10**9, "millón": 10**6, "millones": 10**6, "mil": 10**3,
}
_MULTIPLIER = re.compile(r"\s?(万|萬|亿|億|千|百)|\s?(k|thousand|millions?|billions?|mille|milliards?|millionen|"
                         r"milliarden?|millón|millones|mil)\b", re.IGNORECASE)
# Units that change what a number means: "5 km" is not "5 miles". A written-out unit ("days")
# may change its form in a correct edit, so only symbols and CJK measure words count.
_UNIT = re.compile(r"\s?(%|‰|°[CF]?|(?:km|cm|mm|m|kg|mg|g|ml|l|h|min|ms|s|[KMGT]B|px|pt|mph|USD|EUR|GBP|CNY|RMB)\b"
                   r"|公里|英里|公斤|千克|小时|分钟|美元|欧元|英镑|[元米克秒])")
_CURRENCY_BEFORE = re.compile(r"[$€£¥₹]\s?$")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'`()（）]+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_CODE = re.compile(r"```[\s\S]*?```|`[^`\n]+`")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)*\b|\b[A-Z][a-z]*\d+\w*\b|\b[a-z]+[A-Z]\w*\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?…:;]\s+|\n\s*(?:[-*+>#]+\s*|\d+[.)]\s*)?)[\"'“‘(]*$")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")

# Words spelled with a capital that are not names in English, French or German text.
_NOT_NAMES = frozenset("""
I I'm I've I'll I'd A An The This That These Those It Its He She We You They Our Your My His Her Their There Here
What When Where Who Why How Which If But And Or So Then Also Please Dear Hi Hello Thanks Thank Yes No Not OK Ok
Le La Les Un Une Des Je Il Elle Nous Vous Ils Elles Ce Cette Et Mais Ou Donc Bonjour Merci Der Die Das Ein Eine
Ich Sie Wir Es Und Aber Oder Mr Mrs Ms Dr Prof St Mme Mlle Hey Sorry Regards Best Cheers Sincerely Kind
""".split())
# Day names: facts in one language, translated in another ("Thursday" is "jeudi").
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
# Month names, for the number they stand for in a date.
_MONTHS = {name: i + 1 for names in (
    "january february march april may june july august september october november december".split(),
    "jan feb mar apr may jun jul aug sep oct nov dec".split(),
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
    "januar februar märz april mai juni juli august september oktober november dezember".split(),
) for i, name in enumerate(names)}
_WORD_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())} | {
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
    "dix": 10, "once": 11, "first": 1, "second": 2, "third": 3, "premier": 1, "première": 1}
_WORD = re.compile(r"[^\W\d_]+")
_CJK_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
               "八": 8, "九": 9}
_CJK_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_CJK_NUMERAL = re.compile("[零〇一二两兩三四五六七八九十百千万萬亿億]+")


@dataclass(frozen=True)
class Fact:
    kind: str  # "number", "url", "email", "code" or "name"
    text: str  # as written, with its unit: "68万", "68 km"
    key: object  # what is compared: the value of a number, the text of the others
    start: int = 0  # where it is in its text
    unit: str = ""  # of a number: its unit or currency, as a symbol


@dataclass
class Comparison:
    """What the result lost or gained. `changed` pairs a lost number with the number that stands
    where it stood (result fact, source fact)."""
    changed: list[tuple[Fact, Fact]] = field(default_factory=list)
    missing: list[Fact] = field(default_factory=list)
    added: list[Fact] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changed or self.missing or self.added)


def _digits(text: str) -> str:
    """Any script's digits as ASCII ones."""
    return "".join(str(unicodedata.decimal(c)) if c.isdigit() else c for c in text)


def _value(written: str) -> Decimal | None:
    """The value of a number as written, deciding what its separators are."""
    if written.isascii() and written.isdigit():
        return Decimal(written)  # most numbers: no separators to decide about
    s = _digits(written).replace("\u066b", ".").replace("\u066c", ",")
    s = re.sub(r"[\u00a0\u202f ']", "", s)
    seps = re.findall(r"[.,]", s)
    if len(set(seps)) == 2:  # 1,234.5 or 1.234,5: the last one is the decimal point
        decimal = s[max(s.rfind(","), s.rfind("."))]
        s = s.replace("," if decimal == "." else ".", "").replace(decimal, ".")
    elif len(seps) > 1 or (seps and re.search(r"[.,]\d{3}$", s) and not s.startswith("0")):
        s = re.sub(r"[.,]", "", s)  # 680,000 or 68.000: grouping
    else:
        s = s.replace(",", ".")  # 3,5 or 3.5
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def numbers(text: str) -> list[Fact]:
    """Numbers written with digits, each with its multiplier and unit."""
    out = []
    for m in _NUMBER.finditer(text):
        value = _value(m.group())
        if value is None:
            continue
        end = m.end()
        mult = _MULTIPLIER.match(text, end)
        if mult:
            value *= _MULTIPLIERS[(mult.group(1) or mult.group(2)).lower()]
            end = mult.end()
        unit = _UNIT.match(text, end)
        start = m.start()
        before = _CURRENCY_BEFORE.search(text, max(0, start - 2), start)
        if before:
            start = before.start()
        symbol = (unit.group(1) if unit else "") or (before.group().strip() if before else "")
        shown_end = unit.end() if unit else end
        out.append(Fact("number", text[start:shown_end].strip(), value.normalize(), m.start(), symbol.casefold()))
    return out


def values(text: str, months: bool = True) -> set[Decimal]:
    """Every number `text` gives, in figures or in words (with `months`, month names too)."""
    return {f.key for f in numbers(text)} | _word_values(text, months)


def _word_values(text: str, months: bool) -> set[Decimal]:
    """Values a text gives in words: "two", "六十八万", and with `months` "December" (a translation
    may write 12月 for it). Never required, see above."""
    values = set()
    for word in _WORD.findall(text.lower()):
        if word in _WORD_NUMBERS:
            values.add(Decimal(_WORD_NUMBERS[word]))
        if months and word in _MONTHS:
            values.add(Decimal(_MONTHS[word]))
    for run in _CJK_NUMERAL.findall(text):
        value = _cjk_value(run)
        if value is not None:
            values.add(Decimal(value))
    return values


def _cjk_value(run: str) -> int | None:
    """六十八万 -> 680000, 二〇二六 -> 2026; None for a run that is not a number."""
    if all(c in _CJK_DIGITS for c in run):
        return int("".join(str(_CJK_DIGITS[c]) for c in run))
    total, section, digit = 0, 0, None
    for c in run:
        if c in _CJK_DIGITS:
            digit = _CJK_DIGITS[c]
        elif _CJK_UNITS[c] >= 10**4:
            total += (section + (digit or 0)) * _CJK_UNITS[c]
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * _CJK_UNITS[c]
            digit = None
    return total + section + (digit or 0)


def _verbatim(text: str) -> list[Fact]:
    """URLs, e-mail addresses and code, which must come back character for character."""
    out = [Fact("code", m.group(), m.group(), m.start()) for m in _CODE.finditer(text)]
    out += [Fact("url", u, u, m.start()) for m in _URL.finditer(text) if (u := m.group().rstrip(".,;:!?"))]
    out += [Fact("email", m.group(), m.group(), m.start()) for m in _EMAIL.finditer(text)]
    return out


def names(text: str, recurring: bool = False) -> list[Fact]:
    """Capitalised words that are not capitalised for starting a sentence (one that only ever
    starts sentences is not taken for a name), and, with `recurring` (for a translation), only
    those that come twice or more, day names aside. CJK names are runs of two or three characters that recur: a name is written the same
    way each time, and a text names its people and places more than once."""
    found: dict[str, list[int]] = {}
    openers: dict[str, int] = {}
    for m in _CAPITALISED.finditer(text):
        word = m.group()
        if word in _NOT_NAMES or word.lower() in _MONTHS or word.lower() in _WORD_NUMBERS or (
                recurring and word.lower() in _WEEKDAYS):
            continue
        if _SENTENCE_START.search(text, max(0, m.start() - 6), m.start()):
            openers[word] = openers.get(word, 0) + 1
            continue
        found.setdefault(word, []).append(m.start())
    out = [Fact("name", w, w.casefold(), at[0]) for w, at in found.items()
           if not recurring or len(at) + openers.get(w, 0) > 1]
    out += [f for f in _cjk_names(text)]
    return sorted(out, key=lambda f: f.start)


def _cjk_names(text: str) -> list[Fact]:
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for run in _CJK_RUN.finditer(text):
        s = run.group()
        for size in (3, 2):
            for i in range(len(s) - size + 1):
                gram = s[i:i + size]
                counts[gram] = counts.get(gram, 0) + 1
                first.setdefault(gram, run.start() + i)
    # A pair inside a recurring triple is the same name, not another one; a run with a function
    # character after its first (a surname may be any character) is a phrase: 还没有, 我们的.
    triples = [g for g in counts if len(g) == 3 and counts[g] > 1 and not _CJK_NUMERAL.fullmatch(g)
               and not set(g[1:]) & _CJK_FUNCTION]
    pairs = [g for g in counts if len(g) == 2 and counts[g] > 2 and not any(g in t for t in triples)
             and not _CJK_NUMERAL.search(g) and not (set(g) & _CJK_FUNCTION)]
    return [Fact("name", g, g, first[g]) for g in triples + pairs]


# Characters that make a pair a phrase rather than a name ("我们", "的人", "一个").
_CJK_FUNCTION = frozenset("的了是在和与及就也都很吗呢吧啊我你他她它们这那个有不没要会能说到对着过为以上下中")


def compare(source: str, result: str, *, same_language: bool, check_added: bool = True,
            check_names: bool = True) -> Comparison:
    """What `result` lost or gained of `source`'s facts. Across languages, numbers are compared
    by value only and names only where they recur (a one-off word may be translated)."""
    found = Comparison()
    src_numbers, res_numbers = numbers(source), numbers(result)
    src_values = {f.key for f in src_numbers} | _word_values(source, months=not same_language)
    res_values = {f.key for f in res_numbers} | _word_values(result, months=not same_language)
    # In the same language a number keeps its unit too: "5 km" is not "5 miles".
    lost = [f for f in src_numbers if not _kept(f, res_numbers, res_values, same_language)]
    gained = [f for f in res_numbers if not _kept(f, src_numbers, src_values, same_language)]
    lost, gained = _unique(lost), _unique(gained) if check_added else []
    # A lost number and a gained one in the same place of their texts: one was changed into the other.
    while lost and gained:
        a = lost.pop(0)
        b = min(gained, key=lambda f: abs(f.start / max(1, len(result)) - a.start / max(1, len(source))))
        gained.remove(b)
        found.changed.append((b, a))
    found.missing += lost
    found.added += gained
    res_verbatim = _verbatim(result)
    kept = {f.key for f in res_verbatim}
    found.missing += _unique([f for f in _verbatim(source) if f.key not in kept and f.key not in result])
    if check_added:
        src_verbatim = {f.key for f in _verbatim(source)}
        found.added += _unique([f for f in res_verbatim if f.key not in src_verbatim and f.kind != "code"
                                and f.key not in source])
    if check_names:
        folded = result.casefold()
        found.missing += [f for f in names(source, recurring=not same_language) if str(f.key) not in folded]
    return found


def _kept(fact: Fact, others: list[Fact], values: set, same_language: bool) -> bool:
    """The other text has this number; in the same language with the same unit, where both have one."""
    if not same_language or not fact.unit:
        return fact.key in values
    return any(o.key == fact.key and o.unit in ("", fact.unit) for o in others) or (
        fact.key in values and not any(o.key == fact.key for o in others))  # written as a word


def _unique(facts: list[Fact]) -> list[Fact]:
    seen, out = set(), []
    for f in facts:
        if (f.kind, f.key) not in seen:
            seen.add((f.kind, f.key))
            out.append(f)
    return out
