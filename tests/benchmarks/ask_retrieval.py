"""Ask the document: does retrieval find planted facts, how does indexing scale, how soon does
the answer start. Not a test: run it by hand.

1. Hit rate: generated English (25,000 words) and Chinese (30,000 characters) documents with
   facts planted at known lines; a hit is the fact's passage among the sources Writer shows. The
   prompt is planned with the real model's token counts (context 4096, the default); nothing is
   generated, so this measures retrieval and budgeting alone. Tokeniser variants run side by side.
2. Questions about things the documents never mention: how often retrieval alone says "does not say".
3. Index time against document length, and a 10 MB document indexed behind the panel while a
   timer measures the longest stall of the event loop.
4. Time to the first answer token with the in-box model (context 2048), for a question and its
   follow-up, which reuses the cached passages.

The last line printed is JSON.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.helpers.ask_documents import document  # noqa: E402
from writer.core import retrieval  # noqa: E402
from writer.core.ask import AskRun, Conversation, Sources  # noqa: E402
from writer.core.events import Delta, Finished  # noqa: E402
from writer.core.paths import default_model_path  # noqa: E402
from writer.core.retrieval import PassageIndex  # noqa: E402
from writer.engine.client import EngineClient, LocalModel  # noqa: E402

CONTEXT = 4096
FIRST_TOKEN_CONTEXT = 2048  # half the default: the prompt is evaluated on two shared cores
SEEDS = (1, 2, 3)
ABSENT = {
    "en": ["What is the capital of France?", "Who won the football match on Saturday?",
           "How much did the new car cost?", "What did the doctor prescribe?", "Which airline flies to Tokyo?"],
    "zh": ["法国的首都是哪里？", "周六的足球比赛谁赢了？", "那辆新车花了多少钱？", "医生开了什么药？", "哪家航空公司飞东京？"],
}
SIZES = {"en": 25_000, "zh": 30_000}


class PlanOnly:
    """Counts with the real model; answers at once without generating (retrieval is measured)."""

    def __init__(self, client):
        self.client = client

    def count_tokens(self, texts):
        return self.client.count_tokens(texts)

    def generate(self, messages, **params):
        return iter([Delta("An answer."), Finished("stop")])


TOKENIZE = retrieval.tokenize  # Writer's own; the variants below are measured against it


def whole_runs(text):  # whitespace-like: a CJK run is one token
    return [t for t in retrieval._TOKEN.findall(text.lower()) if t not in retrieval.STOPWORDS]


def cjk_single_characters(text):
    tokens = TOKENIZE(text)
    return [t for t in tokens if not retrieval._CJK_RUN.match(t)] + retrieval._CJK_RUN.findall(text)


def words_without_pairs(text):
    return [t for t in TOKENIZE(text) if " " not in t]


VARIANTS = {
    "en": {"words+pairs": TOKENIZE, "words": words_without_pairs},
    "zh": {"bigrams": TOKENIZE, "characters": cjk_single_characters, "whole runs": whole_runs},
}


def hit_rate(engine, language, tokenizer) -> tuple[float, float, int]:
    """(share of facts whose passage is among the sources, mean sources shown, questions)."""
    original = retrieval.tokenize
    retrieval.tokenize = tokenizer
    try:
        hits, shown, asked = 0, [], 0
        for seed in SEEDS:
            text, facts = document(language, SIZES[language], seed=seed)
            index = PassageIndex.build(text)
            for fact in facts:
                events = list(AskRun(engine, CONTEXT, fact.question, text, index=index))
                sources = next(e for e in events if isinstance(e, Sources)).sources
                hits += any(s.first_line <= fact.line <= s.last_line for s in sources)
                shown.append(len(sources))
                asked += 1
        return hits / asked, statistics.mean(shown), asked
    finally:
        retrieval.tokenize = original


def absent_rate(engine, language) -> float:
    text, _ = document(language, SIZES[language])
    index = PassageIndex.build(text)
    said = 0
    for question in ABSENT[language]:
        events = list(AskRun(engine, CONTEXT, question, text, index=index))
        said += next(e for e in events if isinstance(e, Sources)).sources == ()
    return said / len(ABSENT[language])


def index_times(language, sizes) -> list[dict]:
    rows = []
    for size in sizes:
        text, _ = document(language, size, facts=10)
        best = min(_timed(lambda: PassageIndex.build(text)) for _ in range(3))
        rows.append({"size": size, "seconds": round(best, 4), "us_per_unit": round(best / size * 1e6, 2)})
    return rows


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def ten_megabytes_in_the_panel() -> dict:
    """Indexes a 10 MB document behind the Ask panel; a 5 ms timer measures event-loop stalls,
    first for a few seconds with nothing to do (the machine's own noise), then while indexing."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from writer.gui.ask_panel import AskPanel

    app = QApplication.instance() or QApplication([])
    paragraph, _ = document("en", 300, facts=0)
    text = "\n\n".join([paragraph] * (10_000_000 // len(paragraph) + 1))
    panel = AskPanel(lambda: text)
    gaps, last = [], [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    start = time.perf_counter()
    while time.perf_counter() - start < 5:
        app.processEvents()
        time.sleep(0.001)
    idle = max(gaps)
    gaps.clear()
    start = time.perf_counter()
    panel.indexer.build_now()
    while panel.indexer.index is None and time.perf_counter() - start < 300:
        app.processEvents()
        time.sleep(0.001)
    seconds = time.perf_counter() - start
    timer.stop()
    return {"mb": round(len(text.encode()) / 1e6, 1), "passages": len(panel.indexer.index.passages),
            "index_s": round(seconds, 2), "longest_stall_ms": round(max(gaps) * 1000, 1),
            "longest_stall_idle_ms": round(idle * 1000, 1)}


FOLLOW_UPS = {"en": "And who approved it?", "zh": "是谁批准的？"}


def first_tokens(engine, languages=("en", "zh")) -> dict:
    """Seconds from asking to the first answer token, for first questions and their follow-ups
    (None when the document did not say)."""
    out = {}
    for language in languages:
        follow_up = FOLLOW_UPS[language]
        text, facts = document(language, SIZES[language])
        index = PassageIndex.build(text)
        firsts, follows = [], []
        for fact in facts[1:2]:  # one question and its follow-up per language: two cores are shared
            conversation = Conversation()
            for question, times in ((fact.question, firsts), (follow_up, follows)):
                start = time.perf_counter()
                run = AskRun(engine, FIRST_TOKEN_CONTEXT, question, text, conversation=conversation, index=index,
                             temperature=0.0, seed=1)
                first = None
                for event in run:  # read to the end: the follow-up starts from this answer
                    if isinstance(event, Delta) and first is None:
                        first = time.perf_counter() - start
                times.append(round(first, 2) if first is not None else None)
        out[language] = {"first_question_s": firsts, "follow_up_s": follows}
    return out


def main() -> None:
    results: dict = {"load_average": os.getloadavg()[0]}
    client = EngineClient()
    try:
        client.load(LocalModel(str(default_model_path()), n_ctx=CONTEXT))
        engine = PlanOnly(client)
        results["hit_rate"] = {}
        for language, variants in VARIANTS.items():
            for name, tokenizer in variants.items():
                rate, shown, asked = hit_rate(engine, language, tokenizer)
                results["hit_rate"][f"{language} {name}"] = round(rate, 3)
                print(f"hit rate {language} ({name}): {rate:.1%} of {asked} planted facts, {shown:.1f} sources shown")
        results["does_not_say"] = {lang: absent_rate(engine, lang) for lang in ABSENT}
        print(f"absent questions answered 'does not say' by retrieval: {results['does_not_say']}")
        results["index_en_words"] = index_times("en", (12_500, 25_000, 50_000, 100_000, 200_000))
        results["index_zh_chars"] = index_times("zh", (15_000, 30_000, 60_000, 120_000))
        for key in ("index_en_words", "index_zh_chars"):
            for row in results[key]:
                print(f"{key}: {row['size']:>7} → {row['seconds']:.3f} s ({row['us_per_unit']} µs each)")
            rows = results[key]
            results[key + "_linearity"] = round(rows[-1]["us_per_unit"] / rows[0]["us_per_unit"], 2)
        results["ten_mb"] = ten_megabytes_in_the_panel()
        print(f"10 MB behind the panel: {results['ten_mb']}")
        results["first_token"] = first_tokens(client)
        print(f"first answer token with the in-box model (context {FIRST_TOKEN_CONTEXT}): {results['first_token']}")
    finally:
        client.close()
    results["load_average_end"] = os.getloadavg()[0]
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
