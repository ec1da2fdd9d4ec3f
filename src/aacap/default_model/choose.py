"""Which decoding options the default model honours, and sampling over its retrieval ranking.

The default model does not generate words: it ranks whole human captions. Of `DecodingOptions`
it honours the candidate count (`method`, `beam_size`, `num_candidates`) and, for
`method='sample'`, draws captions from the ranked pool:

    p(c) = softmax(score(c) / temperature)   over the pool, after top_k / top_p filtering

without replacement, from a generator seeded by (seed, the clip's position in the job), so a
clip gets the same draw however a job is batched. Options about generated words (lengths,
repetition, length penalty, task token, typical sampling) cannot apply and are refused with a
one-line `ValueError` when set to anything but their defaults.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..decoding import DecodingOptions

SUPPORTED = ("method", "beam_size", "num_candidates", "temperature", "top_k", "top_p", "seed")
# implementation details of the neural decoders that change nothing here
_IGNORED = ("use_cache",)
_DEFAULTS = DecodingOptions()


def check_supported(options: DecodingOptions) -> None:
    """Raise a one-line `ValueError` naming the options the default model cannot honour."""
    refused = [f"{f.name}={getattr(options, f.name)!r}" for f in dataclasses.fields(options)
               if f.name not in SUPPORTED + _IGNORED
               and getattr(options, f.name) != getattr(_DEFAULTS, f.name)]
    if refused:
        raise ValueError(
            f"the default model cannot honour decoding option(s) {', '.join(refused)}: it "
            f"retrieves whole human captions; it supports {', '.join(SUPPORTED)}")


def sample_order(scores: np.ndarray, options: DecodingOptions, seed: list[int] | None,
                 count: int) -> list[int]:
    """Indices into `scores` (P,) (the ranked pool, best first) drawn for `method='sample'`:
    `count` at most, without replacement, from softmax(scores / temperature) restricted to the
    `top_k` best and the smallest best-first set of mass >= `top_p`. Temperature 0 is greedy.
    `seed`: entropy for the generator, e.g. [seed, clip position]; None draws afresh."""
    if options.temperature == 0.0:
        return list(range(min(count, len(scores))))
    logits = (scores - scores.max()) / options.temperature
    probs = np.exp(logits) / np.exp(logits).sum()
    order = np.argsort(-probs, kind="stable")
    keep = len(order) if options.top_k is None else min(options.top_k, len(order))
    if options.top_p is not None:
        mass = np.cumsum(probs[order])
        keep = min(keep, int(np.searchsorted(mass, options.top_p - 1e-12)) + 1)
    allowed = order[:keep]
    p = probs[allowed] / probs[allowed].sum()
    rng = np.random.default_rng(seed)
    drawn = rng.choice(len(allowed), size=min(count, len(allowed)), replace=False, p=p)
    return [int(allowed[j]) for j in drawn]
