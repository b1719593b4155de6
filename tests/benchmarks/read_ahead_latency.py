"""Time from the click to the first written word for a long selection: cold, against the same
click after the editor has had the idle engine read the selection ahead as a rewrite (what it does
once a selection settles), and against a different action (summarize) after that read-ahead, which
reuses the text but not the task. Runs alternate, ROUNDS times each, in one process and one worker.
Not a test: run it by hand. The last line printed is JSON with the medians and their ratio.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from writer.core.actions import ActionRequest  # noqa: E402
from writer.core.events import Delta  # noqa: E402
from writer.core.paths import default_model_path  # noqa: E402
from writer.core.pipeline import ActionRun  # noqa: E402
from writer.engine.client import EngineClient, LocalModel  # noqa: E402

ROUNDS = 5
N_CTX = 4096
WORDS = 600


def selection(round_no: int) -> str:
    """A different text each round, so nothing is left in the cache from the round before."""
    sentence = f"In round {round_no} the harbour master counts the boats that leave at dawn and writes it down."
    return " ".join(f"{sentence} Entry {i}." for i in range(WORDS // 19))


def first_word_s(client: EngineClient, text: str, action: str = "rewrite") -> float:
    options = {"style": "concise"} if action == "rewrite" else {"length": "sentence"}
    request = ActionRequest(action, text, **options).validated()
    started = time.perf_counter()
    run = ActionRun(client, request, N_CTX, temperature=0.0, max_tokens=16)
    for event in run:
        if isinstance(event, Delta):
            elapsed = time.perf_counter() - started
            run.cancel()
            return elapsed
    return time.perf_counter() - started


def main() -> None:
    client = EngineClient()
    client.load(LocalModel(str(default_model_path()), n_ctx=N_CTX))
    cold, warm, other = [], [], []
    for i in range(ROUNDS):
        cold.append(first_word_s(client, selection(3 * i)))
        for text, action, results in ((selection(3 * i + 1), "rewrite", warm), (selection(3 * i + 2), "summarize", other)):
            request = ActionRequest("rewrite", text, style="concise").validated()
            list(client.prefill(request.messages(text.strip())))  # the user is still looking at the selection
            results.append(first_word_s(client, text, action))
        print(f"round {i + 1}: cold {cold[-1]:.2f} s, read ahead {warm[-1]:.3f} s, "
              f"another action after it {other[-1]:.3f} s")
    client.close()
    c, w, o = statistics.median(cold), statistics.median(warm), statistics.median(other)
    print(json.dumps({"cold_first_word_s": round(c, 3), "read_ahead_first_word_s": round(w, 3),
                      "other_action_first_word_s": round(o, 3), "speedup": round(c / w, 1),
                      "other_action_speedup": round(c / o, 1)}))


if __name__ == "__main__":
    main()
