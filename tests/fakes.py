"""A fast stand-in for the engine client, for GUI unit tests (the real one is tested too)."""

import re
import threading
import time


class FakeClient:
    def __init__(self, listener=None, delay=0.0, load_delay=0.0):
        self.listener = listener
        self.delay = delay
        self.load_delay = load_delay
        self.requests = []
        self.prefills, self.cancelled_prefills = [], []

    def load(self, path, n_ctx=4096, gpu_layers="auto", threads=None):
        time.sleep(self.load_delay)
        return {"type": "loaded", "gpu_offload_supported": False, "model": {
            "path": str(path), "name": "fake", "parameters": 1e6, "quantization": "Q4_1", "context": n_ctx,
            "layers": 4, "gpu_layers": 0, "gpu_fallback": None, "size_bytes": 1000}}

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]

    def generate(self, messages, max_tokens=100, **params):
        content = messages[-1]["content"]
        self.requests.append(content)
        match = re.search(r'"""\n(.*)\n"""', content, re.S)
        answer = ("Echo: " + match.group(1)) if match else "Generated text."
        return FakeGeneration(answer, self.delay)

    def prefill(self, messages):
        self.prefills.append(messages[-1]["content"])
        return len(self.prefills)

    def cancel(self, rid):
        self.cancelled_prefills.append(rid)

    def close(self):
        pass


class FakeGeneration:
    def __init__(self, answer, delay):
        self.answer, self.delay = answer, delay
        self.cancelled = threading.Event()

    def __iter__(self):
        words = self.answer.split(" ")
        for i, word in enumerate(words):
            if self.cancelled.is_set():
                yield {"type": "done", "finish_reason": "cancelled", "completion_tokens": i, "tokens_per_s": 50.0}
                return
            time.sleep(self.delay)
            yield {"type": "delta", "text": word + (" " if i < len(words) - 1 else "")}
        yield {"type": "done", "finish_reason": "stop", "completion_tokens": len(words), "tokens_per_s": 50.0}

    def cancel(self):
        self.cancelled.set()
