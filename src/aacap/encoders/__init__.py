"""Audio encoders: waveform (B, S) at `sample_rate` -> frames (B, T, out_dim).

Contract: see docs/ARCHITECTURE.md. Each encoder module has its own config dataclass; the model
config stores its fields as a dict.
"""

from __future__ import annotations

from typing import Any

from torch import nn

ENCODERS = ("las", "cnn14", "cnext", "yamnet")


def build_encoder(kind: str, args: dict[str, Any]) -> nn.Module:
    """An encoder of `kind` built from its config fields `args` (random weights)."""
    if kind == "las":
        from .las import LasEncoder, LasEncoderConfig

        return LasEncoder(LasEncoderConfig(**args))
    if kind == "cnn14":
        from .cnn14 import Cnn14Config, Cnn14Encoder

        return Cnn14Encoder(Cnn14Config(**args))
    if kind == "cnext":
        from .convnext import ConvNextConfig, ConvNextEncoder

        return ConvNextEncoder(ConvNextConfig(**args))
    if kind == "yamnet":
        from .yamnet import YamnetConfig, YamnetEncoder

        return YamnetEncoder(YamnetConfig(**args))
    raise ValueError(f"unknown encoder {kind!r}; choose one of {ENCODERS}")
