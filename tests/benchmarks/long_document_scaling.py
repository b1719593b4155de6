"""How the time to process a document grows with its length (1x, 2x, 4x), with the default model;
with --parallel, pieces written one by one against several at once.

Default: proofreads documents of 300, 600 and 1,200 words with a 1,024-token context, so each is
split into pieces, greedy and capped at the same output per piece. The last line printed is JSON
with seconds per size and the seconds-per-word ratio of 4x to 1x (1.0 is linear).

--parallel [--words 20000]: proofreads one document of that many words with a 2,048-token context,
greedy and uncapped, three ways in turn: pieces one by one with plain decoding, one by one with
speculative decoding, and several at once (the engine's choice). Reports words per second, the
ratios to one by one, and whether all three wrote the same document. Not a test: run it by hand.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from writer.core.actions import ActionRequest  # noqa: E402
from writer.core.paths import default_model_path  # noqa: E402
from writer.core.pipeline import ActionRun  # noqa: E402
from writer.core.events import Done, Progress  # noqa: E402
from writer.engine.client import EngineClient, LocalModel  # noqa: E402

BASE_WORDS = 300
PARAGRAPH = "The harbour was quiet in the morning and the boats was leaving early, their engines loud in the fog. "


def document(words: int, run: int) -> str:
    """Each run's text starts differently, so no run reuses another's cached prompt."""
    per = len(PARAGRAPH.split()) * 3
    return "\n\n".join(f"Draft {run}-{i}. " + PARAGRAPH * 3 for i in range(words // per))


def timed(client: EngineClient, words: int, run_number: int) -> tuple[float, int]:
    run = ActionRun(client, ActionRequest("rewrite", document(words, run_number), style="proofread"), 1024,
                    temperature=0.0, max_tokens=96)
    started = time.perf_counter()
    pieces = 1  # a single piece reports no progress
    for event in run:
        if isinstance(event, Progress):
            pieces = event.pieces
    return time.perf_counter() - started, pieces


SENTENCES = ["The harbour was quiet in the morning and the boats was leaving early.",
             "Their engines were loud in the fog, and the gulls followed them out to sea.",
             "By noon the fishermen has returned with crates of cod and a few crabs.",
             "The market opened at one, and the buyers argued about prices until three.",
             "In the evening the lights of the village came on one by one along the shore."]


def long_document(words: int) -> str:
    """Paragraphs of five sentences, each numbered, so no two pieces are the same text."""
    paragraphs, count = [], 0
    while count < words:
        paragraph = f"Day {len(paragraphs) + 1}. " + " ".join(SENTENCES[(len(paragraphs) + i) % 5] for i in range(5))
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return "\n\n".join(paragraphs) + "\n"


def proofread_whole(client: EngineClient, text: str, parallel: int) -> tuple[float, Done]:
    run = ActionRun(client, ActionRequest("rewrite", text, style="proofread"), 2048, temperature=0.0,
                    parallel=parallel)
    started = time.perf_counter()
    done = None
    for event in run:
        if isinstance(event, Done):
            done = event
    return time.perf_counter() - started, done


def compare_parallel(words: int) -> None:
    model = str(default_model_path())
    plain, drafting = EngineClient(), EngineClient()
    width = plain.load(LocalModel(model, n_ctx=2048, speculative=False)).model.parallel
    drafting.load(LocalModel(model, n_ctx=2048, speculative=True))
    text = long_document(words)
    ways = {"one_by_one": (plain, 1), "one_by_one_speculative": (drafting, 1), "parallel": (plain, width)}
    proofread_whole(plain, long_document(300), width)  # warm-up
    seconds, texts = {}, {}
    try:
        for name, (client, parallel) in ways.items():
            seconds[name], done = proofread_whole(client, text, parallel)
            texts[name] = done.text
            print(f"{name:24} {words} words in {seconds[name]:7.1f} s: {words / seconds[name]:6.1f} words/s "
                  f"({done.finish}, {done.completion_tokens} tokens)", flush=True)
    finally:
        plain.close()
        drafting.close()
    base = seconds["one_by_one"]
    summary = {"words": words, "streams": width, "words_per_s": {k: round(words / v, 2) for k, v in seconds.items()},
               "parallel_speedup": round(base / seconds["parallel"], 3),
               "speculative_speedup": round(base / seconds["one_by_one_speculative"], 3),
               "identical": len(set(texts.values())) == 1}
    print(json.dumps(summary))


def main() -> None:
    if "--parallel" in sys.argv:
        words = int(sys.argv[sys.argv.index("--words") + 1]) if "--words" in sys.argv else 20_000
        compare_parallel(words)
        return
    client = EngineClient()
    client.load(LocalModel(str(default_model_path()), n_ctx=1024))
    timed(client, BASE_WORDS, 0)  # warm-up
    results = {}
    for number, factor in enumerate((1, 2, 4), start=1):
        seconds, pieces = timed(client, BASE_WORDS * factor, number)
        results[f"{factor}x"] = round(seconds, 2)
        print(f"{factor}x: {BASE_WORDS * factor} words, {pieces} pieces, {seconds:.2f} s, "
              f"{1000 * seconds / (BASE_WORDS * factor):.1f} ms/word")
    client.close()
    ratio = (results["4x"] / 4) / results["1x"]
    print(json.dumps({"seconds": results, "per_word_ratio_4x_to_1x": round(ratio, 2)}))


if __name__ == "__main__":
    main()
