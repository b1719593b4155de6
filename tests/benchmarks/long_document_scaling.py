"""How the time to process a document grows with its length (1x, 2x, 4x), with the default model.

Proofreads documents of 300, 600 and 1,200 words with a 1,024-token context, so each is split
into pieces, greedy and capped at the same output per piece. Not a test: run it by hand. The last
line printed is JSON with seconds per size and the seconds-per-word ratio of 4x to 1x (1.0 is linear).
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
from writer.core.events import Progress  # noqa: E402
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


def main() -> None:
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
