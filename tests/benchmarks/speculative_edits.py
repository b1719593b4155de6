"""Plain versus speculative (prompt-lookup) decoding on four writing tasks, greedy.

Cases: a proofread of clean text (the answer mostly copies the input), a Markdown translation
with code blocks, a formal rewrite and a free generation. Each case runs plain and speculative
alternately, ROUNDS times each, through Writer's engine client and worker with the prompts the
app builds; the prompt is cached before each timed run, so the figures are decode speed.
Reports tokens/s (medians), the draft acceptance rate and whether both outputs are identical.

Not a test: run it by hand, optionally with `--model FILE.gguf`. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from writer.core.actions import ActionRequest  # noqa: E402
from writer.core.events import Delta  # noqa: E402
from writer.core.paths import default_model_path  # noqa: E402
from writer.engine.client import EngineClient, LocalModel  # noqa: E402

ROUNDS = 3
N_CTX = 4096

CLEAN_TEXT = (
    "The library opens at nine in the morning and closes at six in the evening. Visitors can borrow up to "
    "five books at a time, and each loan lasts three weeks. Children under twelve need a parent to sign "
    "their library card. The reading room on the second floor is quiet, so please keep phone calls for the "
    "garden outside. Every Saturday a volunteer reads stories to young children in the small hall next to "
    "the entrance. If you lose a book, tell the staff at the front desk and they will explain what to do."
)

MARKDOWN = """# Installing the tool

Download the archive and unpack it in your home folder. Then run the installer:

```bash
tar -xzf tool.tar.gz
cd tool
./install.sh --prefix "$HOME/.local"
```

## Configuration

The settings live in a single file. Change the port if another program already uses it:

```toml
[server]
port = 8080
log_level = "info"
```

Restart the service after every change, and check the log if it does not start.
"""

ROUGH_NOTE = (
    "hey team, so the meeting got moved to thursday cuz the room was booked. bring the slides and the numbers "
    "from last quarter. we need to decide about the new supplier before friday, otherwise the order is late "
    "again. let me know if you cant make it."
)

CASES = {
    "proofread": (ActionRequest("rewrite", CLEAN_TEXT, style="proofread"), 200),
    "markdown_translate": (ActionRequest("translate", MARKDOWN, language="fr"), 320),
    "formal_rewrite": (ActionRequest("rewrite", ROUGH_NOTE, style="formal"), 160),
    "free_generation": (ActionRequest("generate", "", instruction="Write a short story about a lighthouse keeper.",
                                      length="medium"), 200),
}


def run_once(client: EngineClient, messages: list[dict], max_tokens: int, speculative: bool) -> dict:
    text, done = "", None
    for event in client.generate(messages, max_tokens=max_tokens, temperature=0.0, speculative=speculative):
        if isinstance(event, Delta):
            text += event.text
        else:
            done = event
    return {"text": text, "tokens_per_s": done.tokens_per_s, "completion_tokens": done.completion_tokens,
            "drafted": done.drafted, "accepted": done.accepted}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a GGUF file (default: the in-box model)")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    model = args.model or str(default_model_path())
    client = EngineClient()
    client.load(LocalModel(model, n_ctx=N_CTX, gpu_layers="auto"))  # all layers on a GPU build
    summary = {"model": Path(model).name, "rounds": args.rounds, "cases": {}}
    try:
        for name, (request, max_tokens) in CASES.items():
            messages = request.validated().messages()
            run_once(client, messages, 1, False)  # caches the prompt: both variants then time decoding only
            plain, spec = [], []
            for _ in range(args.rounds):
                plain.append(run_once(client, messages, max_tokens, False))
                spec.append(run_once(client, messages, max_tokens, True))
            p_speed = statistics.median(r["tokens_per_s"] for r in plain)
            s_speed = statistics.median(r["tokens_per_s"] for r in spec)
            drafted = sum(r["drafted"] for r in spec)
            accepted = sum(r["accepted"] for r in spec)
            identical = all(r["text"] == plain[0]["text"] for r in plain + spec)
            case = {"tokens": plain[0]["completion_tokens"], "plain_tok_s": p_speed, "speculative_tok_s": s_speed,
                    "speedup": round(s_speed / p_speed, 3) if p_speed else 0.0,
                    "drafted": drafted, "acceptance": round(accepted / drafted, 3) if drafted else 0.0,
                    "identical": identical}
            summary["cases"][name] = case
            print(f"{name:20} {case['tokens']:4} tokens  plain {p_speed:7.1f} tok/s  speculative {s_speed:7.1f} tok/s  "
                  f"x{case['speedup']:.2f}  drafted {drafted:5}  accepted {case['acceptance']:.0%}  "
                  f"identical {'yes' if identical else 'NO'}")
    finally:
        client.close()
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
