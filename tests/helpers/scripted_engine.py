"""A scripted engine with the Engine protocol's typed events, for tests of code that asks
questions (the real worker is tested too)."""

import re
import threading
import time

from writer.core.events import Delta, Finished

_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


class ScriptedEngine:
    """`answer(messages) -> str` decides the reply; it streams word by word."""

    def __init__(self, answer=None, delay=0.0):
        self.answer = answer or (lambda messages: "The answer.")
        self.delay = delay
        self.requests = []  # the messages of each generate call
        self.generations = []

    def count_tokens(self, texts):
        return [len(t.split()) + len(_CJK.findall(t)) for t in texts]

    def generate(self, messages, *, max_tokens=None, temperature=0.7, seed=None):
        self.requests.append(messages)
        self.generations.append(ScriptedGeneration(self.answer(messages), self.delay))
        return self.generations[-1]


class ScriptedGeneration:
    def __init__(self, text, delay):
        self.text, self.delay = text, delay
        self.cancelled = threading.Event()

    def __iter__(self):
        words = re.findall(r"\S+\s*", self.text)
        for i, word in enumerate(words):
            if self.cancelled.is_set():
                yield Finished("cancelled", i)
                return
            time.sleep(self.delay)
            yield Delta(word)
        yield Finished("stop", len(words), 50.0)

    def cancel(self):
        self.cancelled.set()
