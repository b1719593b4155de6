"""A model that loops is stopped at once, the repeats are cut and the result says so, for actions
and Ask alike, whatever the engine (the watcher reads only the streamed text)."""

import threading

import pytest

from tests.helpers.ask_documents import ENGLISH
from writer.core.actions import ActionRequest
from writer.core.ask import AskRun, Sources
from writer.core.events import Delta, Done, Finished, Note
from writer.core.pipeline import ActionRun
from writer.core.repetition import RepeatWatcher

FOOTNOTES = ("The exporter still drops footnotes. The document does not contain footnotes. "
             + "The document contains footnotes. " * 40)


def watch(text, source="", step=3):
    watcher = RepeatWatcher(source)
    out = "".join(watcher.feed(text[i:i + step]) for i in range(0, len(text), step)) + watcher.finish()
    return out, watcher


def test_the_same_sentence_a_third_time_is_cut_after_its_first():
    out, watcher = watch(FOOTNOTES)
    assert out.strip() == ("The exporter still drops footnotes. The document does not contain footnotes. "
                           "The document contains footnotes.")
    assert watcher.looped and watcher.repeated == "The document contains footnotes."


@pytest.mark.parametrize("text, kept", [
    ("I've kept the code as it is.\n" * 8, "I've kept the code as it is."),
    ("Red sky at night. Sailors delight. " * 3 + "Red sky", "Red sky at night. Sailors delight."),
    ("文档包含脚注。" * 5, "文档包含脚注。"),
])
def test_lines_cycles_and_chinese_sentences_loop_too(text, kept):
    out, watcher = watch(text, step=1)
    assert watcher.looped and out.strip() == kept


@pytest.mark.parametrize("text, source", [
    ("Hello there friend. Hello there friend. And then more text comes here.", ""),  # twice is not a loop
    ("La la la la. La la la la. La la la la. End of song.", "La la la la. La la la la. La la la la."),  # the writer's
    ("- item\n- item\n- item\n- item\n", ""),  # too short to tell from a list
    ("One thing. Another thing. One thing. A third thing. One thing.", ""),  # not in a row
])
def test_repetition_that_is_not_a_loop_passes_whole(text, source):
    out, watcher = watch(text, source, step=1)
    assert out == text and not watcher.looped


def test_a_possible_repeat_is_held_until_it_is_known():
    watcher = RepeatWatcher()
    assert watcher.feed("Go home now. ") == "Go home now."  # its space comes with what follows
    assert watcher.feed("Go home") == ""  # may start a loop
    assert watcher.feed(" now. Then rest.") == ""  # a second copy: held until the pattern breaks
    assert watcher.finish() == " Go home now. Then rest."


class LoopingEngine:
    """Writes `opening`, then `sentence` until it is cancelled (or a thousand times)."""

    def __init__(self, opening, sentence):
        self.opening, self.sentence = opening, sentence
        self.written = 0
        self.cancelled = threading.Event()

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]

    def generate(self, messages, max_tokens=None, **params):
        engine = self

        class Generation:
            def __iter__(self):
                yield Delta(engine.opening)
                for _ in range(1000):
                    if engine.cancelled.is_set():
                        yield Finished("cancelled", engine.written)
                        return
                    engine.written += 1
                    yield Delta(engine.sentence)
                yield Finished("length", engine.written)

            def cancel(self):
                engine.cancelled.set()

        return Generation()


def test_an_action_that_loops_is_stopped_at_once_and_cut():
    engine = LoopingEngine("Je garde le code.", " J'ai gardé le code tel quel.")
    events = list(ActionRun(engine, ActionRequest("translate", "I keep the code.", language="fr"), 2048))
    done = events[-1]
    assert isinstance(done, Done) and done.finish == "stop"
    assert done.text == "Je garde le code. J'ai gardé le code tel quel."
    assert engine.written <= 4  # stopped at the third copy, not at the token limit
    notes = [e for e in events if isinstance(e, Note)]
    assert notes[0].message.code == "result.repetition"
    assert notes[0].marks == ("J'ai gardé le code tel quel.",)
    assert "result.token_limit" not in [n.message.code for n in notes]
    assert "".join(e.text for e in events if isinstance(e, Delta)) == done.text


def test_an_answer_that_loops_is_stopped_cut_and_flagged():
    engine = LoopingEngine("The exporter still drops footnotes.", " The document contains footnotes.")
    run = AskRun(engine, 2048, "Who keeps the key to the boat shed?", ENGLISH)
    events = list(run)
    assert engine.written <= 4
    assert events[-1].text == "The exporter still drops footnotes. The document contains footnotes."
    assert events[-1].finish == "stop"
    notes = [e.message.code for e in events if isinstance(e, Note)]
    assert notes[0] == "result.repetition"
    assert isinstance(events[-2], Sources)
