"""Synthetic audio for tests (importable from any test folder: pytest's pythonpath has tests/)."""

from __future__ import annotations

import numpy as np


def tone(seconds: float = 1.0, rate: int = 32000, freq: float = 440.0, seed: int = 0) -> np.ndarray:
    """A tone plus a little noise: (samples,) float32."""
    t = np.arange(int(seconds * rate)) / rate
    noise = np.random.default_rng(seed).normal(0, 0.01, t.shape)
    return (0.3 * np.sin(2 * np.pi * freq * t) + noise).astype(np.float32)
