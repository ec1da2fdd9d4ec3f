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
import torch

from ..decoding import DecodingOptions
from ..decoding.filters import sampling_probs

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
    `count` at most, without replacement, from softmax(scores / temperature) after the
    decoders' top-k and top-p filters (`decoding.filters.sampling_probs`). Temperature 0 is
    greedy.
    `seed`: entropy for the generator, e.g. [seed, clip position]; None draws afresh."""
    if options.temperature == 0.0:
        return list(range(min(count, len(scores))))
    probs = sampling_probs(torch.from_numpy(np.asarray(scores, dtype=np.float64)), options).numpy()
    order = np.argsort(-probs, kind="stable")
    allowed = order[: np.count_nonzero(probs)]  # the entries the filters kept (and not underflowed)
    p = probs[allowed] / probs[allowed].sum()
    rng = np.random.default_rng(seed)
    drawn = rng.choice(len(allowed), size=min(count, len(allowed)), replace=False, p=p)
    return [int(allowed[j]) for j in drawn]
