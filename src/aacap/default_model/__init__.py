"""The offline default model (`aacap caption` with no `--model`): YAMNet + caption retrieval.

Assets (committed, rebuilt by `make default-model`): `aacap/assets/default/yamnet.pt` and
`bank.npz`. See `captioner.py` for the method and `build.py` for the provenance.
"""

from __future__ import annotations

from .captioner import DefaultCaptioner


def load_default() -> DefaultCaptioner:
    """The default captioner, loaded from the shipped assets (no network, no training)."""
    return DefaultCaptioner()


__all__ = ["DefaultCaptioner", "load_default"]
