"""Prompt-lookup drafting: guessing the next tokens from text the model has already seen.

A proofread, a light rewrite or a Markdown-preserving translation mostly copies its input, so
the tokens after the last few written ones can often be read off the prompt. `PromptLookup`
finds them; `DraftPolicy` decides how many to propose from the recent acceptance rate and the
measured cost of a verification batch, and proposes none while drafting does not pay.
"""

from __future__ import annotations

import bisect

NGRAM_SIZES = (3, 2)  # longest first: a longer match is a more reliable guess
# A verification batch holds the last token and at most two drafted ones: from four rows on,
# llama.cpp's CPU kernels for repacked weights (Q4_0, Q4_K, IQ4_NL on AVX2) switch to a
# matrix kernel that rounds differently from the one a single token takes.
MAX_DRAFT = 2
PROBE = 1  # tokens drafted to test whether drafting pays again after a pause (a miss costs little)
FIRST_PAUSE = 8  # plain steps before the first trial, doubling after each failed one


class PromptLookup:
    """The prompt and the output so far, indexed by their n-grams."""

    def __init__(self, tokens) -> None:
        self.history: list[int] = []
        self._ends: dict[tuple, list[int]] = {}  # n-gram -> ascending end positions
        self._cursor = 0  # where in history the last accepted draft was copied from
        self._source = -1  # end position of the n-gram the current draft came from
        self.extend(tokens)

    def extend(self, tokens) -> None:
        history, ends = self.history, self._ends
        for token in tokens:
            history.append(token)
            end = len(history) - 1
            for n in NGRAM_SIZES:
                if end + 1 >= n:
                    ends.setdefault(tuple(history[end + 1 - n:]), []).append(end)

    def draft(self, limit: int) -> list[int]:
        """Up to `limit` tokens that followed the last n-gram written, preferring the place
        right after the previous copy (so repeated phrases continue from the right one)."""
        history = self.history
        last = len(history) - 1
        for n in NGRAM_SIZES:
            ends = self._ends.get(tuple(history[-n:]))
            if not ends:
                continue
            usable = bisect.bisect_left(ends, last)  # the n-gram just written has no continuation yet
            if usable == 0:
                continue
            i = bisect.bisect_left(ends, self._cursor, 0, usable)
            source = ends[i] if i < usable else ends[usable - 1]
            self._source = source
            return history[source + 1:source + 1 + limit]
        return []

    def accepted(self, count: int) -> None:
        """`count` tokens of the last draft were kept: the copy continues after them."""
        self._cursor = self._source + count + 1


class DraftPolicy:
    """Chooses the draft length that maximises expected tokens per unit of decode time.

    A draft of k tokens, each accepted with probability p until the first miss, yields
    1 + p(1 - p^k)/(1 - p) tokens for the cost of one batch of k + 1, which costs
    1 + cost_per_draft * k single-token steps. Both p and cost_per_draft are measured as
    generation goes. When no length pays, drafting pauses for a growing number of steps and
    then tries a short draft again, so creative writing runs at plain speed.
    """

    DECAY = 0.8  # weight of the past in the acceptance estimate, per verification
    MIN_GAIN = 1.05  # a draft must promise this speed-up over a plain step
    CALIBRATE_EVERY = 32  # verifications between plain steps that re-measure a plain step's cost

    def __init__(self, cost_per_draft: float = 0.5) -> None:
        # An even prior and a draft token costing half a step (measured on a 2-core CPU: 0.65):
        # drafting starts with a short trial, so text the prompt does not predict loses little.
        self.hits, self.misses = 1.0, 1.0
        self.cost_per_draft = cost_per_draft
        self.step_s = 0.0  # a plain single-token step, seconds (0: not measured yet)
        self._pause, self._backoff = 0, FIRST_PAUSE
        self._since_plain = 0

    def length(self, room: int) -> int:
        """How many tokens to draft now (0: a plain step), at most `room`."""
        if self._pause > 0:
            self._pause -= 1
            return 0 if self._pause else min(PROBE, room)  # after a pause, a short trial draft
        if self.step_s == 0 or self._since_plain >= self.CALIBRATE_EVERY:
            return 0  # a plain step, to know what a draft's batch costs against it
        p = self.hits / (self.hits + self.misses)
        best_k, best_gain, expected = 0, 1.0, 0.0
        for k in range(1, min(room, MAX_DRAFT) + 1):
            expected += p ** k
            gain = (1 + expected) / (1 + self.cost_per_draft * k)
            if gain > best_gain:
                best_k, best_gain = k, gain
        if best_k == 0 or best_gain < self.MIN_GAIN:
            if room > 0:
                self._pause, self._backoff = self._backoff, min(self._backoff * 2, 256)
            return 0
        return best_k

    def record(self, drafted: int, accepted: int, seconds: float) -> None:
        """One decode step: `drafted` tokens proposed (0 for a plain step), `accepted` kept."""
        if drafted == 0:
            self.step_s = seconds if self.step_s == 0 else 0.7 * self.step_s + 0.3 * seconds
            self._since_plain = 0
            return
        self._since_plain += 1
        self.hits = self.DECAY * self.hits + accepted
        self.misses = self.DECAY * self.misses + (1 if accepted < drafted else 0)
        if accepted == drafted:
            self._backoff = FIRST_PAUSE  # drafting pays again: the next pause starts short
        if self.step_s > 0:
            cost = max(0.0, (seconds / self.step_s - 1) / drafted)
            self.cost_per_draft = 0.7 * self.cost_per_draft + 0.3 * min(cost, 4.0)
