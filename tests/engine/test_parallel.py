"""Pieces written at once (writer.engine.parallel) with the real model in the real worker: the
same text as one by one, in order, with cancel and failure ending cleanly."""

import pytest

from tests.helpers.generations import collect, texts_by_piece
from writer.core.actions import ActionRequest
from writer.core.events import Delta, Done, Finished, Progress
from writer.core.pipeline import ActionRun
from writer.engine import backends, parallel

PARAGRAPHS = [
    "The library opens at nine in the morning and closes at six in the evening.",
    "Visitors can borrow up to five books at a time, and each loan lasts three weeks.",
    "Children under twelve need a parent to sign their library card before they borrow.",
    "The reading room on the second floor is quiet, so please keep phone calls outside.",
    "Every Saturday a volunteer reads stories to young children in the small hall.",
    "If you lose a book, tell the staff at the front desk and they will explain what to do.",
]


def long_document(words):
    """Paragraphs of about 100 words: several pieces for a 2048-token context."""
    return "\n\n".join(f"Paragraph {i} begins here. " + "and the story goes on " * 19 + "until it ends."
                       for i in range(words // 100)) + "\n"


def proofread(text):
    return ActionRequest("rewrite", text, style="proofread").validated().messages()


def test_the_engine_writes_several_pieces_at_once(engine):
    assert engine.info().model.parallel > 1  # two per decode thread here, within the memory share


def test_pieces_written_together_are_token_for_token_what_each_writes_alone(engine):
    alone = [collect(engine.generate(proofread(text), max_tokens=60, temperature=0))[0] for text in PARAGRAPHS]
    events = engine.generate_pieces([(proofread(text), 60) for text in PARAGRAPHS], temperature=0)
    together, ends = texts_by_piece(events, len(PARAGRAPHS))
    assert together == alone
    assert sorted(e.piece for e in ends) == list(range(len(PARAGRAPHS)))  # one end per piece
    assert all(isinstance(e, Finished) and e.finish in ("stop", "length") for e in ends)


def test_a_long_proofread_gives_the_same_document_and_progress_either_way(engine):
    text = long_document(1_500)
    runs = {}
    for width in (1, engine.info().model.parallel):
        events = list(ActionRun(engine, ActionRequest("rewrite", text, style="proofread"), 2048, temperature=0,
                                max_tokens=40, parallel=width))
        runs[width] = events
    one, together = runs.values()
    assert [e.piece for e in one if isinstance(e, Progress)] == [e.piece for e in together if isinstance(e, Progress)]
    assert isinstance(together[-1], Done) and together[-1].text == one[-1].text and together[-1].finish == "length"


def test_cancel_while_pieces_are_written_ends_every_piece_and_leaves_the_engine_ready(engine):
    generation = engine.generate_pieces([(proofread(text), 200) for text in PARAGRAPHS], temperature=0,
                                        ignore_eos=True)
    events = []
    for event in generation:
        events.append(event)
        if len(events) == 3:
            generation.cancel()
    ends = [e for e in events if isinstance(e, Finished)]
    assert sorted(e.piece for e in ends) == list(range(len(PARAGRAPHS)))
    assert any(e.finish == "cancelled" for e in ends)
    # The cache was cleared: a plain request afterwards writes what it writes on a fresh engine.
    first = list(engine.generate(proofread(PARAGRAPHS[0]), max_tokens=20, temperature=0))
    again = list(engine.generate(proofread(PARAGRAPHS[0]), max_tokens=20, temperature=0))
    assert [e.text for e in first if isinstance(e, Delta)] == [e.text for e in again if isinstance(e, Delta)]


def test_a_piece_too_long_for_the_context_is_a_clear_error(engine):
    from writer.core.errors import EngineError

    with pytest.raises(EngineError, match="context holds"):
        list(engine.generate_pieces([(proofread(PARAGRAPHS[0]), 20), (proofread("word " * 3000), 20)]))
    assert list(engine.generate(proofread(PARAGRAPHS[0]), max_tokens=5, temperature=0))[-1].finish == "length"


# -- in this process, to make llama.cpp fail mid-batch ---------------------------------------
@pytest.fixture(scope="module")
def llm(model_path):
    from llama_cpp import Llama

    backends.started()  # a portable build loads its CPU code first
    model = Llama(str(model_path), n_ctx=1024, n_threads=2, flash_attn=True, type_k=8, type_v=1, verbose=False)
    parallel.widen_context(model, 3)
    yield model
    model.close()


def prompts(llm):
    return [llm.tokenize(f"<|im_start|>user\n{text}<|im_end|>\n<|im_start|>assistant\n".encode(), special=True)
            for text in PARAGRAPHS]


def decode_all(llm, limit=12):
    import llama_cpp
    return parallel.decode_pieces(llm, prompts(llm), [limit] * len(PARAGRAPHS), {"temp": 0.0}, 3,
                                  lambda t: llama_cpp.llama_vocab_is_eog(llm._model.vocab, t), 1024)


def test_a_failure_mid_batch_keeps_the_pieces_finished_before_it_and_clears_the_cache(llm, monkeypatch):
    import llama_cpp

    complete = [e for e in decode_all(llm) if isinstance(e, parallel.PieceEnd)]
    calls = {"n": 0}
    real = llama_cpp.llama_decode

    def failing(ctx, batch):
        calls["n"] += 1
        return 1 if calls["n"] == 20 else real(ctx, batch)  # 1: llama.cpp found no room in the cache

    monkeypatch.setattr(llama_cpp, "llama_decode", failing)
    seen = []
    with pytest.raises(RuntimeError, match="llama_decode returned 1"):
        for event in decode_all(llm):
            seen.append(event)
    ended = [e for e in seen if isinstance(e, parallel.PieceEnd)]
    assert 0 < len(ended) < len(complete) and all(e in complete for e in ended)
    monkeypatch.setattr(llama_cpp, "llama_decode", real)
    assert llm.n_tokens == 0
    assert [e for e in decode_all(llm) if isinstance(e, parallel.PieceEnd)] == complete  # nothing left behind


def test_pieces_stop_at_their_own_context(llm):
    import llama_cpp
    longest = max(len(p) for p in prompts(llm))
    events = list(parallel.decode_pieces(llm, prompts(llm), [500] * len(PARAGRAPHS), {"temp": 0.0}, 3,
                                         lambda t: False, longest + 5))
    ends = [e for e in events if isinstance(e, parallel.PieceEnd)]
    assert len(ends) == len(PARAGRAPHS) and all(e.finish == "context" for e in ends)
    assert all(e.prompt_tokens + e.written <= longest + 5 for e in ends)
    assert llama_cpp.llama_memory_seq_pos_max(llama_cpp.llama_get_memory(llm.ctx), 0) == -1  # cache left empty


def test_streams_follow_threads_memory_and_the_gpu():
    gib = 1 << 30
    assert parallel.choose_streams(1, 4096, 12_000, 24 * gib) == 2
    assert parallel.choose_streams(16, 4096, 12_000, 24 * gib) == parallel.MAX_STREAMS == 3
    # An 8B model's cache (about 100 KB a token): the memory share allows two on 12 GB.
    assert parallel.choose_streams(4, 8192, 100_000, 16 * gib) == 2
    assert parallel.choose_streams(4, 32768, 140_000, 8 * gib) == 1
