"""Caption decoders. Contract: see docs/ARCHITECTURE.md (`forward` for teacher forcing,
`step` for incremental decoding with a state that has `reorder(index)`)."""

from __future__ import annotations

from typing import Any

from torch import nn

from ..config import config_from_args

from .rnn import RnnDecoder, RnnDecoderConfig
from .transformer import TransformerDecoder, TransformerDecoderConfig

DECODERS = ("rnn", "transformer")


def build_decoder(kind: str, args: dict[str, Any], vocab_size: int, d_model: int, pad_id: int) -> nn.Module:
    """A decoder of `kind` from its config fields `args`, reading memory of width `d_model`."""
    if kind == "rnn":
        return RnnDecoder(config_from_args(RnnDecoderConfig, args, "decoder_args"), vocab_size, d_model, pad_id)
    if kind == "transformer":
        cfg = config_from_args(TransformerDecoderConfig, {"d_model": d_model, **args},
                               "decoder_args")
        if cfg.d_model != d_model:
            raise ValueError(f"transformer d_model {cfg.d_model} must equal the model's {d_model}")
        return TransformerDecoder(cfg, vocab_size, pad_id)
    raise ValueError(f"unknown decoder {kind!r}; choose one of {DECODERS}")
