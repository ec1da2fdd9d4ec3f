"""Decoding: greedy, beam search and sampling through one loop (`loop.decode`), with logit
filters (`filters.py`), token selectors and a ranker (`search.py`).

    from aacap.decoding import DecodingOptions, decode
    nbest = decode(model, model.encode(wave, lengths), DecodingOptions(method="beam"))
    nbest[0][0].caption  # best caption of the first clip
"""

from typing import Any

from .options import Candidate, DecodingOptions, decoding_options_from_kwargs

__all__ = ["Candidate", "DecodingOptions", "decode", "decoding_options_from_kwargs"]


def __getattr__(name: str) -> Any:
    # lazy: the loop loads torch, and the CLI builds its flags from `options` without it
    if name == "decode":
        from .loop import decode

        return decode
    raise AttributeError(f"module 'aacap.decoding' has no attribute {name!r}")
