"""A fast stand-in for the engine, for GUI unit tests. test_engine_contract.py runs the same
assertions against it and the real worker, so it cannot drift from what the engine does."""

import re
import threading
import time

from writer.core.events import Delta, EngineInfo, Finished, ModelInfo
from writer.core.models import resolve_model


class FakeEngine:
    def __init__(self, context=4096, delay=0.0, load_delay=0.0):
        self.context = context
        self.delay = delay
        self.load_delay = load_delay
        self.requests = []
        self.params = []  # the sampling parameters of each request
        self.prefills, self.cancelled_prefills = [], []

    def load(self):
        time.sleep(self.load_delay)
        model = ModelInfo(name="fake", context=self.context, path="/models/fake.gguf", parameters=1_000_000,
                          quantization="Q4_1", layers=4, size_bytes=1000)
        return EngineInfo("fake", False, "", None, model)

    def info(self):
        return self.load()

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]

    def generate(self, messages, max_tokens=100, **params):
        content = messages[-1]["content"]
        self.requests.append(content)
        self.params.append(params)
        match = re.search(r'"""\n(.*)\n"""', content, re.S)
        answer = ("Echo: " + match.group(1)) if match else "Generated text."
        return FakeGeneration(answer, self.delay, max_tokens)

    def prefill(self, messages):
        self.prefills.append(messages[-1]["content"])
        number = len(self.prefills)
        generation = FakeGeneration("", 0.0, 0)
        generation.cancel = lambda: self.cancelled_prefills.append(number)
        return generation

    def close(self):
        pass


def fake_engines(**options):
    """An engine factory for EngineSession/EngineBridge that makes one FakeEngine and keeps it;
    like the real one, it refuses a model file that is not there."""
    def factory(current, settings, on_death):
        resolve_model(settings.model_path)
        return current or FakeEngine(context=settings.n_ctx, **options)
    return factory


class FakeGeneration:
    def __init__(self, answer, delay, max_tokens):
        self.answer, self.delay, self.max_tokens = answer, delay, max_tokens
        self.cancelled = threading.Event()

    def __iter__(self):
        words = self.answer.split(" ") if self.answer else []
        for i, word in enumerate(words[: self.max_tokens]):
            if self.cancelled.is_set():
                yield Finished("cancelled", i, 50.0)
                return
            time.sleep(self.delay)
            yield Delta(word + (" " if i < len(words) - 1 else ""))
        yield Finished("length" if len(words) > self.max_tokens else "stop", min(len(words), self.max_tokens), 50.0)

    def cancel(self):
        self.cancelled.set()
