"""The token loop behind generate: prompt evaluation with KV-cache reuse, then one token per
step, or, with speculative decoding, a prompt-lookup draft verified in one batch per step.

Verification samples each position of the batch in order with the request's own sampler chain
and stops at the first sampled token that differs from the draft. Every emitted token is
sampled exactly once, with the same penalty history as plain decoding, so sampled output keeps
its distribution (a draft of fixed tokens is accepted exactly when sampling picks it, which is
speculative sampling's acceptance rule for a draft that puts all its probability on one token).
Greedy output is the same token for token because the logits are: the worker runs flash
attention with q8_0 keys, where llama.cpp computes each token's attention row by itself
whether it comes alone or in a batch, on any number of threads. (With f16 keys llama.cpp
splits a lone token's attention across threads once the cache holds 512 tokens, and tiles large
batches, so a batch rounds differently and a near-tie can go the other way; measured: 1 of 6
proofreads differed.)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterator

from writer.engine.speculative import MAX_DRAFT, DraftPolicy, PromptLookup


@dataclass
class DraftStats:
    """What drafting did for one request, for the done event."""

    drafted: int = 0
    accepted: int = 0
    verifications: int = 0


ROW_GROUP = 4  # llama.cpp's repacked-weight kernels take the rows of a batch four at a time


def common_prefix(sequences: list[list[int]]) -> int:
    """How many tokens all the sequences begin with."""
    n = 0
    for column in zip(*sequences):
        if any(t != column[0] for t in column):
            break
        n += 1
    return n


def reuse_cached_prefix(llm, tokens: list[int]) -> int:
    """Keeps the longest prefix of `tokens` already in the KV cache, always leaving the last
    token to evaluate (its logits are needed); returns how many tokens were kept.

    The kept prefix is a whole number of row groups, so every prompt token is evaluated in the
    same group of four, whatever was cached before: its cache entry is then the same bits."""
    cached = max(0, min(common_prefix([list(llm._input_ids), tokens]), len(tokens) - 1))
    cached -= cached % ROW_GROUP
    if cached > 0 and not llm._ctx.kv_cache_seq_rm(-1, cached, -1):
        cached = 0
    llm.n_tokens = cached
    return cached


def context_limit(llm) -> int:
    """Tokens the context can hold: llama.cpp may pad the context beyond what was asked, but
    llama-cpp-python's record of it (input_ids) has the size asked for."""
    return min(llm.n_ctx(), len(llm.input_ids))


def generate_tokens(llm, prompt: list[int], sampling: dict, speculative: bool, stats: DraftStats) -> Iterator[int]:
    """Yields the tokens the model writes after `prompt`, for as long as the caller iterates.

    `sampling` holds llama-cpp-python's sampler parameters (temp, top_k, top_p, min_p,
    repeat_penalty). The KV cache and `llm`'s record of it (input_ids, n_tokens) always agree,
    so the next request reuses the common prefix, even after a cancel or a failure.
    """
    import llama_cpp

    sampler = llm._init_sampler(**sampling)
    try:
        reuse_cached_prefix(llm, prompt)
        llm.eval(prompt[llm.n_tokens:])
        # A verification batch is a few tokens, bound by memory like a single one: it runs on the
        # decode threads (more threads only wait on each other, badly so on a busy machine).
        llama_cpp.llama_set_n_threads(llm.ctx, llm.n_threads, llm.n_threads)
        pending = [sampler.sample(llm._ctx, -1)]
        lookup = PromptLookup(prompt) if speculative else None
        policy = DraftPolicy()
        n_ctx = context_limit(llm)
        while True:
            yield from pending
            token = pending[-1]
            n_past = llm.n_tokens
            if n_past >= n_ctx:
                return  # the context is full; the caller stops here too
            draft: list[int] = []
            if lookup is not None:
                lookup.extend(pending)
                # The draft never runs past the context: the whole batch must fit.
                candidate = lookup.draft(min(MAX_DRAFT, n_ctx - n_past - 1))
                if candidate:
                    draft = candidate[:policy.length(len(candidate))]
            batch = [token, *draft]
            started = time.perf_counter()
            _decode(llm, batch, n_past, all_logits=bool(draft))
            seconds = time.perf_counter() - started
            pending = []
            for i in range(len(batch)):
                pending.append(sampler.sample(llm._ctx, i))
                if i + 1 == len(batch) or pending[-1] != batch[i + 1]:
                    break
            kept = len(pending)  # batch[:kept] stays in the KV cache: the token and the accepted draft
            if kept < len(batch):
                llm._ctx.kv_cache_seq_rm(-1, n_past + kept, -1)
            llm.input_ids[n_past:n_past + kept] = batch[:kept]
            llm.n_tokens = n_past + kept
            if lookup is not None:
                policy.record(len(draft), kept - 1, seconds)
                if draft:
                    lookup.accepted(kept - 1)
                    stats.drafted += len(draft)
                    stats.accepted += kept - 1
                    stats.verifications += 1
    finally:
        llama_cpp.llama_set_n_threads(llm.ctx, llm.n_threads, llm.n_threads_batch)
        sampler.close()


def _decode(llm, tokens: list[int], n_past: int, all_logits: bool) -> None:
    """Evaluates `tokens` at positions n_past.. in one batch; on failure (or an abort) the
    cache is rolled back to n_past, so it still matches llm.n_tokens."""
    llm._batch.set_batch(batch=tokens, n_past=n_past, logits_all=all_logits)
    try:
        llm._ctx.decode(llm._batch)
    except RuntimeError:
        llm._ctx.kv_cache_seq_rm(-1, n_past, -1)
        llm.n_tokens = n_past
        raise
