"""Audio encoders: waveform (B, S) at `sample_rate` -> frames (B, T, out_dim).

Contract: see docs/ARCHITECTURE.md. Each encoder module has its own config dataclass; the model
config stores its fields as a dict.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from ..config import config_from_args

ENCODERS = ("las", "cnn14", "cnext", "yamnet")


def build_encoder(kind: str, args: dict[str, Any]) -> nn.Module:
    """An encoder of `kind` built from its config fields `args` (random weights)."""
    if kind == "las":
        from .las import LasEncoder, LasEncoderConfig

        return LasEncoder(config_from_args(LasEncoderConfig, args, "encoder_args"))
    if kind == "cnn14":
        from .cnn14 import Cnn14Config, Cnn14Encoder

        return Cnn14Encoder(config_from_args(Cnn14Config, args, "encoder_args"))
    if kind == "cnext":
        from .convnext import ConvNextConfig, ConvNextEncoder

        return ConvNextEncoder(config_from_args(ConvNextConfig, args, "encoder_args"))
    if kind == "yamnet":
        from .yamnet import YamnetConfig, YamnetEncoder

        return YamnetEncoder(config_from_args(YamnetConfig, args, "encoder_args"))
    raise ValueError(f"unknown encoder {kind!r}; choose one of {ENCODERS}")
