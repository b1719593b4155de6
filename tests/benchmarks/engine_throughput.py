"""Greedy decode of 256 tokens with the default model: raw llama-cpp-python in this process
versus the same request through Writer's engine client, worker process and protocol.

Runs alternate, ROUNDS times each, so both see the same machine load. Not a test: run it by hand.
The last line printed is JSON: {"raw_tok_s": ..., "writer_tok_s": ..., "ratio": writer/raw}.
`--gpu-layers -1` offloads every layer on both sides (a GPU build of llama-cpp-python).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from llama_cpp import Llama  # noqa: E402

from writer.core.paths import default_model_path  # noqa: E402
from writer.core.events import Delta  # noqa: E402
from writer.engine.client import EngineClient, LocalModel  # noqa: E402
from writer.engine import backends  # noqa: E402
from writer.engine.worker import default_threads  # noqa: E402

TOKENS = 256
ROUNDS = 5
N_CTX = 2048
MESSAGES = [{"role": "user", "content": "Write a long story about a lighthouse keeper and a storm."}]


def raw_round(llm: Llama, prompt_tokens: list[int]) -> float:
    llm.reset()
    first = None
    n = 0
    for token in llm.generate(prompt_tokens, temp=0.0, repeat_penalty=1.0):
        llm.detokenize([token])
        if first is None:
            first = time.perf_counter()
        n += 1
        if n >= TOKENS:
            break
    return (n - 1) / (time.perf_counter() - first)


def writer_round(client: EngineClient, speculative: bool) -> float:
    first = None
    n = 0
    for event in client.generate(MESSAGES, max_tokens=TOKENS, temperature=0.0, repeat_penalty=1.0, ignore_eos=True,
                                 speculative=speculative):
        if isinstance(event, Delta):
            if first is None:
                first = time.perf_counter()
            n += 1
    # Deltas can hold several tokens' bytes (a split UTF-8 character), so count tokens from the worker.
    return (TOKENS - 1) / (time.perf_counter() - first)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gpu-layers", type=int, default=0, help="layers to offload on both sides (-1: all)")
    layers = parser.parse_args().gpu_layers
    model = str(default_model_path())
    threads = default_threads()
    backends.started()  # the same CPU code the worker loads (a portable build has none built in)
    llm = Llama(model, n_ctx=N_CTX, n_threads=threads, n_batch=512, n_gpu_layers=layers, verbose=False)
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter
    fmt = Jinja2ChatFormatter(llm.metadata["tokenizer.chat_template"], eos_token="<|im_end|>", bos_token="<|im_start|>")
    prompt = fmt(messages=MESSAGES).prompt
    prompt_tokens = llm.tokenize(prompt.encode(), add_bos=False, special=True)

    client = EngineClient()
    client.load(LocalModel(model, n_ctx=N_CTX, gpu_layers=layers, threads=threads))
    raw_round(llm, prompt_tokens), writer_round(client, True)  # warm-up
    raw, ours, plain = [], [], []
    for i in range(ROUNDS):
        raw.append(raw_round(llm, prompt_tokens))
        ours.append(writer_round(client, True))
        plain.append(writer_round(client, False))
        print(f"round {i + 1}: raw {raw[-1]:.1f} tok/s, writer {ours[-1]:.1f} tok/s, "
              f"writer without drafting {plain[-1]:.1f} tok/s")
    client.close()
    llm.close()
    raw_med, ours_med, plain_med = statistics.median(raw), statistics.median(ours), statistics.median(plain)
    print(f"threads={threads} tokens={TOKENS} rounds={ROUNDS} (medians; writer drafts by default)")
    print(json.dumps({"raw_tok_s": round(raw_med, 1), "writer_tok_s": round(ours_med, 1), "ratio": round(ours_med / raw_med, 3),
                      "writer_plain_tok_s": round(plain_med, 1), "plain_ratio": round(plain_med / raw_med, 3)}))


if __name__ == "__main__":
    main()
