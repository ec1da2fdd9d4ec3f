"""Decoding: greedy, beam search and sampling through one loop (`loop.decode`), with logit
filters (`filters.py`), token selectors and a ranker (`search.py`).

    from aacap.decoding import DecodingOptions, decode
    nbest = decode(model, model.encode(wave, lengths), DecodingOptions(method="beam"))
    nbest[0][0].caption  # best caption of the first clip
"""

from .loop import decode
from .options import Candidate, DecodingOptions, decoding_options_from_kwargs

__all__ = ["Candidate", "DecodingOptions", "decode", "decoding_options_from_kwargs"]
