"""Test helpers importable from any test folder (pytest's pythonpath has tests/):
synthetic audio, and tiny untrained checkpoints of the presets."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def tone(seconds: float = 1.0, rate: int = 32000, freq: float = 440.0, seed: int = 0) -> np.ndarray:
    """A tone plus a little noise: (samples,) float32."""
    t = np.arange(int(seconds * rate)) / rate
    noise = np.random.default_rng(seed).normal(0, 0.01, t.shape)
    return (0.3 * np.sin(2 * np.pi * freq * t) + noise).astype(np.float32)


def tiny_checkpoint(preset: str, out: Path, seed: int = 0) -> Path:
    """`aacap init PRESET OUT` shrunk by `tiny_overrides` (a few thousand weights)."""
    from aacap.cli import main
    from aacap.presets import tiny_overrides

    args = ["init", preset, str(out), "--seed", str(seed)]
    for item in tiny_overrides(preset):
        args += ["--set", item]
    assert main(args) == 0
    return out
