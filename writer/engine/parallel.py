"""Several pieces of a long document written at once, as separate sequences of one context.

On a CPU a small model spends most of a single-token step on what does not grow with the batch
(reading the weights, building the graph, waking the threads), so a step that carries one token
of each of several pieces costs little more than a step for one. Each piece gets its own
sequence (a KV stream of its own, as large as the context the user chose) and its own sampler,
so it is written exactly as it would be alone; pieces start in order as sequences free up, so
the first ones finish first and the editor shows them while later ones are still being written.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Callable, Iterator

from writer.core import fit
from writer.engine.decoding import ROW_GROUP, common_prefix

# Three at most: a step carries one token of each, and from four rows on llama.cpp's kernels for
# repacked weights (Q4_0, Q4_K, IQ4_NL on AVX2) round differently from a single token's.
MAX_STREAMS = 3
KV_MEMORY_SHARE = 8  # the extra streams take at most 1/8 of the computer's memory


def kv_bytes_per_token(llm) -> int:
    """Bytes one token takes in the KV cache, for the loaded model's shape."""
    import llama_cpp

    model = llm._model.model
    head_dim = llama_cpp.llama_model_n_embd(model) // max(1, llama_cpp.llama_model_n_head(model))
    return fit.kv_bytes_per_token(llama_cpp.llama_model_n_layer(model), llama_cpp.llama_model_n_head_kv(model), head_dim)


def choose_streams(threads: int, n_ctx: int, kv_token_bytes: int, memory_bytes: int) -> int:
    """How many pieces to write at once: two per decode thread, and no more than the memory
    share allows, each needing a context's worth of cache (which grows with the model)."""
    wanted = min(MAX_STREAMS, 2 * max(1, threads))
    affordable = (memory_bytes // KV_MEMORY_SHARE) // max(1, kv_token_bytes * n_ctx)
    return max(1, min(wanted, affordable))


def widen_context(llm, streams: int) -> None:
    """Gives the model's context `streams` + 1 sequences of n_ctx tokens each. Sequence 0 is
    the one single requests use; llama-cpp-python's own record of the cache stays n_ctx long."""
    from llama_cpp import _internals as internals

    if streams <= 1:
        return
    params = llm.context_params
    params.n_ctx = llm.n_ctx() * (streams + 1)
    params.n_seq_max = streams + 1  # and one that holds the prompts' common beginning
    params.kv_unified = False  # one stream per sequence: a piece's attention reads only its own cache
    ctx = internals.LlamaContext(model=llm._model, params=params, verbose=False)
    llm._ctx.close()
    llm._ctx = llm._stack.enter_context(contextlib.closing(ctx))


@dataclass
class _Slot:
    piece: int  # index of the piece in the request
    seq: int
    sampler: object
    n_past: int
    token: int  # the last token sampled, fed in the next step
    written: int = 0


@dataclass(frozen=True)
class PieceToken:
    piece: int
    token: int


@dataclass(frozen=True)
class PieceEnd:
    piece: int
    finish: str  # "stop", "length" or "context"
    prompt_tokens: int
    written: int


def decode_pieces(llm, prompts: list[list[int]], limits: list[int], sampling: dict, streams: int,
                  is_end: Callable[[int], bool], seq_limit: int,
                  prompt_phase: Callable[[bool], None] = lambda on: None) -> Iterator[PieceToken | PieceEnd]:
    """Writes every prompt's continuation, `streams` at a time, yielding each token as it is
    sampled and an end for each piece. Stops as soon as the caller stops iterating; the cache is
    left empty either way (the next single request evaluates its prompt again). `prompt_phase`
    is told when prompt evaluation starts and ends (the worker lets a cancel abort it)."""
    import llama_cpp

    memory = llama_cpp.llama_get_memory(llm.ctx)
    batch = llama_cpp.llama_batch_init(max(llm.n_batch, streams), 0, 1)
    waiting = list(range(len(prompts)))
    active: list[_Slot] = []
    free = list(range(streams))

    def decode(items: list[tuple[int, int, int, bool]]) -> None:  # (token, position, sequence, logits)
        for i, (token, pos, seq, logits) in enumerate(items):
            batch.token[i], batch.pos[i], batch.n_seq_id[i], batch.logits[i] = token, pos, 1, logits
            batch.seq_id[i][0] = seq
        batch.n_tokens = len(items)
        rc = llama_cpp.llama_decode(llm.ctx, batch)
        if rc != 0:
            raise RuntimeError(f"llama_decode returned {rc}")

    def evaluate(tokens: list[int], begin: int, seq: int) -> int:
        """Evaluates tokens[begin:] into `seq`; returns the batch index of the last one's logits."""
        prompt_phase(True)
        try:
            for at in range(begin, len(tokens), llm.n_batch):
                chunk = tokens[at:at + llm.n_batch]
                decode([(t, at + j, seq, at + j == len(tokens) - 1) for j, t in enumerate(chunk)])
        finally:
            prompt_phase(False)
        return len(chunk) - 1

    def start(piece: int) -> Iterator[PieceToken | PieceEnd]:
        seq, tokens = free.pop(0), prompts[piece]
        if shared:
            llama_cpp.llama_memory_seq_cp(memory, streams, seq, -1, -1)  # copies the whole stream
        last = evaluate(tokens, shared, seq)
        slot = _Slot(piece, seq, llm._init_sampler(**sampling), len(tokens), 0)
        slot.token = slot.sampler.sample(llm._ctx, last)
        active.append(slot)
        yield from written(slot)

    def written(slot: _Slot) -> Iterator[PieceToken | PieceEnd]:
        """The slot's newest token: yielded, or the piece's end."""
        finish = None
        if is_end(slot.token):
            finish = "stop"
        else:
            slot.written += 1
            yield PieceToken(slot.piece, slot.token)
            if slot.written >= limits[slot.piece]:
                finish = "length"
            elif slot.n_past + 1 >= seq_limit:
                finish = "context"
        if finish:
            yield PieceEnd(slot.piece, finish, len(prompts[slot.piece]), slot.written)
            active.remove(slot)
            slot.sampler.close()
            llama_cpp.llama_memory_seq_rm(memory, slot.seq, -1, -1)
            free.append(slot.seq)
            free.sort()

    llama_cpp.llama_memory_clear(memory, True)
    llm.n_tokens = 0
    # The instructions every piece begins with are evaluated once (the last token of each
    # prompt is always evaluated in its own sequence, for its logits).
    shared = common_prefix(prompts) if streams > 1 and len(prompts) > 1 else 0  # held in sequence `streams`
    shared = min([shared] + [len(p) - 1 for p in prompts])
    shared -= shared % ROW_GROUP  # as decoding.reuse_cached_prefix: whole row groups
    try:
        if shared:
            evaluate(prompts[0][:shared], 0, streams)
        while waiting or active:
            while waiting and free:
                yield from start(waiting.pop(0))
            if not active:
                continue
            decode([(s.token, s.n_past, s.seq, True) for s in active])
            for i, slot in enumerate(list(active)):
                slot.n_past += 1
                slot.token = slot.sampler.sample(llm._ctx, i)
                yield from written(slot)
    finally:
        for slot in active:
            slot.sampler.close()
        llama_cpp.llama_batch_free(batch)
        llama_cpp.llama_memory_clear(memory, True)
        llm.n_tokens = 0
