"""Time to find a long document's structure before it is sent to the model, old scanner against parser.

Builds a Markdown document and a plain-text document of about 20,000 words each and times, side by
side in alternating rounds, what translation and rewrite do before the first model call: `runs()`,
then `hide_links()` on every prose run, and the paragraph split used by summaries. The baseline is
the hand-written scanner of an earlier revision, loaded from git. Also times the editor's line kinds:
the first parse and one edit in the middle. Not a test: run it by hand; the last line is JSON.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from writer.core import chunking, markdown  # noqa: E402
from writer.core.line_kinds import LineKinds  # noqa: E402

BASELINE = sys.argv[1] if len(sys.argv) > 1 else "1127a74"  # the last revision with the hand-written scanner
ROUNDS = 7
WORDS = 20_000
PARAGRAPH = ("The harbour was quiet in the morning and the boats were leaving early, their engines loud in the fog. "
             "We walked along the pier and counted the gulls. ")
SECTION = f"""## Day {{n}}

{PARAGRAPH} See [the map](https://example.org/map/{{n}}) and run `tide --day {{n}}` before leaving.

- warm coat
- [x] tickets for <https://ferry.example/{{n}}>

> {PARAGRAPH}

| Place | Price |
|-------|------:|
| Harbour | 10 |

```python
print("day {{n}}")
```

"""


def documents() -> dict[str, str]:
    per = len(SECTION.split())
    markdown_doc = "# Travel notes\n\n" + "".join(SECTION.format(n=n) for n in range(WORDS // per))
    plain_doc = "\n\n".join(("    " if n % 3 == 0 else "") + PARAGRAPH * 2 for n in range(WORDS // len((PARAGRAPH * 2).split())))
    return {"markdown": markdown_doc, "plain": plain_doc}


def load_baseline():
    source = subprocess.run(["git", "show", f"{BASELINE}:writer/core/markdown.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    chunk_source = subprocess.run(["git", "show", f"{BASELINE}:writer/core/chunking.py"], cwd=ROOT, check=True,
                                  capture_output=True, text=True).stdout
    modules = []
    for name, text in (("old_markdown", source), ("old_chunking", chunk_source)):
        path = Path(tempfile.mkdtemp()) / f"{name}.py"
        path.write_text(text, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        modules.append(module)
    return modules


def translate_path(md_module, chunk_module, text: str) -> None:
    for run in md_module.runs(text):
        if run.prose:
            md_module.hide_links(run.text)


def summary_path(md_module, chunk_module, text: str) -> None:
    chunk_module.paragraphs(text)


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    old_md, old_chunking = load_baseline()
    docs = documents()
    results: dict[str, dict[str, float]] = {}
    for kind, text in docs.items():
        for path in (translate_path, summary_path):
            old, new = [], []
            for _ in range(ROUNDS):  # alternate, so both see the same load on a shared machine
                old.append(timed(lambda: path(old_md, old_chunking, text)))
                new.append(timed(lambda: path(markdown, chunking, text)))
            name = f"{kind}_{path.__name__}"
            results[name] = {"words": len(text.split()), "old_ms": round(1000 * statistics.median(old), 1),
                             "new_ms": round(1000 * statistics.median(new), 1),
                             "ratio": round(statistics.median(new) / statistics.median(old), 2)}
            print(f"{name}: {results[name]}")
    lines = docs["markdown"].split("\n")
    first = [timed(lambda: LineKinds(lines)) for _ in range(3)]
    kinds = LineKinds(lines)
    middle = len(lines) // 2
    edits = [timed(lambda: kinds.edit(middle, 1, [lines[middle] + "x"])) for _ in range(20)]
    results["editor"] = {"lines": len(lines), "first_parse_ms": round(1000 * statistics.median(first), 1),
                         "edit_ms": round(1000 * statistics.median(edits), 2)}
    print(f"editor line kinds: {results['editor']}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
