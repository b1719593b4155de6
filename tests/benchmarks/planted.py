"""Planted failures for the result-quality benchmark: real outputs edited the way models fail
(a sentence dropped, a number changed, a note added after the text or on its last line, a
sentence repeated in a loop), replayed through Writer's real pipeline so clean-up, the repetition
stopper and the result checks all see them as they would see a model's stream."""

from __future__ import annotations

import re
from dataclasses import dataclass

from writer.core.alignment import segments
from writer.core.events import Delta, Finished
from writer.core.facts import numbers

_ENDS = re.compile(r"[.!?。！？]['\"”’」』)）]*$")
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
NOTES = {"en": ["This is a corrected version of the original text with no additional changes.", "I hope this helps!"],
         "zh": ["以上是修改后的文本，没有其他改动。", "希望这对你有帮助。"]}
# What a check must say about each plant ("removed": clean-up must take it out of the result).
EXPECTED = {
    "drop": {"result.dropped_sentence", "result.dropped_part", "result.left_out_words"},
    "number": {"result.fact_changed", "result.fact_missing", "result.fact_added", "ask.not_in_sources"},
    "note-line": set(),  # removed by clean-up
    "note-inline": {"result.closing_note"},
    "repeat": {"result.repetition"},
}
# Codes of the checks of issue 20, counted for the false-flag rate of the new checks alone.
NEW_CODES = {code for codes in EXPECTED.values() for code in codes} | {
    "result.added_sentence", "ask.code_not_in_sources", "ask.list_not_in_sources", "ask.wrong_language"}


@dataclass(frozen=True)
class Plant:
    kind: str
    text: str  # what the replayed model writes
    clean: str  # the output the plant was made from


def _changed_number(text: str) -> str | None:
    """`text` with its first number's leading digit changed (68万 -> 98万, 1,200 -> 4,200)."""
    found = numbers(text)
    if not found:
        return None
    at = found[0].start
    digit = int(text[at])
    return text[:at] + str((digit + 3) % 10 or 1) + text[at + 1:]


def plants(case: dict, output: str, language: str, index: int) -> list[Plant]:
    """The failures that can be planted in this output for this action."""
    output = output.strip()
    if not output:
        return []
    action = case["action"] if case["action"] != "rewrite" else case.get("style", "custom")
    out = []
    parts = segments(output)
    if action in ("translate", "proofread") and len(parts) >= 2:
        gone = parts[len(parts) // 2] if len(parts) >= 3 else parts[-1]
        out.append(Plant("drop", (output[:gone.start] + output[gone.start + len(gone.text):]).strip(), output))
    changed = _changed_number(output)
    if changed and action in ("translate", "proofread", "concise", "formal", "friendly", "simplify", "ask"):
        out.append(Plant("number", changed, output))
    # Notes and loops come after whole sentences; an output cut at the token limit ends in half of one.
    whole = [p.text for p in parts if _ENDS.search(p.text)]
    if action != "ask" and parts and _ENDS.search(parts[-1].text):
        note = NOTES["zh" if language in ("zh", "ja") else "en"][index % 2]
        out.append(Plant("note-line", output + "\n" + note, output))
        out.append(Plant("note-inline", output + ("" if _CJK.search(output[-1]) else " ") + note, output))
    if whole:
        gap = "" if _CJK.search(whole[-1][-1]) else " "
        out.append(Plant("repeat", output + (gap + whole[-1]) * 6, output))
    return out


def caught(plant: Plant, codes: set[str], result: str) -> tuple[bool, bool]:
    """(the writer was warned or the failure removed, by any check; the check for this failure
    said so, or, for a note, clean-up took it out: a note on the text's last line that streams in
    after the text is cut like one on a line of its own)."""
    removed = plant.kind.startswith("note") and result.strip() == plant.clean.strip()
    expected = removed or bool(codes & EXPECTED[plant.kind])
    return expected or bool(codes & NEW_CODES), expected


class ReplayEngine:
    """Streams a fixed text in small pieces, as a model streams tokens; counts tokens with the
    real engine, so an action is sized and split as it was when the text was written."""

    def __init__(self, counter, text: str) -> None:
        self.counter, self.text = counter, text
        self.written = 0

    def count_tokens(self, texts):
        return self.counter.count_tokens(texts)

    def generate(self, messages, max_tokens=None, **params):
        engine = self

        class Replay:
            cancelled = False

            def __iter__(self):
                for piece in re.findall(r"\S+\s*|\s+", engine.text):
                    if self.cancelled:
                        yield Finished("cancelled", engine.written)
                        return
                    engine.written += 1
                    yield Delta(piece)
                yield Finished("stop", engine.written)

            def cancel(self):
                self.cancelled = True

        return Replay()
