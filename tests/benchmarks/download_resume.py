"""A model download over a connection that drops, against the local hub serving the default model
(98 MB): a clean download versus one whose connection is cut DROPS times, resumed by itself.

Rounds alternate, ROUNDS times each, with no wait between tries so the figures show the cost of
resuming itself; one last run uses Writer's real waits (1, 2, 4 s ...). Not a test: run it by hand.
The last line printed is JSON.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.helpers.hub_server import HubServer  # noqa: E402

from writer.core import downloads  # noqa: E402
from writer.core.paths import default_model_path  # noqa: E402

REPO, FILE = "writer-bench/model-GGUF", "model.gguf"
ROUNDS = 3
DROPS = 3


def one(hub: HubServer, size: int, drops: int, first_wait_s: float) -> dict:
    hub.requests.clear()
    hub.sent = 0
    hub.drop_after, hub.drops = (size // (drops + 1), drops) if drops else (None, 0)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        downloads.download(REPO, FILE, base=hub.url, dest_dir=Path(folder), first_wait_s=first_wait_s)
        seconds = time.perf_counter() - started
    gets = [r for r in hub.requests if r[0] == "GET"]
    return {"s": seconds, "refetched": hub.sent - size, "gets": len(gets)}


def main() -> None:
    data = default_model_path().read_bytes()
    size = len(data)
    with HubServer() as hub:
        hub.files[(REPO, FILE)] = data
        clean, dropped = [], []
        for _ in range(ROUNDS):
            clean.append(one(hub, size, 0, 0))
            dropped.append(one(hub, size, DROPS, 0))
        real = one(hub, size, DROPS, downloads.FIRST_WAIT_S)
    clean_s = statistics.median(r["s"] for r in clean)
    dropped_s = statistics.median(r["s"] for r in dropped)
    print(f"file: {size / 1e6:.1f} MB; {DROPS} drops at every {size // (DROPS + 1) / 1e6:.1f} MB")
    print(f"clean download        median {clean_s:.2f} s over {ROUNDS} rounds")
    print(f"with {DROPS} drops, no waits median {dropped_s:.2f} s, GET requests {dropped[0]['gets']}, "
          f"bytes fetched twice {max(r['refetched'] for r in dropped)}")
    print(f"with {DROPS} drops, real waits {real['s']:.2f} s (waits {sum(downloads.FIRST_WAIT_S * 2 ** i for i in range(DROPS)):.0f} s)")
    print(json.dumps({"size_bytes": size, "drops": DROPS, "clean_s": round(clean_s, 3), "dropped_s": round(dropped_s, 3),
                      "ratio": round(dropped_s / clean_s, 3), "refetched_bytes": max(r["refetched"] for r in dropped),
                      "real_waits_s": round(real["s"], 3)}))


if __name__ == "__main__":
    main()
